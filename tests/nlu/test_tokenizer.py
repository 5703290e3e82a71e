"""The bilingual tokenizer: jieba words for Chinese, whole English words, no whitespace tokens."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu.tokenizer import BilingualTokenizer


@pytest.fixture
def tokenizer(tmp_path):
    config = {**BilingualTokenizer.get_default_config()}
    return BilingualTokenizer.create(
        config, LocalModelStorage(tmp_path), Resource("tokenizer"), ExecutionContext(GraphSchema({}))
    )


def tokens_of(tokenizer, text):
    return [(t.text, t.start, t.end) for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


def test_mixed_text_has_no_whitespace_tokens_and_keeps_offsets(tokenizer):
    text = "我妈妈 is 65"
    tokens = tokens_of(tokenizer, text)
    assert [t for t, _, _ in tokens] == ["我", "妈妈", "is", "65"]
    for word, start, end in tokens:
        assert text[start:end] == word


def test_english_words_stay_whole(tokenizer):
    assert [t for t, _, _ in tokens_of(tokenizer, "I want to enroll my mother")] == [
        "I", "want", "to", "enroll", "my", "mother"
    ]


def test_chinese_is_segmented_into_words(tokenizer):
    words = [t for t, _, _ in tokens_of(tokenizer, "我想给我妈报名")]
    assert "报名" in words and " " not in words


def test_several_spaces_and_tabs_are_dropped(tokenizer):
    assert all(t.strip() for t, _, _ in tokens_of(tokenizer, "hello   你好\tworld"))


def test_traditional_chinese_is_tokenized_as_simplified_and_given_back_as_typed(tokenizer):
    from bot.rasa.nlu.language_tagger import LanguageTagger

    message = Message(data={"text": "我想給我媽報名"})
    tokenizer.process([message])
    assert "报名" in [t.text for t in message.get("text_tokens")]
    LanguageTagger().process([message])
    assert message.get("text") == "我想給我媽報名"  # slots and actions see what the user typed
    tags = {e["entity"]: e["value"] for e in message.get("entities")}
    assert tags == {"language": "zh", "chinese_script": "traditional"}


def test_written_cantonese_is_read_as_mandarin_and_the_message_keeps_what_was_typed(tokenizer):
    from bot.rasa.nlu.tokenizer import TEXT_AS_TYPED

    message = Message(data={"text": "佢冇試過"})
    tokenizer.process([message])
    assert message.get("text") == "他没试过" and message.get(TEXT_AS_TYPED) == "佢冇試過"

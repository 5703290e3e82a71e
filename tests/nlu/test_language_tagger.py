"""The language tag that the `language` slot follows: one entity per message that shows a language."""
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu.language_tagger import LanguageTagger


def tag(text, entities=None):
    message = Message(data={"text": text, "entities": list(entities or [])})
    LanguageTagger().process([message])
    return [e for e in message.get("entities", []) if e["entity"] == "language"], message


def test_chinese_and_english_messages_are_tagged():
    assert tag("你好")[0][0]["value"] == "zh"
    assert tag("hello")[0][0]["value"] == "en"
    assert tag("请说英文")[0][0]["value"] == "en"


def test_numbers_only_get_no_tag_so_the_slot_keeps_its_value():
    assert tag("13912345678")[0] == []


def test_other_entities_are_kept():
    other = {"entity": "relationship", "value": "mother", "start": 2, "end": 4}
    tags, message = tag("我想给妈妈报名", [other])
    assert other in message.get("entities")
    assert len(tags) == 1

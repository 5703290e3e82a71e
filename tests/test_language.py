"""The language a message is answered in: script, mixed text, no letters at all, explicit requests."""
import pytest

from bot.core.language import detect_language, language_request, normalise_language, script_language


@pytest.mark.parametrize(
    "text, expected",
    [
        ("你好", "zh"),
        ("hello", "en"),
        ("我妈妈 is 65", "zh"),  # a Chinese sentence with an English word stays Chinese
        ("我想enroll我妈", "zh"),
        ("My mother 王秀英 is 65", "en"),  # an English sentence with a Chinese name stays English
        ("OK好的", "zh"),  # "OK" is neutral
        ("What's the waiting period? 等待期", "en"),
        ("等待期多久？waiting period", "zh"),
    ],
)
def test_script_decides_mixed_text_sensibly(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["13912345678", "11010519491231002X", "👍", "🙂🙂", "?", "", "65", "OK",
                                  "hmm", "uhh", "oh", "qwzxv", "Ng"])
def test_text_without_letters_or_words_keeps_the_current_language(text):
    # "hmm" or a slip of the keyboard in a Chinese conversation once switched it to English.
    assert detect_language(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("说中文", "zh"),
        ("请讲中文", "zh"),
        ("Chinese please", "zh"),
        ("can you speak Chinese", "zh"),
        ("English please", "en"),
        ("请说英文", "en"),  # written in Chinese, asking for English
        ("用英语回复我", "en"),
        ("switch to English", "en"),
    ],
)
def test_an_explicit_request_wins_over_the_script(text, expected):
    assert language_request(text) == expected
    assert detect_language(text) == expected


def test_ordinary_sentences_are_not_requests():
    assert language_request("what is this plan") is None
    assert language_request("我想给我妈报名") is None
    assert script_language("我想给我妈报名") == "zh"


@pytest.mark.parametrize(
    "hint, expected",
    [("zh", "zh"), ("zh-CN", "zh"), ("zh_Hans", "zh"), ("EN", "en"), ("en-US", "en"), ("fr", None), (None, None), (3, None)],
)
def test_channel_language_hints_are_normalised(hint, expected):
    assert normalise_language(hint) == expected


def test_the_web_chat_page_follows_the_typed_language_by_the_servers_rule():
    """web/embed.js keeps a copy of the rule (the page switches before the server answers): same neutral
    words, same sounds, same vowels, so the page and the replies never disagree."""
    import json
    import re

    from bot.core import language
    from bot.core.settings import PROJECT_ROOT

    page = (PROJECT_ROOT / "web" / "embed.js").read_text(encoding="utf-8")
    neutral = re.search(r"var NEUTRAL = (\[.*?\]);", page).group(1)
    assert set(json.loads(neutral)) == language._NEUTRAL_WORDS
    assert re.search(r"var SOUND = /\^\(\?:(.*?)\)\$/i;", page).group(1) == language.EN_SOUND.pattern
    assert "var VOWEL = /[aeiouy\\u00c0-\\u024f]/i;" in page

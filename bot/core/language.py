"""Which language a user is writing in, judged from the script of their text.

The assistant speaks Chinese or English, following the user turn by turn. A message is Chinese when its
Han characters outweigh its Latin words, English when the Latin words win, and undecided when it holds
neither (digits, an ID number, emoji, punctuation): then the conversation keeps its current language.
An explicit request ("说中文", "English please", "请讲英文") wins over the script it is written in.
"""
from __future__ import annotations

import re
from typing import Literal, Optional

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
DEFAULT_LANGUAGE: Language = "zh"

# Han ideographs (CJK Unified Ideographs, Extension A, Compatibility Ideographs).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A Latin word: two or more letters, or a lone "I"/"a" standing as a word.
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}|\b[IiAa]\b")
# Words a Chinese writer mixes in without switching language (brand names, "OK", "ID").
_NEUTRAL_WORDS = {"ok", "okay", "id", "app", "vip", "ps", "qq", "wechat", "alipay", "rmb", "cny"}
# Sounds and letters that are no word ("hmm", "uhh", "qwzxv"): typed in a Chinese conversation they do not
# switch it to English. A word with no vowel is no English word (a lone surname such as "Ng" decides nothing
# either); bot.core.answers reads the same sounds as saying nothing.
EN_SOUND = re.compile(r"h+m+|m+h*|u+h+|u+m+|e+r+m*|e+h+|a+h+|o+h+|h+u+h+|a+r+g+h+|p+h+e+w+", re.IGNORECASE)
VOWEL = re.compile(r"[aeiouyAEIOUY\u00c0-\u024f]")
# A Chinese word is about one and a half characters long; weigh characters accordingly.
_HAN_CHARS_PER_WORD = 1.5

_REQUESTS: dict[Language, re.Pattern[str]] = {
    "zh": re.compile(
        r"(说|讲|講|用|换成|换回|切换到|改成|改用)\s*(中文|汉语|普通话|国语)|^\s*(中文|汉语|普通话)(吧|好了|可以吗)?\s*[。.!！]?\s*$"
        r"|\b(speak|use|switch to|change to|in|reply in|answer in)\s+(chinese|mandarin)\b"
        r"|^\s*(chinese|mandarin)(\s+please)?\s*[.!]?\s*$",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"(说|讲|講|用|换成|换回|切换到|改成|改用)\s*(英文|英语|英語)|^\s*(英文|英语)(吧|好了|可以吗)?\s*[。.!！]?\s*$"
        r"|\b(speak|use|switch to|change to|in|reply in|answer in)\s+english\b"
        r"|^\s*english(\s+please)?\s*[.!]?\s*$",
        re.IGNORECASE,
    ),
}


def language_request(text: str) -> Optional[Language]:
    """The language the user explicitly asks for ("说英文" → en), or None when they ask for none."""
    for language, pattern in _REQUESTS.items():
        if pattern.search(text or ""):
            return language
    return None


def script_language(text: str) -> Optional[Language]:
    """zh or en from the script of `text`, or None when the text has no letters of either script."""
    text = text or ""
    han_words = len(_HAN.findall(text)) / _HAN_CHARS_PER_WORD
    latin_words = sum(
        1 for word in _LATIN_WORD.findall(text)
        if word.lower() not in _NEUTRAL_WORDS and VOWEL.search(word) and not EN_SOUND.fullmatch(word)
    )
    if han_words == 0 and latin_words == 0:
        return None
    return "zh" if han_words >= latin_words else "en"


def detect_language(text: str) -> Optional[Language]:
    """The language to answer `text` in: an explicit request first, else the script; None = keep."""
    return language_request(text) or script_language(text)


def normalise_language(value: object) -> Optional[Language]:
    """A channel's language hint ("zh-CN", "en_US", "EN", "中文") as zh/en, or None if unrecognised."""
    if not isinstance(value, str):
        return None
    value = value.strip().lower().replace("_", "-")
    if value.startswith("zh") or value in {"中文", "cn", "chinese"}:
        return "zh"
    if value.startswith("en") or value == "english":
        return "en"
    return None

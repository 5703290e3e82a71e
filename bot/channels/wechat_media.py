"""What the WeChat channel itself says about a message that is not plain text (issue 21).

Families, and seniors themselves, often talk to the Official Account by voice:
- a voice message with WeChat's speech recognition is handled like typed text, and said back first in a
  short line ("我听到的是：…"), so a misheard ID number or phone number is caught;
- a voice message without recognition, a picture (stickers arrive as pictures), a video, a location or a
  link gets a short, friendly answer instead of silence.

Answers are in the language the user last wrote or spoke in (remembered here for a day, per user), else
Chinese, as most followers read it. The said-back text goes only to the user, never to a log.
"""
from __future__ import annotations

from typing import Optional

from bot.channels.ttl_cache import TTLCache
from bot.core.language import DEFAULT_LANGUAGE, Language, detect_language

LANGUAGE_TTL_SECONDS = 24 * 3600
LANGUAGE_MAX = 10_000

HEARD = {"zh": "我听到的是：“{text}”", "en": "I heard: \"{text}\""}
UNREADABLE = {
    "voice": {"zh": "这条语音我没听清。请再说一遍，或者打字告诉我。",
              "en": "Sorry, I couldn't make out that voice message. Please say it again, or type it."},
    "image": {"zh": "谢谢！不过我看不了图片和表情。请打字或发语音告诉我您想问什么。",
              "en": "Thank you! I can't see pictures or stickers, though. Please type or say what you'd like to ask."},
    "location": {"zh": "收到您的位置，谢谢。报名不需要位置；有问题直接打字或发语音问我就行。",
                 "en": "Got your location, thanks. Enrolling doesn't need it: just type or say your question."},
    "other": {"zh": "这类消息我还打不开。请打字或发语音告诉我。",
              "en": "I can't open this kind of message yet. Please type or send a voice message."},
}
UNREADABLE_TYPES = {"voice": "voice", "image": "image", "location": "location", "video": "other",
                    "shortvideo": "other", "link": "other", "file": "other"}


class MediaReplies:
    """The channel's own short answers, in each user's language."""

    def __init__(self) -> None:
        self._languages: TTLCache[str, Language] = TTLCache(LANGUAGE_TTL_SECONDS, LANGUAGE_MAX)

    def note(self, openid: str, text: str) -> None:
        """Remembers the language of what the user wrote or said (nothing for digits or emoji only)."""
        language = detect_language(text)
        if language:
            self._languages.put(openid, language)

    def language(self, openid: str) -> Language:
        return self._languages.get(openid) or DEFAULT_LANGUAGE

    def heard(self, openid: str, recognition: str) -> str:
        return HEARD[self.language(openid)].format(text=recognition.strip())

    def unreadable(self, openid: str, msg_type: str) -> Optional[str]:
        """The answer to a message of `msg_type` the assistant cannot read, or None for other types."""
        kind = UNREADABLE_TYPES.get(msg_type)
        return UNREADABLE[kind][self.language(openid)] if kind else None

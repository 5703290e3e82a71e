"""Reading the identity answers out of what a family typed: the member's name ("她叫王秀英"), the ID
number ("她的身份证是 110105 19491231 002x"), a birth date stated next to it, and the mobile number.
Each is checked by bot.core.identity; full-width digits and separators are accepted.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Optional

from bot.core.identity import IdNumber, normalize_phone, parse_id_number, validate_name

_NAME_LEAD_INS = re.compile(
    r"^(?:(?:她|他|我妈妈?|我爸爸?|我母亲|我父亲|我婆婆|我岳母|我公公|我岳父|老人|本人|我)?(?:的)?"
    r"(?:名字|姓名)?(?:叫做?|是|为|：|:)\s*"
    r"|(?:her|his|my|the)?\s*(?:mother'?s?|father'?s?|mom'?s?|dad'?s?)?\s*(?:full\s+)?name\s+is\s+"
    r"|(?:she|he)\s+is\s+called\s+|(?:i\s+am|i'm|it's|it\s+is)\s+)",
    re.IGNORECASE,
)
_ID_LIKE = re.compile(r"[0-9０-９][0-9０-９\s\-]{12,24}[0-9０-９Xxｘ]")
_PHONE_LIKE = re.compile(r"(?:\+\s*86|0086|86)?[\s\-]*1[0-9\s\-]{10,14}")
_STATED_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})\s*(?:日|号)?")


def read_name(text: str) -> str:
    """The member's name from an answer like "她叫王秀英" or "her name is Mary Li", checked."""
    text = unicodedata.normalize("NFKC", text or "").strip().rstrip("。.!！")
    return validate_name(_NAME_LEAD_INS.sub("", text, count=1))


def _without_stated_date(text: str) -> str:
    return _STATED_DATE.sub(" ", text)


def read_id_number(text: str, today: date) -> IdNumber:
    """The ID number in an answer ("她的身份证是 110105 19491231 002x"), checked."""
    text = unicodedata.normalize("NFKC", text or "")
    found = _ID_LIKE.search(text)
    return parse_id_number(found.group(0) if found else text, today=today)


def stated_birth_date(text: str) -> Optional[date]:
    """A birth date stated next to the ID number ("出生于1956年3月5日", "born 1956-03-05"), if any."""
    text = unicodedata.normalize("NFKC", text or "")
    without_id = _ID_LIKE.sub(" ", text)
    found = _STATED_DATE.search(without_id)
    if not found:
        return None
    try:
        return date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        return None


def read_phone(text: str) -> str:
    """The mobile number in an answer ("她手机是 +86 139-1234-5678"), checked and normalised."""
    text = unicodedata.normalize("NFKC", text or "")
    found = _PHONE_LIKE.search(_without_stated_date(text))
    return normalize_phone(found.group(0) if found else text)

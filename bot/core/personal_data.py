"""Finding and masking the personal numbers people type: ID numbers and phone numbers in free text.

Families type an ID number or a mobile number in any form: "110105 19491231 002x", "+86 139-1234-5678",
full-width digits, inside a Chinese sentence. Wherever text is kept or shown beyond the turn that needs
it (the conversation store, a staff transcript, analytics events, logs), such numbers are masked the way
the plan shows them: an ID number as its first 6 and last 4 characters, a phone as its first 3 and last
4 digits, so nothing kept holds the whole number in any separator form.

A "personal number" here is any run of at least 11 digits, counting the digits of a run written with
spaces, dashes or dots between them (and an ID number's final X): shorter numbers (amounts, dates, ages)
stay as they are, and so does an enrollment number, even one whose random part is all digits
(SC261128-06597 has 11 digits with its dash). Plain Python, no Rasa, no store.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.core.enrollment_numbers import ENROLLMENT_NUMBER

_DIGIT = "[0-9０-９]"
_SEPARATOR = r"[\s\-‐‑‒–—―.．·/]"
_PERSONAL_RUN = re.compile(
    rf"(?:[+＋]\s*)?{_DIGIT}(?:{_SEPARATOR}{{0,3}}{_DIGIT})*(?:{_SEPARATOR}{{0,3}}[XxＸｘ](?![A-Za-z]))?"
)
MIN_PERSONAL_DIGITS = 11
"""A mainland mobile number has 11 digits; an ID number 18 characters. Fewer digits are not masked."""


def _mask_run(found: re.Match[str]) -> str:
    run = found.group(0)
    characters = re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", run).upper())
    digits = sum(character.isdigit() for character in characters)
    if digits < MIN_PERSONAL_DIGITS:
        return run
    keep_start = 6 if len(characters) >= 15 else 3
    hidden = len(characters) - keep_start - 4
    return f"{characters[:keep_start]}{'*' * hidden}{characters[-4:]}"


def mask_personal_numbers(text: str) -> str:
    """`text` with every ID number and phone number masked (110105********002X, 139****5678)."""
    if not text or not any(character.isdigit() for character in text):
        return text
    kept, start = [], 0
    for number in ENROLLMENT_NUMBER.finditer(text):
        kept += [_PERSONAL_RUN.sub(_mask_run, text[start:number.start()]), number.group(0)]
        start = number.end()
    return "".join(kept) + _PERSONAL_RUN.sub(_mask_run, text[start:])


def holds_personal_number(text: str) -> bool:
    """Whether `text` holds a run that `mask_personal_numbers` would mask."""
    return mask_personal_numbers(text) != text


def mask_everywhere(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings) with `mask_personal_numbers` applied to every
    string in it, keys included. Other values are returned as they are."""
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, dict):
        return {mask_everywhere(key): mask_everywhere(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_everywhere(item) for item in value]
    return value

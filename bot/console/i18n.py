"""The console's two languages: its Babel message catalogs, and which language a request is served in.

The catalogs are the .po files under `locale/<language>/LC_MESSAGES/console.po`, compiled in memory when
the app starts, so a clean clone needs no compile step and no .mo file is kept in git. Strings are marked
`_("...")` where they are shown and `N_("...")` where they are only listed (tables of labels); a test
extracts both from the code and checks that each catalog has every one of them, translated.

A staff member's language is the one they chose with the switch (a cookie), else the first of Chinese and
English in their browser's Accept-Language, else Chinese.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Callable, Literal, Mapping, Optional

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ConsoleLanguage = Literal["zh", "en"]
LANGUAGES: tuple[ConsoleLanguage, ...] = ("zh", "en")
DEFAULT_LANGUAGE: ConsoleLanguage = "zh"
LANGUAGE_COOKIE = "console_language"
# Each language's name in itself, as the language switch shows it: the same in both catalogs.
LANGUAGE_AUTONYMS: Mapping[ConsoleLanguage, str] = {"zh": "中文", "en": "English"}
HTML_LANG: Mapping[ConsoleLanguage, str] = {"zh": "zh-CN", "en": "en"}

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "console"

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it here (it is translated where it is shown)."""
    return message


def catalog_path(language: ConsoleLanguage) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations() -> dict[ConsoleLanguage, Translations]:
    """Every language's catalog, compiled from its .po file (fuzzy entries left out)."""
    translations: dict[ConsoleLanguage, Translations] = {}
    for language in LANGUAGES:
        with catalog_path(language).open("rb") as po:
            catalog = read_po(po, locale=language, domain=DOMAIN)
        compiled = BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        translations[language] = Translations(compiled, domain=DOMAIN)
    return translations


def known_language(value: Optional[str]) -> Optional[ConsoleLanguage]:
    """'zh' or 'en' for a tag such as 'zh-CN', 'zh_Hans' or 'en-GB'; None for anything else."""
    primary = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else None  # type: ignore[return-value]


def accepted_languages(header: Optional[str]) -> list[str]:
    """The language tags of an Accept-Language header, most preferred first (q=0 left out)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(cookie: Optional[str], accept_language: Optional[str]) -> ConsoleLanguage:
    """The switch's choice, else the browser's first known preference, else Chinese."""
    chosen = known_language(cookie)
    if chosen:
        return chosen
    for tag in accepted_languages(accept_language):
        language = known_language(tag)
        if language:
            return language
    return DEFAULT_LANGUAGE

"""Numbers, money and dates as a user reads them, formatted by Babel for the assistant's two languages.

The languages are 'zh' (formatted for zh_CN) and 'en'; a tag such as 'zh-CN' or 'en_US' counts as its
language (bot.core.language decides), and anything else falls back to 'zh'. Money shows fen only when there
are some: ¥100,000 and ¥0.37 in Chinese, CN¥100,000 and CN¥0.37 in English.
"""
from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from bot.core.language import DEFAULT_LANGUAGE, Language, normalise_language

DEFAULT_CURRENCY = "CNY"

_LOCALES: dict[Language, Locale] = {"zh": Locale.parse("zh_CN"), "en": Locale.parse("en")}


def locale_for(lang: str | None) -> Locale:
    """The Babel locale a language is formatted with: zh → zh_CN, en → en, anything else → zh_CN."""
    return _LOCALES[normalise_language(lang) or DEFAULT_LANGUAGE]


def format_money(amount: Decimal | int, lang: str | None, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in the locale's currency format, with the minor unit (fen) only when it is not zero."""
    locale = locale_for(lang)
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return babel_numbers.format_currency(amount, currency, format=_whole_currency_pattern(locale),
                                             locale=locale, currency_digits=False)
    return babel_numbers.format_currency(amount, currency, locale=locale)


def format_date(day: date, lang: str | None) -> str:
    """A date in the locale's medium format: 2027年2月27日 or Feb 27, 2027."""
    return babel_dates.format_date(day, "medium", locale=locale_for(lang))


def format_datetime(moment: datetime, lang: str | None) -> str:
    """A date (medium) and time (short) in the moment's own time zone, joined the locale's way:
    2026年11月29日 09:00 or Nov 29, 2026, 9:00 AM."""
    locale = locale_for(lang)
    day = babel_dates.format_date(moment, "medium", locale=locale)
    clock = babel_dates.format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    return str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", clock)


def format_number(number: Decimal | int, lang: str | None) -> str:
    """A number with the locale's grouping and decimal signs, e.g. 1,234,567."""
    return babel_numbers.format_decimal(number, locale=locale_for(lang))


def format_percent(fraction: Decimal | int, lang: str | None) -> str:
    """A fraction as a percentage, keeping any decimals: 0.08 → 8%, 0.085 → 8.5%."""
    return babel_numbers.format_percent(fraction, locale=locale_for(lang), decimal_quantization=False)


def _whole_currency_pattern(locale: Locale) -> babel_numbers.NumberPattern:
    """The locale's standard currency pattern without its fraction digits."""
    pattern: babel_numbers.NumberPattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern

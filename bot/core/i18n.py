"""Numbers, money and dates as a user reads them, formatted by Babel for the assistant's two languages.

The languages are 'zh' (formatted for zh_CN) and 'en'; a tag such as 'zh-CN' or 'en_US' counts as its
language (bot.core.language decides), and anything else falls back to 'zh'. Money shows fen only when there
are some. In Chinese, yuan are written as a Chinese reader says them: 10万元, 1元, 0.5元, 123,456元 (CLDR's
compact 万 form where it is exact); in English: CN¥100,000, CN¥1, CN¥0.37.
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
# How Chinese writes an amount of a currency after the number ("10万元"); other currencies use the
# locale's currency format.
_CHINESE_UNITS = {"CNY": "元"}

_LOCALES: dict[Language, Locale] = {"zh": Locale.parse("zh_CN"), "en": Locale.parse("en")}


def locale_for(lang: str | None) -> Locale:
    """The Babel locale a language is formatted with: zh → zh_CN, en → en, anything else → zh_CN."""
    return _LOCALES[normalise_language(lang) or DEFAULT_LANGUAGE]


def format_money(amount: Decimal | int, lang: str | None, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in the locale's currency format, with the minor unit (fen) only when it is not zero."""
    locale = locale_for(lang)
    amount = Decimal(amount)
    if locale.language == "zh" and currency in _CHINESE_UNITS:
        return _chinese_amount(amount, locale) + _CHINESE_UNITS[currency]
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


def _chinese_amount(amount: Decimal, locale: Locale) -> str:
    """10万 for 100000 and 12.5万 for 125000 (CLDR's compact form, when it says the exact amount), else
    the number itself: 1, 0.5, 123,456."""
    if amount >= 10000 and amount == amount.to_integral_value():
        compact = babel_numbers.format_compact_decimal(amount, locale=locale, fraction_digits=2)
        if babel_numbers.parse_decimal(compact.rstrip("万亿"), locale=locale) * _scale(compact) == amount:
            return compact
    return babel_numbers.format_decimal(amount.normalize() if amount != amount.to_integral_value() else amount,
                                        locale=locale)


def _scale(compact: str) -> Decimal:
    return Decimal(10) ** (8 if compact.endswith("亿") else 4 if compact.endswith("万") else 0)


def _whole_currency_pattern(locale: Locale) -> babel_numbers.NumberPattern:
    """The locale's standard currency pattern without its fraction digits."""
    pattern: babel_numbers.NumberPattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern

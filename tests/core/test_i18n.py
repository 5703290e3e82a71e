"""Babel formatting for zh (zh_CN) and en: money with fen only when there are some, dates, numbers."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.core.i18n import format_date, format_money, format_number, format_percent, locale_for


@pytest.mark.parametrize("lang, language, territory", [
    ("zh", "zh", "CN"),
    ("en", "en", None),
    ("zh-CN", "zh", "CN"),
    ("en_US", "en", None),
    ("fr", "zh", "CN"),   # unknown languages fall back to Chinese
    (None, "zh", "CN"),
    ("", "zh", "CN"),
])
def test_locale_for(lang, language, territory):
    locale = locale_for(lang)
    assert (locale.language, locale.territory) == (language, territory)


@pytest.mark.parametrize("amount, zh, en", [
    (Decimal("100000"), "¥100,000", "CN¥100,000"),
    (Decimal("50000.00"), "¥50,000", "CN¥50,000"),
    (Decimal("1"), "¥1", "CN¥1"),
    (0, "¥0", "CN¥0"),
    (Decimal("0.37"), "¥0.37", "CN¥0.37"),
    (Decimal("0.5"), "¥0.50", "CN¥0.50"),
    (Decimal("1234.05"), "¥1,234.05", "CN¥1,234.05"),
])
def test_money(amount, zh, en):
    assert format_money(amount, "zh") == zh
    assert format_money(amount, "en") == en


def test_money_in_an_unknown_language_is_chinese():
    assert format_money(Decimal("100000"), "de") == "¥100,000"


def test_dates():
    assert format_date(date(2027, 2, 27), "zh") == "2027年2月27日"
    assert format_date(date(2027, 2, 27), "en") == "Feb 27, 2027"
    assert format_date(date(2027, 2, 27), "xx") == "2027年2月27日"


def test_numbers_and_percentages():
    assert format_number(1234567, "zh") == "1,234,567"
    assert format_number(Decimal("1234.5"), "en") == "1,234.5"
    assert format_percent(Decimal("0.08"), "zh") == "8%"
    assert format_percent(Decimal("0.08"), "en") == "8%"
    assert format_percent(Decimal("0.085"), "en") == "8.5%"

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
    (Decimal("100000"), "10万元", "CN¥100,000"),
    (Decimal("50000.00"), "5万元", "CN¥50,000"),
    (Decimal("125000"), "12.5万元", "CN¥125,000"),
    (Decimal("123456"), "123,456元", "CN¥123,456"),  # no 12.3456万: the compact form only when it is short
    (Decimal("1"), "1元", "CN¥1"),
    (0, "0元", "CN¥0"),
    (Decimal("0.37"), "0.37元", "CN¥0.37"),
    (Decimal("0.5"), "0.5元", "CN¥0.50"),
    (Decimal("1234.05"), "1,234.05元", "CN¥1,234.05"),
])
def test_money(amount, zh, en):
    assert format_money(amount, "zh") == zh
    assert format_money(amount, "en") == en


def test_money_in_an_unknown_language_is_chinese():
    assert format_money(Decimal("100000"), "de") == "10万元"


def test_money_in_another_currency_keeps_the_locales_currency_format():
    assert format_money(Decimal("100"), "zh", "USD") == "US$100"


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

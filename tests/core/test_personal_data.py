"""Masking the ID numbers and phones people type, in whatever form they type them."""
from __future__ import annotations

import re

import pytest

from bot.core.personal_data import holds_personal_number, mask_everywhere, mask_personal_numbers

ID = "11010519491231002X"
PHONE = "13912345678"


def _digits(text: str) -> str:
    return re.sub(r"[^0-9X]", "", text.upper())


@pytest.mark.parametrize("typed", [
    "11010519491231002X", "11010519491231002x", "110105 19491231 002X", "110105-1949-1231-002x",
    "她的身份证是１１０１０５１９４９１２３１００２Ｘ，谢谢", "ID: 110105.19491231.002X please",
])
def test_an_id_number_in_any_form_is_kept_as_its_first_six_and_last_four(typed):
    masked = mask_personal_numbers(typed)
    assert ID not in _digits(masked)
    assert "110105********002X" in masked


@pytest.mark.parametrize("typed", [
    "13912345678", "139 1234 5678", "139-1234-5678", "+86 139 1234 5678", "0086 13912345678",
    "手机：13912345678。", "her mobile is 139.1234.5678",
])
def test_a_phone_in_any_form_never_survives(typed):
    masked = mask_personal_numbers(typed)
    assert PHONE not in _digits(masked)
    assert masked.endswith(("5678", "5678。")) or "5678" in masked


@pytest.mark.parametrize("kept", [
    "我妈今年65岁", "最多分摊1元，每月14日和28日扣款", "born 1956-03-05", "enrollment SC-2026-000123",
    "¥100,000", "I'd like to enroll my mother", "",
])
def test_short_numbers_and_plain_words_are_left_alone(kept):
    assert mask_personal_numbers(kept) == kept
    assert not holds_personal_number(kept)


def test_every_string_of_an_event_is_masked_and_the_rest_kept():
    event = {"event": "user", "text": f"身份证{ID}手机{PHONE}", "timestamp": 1.5,
             "parse_data": {"entities": [{"value": PHONE}], "text": ID}, "metadata": None}
    masked = mask_everywhere(event)
    assert ID not in str(masked) and PHONE not in str(masked)
    assert masked["timestamp"] == 1.5 and masked["metadata"] is None and masked["event"] == "user"


@pytest.mark.parametrize("text", [
    "Your enrollment number is SC261128-06597.", "申请编号：SC261128-06597，请保存", "my number is sc261128-06597",
    "SC261128-7KQ3M",
])
def test_an_enrollment_number_is_kept_even_when_its_random_part_is_all_digits(text):
    # 261128-06597 is 11 digits with its dash: staff and families must still read the number in full.
    assert mask_personal_numbers(text) == text


def test_a_phone_right_beside_an_enrollment_number_is_still_masked():
    masked = mask_personal_numbers(f"SC261128-06597 手机{PHONE}")
    assert masked == "SC261128-06597 手机139****5678"


def test_every_new_enrollment_number_survives_the_masking():
    from datetime import date

    from bot.core.enrollment_numbers import ENROLLMENT_NUMBER, new_enrollment_number
    digits_only = new_enrollment_number(date(2026, 11, 28), choice=lambda alphabet: "0")
    assert digits_only == "SC261128-00000" and ENROLLMENT_NUMBER.fullmatch(digits_only)
    assert mask_personal_numbers(f"编号{digits_only}") == f"编号{digits_only}"

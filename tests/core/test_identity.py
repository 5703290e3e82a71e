"""Mainland ID numbers, mobile numbers and names: what is accepted, how it is cleaned, why it is refused."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.core.identity import (
    IdentityError,
    Sex,
    check_character,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_phone,
    parse_id_number,
    validate_name,
)

TODAY = date(2026, 11, 28)


def reference_check_character(first_17: str) -> str:
    """ISO 7064 MOD 11-2 from its definition, independent of the table in bot.core.identity: position i (from
    the left, 1-18) weighs 2^(18-i) mod 11, and the full sum with the check value (X = 10) is 1 mod 11."""
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(first_17))
    value = (1 - total) % 11
    return "X" if value == 10 else str(value)


def with_check(first_17: str) -> str:
    return first_17 + reference_check_character(first_17)


def refused(raw: str, code: str, today: date = TODAY) -> IdentityError:
    with pytest.raises(IdentityError) as raised:
        parse_id_number(raw, today=today)
    assert raised.value.field == "id_number"
    assert raised.value.code == code
    return raised.value


# --- ID numbers -----------------------------------------------------------------------------------------

def test_the_known_good_numbers():
    first = parse_id_number("11010519491231002X", today=TODAY)
    assert (first.number, first.birth_date, first.sex, first.region_code) == (
        "11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105")
    second = parse_id_number("440524188001010014", today=TODAY)
    assert (second.number, second.birth_date, second.sex, second.region_code) == (
        "440524188001010014", date(1880, 1, 1), Sex.MALE, "440524")


@pytest.mark.parametrize("typed", [
    "11010519491231002x",
    "110105 19491231 002x",
    "110105-1949-1231-002X",
    " 110105 1949 1231 002 x ",
    "１１０１０５１９４９１２３１００２ｘ",  # full-width, as Chinese input methods type it
])
def test_lower_case_x_spaces_dashes_and_full_width_are_normalised(typed):
    assert parse_id_number(typed, today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize("wrong_check", "0123456789")
def test_a_wrong_check_character_is_refused(wrong_check):
    refused("11010519491231002" + wrong_check, "checksum")


@pytest.mark.parametrize("wrong_check", "0123456789X")
def test_every_other_check_character_fails_for_the_second_known_number(wrong_check):
    if wrong_check != "4":
        refused("44052418800101001" + wrong_check, "checksum")


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "19490229", "00000101"])
def test_impossible_birth_dates_are_refused(birth):
    refused(with_check(f"110105{birth}002"), "birth_date")


def test_29_february_of_a_leap_year_is_a_real_date():
    assert parse_id_number(with_check("11010519480229002"), today=TODAY).birth_date == date(1948, 2, 29)


def test_a_birth_date_in_the_future_is_refused():
    refused(with_check("11010520261129002"), "future_birth_date")
    assert parse_id_number(with_check("11010520261128002"), today=TODAY).birth_date == TODAY


def test_today_is_a_parameter():
    number = with_check("11010520261129002")
    refused(number, "future_birth_date", today=date(2026, 11, 28))
    assert parse_id_number(number, today=date(2026, 11, 29)).birth_date == date(2026, 11, 29)


def test_a_15_digit_number_is_withdrawn():
    refused("110105491231002", "withdrawn_15_digit")


@pytest.mark.parametrize("typed, code", [
    ("", "empty"),
    ("  - ", "empty"),
    ("11010519491231002", "length"),
    ("1101051949123100201", "length"),
    ("1101051949123100", "length"),
    ("11010519491231002Y", "characters"),
    ("1101051949123100X2", "characters"),
    ("110105.19491231.002X", "characters"),
])
def test_malformed_numbers_are_refused(typed, code):
    refused(typed, code)


@pytest.mark.parametrize("address_code", ["810000", "820000", "830000"])
def test_hk_macau_taiwan_residence_permits_are_valid_but_unsupported(address_code):
    error = refused(with_check(f"{address_code}19600101002"), "unsupported_hk_mo_tw_permit")
    assert error.unsupported_document


def test_a_foreign_permanent_resident_card_is_valid_but_unsupported():
    error = refused(with_check("91115619600101002"), "unsupported_foreign_permanent_resident")
    assert error.unsupported_document


def test_an_invalid_permit_number_is_invalid_not_unsupported():
    number = with_check("81000019600101002")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    error = refused(wrong, "checksum")
    assert not error.unsupported_document
    assert not refused(with_check("81000019600230002"), "birth_date").unsupported_document


def test_error_messages_never_contain_the_number():
    error = refused("11010519491231002Y", "characters")
    assert "1101051949" not in str(error)
    assert "11010519491231002X" not in repr(parse_id_number("11010519491231002X", today=TODAY))


def test_masking_shows_the_first_6_and_last_4():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105-19491231-002x") == "110105********002X"
    assert parse_id_number("440524188001010014", today=TODAY).masked == "440524********0014"
    with pytest.raises(IdentityError):
        mask_id_number("110105")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_follows_iso_7064(first_17):
    assert check_character(first_17) == reference_check_character(first_17)


@given(
    region=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_the_right_check_character_validates_and_every_other_fails(region, birth, sequence):
    assume(region[:2] not in ("81", "82", "83"))
    first_17 = f"{region}{birth:%Y%m%d}{sequence}"
    good = reference_check_character(first_17)
    parsed = parse_id_number(first_17 + good, today=TODAY)
    assert parsed.birth_date == birth
    assert parsed.sex is (Sex.MALE if int(sequence[-1]) % 2 else Sex.FEMALE)
    for other in "0123456789X".replace(good, ""):
        with pytest.raises(IdentityError) as raised:
            parse_id_number(first_17 + other, today=TODAY)
        assert raised.value.code == "checksum"


# --- mobile numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    "13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "+86 139 1234 5678",
    "+86-139-1234-5678",
    "0086 13912345678",
    "008613912345678",
    "86 139-1234-5678",
    "８６１３９１２３４５６７８",
])
def test_mobile_numbers_are_normalised(typed):
    assert normalize_phone(typed) == "13912345678"


@pytest.mark.parametrize("typed, code", [
    ("", "empty"),
    ("   ", "empty"),
    ("12912345678", "format"),   # second digit must be 3-9
    ("23912345678", "format"),
    ("1391234567", "format"),    # 10 digits
    ("139123456789", "format"),  # 12 digits
    ("+1 415 555 0100", "characters"),
    ("139abc45678", "characters"),
    ("(139)12345678", "characters"),
])
def test_other_numbers_are_refused(typed, code):
    with pytest.raises(IdentityError) as raised:
        normalize_phone(typed)
    assert (raised.value.field, raised.value.code) == ("phone", code)


def test_phone_masking():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("+86 139-1234-5678") == "139****5678"


@pytest.mark.parametrize("name, masked", [
    ("王秀英", "王＊英"), ("王英", "王＊"), ("欧阳秀英", "欧＊＊英"), ("Grace Hopper", "G**** H*****"),
    ("阿依古丽·买买提", "阿＊＊丽·买＊提"), ("  Grace   Hopper ", "G**** H*****"),
])
def test_names_are_masked_for_staff_lists_and_masking_twice_changes_nothing(name, masked):
    assert mask_name(name) == masked
    assert mask_name(masked) == masked


# --- names ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, name", [
    ("张三", "张三"),
    ("  李四  ", "李四"),
    ("欧阳 娜娜", "欧阳 娜娜"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽•买买提", "阿依古丽·买买提"),  # a bullet typed for the middle dot
    ("Zhang  San", "Zhang San"),
    ("José Núñez", "José Núñez"),
    ("王", "王"),
    ("A" * 30, "A" * 30),
])
def test_names_are_trimmed_and_accepted(typed, name):
    assert validate_name(typed) == name


@pytest.mark.parametrize("typed, code", [
    ("", "empty"),
    ("   ", "empty"),
    ("A" * 31, "too_long"),
    ("张3", "characters"),
    ("张三!", "characters"),
    ("O'Brien", "characters"),
    ("Иван", "characters"),
    ("·", "characters"),
])
def test_other_names_are_refused(typed, code):
    with pytest.raises(IdentityError) as raised:
        validate_name(typed)
    assert (raised.value.field, raised.value.code) == ("name", code)

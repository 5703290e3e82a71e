"""Property tests of the answer readers: on any text they return or raise IdentityError, quickly;
valid values survive the round trip."""
from __future__ import annotations

import time
from datetime import date

from hypothesis import given, settings, strategies as st

from bot.core.typed_identity import read_id_number, read_name, read_phone, stated_birth_date
from bot.core.identity import IdentityError, check_character

TODAY = date(2026, 1, 15)
FAST = settings(max_examples=80, deadline=500)
text = st.text(max_size=200)
digits_and_noise = st.text(alphabet="0123456789０１２３４５６７８９Xx-+ 年月日号/.：:身份证手机", max_size=60)


def returns_or_identity_error(read, value):
    started = time.monotonic()
    try:
        read(value)
    except IdentityError:
        pass
    assert time.monotonic() - started < 0.5


@FAST
@given(st.one_of(text, digits_and_noise))
def test_readers_only_raise_identity_error(value):
    returns_or_identity_error(read_name, value)
    returns_or_identity_error(read_phone, value)
    returns_or_identity_error(lambda v: read_id_number(v, TODAY), value)
    assert stated_birth_date(value) is None or isinstance(stated_birth_date(value), date)


def id_numbers():
    return st.builds(
        lambda region, born, serial: f"{region}{born:%Y%m%d}{serial:03d}",
        st.sampled_from(["110105", "310101", "440305", "510107"]),
        st.dates(date(1940, 1, 1), date(2010, 12, 31)), st.integers(0, 999),
    ).map(lambda first17: first17 + check_character(first17))


@FAST
@given(id_numbers(), st.sampled_from(["{}", "她的身份证是 {}", "ID: {}。", "my mum's id is {}"]))
def test_valid_id_numbers_round_trip(number, template):
    parsed = read_id_number(template.format(number), TODAY)
    assert parsed.number == number
    assert f"{parsed.birth_date:%Y%m%d}" == number[6:14]


@FAST
@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9),
       st.sampled_from(["{}", "她手机是 {}", "+86 {}", "my number is {}"]))
def test_valid_phones_round_trip(second, rest, template):
    phone = f"1{second}{rest}"
    assert read_phone(template.format(phone)).endswith(phone)


@FAST
@given(st.dates(date(1930, 1, 1), date(2030, 12, 31)),
       st.sampled_from(["出生于{d.year}年{d.month}月{d.day}日", "born {d:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}"]))
def test_stated_birth_dates_round_trip(day, template):
    assert stated_birth_date(template.format(d=day)) == day


@FAST
@given(st.sampled_from(["王秀英", "李娜", "Mary Li", "张 伟"]), st.sampled_from(["{}", "她叫{}", "her name is {}"]))
def test_valid_names_round_trip(name, template):
    assert read_name(template.format(name)).replace(" ", "") == name.replace(" ", "")

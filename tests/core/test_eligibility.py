"""Age in full years (周岁) on the enrollment date, the 60-70 window, and allowed relationships."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.plan.eligibility import age_on, birthday_in, check_age, is_allowed_relationship

ENROLLED_ON = date(2026, 11, 28)


@pytest.mark.parametrize("born, age, eligible, reason", [
    (date(1966, 11, 28), 60, True, None),
    (date(1966, 11, 29), 59, False, "too_young"),
    (date(1955, 11, 29), 70, True, None),
    (date(1955, 11, 28), 71, False, "too_old"),
])
def test_the_plan_examples_on_2026_11_28(plan, born, age, eligible, reason):
    check = check_age(born, ENROLLED_ON, plan=plan)
    assert (check.age, check.eligible, check.reason) == (age, eligible, reason)


def test_check_age_follows_the_configured_window(plan):
    younger = dataclasses.replace(plan, age=dataclasses.replace(plan.age, min=55))
    assert check_age(date(1966, 11, 29), ENROLLED_ON, plan=younger).eligible


@pytest.mark.parametrize("on, age", [
    (date(2016, 2, 28), 59),
    (date(2016, 2, 29), 60),  # leap year: the real birthday
    (date(2017, 2, 28), 60),
    (date(2017, 3, 1), 61),   # non-leap year: the birthday is 1 March
    (date(2018, 2, 28), 61),
    (date(2018, 3, 1), 62),
])
def test_born_on_29_february(on, age):
    assert age_on(date(1956, 2, 29), on) == age


def test_birthday_of_29_february_is_1_march_in_non_leap_years():
    assert birthday_in(2027, date(1956, 2, 29)) == date(2027, 3, 1)
    assert birthday_in(2028, date(1956, 2, 29)) == date(2028, 2, 29)
    assert birthday_in(2027, date(1956, 3, 1)) == date(2027, 3, 1)


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(1960, 5, 1), date(1960, 4, 30))


@pytest.mark.parametrize("relationship", ["self", "father", "mother", "father_in_law", "mother_in_law"])
def test_allowed_relationships(plan, relationship):
    assert is_allowed_relationship(relationship, plan=plan)


@pytest.mark.parametrize("relationship", ["brother", "grandfather", "friend", "", "Father"])
def test_other_relationships_are_not_allowed(plan, relationship):
    assert not is_allowed_relationship(relationship, plan=plan)


def test_in_laws_can_be_switched_off(plan):
    without_in_laws = dataclasses.replace(plan, relationships=("self", "father", "mother"))
    assert not is_allowed_relationship("father_in_law", plan=without_in_laws)
    assert not is_allowed_relationship("mother_in_law", plan=without_in_laws)
    assert is_allowed_relationship("mother", plan=without_in_laws)


# --- properties -----------------------------------------------------------------------------------------

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


@given(born=births, years=st.integers(min_value=1, max_value=120))
def test_age_goes_up_by_exactly_one_on_the_birthday(born, years):
    birthday = birthday_in(born.year + years, born)
    assert age_on(born, birthday) == years
    assert age_on(born, birthday - timedelta(days=1)) == years - 1


@given(born=births, days=st.integers(min_value=0, max_value=150 * 366))
def test_age_is_the_count_of_birthdays_passed(born, days):
    on = born + timedelta(days=days)
    age = age_on(born, on)
    assert age >= 0
    # Independent of birthday_in: comparing (month, day) puts a 29 February birthday after 28 February,
    # so in a non-leap year it is reached on 1 March.
    assert age == on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    assert age_on(born, on + timedelta(days=1)) - age in (0, 1)

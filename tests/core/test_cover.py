"""The waiting period: from the day after joining, 90 days included; cover starts on day 91."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bot.core.plan.cover import cover_dates

JOINED = date(2026, 11, 28)


def test_the_plan_example(plan):
    dates = cover_dates(JOINED, plan=plan)
    assert dates.waiting_period_starts == date(2026, 11, 29)
    assert dates.waiting_period_ends == date(2027, 2, 26)
    assert dates.covered_from == date(2027, 2, 27)
    assert (dates.waiting_period_ends - dates.waiting_period_starts).days + 1 == 90


@pytest.mark.parametrize("diagnosed_on, waiting, covered", [
    (date(2026, 11, 28), False, False),  # the joining day itself is before the waiting period
    (date(2026, 11, 29), True, False),
    (date(2027, 1, 15), True, False),
    (date(2027, 2, 26), True, False),
    (date(2027, 2, 27), False, True),
    (date(2028, 6, 1), False, True),
])
def test_diagnosis_dates(plan, diagnosed_on, waiting, covered):
    dates = cover_dates(JOINED, plan=plan)
    assert dates.in_waiting_period(diagnosed_on) is waiting
    assert dates.is_covered_on(diagnosed_on) is covered


def test_a_waiting_period_across_29_february(plan):
    dates = cover_dates(date(2027, 12, 31), plan=plan)
    assert dates.waiting_period_ends == date(2028, 3, 30)
    assert dates.covered_from == date(2028, 3, 31)


def test_the_length_comes_from_the_plan(plan):
    shorter = dataclasses.replace(plan, cover=dataclasses.replace(plan.cover, waiting_period_days=30))
    assert cover_dates(JOINED, plan=shorter).covered_from == date(2026, 12, 29)

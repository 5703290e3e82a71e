"""What cases cost a member: at most the cap per case, each period's share rounded up to the fen, and the
sharing calendar (published on the 7th and 21st, deducted on the 14th and 28th)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.core.plan.contributions import most_for_cases, next_deduction_date, next_publish_date, period_share


@pytest.mark.parametrize("cases, most", [(0, "0"), (1, "1"), (3, "3"), (250, "250")])
def test_n_cases_cost_at_most_n_times_the_cap(plan, cases, most):
    assert most_for_cases(cases, plan=plan) == Decimal(most)


def test_there_is_no_yearly_cap(plan):
    assert most_for_cases(1000, plan=plan) > plan.costs.general_plan_yearly_cap


def share(plan, payouts, members, cases, surplus="0"):
    return period_share(approved_payouts=Decimal(payouts), surplus=Decimal(surplus),
                        members_sharing=members, cases=cases, plan=plan)


def test_the_share_includes_the_management_fee_and_rounds_up_to_the_fen(plan):
    # 3 severe cases: 300,000 + 8% = 324,000 among a million members is 0.324 → 0.33, not 0.32.
    result = share(plan, "300000", 1_000_000, cases=3)
    assert result == Decimal("0.33")
    assert result.as_tuple().exponent == -2


def test_an_exact_share_is_not_rounded_up(plan):
    # 100,000 + 8% = 108,000 among 1,080,000 members is exactly 0.10.
    assert share(plan, "100000", 1_080_000, cases=1) == Decimal("0.10")


def test_a_hair_over_a_fen_rounds_up(plan):
    # 50,000 + 8% = 54,000 among 145,945 members is 0.37000240... → 0.38.
    assert share(plan, "50000", 145_945, cases=1) == Decimal("0.38")


def test_the_surplus_from_last_period_is_taken_off(plan):
    # 100,000 + 8,000 fee - 8,000 surplus = 100,000 among a million members.
    assert share(plan, "100000", 1_000_000, cases=1, surplus="8000") == Decimal("0.10")


def test_a_surplus_larger_than_the_cost_means_nothing_is_due(plan):
    assert share(plan, "1000", 1_000_000, cases=1, surplus="5000") == Decimal("0")


def test_the_share_never_exceeds_the_cap_times_cases(plan):
    assert share(plan, "100000", 1_000, cases=1) == Decimal("1")
    assert share(plan, "300000", 1_000, cases=3) == Decimal("3")
    assert share(plan, "0", 1_000, cases=0) == Decimal("0")


@pytest.mark.parametrize("payouts, members, surplus", [("-1", 10, "0"), ("1", 0, "0"), ("1", 10, "-1")])
def test_impossible_inputs_are_an_error(plan, payouts, members, surplus):
    with pytest.raises(ValueError):
        share(plan, payouts, members, cases=1, surplus=surplus)


@pytest.mark.parametrize("start, publish, deduction", [
    (date(2026, 11, 28), date(2026, 12, 7), date(2026, 11, 28)),  # a deduction day counts itself
    (date(2026, 11, 29), date(2026, 12, 7), date(2026, 12, 14)),
    (date(2026, 12, 1), date(2026, 12, 7), date(2026, 12, 14)),
    (date(2026, 12, 7), date(2026, 12, 7), date(2026, 12, 14)),
    (date(2026, 12, 8), date(2026, 12, 21), date(2026, 12, 14)),
    (date(2026, 12, 15), date(2026, 12, 21), date(2026, 12, 28)),
    (date(2026, 12, 22), date(2027, 1, 7), date(2026, 12, 28)),
    (date(2026, 12, 29), date(2027, 1, 7), date(2027, 1, 14)),   # across the new year
    (date(2027, 2, 28), date(2027, 3, 7), date(2027, 2, 28)),
])
def test_next_publish_and_deduction_dates(plan, start, publish, deduction):
    assert next_publish_date(start, plan=plan) == publish
    assert next_deduction_date(start, plan=plan) == deduction

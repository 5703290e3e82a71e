"""What membership costs a member: the most N cases can cost, each sharing period's share, and the
sharing calendar (cases published and contributions deducted on fixed days of the month).

Per-period share per member = (approved payouts + management fee % of payouts − surplus carried from
the last period) ÷ members sharing, rounded up to the fen, never more than the per-case cap × cases and
never below zero. There is no yearly cap: N cases cost at most N × the cap, whatever N is.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext

from babel.numbers import get_currency_precision

from bot.core.plan.config import PlanConfig, load_plan


def most_for_cases(cases: int, *, plan: PlanConfig | None = None) -> Decimal:
    """The most a member pays for `cases` cases: cases × the per-case cap."""
    if cases < 0:
        raise ValueError("cases must not be negative")
    return cases * (plan or load_plan()).costs.cap_per_case


def period_share(*, approved_payouts: Decimal, surplus: Decimal, members_sharing: int, cases: int,
                 plan: PlanConfig | None = None) -> Decimal:
    """Each member's share of one sharing period, in the plan's currency, rounded up to the fen.

    `approved_payouts` is the total paid out for the period's `cases`; `surplus` is what the last
    period left over.
    """
    plan = plan or load_plan()
    if approved_payouts < 0 or surplus < 0:
        raise ValueError("payouts and surplus must not be negative")
    if members_sharing < 1:
        raise ValueError("at least one member must share")
    smallest_unit = Decimal(1).scaleb(-get_currency_precision(plan.currency))
    with localcontext() as context:
        context.rounding = ROUND_CEILING  # an inexact quotient rounds up too, never below the true share
        total = approved_payouts * (1 + plan.costs.management_fee_rate) - surplus
        share = (total / members_sharing).quantize(smallest_unit)
    return max(Decimal(0), min(share, most_for_cases(cases, plan=plan)))


def next_publish_date(on_or_after: date, *, plan: PlanConfig | None = None) -> date:
    """The first day on or after the given date on which cases are published."""
    return _next_day_of_month(on_or_after, (plan or load_plan()).costs.sharing.publish_days)


def next_deduction_date(on_or_after: date, *, plan: PlanConfig | None = None) -> date:
    """The first day on or after the given date on which contributions are deducted."""
    return _next_day_of_month(on_or_after, (plan or load_plan()).costs.sharing.deduction_days)


def _next_day_of_month(start: date, days: tuple[int, ...]) -> date:
    """The first date on or after `start` whose day is one of `days` (ascending, each 1-28)."""
    for day in days:
        if day >= start.day:
            return start.replace(day=day)
    next_month = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return next_month.replace(day=days[0])

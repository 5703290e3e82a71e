"""When cover starts: the waiting period (等待期) after joining, and whether a diagnosis date falls in it.

The waiting period starts at 00:00 the day after joining and lasts the plan's number of days, the last
one included; cover starts the day after. With 90 days: joined 2026-11-28 → waiting period 2026-11-29 to
2027-02-26, covered from 2027-02-27. A diagnosis in the waiting period pays nothing, refunds the
contributions made and ends the membership.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.plan.config import PlanConfig, load_plan

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CoverDates:
    joined_on: date
    waiting_period_starts: date
    waiting_period_ends: date
    """The last day of the waiting period, included."""
    covered_from: date

    def in_waiting_period(self, diagnosed_on: date) -> bool:
        """Whether a diagnosis on this date falls in the waiting period."""
        return self.waiting_period_starts <= diagnosed_on <= self.waiting_period_ends

    def is_covered_on(self, diagnosed_on: date) -> bool:
        """Whether a diagnosis on this date is after the waiting period, so the plan shares its cost."""
        return diagnosed_on >= self.covered_from


def cover_dates(joined_on: date, *, plan: PlanConfig | None = None) -> CoverDates:
    """The waiting period and cover start of a membership that began on `joined_on`."""
    days = (plan or load_plan()).cover.waiting_period_days
    waiting_period_ends = joined_on + timedelta(days=days)
    return CoverDates(
        joined_on=joined_on,
        waiting_period_starts=joined_on + _DAY,
        waiting_period_ends=waiting_period_ends,
        covered_from=waiting_period_ends + _DAY,
    )

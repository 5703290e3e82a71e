"""When notices are due: quiet hours (21:00-09:00 China time by default) push a notice to the morning,
and the plan's calendar says when the notice before a deduction and the end-of-waiting-period notice go.

Plain rules on dates and times, no store and no clock of their own: callers pass `now`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.core.plan.clock import CHINA_TIME
from bot.core.plan.config import PlanConfig, load_plan


def _after(plan: PlanConfig | None):
    return (plan or load_plan()).after


def outside_quiet_hours(due: datetime, *, plan: PlanConfig | None = None) -> datetime:
    """`due` itself when a notice may be sent then, else the end of those quiet hours (China time)."""
    after = _after(plan)
    local = due.astimezone(CHINA_TIME)
    start, end = after.quiet_hours_start, after.quiet_hours_end
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return due
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if hour >= end and start > end:  # evening: the next morning
        morning += timedelta(days=1)
    return morning.astimezone(due.tzinfo)


def morning_of(day: date, *, plan: PlanConfig | None = None) -> datetime:
    """The first moment of `day` (China) at which a notice may be sent: the end of the quiet hours."""
    return datetime.combine(day, time(_after(plan).quiet_hours_end), CHINA_TIME)


def deduction_notice_day(deduction_on: date, *, plan: PlanConfig | None = None) -> date:
    """The day the notice before a deduction goes out (one day before, by default)."""
    return deduction_on - timedelta(days=_after(plan).deduction_notice_days_before)

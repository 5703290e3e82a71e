"""The plan's calendar: dates are counted in China (UTC+8, no daylight saving), whatever the server's
time zone, so an enrollment at 07:00 Beijing time is dated that day even on a UTC server.

Rules never call this themselves: they take dates as parameters. Only the edges (actions, console,
response filling) ask for today.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")


def today_in_china(now: datetime | None = None) -> date:
    """The date in China at `now` (an aware datetime; default: the current time)."""
    return (now or datetime.now(timezone.utc)).astimezone(CHINA_TIME).date()

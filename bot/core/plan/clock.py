"""The plan's calendar: dates are counted in China (UTC+8, no daylight saving), whatever the server's
time zone, so an enrollment at 07:00 Beijing time is dated that day even on a UTC server.

Rules never call this themselves: they take dates as parameters. Only the edges (actions, console,
response filling) ask for today. TEST_TODAY pins today for tests and demos, so that the dates and ages a
running assistant answers with do not move with the calendar; the production endpoints ignore it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.core import settings

CHINA_TIME = timezone(timedelta(hours=8), "CST")


def today_in_china(now: datetime | None = None) -> date:
    """The date in China at `now` (an aware datetime; default: the current time, or TEST_TODAY)."""
    if now is None:
        pinned = pinned_today()
        if pinned is not None:
            return pinned
    return (now or datetime.now(timezone.utc)).astimezone(CHINA_TIME).date()


def pinned_today() -> date | None:
    """TEST_TODAY as a date, unless it is empty or the production endpoints are in use."""
    raw = settings.get("TEST_TODAY")
    if not raw or settings.production():
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise settings.SettingError(f"TEST_TODAY={raw!r} is not a date (YYYY-MM-DD).") from None

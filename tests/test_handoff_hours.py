"""Staff hours: when a person can answer a handed-over conversation (China time)."""
from datetime import datetime, time, timezone

import pytest

from bot.core.handoff import StaffHours
from bot.core.plan.clock import CHINA_TIME

HOURS = StaffHours.parse("09:00-21:00")


def china(hour, minute=0, day=28):
    return datetime(2026, 11, day, hour, minute, tzinfo=CHINA_TIME)


def test_open_inside_the_hours_and_closed_outside():
    assert HOURS.is_open(china(9)) and HOURS.is_open(china(20, 59))
    assert not HOURS.is_open(china(21)) and not HOURS.is_open(china(8, 59))


def test_hours_are_china_time_whatever_the_server_zone():
    # 02:00 UTC is 10:00 in Beijing.
    assert HOURS.is_open(datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc))
    assert not HOURS.is_open(datetime(2026, 11, 28, 14, 0, tzinfo=timezone.utc))  # 22:00 Beijing


def test_the_next_opening_is_this_morning_or_tomorrow_morning():
    assert HOURS.next_opening(china(7)) == china(9)
    assert HOURS.next_opening(china(22)) == china(9, day=29)
    assert HOURS.next_opening(china(12)) == china(12)


def test_round_the_clock_hours():
    always = StaffHours.parse("00:00-24:00")
    assert always.closes == time.max and always.is_open(china(23, 59))


@pytest.mark.parametrize("text", ["9-21", "21:00-09:00", "25:00-26:00", ""])
def test_bad_hours_are_refused_with_the_setting_named(text):
    with pytest.raises(ValueError, match="STAFF_HOURS"):
        StaffHours.parse(text)

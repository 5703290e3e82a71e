"""When a person takes over: why a conversation is handed to staff, and when staff are there to answer.

Staff hours are China time (the plan's calendar, see bot.core.plan.clock), set by the STAFF_HOURS setting as
"HH:MM-HH:MM"; outside them the user is told when a person will reply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum

from bot.core import i18n, settings
from bot.core.plan.clock import CHINA_TIME


class HandoffReason(str, Enum):
    USER_REQUEST = "user_request"
    MANUAL_REVIEW = "manual_review"
    CONTEST_DECLINED = "contest_declined"
    MISUNDERSTOOD = "misunderstood"
    UNSUPPORTED_DOCUMENT = "unsupported_document"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    STORE_FAILURE = "store_failure"
    ASSISTANT_PROBLEM = "assistant_problem"

    @classmethod
    def from_hint(cls, hint: object, default: "HandoffReason") -> "HandoffReason":
        """The reason a slot holds (the `handoff_reason` slot), or `default` when it holds none."""
        return cls(hint) if hint in cls._value2member_map_ else default


_HOURS = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*$")


@dataclass(frozen=True)
class StaffHours:
    opens: time
    closes: time  # time.max for 24:00

    @classmethod
    def parse(cls, text: str) -> "StaffHours":
        match = _HOURS.match(text or "")
        if not match:
            raise ValueError(f"STAFF_HOURS must look like 09:00-21:00, not {text!r}")
        opens = time(int(match[1]), int(match[2]))
        closes = time.max if match[3] == "24" else time(int(match[3]), int(match[4]))
        if closes <= opens:
            raise ValueError(f"STAFF_HOURS must close after it opens: {text!r}")
        return cls(opens, closes)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(CHINA_TIME).time()
        return self.opens <= local < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """When staff are next there (China time); `now` itself when they are there now."""
        local = now.astimezone(CHINA_TIME)
        if self.is_open(now):
            return local
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        return datetime.combine(day, self.opens, tzinfo=CHINA_TIME)

    def describe(self) -> str:
        closes = "24:00" if self.closes == time.max else self.closes.strftime("%H:%M")
        return f"{self.opens.strftime('%H:%M')}–{closes}"


def staff_hours() -> StaffHours:
    return StaffHours.parse(settings.get("STAFF_HOURS"))


def announcement(language: str, now: datetime) -> tuple[str, dict[str, str]]:
    """What to tell a user just handed over: the response and its values, formatted for `language`."""
    hours = staff_hours()
    if hours.is_open(now):
        return "utter_handoff_now", {}
    return "utter_handoff_later", {"staff_hours": hours.describe(),
                                   "next_opening": i18n.format_datetime(hours.next_opening(now), language)}

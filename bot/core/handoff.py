"""When a person takes over: why a conversation is handed to staff, what staff see first, what the user
is told, and when staff are there to answer. `handover()` decides a handoff once; the action server
(actions/handoff.py) and the Rasa server's outage guard (bot/rasa/outage.py) both carry it out.

Staff hours are China time (the plan's calendar, see bot.core.plan.clock), set by the STAFF_HOURS setting as
"HH:MM-HH:MM"; outside them the user is told when a person will reply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Any, Iterable, Mapping, Optional

from bot.core import i18n, settings
from bot.core.answers import says_nothing
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


FALLBACK_ACTION = "action_default_fallback"
"""The action that says it did not understand; the plan's `consecutive_misunderstandings` of them in a row
hand the conversation to a person."""


def misunderstandings_in_a_row(events: Iterable[Mapping[str, Any]]) -> int:
    """How many of the assistant's latest turns, the current one (a fallback on the latest user message)
    included, were fallbacks on a message that said something, from a conversation's events (Rasa's event
    dicts). A message of sounds only ("哦", "哈哈", "hmm": bot.core.answers.says_nothing) is not a
    misunderstanding: a family that laughs twice is not handed to a person. A fallback whose message is no
    longer in the history (a condensed session) counts."""
    count, in_fallback = 0, True  # the current turn is a fallback; its message is the latest user event
    for event in reversed(list(events)):
        if event.get("event") == "user":
            if in_fallback and not says_nothing(event.get("text") or ""):
                count += 1
            in_fallback = False
        elif event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            if event.get("name") != FALLBACK_ACTION:
                break
            in_fallback = True
    return count + in_fallback


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


# Slots a handoff empties: the reason it was offered for, and the form's pending question, so nothing the
# user types while staff are in charge answers a consent or a check (the form asks again on return).
CLEARED_SLOTS = ("handoff_reason", "requested_slot")


@dataclass(frozen=True)
class Handover:
    """One handoff: the ticket's reason and summary (what staff see first: the relationship, the member's
    age and how far the screening got, never the name, ID number or phone), and what the user is told."""

    reason: HandoffReason
    language: str
    summary: dict[str, Any]
    response: str
    values: dict[str, str] = field(default_factory=dict)


def handover(application: Any, reason: HandoffReason, language: str, now: datetime,
             extra: Optional[dict[str, Any]] = None) -> Handover:
    """The handoff of a conversation whose answers so far are `application` (bot.core.enrollment)."""
    from bot.core.enrollment import handoff_summary

    response, values = announcement(language, now)
    return Handover(reason, language, {**handoff_summary(application), **(extra or {})}, response, values)

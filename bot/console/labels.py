"""What the console calls things: labels for the codes in tickets and transcripts, and times as staff read
them (in China time, formatted by Babel for the console's language).

Codes the console has no label for (a handoff reason the assistant adds later) are shown as they are.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from babel import dates as babel_dates

from bot.console.i18n import N_, ConsoleLanguage, Gettext
from bot.core.handoff import HandoffReason
from bot.core.i18n import locale_for
from bot.core.plan.clock import CHINA_TIME

# Why a conversation waits for a person (HandoffTicket.reason: the assistant's HandoffReason).
REASONS = {
    HandoffReason.USER_REQUEST.value: N_("Asked for a person"),
    HandoffReason.MANUAL_REVIEW.value: N_("Needs a manual review"),
    HandoffReason.CONTEST_DECLINED.value: N_("Wants to contest a decline"),
    HandoffReason.MISUNDERSTOOD.value: N_("The assistant did not understand twice"),
    HandoffReason.UNSUPPORTED_DOCUMENT.value: N_("Unsupported identity document"),
    HandoffReason.BIRTH_DATE_MISMATCH.value: N_("ID and birth date keep disagreeing"),
    HandoffReason.STORE_FAILURE.value: N_("A system fault: the enrollment could not be saved"),
    HandoffReason.ASSISTANT_PROBLEM.value: N_("A system fault: the assistant could not answer"),
}
TICKET_LANGUAGES = {"zh": N_("Chinese"), "en": N_("English")}
TICKET_STATUSES = {"waiting": N_("Waiting"), "claimed": N_("Being handled"), "closed": N_("Closed")}
CHANNELS = {"webchat": N_("Web chat"), "wechat": N_("WeChat"), "rest": N_("REST API")}
SPEAKERS = {
    "user": N_("User"),
    "assistant": N_("Assistant"),
    "staff": N_("Staff"),
    # A pause is the handoff itself, before anyone claims the conversation: it must not say a person has it.
    "paused": N_("Handed to people; the assistant is quiet"),
    "resumed": N_("Handed back to the assistant"),
}
# What the assistant noted for staff (bot.core.enrollment.handoff_summary); values are shown as they are.
SUMMARY_FIELDS = {
    "member_name": N_("Member"),
    "phone": N_("Phone given"),
    "relationship": N_("Member is the user's"),
    "member_age": N_("Member's age"),
    "screening_progress": N_("Health questions answered"),
    "screening_answers": N_("Health answers"),
    "enrollment_number": N_("Enrollment number"),
}
# Channels whose users cannot receive a message pushed outside their own turn (see rasa_api).
CHANNELS_WITHOUT_PUSH = frozenset({"rest"})


# How long a family has waited against the plan's response target (handoff.response_target_minutes).
WAITING_LEVELS = {"ok": N_("Within the response target"), "soon": N_("Close to the response target"),
                  "late": N_("Over the response target")}


def waiting_level(waited_seconds: float, target_minutes: int) -> str:
    """"ok" up to half the target, "soon" up to the target, "late" past it."""
    target = target_minutes * 60
    return "ok" if waited_seconds <= target / 2 else "soon" if waited_seconds <= target else "late"


def label(table: dict[str, str], code: str, _: Gettext) -> str:
    """The translated label of a code, or the code itself when the table has none."""
    return _(table[code]) if code in table else code


def summary_value(value: Any) -> str:
    """A summary value as one line of plain text ("–" for nothing)."""
    if value is None or value == "" or value == {} or value == []:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {summary_value(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(summary_value(item) for item in value)
    return str(value)


def waiting_time(since: datetime, now: datetime, language: ConsoleLanguage) -> str:
    """How long since `since`, roughly: "3 minutes", "3分钟", "2 hours"."""
    return babel_dates.format_timedelta(max(now - since, timedelta(0)), threshold=1.5, granularity="second",
                                        locale=locale_for(language))


def clock_time(at: datetime, language: ConsoleLanguage) -> str:
    """Time of day in China: "14:05" / "2:05 PM"."""
    return babel_dates.format_time(at.astimezone(CHINA_TIME), "short", locale=locale_for(language))


def date_time(at: datetime, language: ConsoleLanguage) -> str:
    """Date and time in China, short: "2026/11/28 14:05" / "11/28/26, 2:05 PM"."""
    return babel_dates.format_datetime(at.astimezone(CHINA_TIME), "short", locale=locale_for(language))

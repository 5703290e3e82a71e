"""The facts the figures need, taken from one conversation event: what happened, never what was typed.

A fact is (kind, name, value): a user turn (its intent and channel), a response the assistant said (its
name), a staff reply, a fallback, the form starting or stopping, a pause (handoff) or resume, and the
value of the slots that say how far an enrollment got. The personal answers (name, ID number, phone) are
kept only as "set": the figures need to know that the question was answered, not the answer.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

from bot.core import enrollment, slots

FALLBACK_ACTION = "action_default_fallback"
PERSONAL_SLOTS = frozenset({enrollment.MEMBER_NAME, enrollment.ID_NUMBER, enrollment.PHONE})
VALUE_SLOTS = frozenset({
    slots.LANGUAGE, slots.REQUESTED_SLOT, enrollment.RELATIONSHIP, enrollment.PRIVACY_CONSENT,
    enrollment.HEALTH_CONSENT, enrollment.MEMBER_AGREEMENT, enrollment.TRUTHFUL_DECLARATION,
    enrollment.DEDUCTION_AUTHORIZATION, enrollment.CONFIRMATION,
})
SCREENING_SLOTS = frozenset(enrollment.screening_answer_key(f"H{n}") for n in range(1, 10))
SET = "set"
_MAX = 60  # every kept value is a short code (a slot or response name, True/False, yes/no, zh/en)


@dataclass(frozen=True)
class Fact:
    conversation_id: str
    at: float  # the event's timestamp (seconds since the epoch)
    kind: str  # user | said | staff_reply | fallback | form | slot | pause | resume
    name: Optional[str] = None
    value: Optional[str] = None


def digest(event: dict[str, Any]) -> str:
    """A stable id of one published event, so that an event read twice is counted once."""
    return hashlib.sha256(json.dumps(event, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _short(value: Any) -> Optional[str]:
    if value is None:
        return None
    return str(value)[:_MAX]


def _slot_value(name: str, value: Any) -> Optional[str]:
    if name in PERSONAL_SLOTS:
        return SET if value not in (None, "") else None
    return _short(value)


def fact_of(event: dict[str, Any]) -> Optional[Fact]:
    """The fact an event (as the broker carries it, with its sender_id) holds, or None."""
    conversation = event.get("sender_id")
    kind = event.get("event")
    at = float(event.get("timestamp") or 0)
    if not conversation:
        return None
    if kind == "user":
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        return Fact(conversation, at, "user", _short(intent), _short(event.get("input_channel")))
    if kind == "bot":
        metadata = event.get("metadata") or {}
        if metadata.get("staff_id") is not None:
            return Fact(conversation, at, "staff_reply")
        response = metadata.get("utter_action")
        return Fact(conversation, at, "said", _short(response)) if response else None
    if kind == "action" and event.get("name") == FALLBACK_ACTION:
        return Fact(conversation, at, "fallback")
    if kind == "active_loop":
        return Fact(conversation, at, "form", _short(event.get("name")))
    if kind == "slot":
        name = event.get("name")
        if name in VALUE_SLOTS or name in PERSONAL_SLOTS or name in SCREENING_SLOTS:
            return Fact(conversation, at, "slot", _short(name), _slot_value(name, event.get("value")))
        return None
    if kind in ("pause", "resume"):
        return Fact(conversation, at, kind)
    return None

"""Conversations told as enrollment attempts and handoffs: the facts of each conversation, in order.

An attempt starts when the enrollment form starts and ends with an ending (enrolled, declined, a refused
consent, ...); the next form start in the same conversation (enrolling the other parent) is a new
attempt. An attempt with no ending is a drop-off at the last question it asked, unless it was handed
to a person. A handoff is a pause of the conversation; its first staff reply is the first bot message a
staff member sent after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable, Optional

from bot.core.plan.clock import CHINA_TIME
from bot.core import enrollment, slots
from bot.core.insight.facts import SCREENING_SLOTS, SET, Fact
from bot.core.intent_rules import FALLBACK_INTENT

FORM = "enrollment_form"
STAGES = ("started", "privacy_consent", "identity", "health_consent", "screening", "outcome",
          "authorization", "enrolled")
NO_QUESTION = "(none)"

# Responses that end an attempt, and the ending they mean (actions/enrollment.py says them).
ENDING_RESPONSES = {
    "utter_age_too_young": "too_young", "utter_age_too_old": "too_old",
    "utter_member_disagrees": "member_disagrees", "utter_declaration_refused": "declaration_refused",
    "utter_authorization_refused": "authorization_refused", "utter_screening_declined": "declined",
    "utter_screening_deferred": "deferred", "utter_screening_manual_review": "manual_review",
    "utter_enrollment_done": "enrolled", "utter_already_member": "already_member",
    "utter_membership_not_disclosed": "already_member", "utter_enrollment_cancelled": "cancelled",
}
# A refused consent ends the attempt the moment it is answered "no".
REFUSALS = {enrollment.PRIVACY_CONSENT: "privacy_refused", enrollment.HEALTH_CONSENT: "health_consent_refused",
            enrollment.MEMBER_AGREEMENT: "member_disagrees",
            enrollment.TRUTHFUL_DECLARATION: "declaration_refused",
            enrollment.DEDUCTION_AUTHORIZATION: "authorization_refused"}
SCREENING_OUTCOMES = ("declined", "deferred", "manual_review")
# The slot answered "yes"/set that means a stage was reached.
STAGE_SLOTS = {enrollment.PRIVACY_CONSENT: "privacy_consent", enrollment.PHONE: "identity",
               enrollment.HEALTH_CONSENT: "health_consent", enrollment.DEDUCTION_AUTHORIZATION: "authorization"}
AFTER_SCREENING = (enrollment.TRUTHFUL_DECLARATION, enrollment.DEDUCTION_AUTHORIZATION, enrollment.CONFIRMATION)


def china_day(at: float) -> date:
    return datetime.fromtimestamp(at, timezone.utc).astimezone(CHINA_TIME).date()


@dataclass
class Attempt:
    conversation_id: str
    started_at: float
    language: str
    channel: str
    stages: set[str] = field(default_factory=lambda: {"started"})
    last_question: Optional[str] = None
    ending: Optional[str] = None
    ended_at: Optional[float] = None
    handed_over: bool = False

    @property
    def day(self) -> date:
        return china_day(self.started_at)

    def end(self, ending: str, at: float) -> None:
        if self.ending is None:
            self.ending, self.ended_at = ending, at
            if ending in SCREENING_OUTCOMES:
                self.stages.add("outcome")
            if ending == "enrolled":
                self.stages.add("enrolled")


@dataclass
class Handoff:
    conversation_id: str
    at: float
    language: str
    channel: str
    question: str
    first_reply_at: Optional[float] = None

    @property
    def day(self) -> date:
        return china_day(self.at)


@dataclass
class Misunderstanding:
    conversation_id: str
    at: float
    language: str
    channel: str
    question: str

    @property
    def day(self) -> date:
        return china_day(self.at)


@dataclass
class Conversation:
    """One conversation's facts folded, in the order they were published."""

    conversation_id: str
    language: str = "zh"
    channel: str = "unknown"
    question: Optional[str] = None
    attempts: list[Attempt] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    misunderstandings: list[Misunderstanding] = field(default_factory=list)
    _turn_counted: bool = False

    @property
    def attempt(self) -> Optional[Attempt]:
        latest = self.attempts[-1] if self.attempts else None
        return latest if latest is not None and latest.ending is None else None

    def add(self, fact: Fact) -> None:
        handler = getattr(self, f"_on_{fact.kind}", None)
        if handler is not None:
            handler(fact)

    def _on_user(self, fact: Fact) -> None:
        self._turn_counted = False
        if fact.value:
            self.channel = fact.value
        if fact.name == FALLBACK_INTENT:
            self._misunderstood(fact)

    def _on_fallback(self, fact: Fact) -> None:
        self._misunderstood(fact)

    def _misunderstood(self, fact: Fact) -> None:
        if not self._turn_counted:
            self._turn_counted = True
            self.misunderstandings.append(Misunderstanding(
                self.conversation_id, fact.at, self.language, self.channel, self.question or NO_QUESTION))

    def _on_form(self, fact: Fact) -> None:
        if fact.name == FORM and self.attempt is None:
            self.attempts.append(Attempt(self.conversation_id, fact.at, self.language, self.channel))

    def _on_said(self, fact: Fact) -> None:
        attempt = self.attempt
        if attempt is not None and fact.name in ENDING_RESPONSES:
            attempt.end(ENDING_RESPONSES[fact.name], fact.at)

    def _on_slot(self, fact: Fact) -> None:
        name, value = fact.name or "", fact.value
        if name == slots.LANGUAGE and value:
            self.language = value
        if name == slots.REQUESTED_SLOT:
            self.question = value
        attempt = self.attempt
        if attempt is None:
            return
        if name == slots.REQUESTED_SLOT and value:
            attempt.last_question = value
            if value in AFTER_SCREENING:
                attempt.stages.add("outcome")  # the screening said eligible
        if name in SCREENING_SLOTS and value is not None:
            attempt.stages.add("screening")
        if name in STAGE_SLOTS and value in ("True", SET):
            attempt.stages.add(STAGE_SLOTS[name])
        if name in REFUSALS and value == "False":
            attempt.end(REFUSALS[name], fact.at)

    def _on_pause(self, fact: Fact) -> None:
        attempt = self.attempt
        question = attempt.last_question if attempt and attempt.last_question else NO_QUESTION
        if attempt is not None:
            attempt.handed_over = True
        self.handoffs.append(Handoff(self.conversation_id, fact.at, self.language, self.channel, question))

    def _on_staff_reply(self, fact: Fact) -> None:
        if self.handoffs and self.handoffs[-1].first_reply_at is None:
            self.handoffs[-1].first_reply_at = fact.at


def conversations(facts: Iterable[Fact]) -> list[Conversation]:
    """The facts (in publishing order) folded per conversation."""
    folded: dict[str, Conversation] = {}
    for fact in facts:
        conversation = folded.get(fact.conversation_id)
        if conversation is None:
            conversation = folded[fact.conversation_id] = Conversation(fact.conversation_id)
        conversation.add(fact)
    return list(folded.values())

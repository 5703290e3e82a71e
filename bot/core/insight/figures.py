"""The figures an operator reads: the enrollment funnel and where it loses families, how enrollments end,
why and how often conversations go to staff and how long staff take to reply, which questions the
assistant misunderstands; overall and by day (China time), language and channel.

Everything here is computed from the folded conversations (bot.core.insight.journeys) and the handoff tickets'
reasons (the store's record of why a person was asked for), so the same facts always give the same figures.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Optional, Sequence

from bot.core.insight.journeys import STAGES, Attempt, Conversation, Handoff, Misunderstanding

DIMENSIONS = ("day", "language", "channel")
ALL = "all"
UNKNOWN_REASON = "unknown"
_TICKET_SLACK_S = 30.0  # a ticket is opened by the action just before the pause it causes


@dataclass(frozen=True)
class Ticket:
    """What the figures need of a handoff ticket: whose, when, and why."""

    conversation_id: str
    created_at: datetime
    reason: str


@dataclass(frozen=True)
class ReasonedHandoff:
    handoff: Handoff
    reason: str

    @property
    def seconds_to_first_reply(self) -> Optional[float]:
        first = self.handoff.first_reply_at
        return None if first is None else max(0.0, first - self.handoff.at)

    def __getattr__(self, name: str) -> Any:  # day, language, channel, question of the handoff
        return getattr(self.handoff, name)


def _reason(handoff: Handoff, tickets: Sequence[Ticket]) -> str:
    candidates = [t for t in tickets if t.conversation_id == handoff.conversation_id
                  and t.created_at.timestamp() <= handoff.at + _TICKET_SLACK_S]
    return max(candidates, key=lambda t: t.created_at).reason if candidates else UNKNOWN_REASON


def _median(values: Iterable[float]) -> Optional[float]:
    values = list(values)
    return round(statistics.median(values), 1) if values else None


@dataclass
class Figures:
    attempts: list[Attempt]
    handoffs: list[ReasonedHandoff]
    misunderstandings: list[Misunderstanding]

    @classmethod
    def of(cls, conversations: Iterable[Conversation], tickets: Sequence[Ticket] = ()) -> "Figures":
        conversations = list(conversations)
        by_conversation: dict[str, list[Ticket]] = {}
        for ticket in tickets:
            by_conversation.setdefault(ticket.conversation_id, []).append(ticket)
        return cls(
            attempts=[a for c in conversations for a in c.attempts],
            handoffs=[ReasonedHandoff(h, _reason(h, by_conversation.get(h.conversation_id, [])))
                      for c in conversations for h in c.handoffs],
            misunderstandings=[m for c in conversations for m in c.misunderstandings],
        )

    def where(self, **values: Any) -> "Figures":
        """The figures of the conversations with these day / language / channel values only."""
        def keep(item: Any) -> bool:
            return all(getattr(item, name) == value for name, value in values.items())
        return Figures([a for a in self.attempts if keep(a)], [h for h in self.handoffs if keep(h)],
                       [m for m in self.misunderstandings if keep(m)])

    def values_of(self, dimension: str) -> list[Any]:
        items = [*self.attempts, *self.handoffs, *self.misunderstandings]
        return sorted({getattr(item, dimension) for item in items}, key=str)

    # The figures themselves.
    def funnel(self) -> list[tuple[str, int]]:
        return [(stage, sum(1 for a in self.attempts if stage in a.stages)) for stage in STAGES]

    def drop_offs(self) -> Counter:
        """Unfinished attempts (no ending, not handed to a person) by the last question they were asked."""
        return Counter(a.last_question or "(none)" for a in self.attempts
                       if a.ending is None and not a.handed_over)

    def outcomes(self) -> Counter:
        return Counter(a.ending for a in self.attempts if a.ending is not None)

    def handoff_reasons(self) -> Counter:
        return Counter(h.reason for h in self.handoffs)

    def median_seconds_to_first_reply(self, reason: Optional[str] = None) -> Optional[float]:
        return _median(h.seconds_to_first_reply for h in self.handoffs
                       if h.seconds_to_first_reply is not None and reason in (None, h.reason))

    def unanswered_handoffs(self) -> int:
        return sum(1 for h in self.handoffs if h.seconds_to_first_reply is None)

    def misunderstood_questions(self) -> Counter:
        return Counter(m.question for m in self.misunderstandings)

    def median_seconds_to_enroll(self) -> Optional[float]:
        return _median(a.ended_at - a.started_at for a in self.attempts
                       if a.ending == "enrolled" and a.ended_at is not None)

    def rows(self) -> list[tuple[str, str, int | float | None]]:
        """Every figure as (figure, key, value): the body of the CSV, per group."""
        rows: list[tuple[str, str, int | float | None]] = [("funnel", s, n) for s, n in self.funnel()]
        rows += [("drop_off", q, n) for q, n in sorted(self.drop_offs().items())]
        rows += [("outcome", r, n) for r, n in sorted(self.outcomes().items())]
        rows += [("handoff", r, n) for r, n in sorted(self.handoff_reasons().items())]
        rows += [("handoff_unanswered", "", self.unanswered_handoffs())]
        rows += [("median_seconds_to_first_staff_reply", r or "", self.median_seconds_to_first_reply(r))
                 for r in [None, *sorted(self.handoff_reasons())]]
        rows += [("misunderstanding", q, n) for q, n in sorted(self.misunderstood_questions().items())]
        rows += [("median_seconds_to_enroll", "", self.median_seconds_to_enroll())]
        return rows


CSV_HEADER = ("dimension", "group", "figure", "key", "value")


def table(figures: Figures, cell: Callable[[Any], Any] = lambda v: v) -> list[tuple[Any, ...]]:
    """The figures overall and by day, language and channel: the rows of the CSV download."""
    lines = [CSV_HEADER]
    groups: list[tuple[str, Any, Figures]] = [(ALL, ALL, figures)]
    for dimension in DIMENSIONS:
        groups += [(dimension, value, figures.where(**{dimension: value}))
                   for value in figures.values_of(dimension)]
    for dimension, value, part in groups:
        lines += [tuple(cell(x) for x in (dimension, str(value), figure, key, "" if n is None else n))
                  for figure, key, n in part.rows()]
    return lines


def figures_of_kept(facts: Iterable[dict[str, Any]], tickets: Iterable[tuple[str, datetime, str]]) -> Figures:
    """The figures of the facts the store keeps (bot.store.insight) and its tickets' reasons."""
    from bot.core.insight.facts import Fact
    from bot.core.insight.journeys import conversations

    return Figures.of(conversations(Fact(**row) for row in facts), [Ticket(*row) for row in tickets])

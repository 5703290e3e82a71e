"""Health screening (健康告知): the answers to the plan's questions (H1-H6) become one decision with its
reasons.

Each answer is 'yes', 'no' or 'not_sure', and 'not_sure' is never taken as 'no'. What a "yes" means comes
from the plan configuration. The first rule that applies decides:
any declining "yes" → declined; else any deferring "yes" → deferred; else any manual-review "yes" or any
"not sure" → manual review (a person decides); all "no" → eligible.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal, Mapping

from bot.core.plan.config import Outcome, PlanConfig, load_plan

__all__ = ["Answer", "Decision", "Outcome", "ScreeningError", "decide"]


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    causes: tuple[str, ...]
    """The question ids that led to the outcome, in the plan's order; empty when eligible."""
    not_sure: tuple[str, ...]
    """Those of the causes answered "not sure" (only ever set for manual review)."""

    @property
    def caused_by_not_sure(self) -> bool:
        return bool(self.not_sure)

    @property
    def offers_person(self) -> bool:
        """A declined or manual-review decision always offers a person: nobody is bound to a purely
        automated decision."""
        return self.outcome in (Outcome.DECLINED, Outcome.MANUAL_REVIEW)


ScreeningErrorCode = Literal["missing_answers", "unknown_questions", "invalid_answers"]


class ScreeningError(ValueError):
    """The answers cannot be decided on; `question_ids` says which ones are at fault."""

    def __init__(self, code: ScreeningErrorCode, question_ids: tuple[str, ...]):
        self.code = code
        self.question_ids = question_ids
        super().__init__(f"{code}: {', '.join(question_ids)}")


def decide(answers: Mapping[str, str], *, plan: PlanConfig | None = None) -> Decision:
    """The screening decision for answers keyed by question id ('H1': 'no', ...); every question of the
    plan must be answered, and only those."""
    questions = (plan or load_plan()).screening.questions
    given = _parse_answers(answers, tuple(question.id for question in questions))

    for outcome in (Outcome.DECLINED, Outcome.DEFERRED):
        causes = tuple(q.id for q in questions if given[q.id] is Answer.YES and q.yes_means is outcome)
        if causes:
            return Decision(outcome, causes, not_sure=())
    causes = tuple(
        q.id for q in questions
        if given[q.id] is Answer.NOT_SURE
        or (given[q.id] is Answer.YES and q.yes_means is Outcome.MANUAL_REVIEW)
    )
    if causes:
        not_sure = tuple(question_id for question_id in causes if given[question_id] is Answer.NOT_SURE)
        return Decision(Outcome.MANUAL_REVIEW, causes, not_sure)
    return Decision(Outcome.ELIGIBLE, causes=(), not_sure=())


def _parse_answers(answers: Mapping[str, str], question_ids: tuple[str, ...]) -> dict[str, Answer]:
    unknown = tuple(sorted(set(answers) - set(question_ids)))
    if unknown:
        raise ScreeningError("unknown_questions", unknown)
    missing = tuple(question_id for question_id in question_ids if answers.get(question_id) is None)
    if missing:
        raise ScreeningError("missing_answers", missing)
    parsed: dict[str, Answer] = {}
    invalid: list[str] = []
    for question_id in question_ids:
        try:
            parsed[question_id] = Answer(answers[question_id])
        except ValueError:
            invalid.append(question_id)
    if invalid:
        raise ScreeningError("invalid_answers", tuple(invalid))
    return parsed

"""What an enrollment conversation hands to the store: the consents given, the deduction authorization
and the whole submission, with the vocabulary they are checked against.

These are the core's records: the enrollment flow (bot.core.enrollment) builds them and the store
(bot.store.enrollments) keeps them; the store's table constraints use the same vocabulary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Mapping, Optional, Sequence

from bot.core.identity import normalize_phone

SCREENING_OUTCOMES = ("eligible", "declined", "manual_review", "deferred")
SCREENING_ANSWERS = ("yes", "no", "not_sure")
CONSENT_KINDS = (
    "privacy_notice",
    "health_information",
    "member_agreement",
    "truthful_declaration",
    "deduction_authorization",
)
CONSENT_PARTIES = ("enroller", "member")
SEXES = ("female", "male")



@dataclass(frozen=True)
class ConsentGiven:
    """A consent: `given_by` is whose consent it is, `answered_by` who typed the yes (default: the same)."""

    kind: str  # one of CONSENT_KINDS
    version: str  # text version from the plan configuration
    given_at: datetime  # aware
    given_by: str = "enroller"
    answered_by: Optional[str] = None

    def __post_init__(self) -> None:
        if self.kind not in CONSENT_KINDS:
            raise ValueError(f"consent kind must be one of {CONSENT_KINDS}, not {self.kind!r}")
        if self.answered_by is None:
            object.__setattr__(self, "answered_by", self.given_by)
        for party in (self.given_by, self.answered_by):
            if party not in CONSENT_PARTIES:
                raise ValueError(f"consent party must be one of {CONSENT_PARTIES}, not {party!r}")


@dataclass(frozen=True)
class DeductionAuthorizationGiven:
    """The enroller's explicit yes to the recurring deduction, with what was shown to them."""

    per_case_cap: Decimal
    schedule: str  # as shown, e.g. "14th and 28th of each month"
    version: str
    authorized_at: datetime
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.per_case_cap, Decimal):
            object.__setattr__(self, "per_case_cap", Decimal(str(self.per_case_cap)))


@dataclass(frozen=True)
class EnrollmentSubmission:
    """Everything the assistant collected, after bot.core.plan decided the outcome and the dates.

    `id_number` is the plain, normalised number (bot.core.identity's parse result); the store encrypts it.
    `conversation_id` is the idempotency key together with the member: a retried submission of the same
    conversation returns the first enrollment, so it must be stable across retries of one submission.
    An 'eligible' outcome with a deduction authorization becomes the ACTIVE membership; without one it is
    kept as 'eligible' (passed screening, not sharing cases). Other outcomes are stored as they are.
    """

    conversation_id: str
    channel: str
    sender_id: str  # channel-namespaced, e.g. "rest:abc"
    language: str
    relationship: str
    member_name: str = field(repr=False)
    id_number: str = field(repr=False)
    phone: Optional[str] = field(repr=False)
    birth_date: date = field(repr=False)
    sex: str = field(repr=False)  # female | male
    outcome: str
    outcome_reasons: Sequence[str]
    screening_answers: Mapping[str, str]
    consents: Sequence[ConsentGiven]
    enrolled_on: date
    authorization: Optional[DeductionAuthorizationGiven] = None
    waiting_period_end: Optional[date] = None
    cover_start: Optional[date] = None

    def __post_init__(self) -> None:
        if self.outcome not in SCREENING_OUTCOMES:
            raise ValueError(f"outcome must be one of {SCREENING_OUTCOMES}, not {self.outcome!r}")
        for question, answer in self.screening_answers.items():
            if answer not in SCREENING_ANSWERS:
                raise ValueError(f"answer to {question} must be one of {SCREENING_ANSWERS}, not {answer!r}")
        object.__setattr__(self, "sex", getattr(self.sex, "value", self.sex))  # bot.core.identity.Sex or str
        if self.sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES}")
        if self.phone is not None:
            object.__setattr__(self, "phone", normalize_phone(self.phone))
        object.__setattr__(self, "outcome_reasons", tuple(self.outcome_reasons))
        object.__setattr__(self, "consents", tuple(self.consents))
        object.__setattr__(self, "screening_answers", dict(self.screening_answers))

    @property
    def enrollment_status(self) -> str:
        if self.outcome == "eligible":
            return "active" if self.authorization is not None else "eligible"
        return self.outcome

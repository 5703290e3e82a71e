"""The enrollment application: what to ask next, and when and why an enrollment ends.

An enrollment is a list of answers (the privacy consent, relationship, the member's name, ID number and
phone, the health consent, the screening answers, the declaration, the deduction authorization and the
final confirmation). This
module is the one place that knows their order and when the answers so far end the enrollment early (an
age outside the window, a refused consent, a screening outcome other than eligible). The Rasa form asks
`Application.questions()` in turn; the conclusion and the store submission are built from the same
answers, re-checked here, so nothing typed into the conversation can skip a check or a consent.

Answers are keyed by the form's slot names. Consents and confirmations are True/False, screening answers
'yes' / 'no' / 'not_sure', and the identity answers are the normalised values the checks return.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Callable, Mapping, Optional

from bot.core.identity import IdentityError, IdNumber, Sex, mask_name, mask_phone, parse_id_number
from bot.core.plan.config import Outcome, PlanConfig, load_plan
from bot.core.plan.cover import CoverDates, cover_dates
from bot.core.plan.eligibility import AgeCheck, check_age, is_allowed_relationship
from bot.core.plan.screening import Decision, decide

RELATIONSHIP = "relationship"
MEMBER_NAME = "member_name"
ID_NUMBER = "id_number"
PHONE = "phone"
PRIVACY_CONSENT = "privacy_consent"
HEALTH_CONSENT = "health_consent"
MEMBER_AGREEMENT = "member_agreement"
TRUTHFUL_DECLARATION = "truthful_declaration"
DEDUCTION_AUTHORIZATION = "deduction_authorization"
CONFIRMATION = "enrollment_confirmed"

# The consent each yes/no answer records, and whose consent it is.
CONSENTS: dict[str, tuple[str, str]] = {
    PRIVACY_CONSENT: ("privacy_notice", "enroller"),
    HEALTH_CONSENT: ("health_information", "enroller"),
    MEMBER_AGREEMENT: ("member_agreement", "member"),
    TRUTHFUL_DECLARATION: ("truthful_declaration", "enroller"),
    DEDUCTION_AUTHORIZATION: ("deduction_authorization", "enroller"),
}

# Which sex a relationship implies; 'self' implies none.
_RELATIONSHIP_SEX = {
    "father": Sex.MALE, "father_in_law": Sex.MALE,
    "mother": Sex.FEMALE, "mother_in_law": Sex.FEMALE,
}
_OTHER_PARENT = {"father": "mother", "mother": "father",
                 "father_in_law": "mother_in_law", "mother_in_law": "father_in_law"}


def screening_answer_key(question_id: str) -> str:
    """The answer key (form slot) of a screening question: H1 → screening_h1."""
    return f"screening_{question_id.lower()}"


def all_answer_keys(plan: Optional[PlanConfig] = None) -> list[str]:
    """Every answer an enrollment can hold, in the order they are asked."""
    plan = plan or load_plan()
    return [PRIVACY_CONSENT, RELATIONSHIP, MEMBER_NAME, ID_NUMBER, PHONE, HEALTH_CONSENT,
            MEMBER_AGREEMENT, *(screening_answer_key(q.id) for q in plan.screening.questions),
            TRUTHFUL_DECLARATION, DEDUCTION_AUTHORIZATION, CONFIRMATION]


def form_steps(plan: Optional[PlanConfig] = None) -> list[tuple[str, ...]]:
    """The steps a family is shown ("Step 3 of 9"): the answers in the order they are asked, those that
    belong together (the health consents, the health questions, the declaration and the authorization)
    counted as one step."""
    plan = plan or load_plan()
    return [(PRIVACY_CONSENT,), (RELATIONSHIP,), (MEMBER_NAME,), (ID_NUMBER,), (PHONE,),
            (HEALTH_CONSENT, MEMBER_AGREEMENT), tuple(screening_answer_key(q.id) for q in plan.screening.questions),
            (TRUTHFUL_DECLARATION, DEDUCTION_AUTHORIZATION), (CONFIRMATION,)]


def step_of(key: str, plan: Optional[PlanConfig] = None) -> Optional[tuple[int, int]]:
    """Which step asks the answer `key`, and how many steps there are: (3, 9); None if no step does."""
    steps = form_steps(plan)
    for number, keys in enumerate(steps, start=1):
        if key in keys:
            return number, len(steps)
    return None


def answers_in_slots(get_slot: Callable[[str], Any]) -> dict[str, Any]:
    """The answers as the conversation holds them: one slot per answer key, read with `get_slot`."""
    return {key: get_slot(key) for key in all_answer_keys()}


def choices_of(key: str) -> tuple[Any, ...]:
    """The answers a fixed-choice question accepts: yes/no/not sure for screening, else True/False."""
    if key.startswith("screening_"):
        return ("yes", "no", "not_sure")
    return (True, False)


def other_parent(relationship: Optional[str]) -> Optional[str]:
    """The parent not yet enrolled (mother after father, ...), or None after enrolling oneself."""
    return _OTHER_PARENT.get(relationship or "")


class Ending(str, Enum):
    """Why an enrollment is over. The conversation explains each one in the user's language."""

    TOO_YOUNG = "too_young"
    TOO_OLD = "too_old"
    PRIVACY_REFUSED = "privacy_refused"
    HEALTH_CONSENT_REFUSED = "health_consent_refused"
    MEMBER_DISAGREES = "member_disagrees"
    DECLINED = "declined"
    DEFERRED = "deferred"
    MANUAL_REVIEW = "manual_review"
    DECLARATION_REFUSED = "declaration_refused"
    AUTHORIZATION_REFUSED = "authorization_refused"
    CONFIRMED = "confirmed"

    @property
    def stores_enrollment(self) -> bool:
        """Whether this ending is written to the store (health data only with its consent)."""
        return self in (Ending.DECLINED, Ending.DEFERRED, Ending.MANUAL_REVIEW, Ending.CONFIRMED)


_REFUSALS = {
    PRIVACY_CONSENT: Ending.PRIVACY_REFUSED,
    HEALTH_CONSENT: Ending.HEALTH_CONSENT_REFUSED,
    MEMBER_AGREEMENT: Ending.MEMBER_DISAGREES,
    TRUTHFUL_DECLARATION: Ending.DECLARATION_REFUSED,
    DEDUCTION_AUTHORIZATION: Ending.AUTHORIZATION_REFUSED,
}


class ApplicationIncomplete(ValueError):
    """The answers do not make a complete, consistent enrollment (e.g. a consent was never given)."""


@dataclass(frozen=True)
class Application:
    """The answers of one enrollment so far, judged against the plan on the enrollment date."""

    answers: Mapping[str, Any]
    today: date
    plan: PlanConfig

    @classmethod
    def of(cls, answers: Mapping[str, Any], today: date, plan: Optional[PlanConfig] = None) -> "Application":
        return cls(dict(answers), today, plan or load_plan())

    def answer(self, key: str) -> Any:
        return self.answers.get(key)

    @property
    def member_id(self) -> Optional[IdNumber]:
        raw = self.answer(ID_NUMBER)
        if not raw:
            return None
        try:
            return parse_id_number(raw, today=self.today)
        except IdentityError:
            return None

    @property
    def age_check(self) -> Optional[AgeCheck]:
        member = self.member_id
        return check_age(member.birth_date, self.today, plan=self.plan) if member else None

    @property
    def screening_keys(self) -> list[str]:
        return [screening_answer_key(q.id) for q in self.plan.screening.questions]

    @property
    def decision(self) -> Optional[Decision]:
        """The screening decision: as soon as a "yes" declines (nothing after it could change that, so
        no further health question is asked), else once every question is answered."""
        questions = self.plan.screening.questions
        answers = {q.id: self.answer(screening_answer_key(q.id)) for q in questions}
        declining = tuple(q.id for q in questions
                          if answers[q.id] == "yes" and q.yes_means is Outcome.DECLINED)
        if declining:
            return Decision(Outcome.DECLINED, declining, not_sure=())
        if any(value is None for value in answers.values()):
            return None
        return decide(answers, plan=self.plan)

    def _declines(self, key: str) -> bool:
        """Whether a "yes" to this screening question declines."""
        return any(screening_answer_key(q.id) == key and q.yes_means is Outcome.DECLINED
                   for q in self.plan.screening.questions)

    @property
    def cover(self) -> CoverDates:
        return cover_dates(self.today, plan=self.plan)

    def _steps(self) -> list[str]:
        # The privacy notice comes before the first piece of personal data is asked (PIPL art. 17); the
        # separate consent for health information right before the health questions.
        steps = [PRIVACY_CONSENT, RELATIONSHIP, MEMBER_NAME, ID_NUMBER, PHONE, HEALTH_CONSENT]
        if self.answer(RELATIONSHIP) != "self":
            steps.append(MEMBER_AGREEMENT)
        return [*steps, *self.screening_keys, TRUTHFUL_DECLARATION, DEDUCTION_AUTHORIZATION, CONFIRMATION]

    def progress(self) -> tuple[list[str], Optional[Ending]]:
        """The questions asked so far including the next one to ask, and the ending if there is one."""
        asked: list[str] = []
        for key in self._steps():
            asked.append(key)
            value = self.answer(key)
            if value is None:
                return asked, None
            if _REFUSALS.get(key) and value is False:
                return asked, _REFUSALS[key]
            if key == ID_NUMBER:
                age = self.age_check
                if age is not None and not age.eligible:
                    return asked, Ending(age.reason)
            if key in self.screening_keys and (value == "yes" and self._declines(key)
                                                or key == self.screening_keys[-1]):
                decision = self.decision
                if decision is not None and decision.outcome is not Outcome.ELIGIBLE:
                    return asked, Ending(decision.outcome.value)
            if key == CONFIRMATION and value is True:
                return asked, Ending.CONFIRMED
        return asked, None

    def questions(self) -> list[str]:
        """The form's required questions: everything up to the next unanswered one, or up to the end."""
        return self.progress()[0]

    @property
    def ending(self) -> Optional[Ending]:
        return self.progress()[1]

    def screening_progress(self) -> str:
        """How far the screening got, e.g. '3/6', for a handoff summary."""
        answered = sum(1 for key in self.screening_keys if self.answer(key) is not None)
        return f"{answered}/{len(self.screening_keys)}"


def handoff_summary(app: Application, enrollment_number: Optional[str] = None) -> dict[str, Any]:
    """What staff see first when a person takes over: no ID number; the name and phone masked (王＊英,
    139****5678), enough to tell families apart in the queue and to see which number a call-back goes to."""
    age = app.age_check
    summary: dict[str, Any] = {
        "member_name": mask_name(str(app.answer(MEMBER_NAME))) if app.answer(MEMBER_NAME) else None,
        "phone": _masked_phone(app.answer(PHONE)),
        "relationship": app.answer(RELATIONSHIP),
        "member_age": age.age if age else None,
        "screening_progress": app.screening_progress(),
        "screening_answers": {key: app.answer(key) for key in app.screening_keys if app.answer(key)},
    }
    if enrollment_number:
        summary["enrollment_number"] = enrollment_number
    return summary


def _masked_phone(phone: Any) -> Optional[str]:
    try:
        return mask_phone(str(phone)) if phone else None
    except IdentityError:
        return None


def sex_contradicts(relationship: Optional[str], member: IdNumber) -> bool:
    """Whether the ID's sex contradicts the relationship (a "mother" whose ID says male)."""
    expected = _RELATIONSHIP_SEX.get(relationship or "")
    return expected is not None and member.sex is not expected


def relationship_allowed(relationship: Optional[str], plan: Optional[PlanConfig] = None) -> bool:
    return bool(relationship and is_allowed_relationship(relationship, plan=plan))

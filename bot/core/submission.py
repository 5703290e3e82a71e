"""The store submission of a finished enrollment: every answer checked again, the consents with the
times they were given, the deduction authorization as the user read it, and the cover dates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from bot.core.enrollment import (
    CONSENTS,
    DEDUCTION_AUTHORIZATION,
    HEALTH_CONSENT,
    ID_NUMBER,
    MEMBER_AGREEMENT,
    MEMBER_NAME,
    PHONE,
    PRIVACY_CONSENT,
    RELATIONSHIP,
    TRUTHFUL_DECLARATION,
    Application,
    ApplicationIncomplete,
    Ending,
    relationship_allowed,
    screening_answer_key,
)
from bot.core.identity import IdentityError, IdNumber, normalize_phone, parse_id_number, validate_name
from bot.core.plan.config import Outcome
from bot.core.plan.eligibility import check_age
from bot.core.plan.facts import deduction_schedule
from bot.core.records import ConsentGiven, DeductionAuthorizationGiven, EnrollmentSubmission


@dataclass(frozen=True)
class Origin:
    """Where an enrollment comes from: its conversation, channel, sender and language."""

    conversation_id: str
    channel: str
    sender_id: str
    language: str


def submission_of(app: Application, origin: Origin, answered_at: Mapping[str, datetime]) -> EnrollmentSubmission:
    """The store submission for a finished enrollment, every answer checked again.

    `answered_at` gives when each consent answer was given (from the conversation's events).
    Raises ApplicationIncomplete when the answers do not make a complete, consistent enrollment.
    """
    ending = app.ending
    if ending is None or not ending.stores_enrollment:
        raise ApplicationIncomplete(f"nothing to store for ending {ending}")
    name, phone, member = _identity(app)
    decision = app.decision
    if not check_age(member.birth_date, app.today, plan=app.plan).eligible or decision is None:
        raise ApplicationIncomplete("age or screening not settled")
    consents = _consents(app, ending, answered_at)
    authorization = cover = None
    if ending is Ending.CONFIRMED:
        if decision.outcome is not Outcome.ELIGIBLE:
            raise ApplicationIncomplete("confirmed without an eligible screening")
        authorization = _authorization(app, origin, answered_at)
        cover = app.cover
    return EnrollmentSubmission(
        conversation_id=origin.conversation_id, channel=origin.channel, sender_id=origin.sender_id,
        language=origin.language, relationship=app.answer(RELATIONSHIP),
        member_name=name, id_number=member.number, phone=phone, birth_date=member.birth_date, sex=member.sex,
        outcome=decision.outcome.value, outcome_reasons=decision.causes,
        screening_answers={q.id: app.answer(screening_answer_key(q.id)) for q in app.plan.screening.questions
                           if app.answer(screening_answer_key(q.id)) is not None},
        consents=consents, enrolled_on=app.today, authorization=authorization,
        waiting_period_end=cover.waiting_period_ends if cover else None,
        cover_start=cover.covered_from if cover else None,
    )


def _identity(app: Application) -> tuple[str, str, IdNumber]:
    """The name, phone and ID number, each passing its check again, and an allowed relationship."""
    try:
        name = validate_name(app.answer(MEMBER_NAME) or "")
        phone = normalize_phone(app.answer(PHONE) or "")
        member = parse_id_number(app.answer(ID_NUMBER) or "", today=app.today)
    except IdentityError as problem:
        raise ApplicationIncomplete(f"{problem.field} no longer passes its check ({problem.code})") from None
    if not relationship_allowed(app.answer(RELATIONSHIP), app.plan):
        raise ApplicationIncomplete("relationship not allowed")
    return name, phone, member


def _consents(app: Application, ending: Ending, answered_at: Mapping[str, datetime]) -> list[ConsentGiven]:
    """Every consent given, with when; all the ending requires must be there."""
    consents = []
    for key, (kind, given_by) in CONSENTS.items():
        if app.answer(key) is not True:
            continue
        given_at = answered_at.get(key)
        if given_at is None:
            raise ApplicationIncomplete(f"no time recorded for {key}")
        consents.append(ConsentGiven(kind=kind, version=getattr(app.plan.consents, kind), given_at=given_at,
                                     given_by=given_by, answered_by="enroller"))
    required = [PRIVACY_CONSENT, HEALTH_CONSENT] + ([MEMBER_AGREEMENT] if app.answer(RELATIONSHIP) != "self" else [])
    if ending is Ending.CONFIRMED:
        required += [TRUTHFUL_DECLARATION, DEDUCTION_AUTHORIZATION]
    missing = [key for key in required if app.answer(key) is not True]
    if missing:
        raise ApplicationIncomplete(f"consent missing: {', '.join(missing)}")
    return consents


def _authorization(app: Application, origin: Origin,
                   answered_at: Mapping[str, datetime]) -> DeductionAuthorizationGiven:
    """The deduction authorization with the schedule as the user read it."""
    return DeductionAuthorizationGiven(
        per_case_cap=app.plan.costs.cap_per_case,
        schedule=deduction_schedule(origin.language, app.plan),
        version=app.plan.consents.deduction_authorization,
        authorized_at=answered_at[DEDUCTION_AUTHORIZATION],
        currency=app.plan.currency,
    )

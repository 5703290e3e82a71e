"""Enrollments: storing a submission in one transaction, and consents given before there is one.
Reading enrollments back, look-ups and withdrawal are in bot.store.memberships.

The plan's rules (who is eligible, what the screening outcome is, when cover starts) are decided in
bot.core.plan before anything reaches here; the store keeps what it is given, encrypts the ID number and lets
the database enforce uniqueness:

- the same conversation submitting the same member again gets its first enrollment back ('existing');
- a member with an active membership gets 'already_member' with its enrollment number only when the
  same enroller enrolled them; anyone else gets 'not_disclosed', which says nothing about a membership
  (membership of a cancer plan is health-related information about a third party);
- the name and phone belong to the enrollment that collected them (EnrollmentContact): no submission, of
  any outcome and by anyone, changes another enrollment's details; the phone is stored encrypted, keyed-
  hashed and masked, never in plain;
- concurrent submissions race on the unique indexes; the loser's IntegrityError makes the whole unit of
  work run again, and that second run reads what the winner stored.
"""
from __future__ import annotations

from dataclasses import dataclass
import base64
import hashlib
from datetime import date, datetime
from typing import Callable, Optional, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.core.enrollment_numbers import new_enrollment_number
from bot.core.identity import mask_id_number, mask_phone
from bot.core.records import (  # noqa: F401 - the store's inputs, defined in the core, importable here too
    SCREENING_OUTCOMES,
    ConsentGiven,
    DeductionAuthorizationGiven,
    EnrollmentSubmission,
)
from bot.store import outbox, pii
from bot.store.audit import Actor, audit
from bot.store.models import (
    ConsentRecord,
    DeductionAuthorization,
    Enroller,
    Enrollment,
    EnrollmentContact,
    Member,
    ScreeningAnswer,
    utcnow,
)

SUBMISSION_STATUSES = ("created", "existing", "already_member", "not_disclosed")

_ATTEMPTS = 8
# PostgreSQL error codes worth one more try: deadlock detected, serialization failure.
_RETRYABLE_PGCODES = {"40P01", "40001"}

T = TypeVar("T")


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SubmissionResult:
    status: str  # created | existing | already_member | not_disclosed
    enrollment_number: Optional[str]  # already_member: the active membership's; not_disclosed: None
    enrollment_status: Optional[str]  # active, eligible, declined, ...; not_disclosed: None
    masked_id: str  # of the number submitted
    enrolled_on: Optional[date]
    waiting_period_end: Optional[date]
    cover_start: Optional[date]


# ----------------------------------------------------------------------------------------- unit of work


def run_unit(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; on a unique-constraint race (or a deadlock) run it again.

    The second run re-reads what the winning transaction stored, so `work` must be written as
    "read, and insert only if absent".
    """
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with Session(engine) as session, session.begin():
                return work(session)
        except IntegrityError:
            if attempt == _ATTEMPTS:
                raise
        except DBAPIError as error:
            if getattr(error.orig, "pgcode", None) not in _RETRYABLE_PGCODES or attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def enroller_of(session: Session, sender_id: str, channel: str) -> Enroller:
    enroller = session.execute(select(Enroller).where(Enroller.sender_id == sender_id)).scalar_one_or_none()
    if enroller is None:
        enroller = Enroller(sender_id=sender_id, channel=channel, created_at=utcnow())
        session.add(enroller)
        session.flush()
    return enroller


def member_by_id_number(session: Session, id_number: str) -> Optional[Member]:
    digest = pii.id_number_hash(id_number)
    return session.execute(select(Member).where(Member.id_number_hash == digest)).scalar_one_or_none()


def active_enrollment(session: Session, member_id: int) -> Optional[Enrollment]:
    return session.execute(
        select(Enrollment).where(Enrollment.member_id == member_id, Enrollment.status == "active")
    ).scalar_one_or_none()


def conversation_reference(conversation_id: str) -> str:
    """A stand-in for a conversation id in audit details: the same id always gives the same reference, but
    it holds no digits run a personal-data scan could mistake for an ID or phone number (a sender id may
    be a phone number). Base32 of a SHA-256, 16 characters."""
    digest = hashlib.sha256(conversation_id.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:16].lower()


def _result(status: str, enrollment: Enrollment, masked_id: str) -> SubmissionResult:
    return SubmissionResult(
        status=status,
        enrollment_number=enrollment.enrollment_number,
        enrollment_status=enrollment.status,
        masked_id=masked_id,
        enrolled_on=enrollment.enrolled_on,
        waiting_period_end=enrollment.waiting_period_end,
        cover_start=enrollment.cover_start,
    )


# ------------------------------------------------------------------------------------------ submitting


def submit_enrollment(engine: Engine, submission: EnrollmentSubmission) -> SubmissionResult:
    """Store a submission in one transaction: enroller, member, enrollment, answers, consents,
    authorization and an audit row. Safe to call again and from many threads at once."""
    return run_unit(engine, lambda session: _submit(session, submission))


def _submit(session: Session, sub: EnrollmentSubmission) -> SubmissionResult:
    enroller = enroller_of(session, sub.sender_id, sub.channel)
    member = member_by_id_number(session, sub.id_number)
    now = utcnow()
    if member is not None:
        settled = _already_settled(session, sub, enroller, member)
        if settled is not None:
            return settled
        # The member's other enrollments keep the name and phone they collected: this one brings its own.
    else:
        member = _new_member(session, sub, now)
    enrollment = Enrollment(
        enrollment_number=new_enrollment_number(sub.enrolled_on), enroller_id=enroller.id,
        member_id=member.id, relationship=sub.relationship, conversation_id=sub.conversation_id,
        language=sub.language, status=sub.enrollment_status, outcome_reasons=list(sub.outcome_reasons),
        enrolled_on=sub.enrolled_on, waiting_period_end=sub.waiting_period_end, cover_start=sub.cover_start,
        created_at=now, updated_at=now,
    )
    session.add(enrollment)
    session.flush()  # the unique indexes decide here; a lost race raises IntegrityError
    _add_answers_and_consents(session, sub, enroller, enrollment)
    if enrollment.status == "deferred":
        outbox.queue_deferred_reminder(session, enrollment, enroller, now=now)
    audit(session, Actor("assistant", sub.sender_id), "enrollment.submitted",
          f"enrollment:{enrollment.enrollment_number}",
          {"status": enrollment.status, "reasons": list(sub.outcome_reasons),
           "relationship": sub.relationship, "conversation": conversation_reference(sub.conversation_id),
           "consents": sorted(c.kind for c in sub.consents),
           "deduction_authorized": sub.authorization is not None})
    session.flush()
    return _result("created", enrollment, member.id_number_masked)


def _already_settled(session: Session, sub: EnrollmentSubmission, enroller: Enroller,
                     member: Member) -> Optional[SubmissionResult]:
    """The answer when this member needs no new enrollment: this conversation's earlier one, or an active
    membership (named only to the enroller who made it)."""
    earlier = session.execute(
        select(Enrollment).where(
            Enrollment.conversation_id == sub.conversation_id,
            Enrollment.member_id == member.id,
            Enrollment.status != "withdrawn",
        )
    ).scalar_one_or_none()
    if earlier is not None:
        return _result("existing", earlier, member.id_number_masked)
    active = active_enrollment(session, member.id)
    if active is None:
        return None
    yours = active.enroller_id == enroller.id
    audit(session, Actor("assistant", sub.sender_id),
          "enrollment.already_member" if yours else "enrollment.not_disclosed",
          f"enrollment:{active.enrollment_number}",
          {"conversation": conversation_reference(sub.conversation_id)})
    if yours:
        return _result("already_member", active, member.id_number_masked)
    return SubmissionResult("not_disclosed", None, None, mask_id_number(sub.id_number), None, None, None)


def _new_member(session: Session, sub: EnrollmentSubmission, now: datetime) -> Member:
    member = Member(
        id_number_encrypted=pii.encrypt_id_number(sub.id_number),
        id_number_hash=pii.id_number_hash(sub.id_number),
        id_number_masked=mask_id_number(sub.id_number),
        birth_date=sub.birth_date, sex=sub.sex, created_at=now, updated_at=now,
    )
    session.add(member)
    session.flush()
    return member


def _add_answers_and_consents(session: Session, sub: EnrollmentSubmission, enroller: Enroller,
                              enrollment: Enrollment) -> None:
    session.add(_contact(enrollment.id, sub.member_name, sub.phone))
    session.add_all(
        ScreeningAnswer(enrollment_id=enrollment.id, question_id=question, answer=answer)
        for question, answer in sub.screening_answers.items()
    )
    session.add_all(_consent_record(c, sub.conversation_id, enroller.id, enrollment.id) for c in sub.consents)
    if sub.authorization is not None:
        given = sub.authorization
        session.add(DeductionAuthorization(
            enroller_id=enroller.id, enrollment_id=enrollment.id, per_case_cap=given.per_case_cap,
            currency=given.currency, schedule=given.schedule, text_version=given.version,
            authorized_at=given.authorized_at,
        ))


def _contact(enrollment_id: int, member_name: str, phone: Optional[str]) -> EnrollmentContact:
    return EnrollmentContact(
        enrollment_id=enrollment_id, member_name=member_name,
        phone_encrypted=pii.encrypt_phone(phone) if phone else None,
        phone_hash=pii.phone_hash(phone) if phone else None,
        phone_masked=mask_phone(phone) if phone else None,
    )


def _consent_record(consent: ConsentGiven, conversation_id: str, enroller_id: int,
                    enrollment_id: Optional[int]) -> ConsentRecord:
    return ConsentRecord(
        kind=consent.kind, text_version=consent.version, given_at=consent.given_at,
        given_by=consent.given_by, answered_by=consent.answered_by, conversation_id=conversation_id,
        enroller_id=enroller_id, enrollment_id=enrollment_id,
    )


def record_consent(engine: Engine, *, conversation_id: str, channel: str, sender_id: str,
                   consent: ConsentGiven) -> None:
    """Record a consent given before there is an enrollment (e.g. the privacy notice at the start)."""

    def work(session: Session) -> None:
        enroller = enroller_of(session, sender_id, channel)
        session.add(_consent_record(consent, conversation_id, enroller.id, None))

    run_unit(engine, work)


# ------------------------------------------------------------------------------------------- reading


# ---------------------------------------------------------------------------------------- withdrawing



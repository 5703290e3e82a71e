"""Enrollments: storing a submission in one transaction, finding memberships, withdrawing, consents.

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

import secrets
from dataclasses import dataclass, field
import base64
import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.core.identity import mask_id_number, mask_phone, normalize_phone
from bot.core.records import (  # noqa: F401  (the store's inputs, defined in the core)
    SCREENING_OUTCOMES,
    ConsentGiven,
    DeductionAuthorizationGiven,
    EnrollmentSubmission,
)
from bot.store import outbox, pii
from bot.store.audit import Actor, audit
from bot.store.models import (
    CONSENT_KINDS,
    CONSENT_PARTIES,
    SCREENING_ANSWERS,
    SEXES,
    ConsentRecord,
    DeductionAuthorization,
    Enroller,
    Enrollment,
    EnrollmentContact,
    IdNumberLookup,
    Member,
    ScreeningAnswer,
    utcnow,
)

SUBMISSION_STATUSES = ("created", "existing", "already_member", "not_disclosed")
LOOKUP_STATUSES = ("not_found", "yours", "not_disclosed", "limited")
WITHDRAWAL_STATUSES = ("withdrawn", "not_found", "not_active")

# Crockford's base32: no I, L, O or U, so a number read aloud or typed from a screenshot stays unambiguous.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NUMBER_RANDOM_CHARS = 5
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


@dataclass(frozen=True)
class LookupLimit:
    """How many ID-number look-ups one sender may make within `window` (the count is kept in the store,
    so every action-server replica shares it)."""

    max_lookups: int = 10
    window: timedelta = timedelta(hours=1)


DEFAULT_LOOKUP_LIMIT = LookupLimit()


@dataclass(frozen=True)
class MemberLookup:
    """What an enroller may learn about the person with an ID number they typed.

    not_found: no active membership; yours: an active membership this enroller made (its number and
    masked ID are theirs to see); not_disclosed: an active membership someone else made, which must be
    answered exactly like a refusal that says nothing about membership; limited: too many look-ups, the
    store was not asked. Callers that must not tell "not_found" from "not_disclosed" (withdrawal) use
    `may_act`."""

    status: str
    enrollment_number: Optional[str] = None
    masked_id: Optional[str] = None

    @property
    def may_act(self) -> bool:
        """Whether this enroller may act on the membership (only their own)."""
        return self.status == "yours"


@dataclass(frozen=True)
class ConsentView:
    kind: str
    version: str
    given_at: datetime
    given_by: str
    answered_by: str


@dataclass(frozen=True)
class AuthorizationView:
    per_case_cap: Decimal
    currency: str
    schedule: str
    version: str
    authorized_at: datetime
    cancelled_at: Optional[datetime]


@dataclass(frozen=True)
class EnrollmentView:
    """An enrollment as staff and operators see it: ID number and phone masked."""

    enrollment_number: str
    status: str
    relationship: str
    member_name: str
    masked_id: str
    masked_phone: Optional[str]
    birth_date: date
    sex: str
    enroller: str  # sender id
    channel: str
    conversation_id: str
    language: str
    outcome_reasons: tuple[str, ...]
    enrolled_on: date
    waiting_period_end: Optional[date]
    cover_start: Optional[date]
    created_at: datetime
    withdrawn_at: Optional[datetime]
    screening_answers: dict[str, str]
    consents: tuple[ConsentView, ...]
    authorization: Optional[AuthorizationView]


@dataclass(frozen=True)
class WithdrawalResult:
    status: str  # withdrawn | not_found | not_active
    enrollment_number: Optional[str] = None
    masked_id: Optional[str] = None
    enrollment_status: Optional[str] = None  # for not_active: the status it has


# ----------------------------------------------------------------------------------------- unit of work


def _run(engine: Engine, work: Callable[[Session], T]) -> T:
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


def _new_enrollment_number(enrolled_on: date) -> str:
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(_NUMBER_RANDOM_CHARS))
    return f"SC{enrolled_on:%y%m%d}-{suffix}"


def _enroller(session: Session, sender_id: str, channel: str) -> Enroller:
    enroller = session.execute(select(Enroller).where(Enroller.sender_id == sender_id)).scalar_one_or_none()
    if enroller is None:
        enroller = Enroller(sender_id=sender_id, channel=channel, created_at=utcnow())
        session.add(enroller)
        session.flush()
    return enroller


def _member_by_id_number(session: Session, id_number: str) -> Optional[Member]:
    digest = pii.id_number_hash(id_number)
    return session.execute(select(Member).where(Member.id_number_hash == digest)).scalar_one_or_none()


def _active_enrollment(session: Session, member_id: int) -> Optional[Enrollment]:
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
    return _run(engine, lambda session: _submit(session, submission))


def _submit(session: Session, sub: EnrollmentSubmission) -> SubmissionResult:
    enroller = _enroller(session, sub.sender_id, sub.channel)
    member = _member_by_id_number(session, sub.id_number)
    now = utcnow()
    if member is not None:
        earlier = session.execute(
            select(Enrollment).where(
                Enrollment.conversation_id == sub.conversation_id,
                Enrollment.member_id == member.id,
                Enrollment.status != "withdrawn",
            )
        ).scalar_one_or_none()
        if earlier is not None:
            return _result("existing", earlier, member.id_number_masked)
        active = _active_enrollment(session, member.id)
        if active is not None:
            yours = active.enroller_id == enroller.id
            audit(session, Actor("assistant", sub.sender_id),
                  "enrollment.already_member" if yours else "enrollment.not_disclosed",
                  f"enrollment:{active.enrollment_number}",
                  {"conversation": conversation_reference(sub.conversation_id)})
            if yours:
                return _result("already_member", active, member.id_number_masked)
            return SubmissionResult("not_disclosed", None, None, mask_id_number(sub.id_number),
                                    None, None, None)
        # The member's other enrollments keep the name and phone they collected: this one brings its own.
    else:
        member = Member(
            id_number_encrypted=pii.encrypt_id_number(sub.id_number),
            id_number_hash=pii.id_number_hash(sub.id_number),
            id_number_masked=mask_id_number(sub.id_number),
            birth_date=sub.birth_date,
            sex=sub.sex,
            created_at=now,
            updated_at=now,
        )
        session.add(member)
        session.flush()

    enrollment = Enrollment(
        enrollment_number=_new_enrollment_number(sub.enrolled_on),
        enroller_id=enroller.id,
        member_id=member.id,
        relationship=sub.relationship,
        conversation_id=sub.conversation_id,
        language=sub.language,
        status=sub.enrollment_status,
        outcome_reasons=list(sub.outcome_reasons),
        enrolled_on=sub.enrolled_on,
        waiting_period_end=sub.waiting_period_end,
        cover_start=sub.cover_start,
        created_at=now,
        updated_at=now,
    )
    session.add(enrollment)
    session.flush()  # the unique indexes decide here; a lost race raises IntegrityError
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
        enroller = _enroller(session, sender_id, channel)
        session.add(_consent_record(consent, conversation_id, enroller.id, None))

    _run(engine, work)


# ------------------------------------------------------------------------------------------- reading


def _loaded() -> Any:
    return select(Enrollment).options(
        selectinload(Enrollment.member), selectinload(Enrollment.enroller),
        selectinload(Enrollment.screening_answers), selectinload(Enrollment.consents),
        selectinload(Enrollment.authorization), selectinload(Enrollment.contact),
    )


def _view(e: Enrollment) -> EnrollmentView:
    a = e.authorization
    return EnrollmentView(
        enrollment_number=e.enrollment_number,
        status=e.status,
        relationship=e.relationship,
        member_name=e.contact.member_name if e.contact else "",
        masked_id=e.member.id_number_masked,
        masked_phone=e.contact.phone_masked if e.contact else None,
        birth_date=e.member.birth_date,
        sex=e.member.sex,
        enroller=e.enroller.sender_id,
        channel=e.enroller.channel,
        conversation_id=e.conversation_id,
        language=e.language,
        outcome_reasons=tuple(e.outcome_reasons or ()),
        enrolled_on=e.enrolled_on,
        waiting_period_end=e.waiting_period_end,
        cover_start=e.cover_start,
        created_at=e.created_at,
        withdrawn_at=e.withdrawn_at,
        screening_answers={s.question_id: s.answer for s in e.screening_answers},
        consents=tuple(ConsentView(c.kind, c.text_version, c.given_at, c.given_by, c.answered_by)
                       for c in e.consents),
        authorization=None if a is None else AuthorizationView(
            a.per_case_cap, a.currency, a.schedule, a.text_version, a.authorized_at, a.cancelled_at),
    )


def get_enrollment(engine: Engine, enrollment_number: str) -> Optional[EnrollmentView]:
    with Session(engine) as session:
        found = session.execute(
            _loaded().where(Enrollment.enrollment_number == enrollment_number.strip().upper())
        ).scalar_one_or_none()
        return None if found is None else _view(found)


def list_enrollments(engine: Engine, status: Optional[str] = None) -> list[EnrollmentView]:
    """Enrollments oldest first, optionally only those with one status."""
    query = _loaded().order_by(Enrollment.created_at, Enrollment.id)
    if status is not None:
        query = query.where(Enrollment.status == status)
    with Session(engine) as session:
        return [_view(e) for e in session.execute(query).scalars()]


def list_enrollments_by_phone(engine: Engine, phone: str) -> list[EnrollmentView]:
    """Enrollments that collected this phone number (found by its keyed hash), oldest first."""
    query = _loaded().join(EnrollmentContact, EnrollmentContact.enrollment_id == Enrollment.id).where(
        EnrollmentContact.phone_hash == pii.phone_hash(phone)).order_by(Enrollment.created_at, Enrollment.id)
    with Session(engine) as session:
        return [_view(e) for e in session.execute(query).scalars()]


def look_up_member(engine: Engine, id_number: str, *, sender_id: str, channel: str, at: datetime,
                   limit: LookupLimit = DEFAULT_LOOKUP_LIMIT) -> MemberLookup:
    """What the enroller `sender_id` may be told about the person with this ID number (see MemberLookup),
    counting the look-up against the sender's limit first. The enroller's row is locked while counting,
    so replicas answering the same sender at once count one after the other."""

    def work(session: Session) -> MemberLookup:
        enroller = _enroller(session, sender_id, channel)
        session.execute(select(Enroller.id).where(Enroller.id == enroller.id).with_for_update())
        since = at - limit.window
        session.execute(delete(IdNumberLookup).where(IdNumberLookup.enroller_id == enroller.id,
                                                     IdNumberLookup.at <= since)
                        .execution_options(synchronize_session=False))
        recent = session.execute(select(func.count()).select_from(IdNumberLookup).where(
            IdNumberLookup.enroller_id == enroller.id, IdNumberLookup.at > since)).scalar_one()
        if recent >= limit.max_lookups:
            return MemberLookup("limited")
        session.add(IdNumberLookup(enroller_id=enroller.id, at=at))
        row = session.execute(
            select(Enrollment.enrollment_number, Enrollment.enroller_id, Member.id_number_masked)
            .join(Member, Enrollment.member_id == Member.id)
            .where(Member.id_number_hash == pii.id_number_hash(id_number), Enrollment.status == "active")
        ).first()
        if row is None:
            return MemberLookup("not_found")
        if row.enroller_id != enroller.id:
            return MemberLookup("not_disclosed")
        return MemberLookup("yours", row.enrollment_number, row.id_number_masked)

    return _run(engine, work)


def find_active_membership_by_id_number(engine: Engine, id_number: str) -> Optional[EnrollmentView]:
    """The active membership of the person with this (normalised) ID number, if any. For staff and
    operators: what the assistant tells an enroller goes through `look_up_member`."""
    with Session(engine) as session:
        found = session.execute(
            _loaded().join(Member, Enrollment.member_id == Member.id).where(
                Member.id_number_hash == pii.id_number_hash(id_number), Enrollment.status == "active")
        ).scalar_one_or_none()
        return None if found is None else _view(found)


# ---------------------------------------------------------------------------------------- withdrawing


def withdraw_membership(engine: Engine, actor: Actor, *, enrollment_number: Optional[str] = None,
                        id_number: Optional[str] = None) -> WithdrawalResult:
    """End an active membership, found by enrollment number or by ID number, and audit it.

    A later submission for the same member is then allowed (and starts a new waiting period, as bot.core.plan
    computes it). Withdrawing twice is harmless: the second call answers 'not_active'.
    """
    if (enrollment_number is None) == (id_number is None):
        raise ValueError("give exactly one of enrollment_number and id_number")

    def work(session: Session) -> WithdrawalResult:
        query = select(Enrollment, Member.id_number_masked).join(Member, Enrollment.member_id == Member.id)
        if enrollment_number is not None:
            query = query.where(Enrollment.enrollment_number == enrollment_number.strip().upper())
        else:
            query = query.where(Member.id_number_hash == pii.id_number_hash(id_number)).order_by(
                (Enrollment.status == "active").desc(), Enrollment.created_at.desc()).limit(1)
        row = session.execute(query).first()
        if row is None:
            return WithdrawalResult("not_found")
        enrollment, masked_id = row
        now = utcnow()
        changed = session.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment.id, Enrollment.status == "active")
            .values(status="withdrawn", withdrawn_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            session.refresh(enrollment)
            return WithdrawalResult("not_active", enrollment.enrollment_number, masked_id, enrollment.status)
        audit(session, actor, "enrollment.withdrawn", f"enrollment:{enrollment.enrollment_number}",
              {"previous_status": "active"})
        return WithdrawalResult("withdrawn", enrollment.enrollment_number, masked_id, "withdrawn")

    return _run(engine, work)


def cancel_deduction_authorization(engine: Engine, enrollment_number: str, actor: Actor) -> bool:
    """Cancel the recurring-deduction authorization of an enrollment; False when none is in force."""

    def work(session: Session) -> bool:
        enrollment_id = select(Enrollment.id).where(
            Enrollment.enrollment_number == enrollment_number.strip().upper()).scalar_subquery()
        changed = session.execute(
            update(DeductionAuthorization)
            .where(DeductionAuthorization.enrollment_id == enrollment_id,
                   DeductionAuthorization.cancelled_at.is_(None))
            .values(cancelled_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            audit(session, actor, "deduction_authorization.cancelled",
                  f"enrollment:{enrollment_number.strip().upper()}")
        return bool(changed)

    return _run(engine, work)

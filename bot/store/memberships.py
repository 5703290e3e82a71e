"""Memberships: reading enrollments back (for the console, the operator command and notices), what an
enroller may be told about a member (look-ups, limited per sender), withdrawing, and cancelling a
deduction authorization. Writing a new enrollment is bot.store.enrollments' job.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot.store import pii
from bot.store.audit import Actor, audit
from bot.store.enrollments import enroller_of, run_unit
from bot.store.models import (
    DeductionAuthorization,
    Enroller,
    Enrollment,
    EnrollmentContact,
    IdNumberLookup,
    Member,
    utcnow,
)


LOOKUP_STATUSES = ("not_found", "yours", "not_disclosed", "limited")


WITHDRAWAL_STATUSES = ("withdrawn", "not_found", "not_active")


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
        enroller = enroller_of(session, sender_id, channel)
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

    return run_unit(engine, work)


def find_active_membership_by_id_number(engine: Engine, id_number: str) -> Optional[EnrollmentView]:
    """The active membership of the person with this (normalised) ID number, if any. For staff and
    operators: what the assistant tells an enroller goes through `look_up_member`."""
    with Session(engine) as session:
        found = session.execute(
            _loaded().join(Member, Enrollment.member_id == Member.id).where(
                Member.id_number_hash == pii.id_number_hash(id_number), Enrollment.status == "active")
        ).scalar_one_or_none()
        return None if found is None else _view(found)


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

    return run_unit(engine, work)


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

    return run_unit(engine, work)

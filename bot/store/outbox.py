"""The notice outbox: notices queued in the transaction of what caused them, claimed with a lease, sent
once.

- Queueing is insert-if-absent on the notice's idempotency key (e.g. `deduction:SC261128-7KQ3M:2026-12-14`),
  so planners on several replicas, or run twice, queue each notice once.
- A sender claims due rows: `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL (BEGIN IMMEDIATE serialises
  SQLite), then sets a lease. A row whose lease ran out (its sender died) is claimed again; a row being
  sent under a live lease is left alone.
- After delivery the holder marks it sent (only while it still holds it); a failure puts it back with a
  later due time, and after MAX_ATTEMPTS it is marked failed.
- A family that said 退订 / stop is in notice_opt_outs: their notices are skipped when claimed, except the
  notice before a deduction while the deduction authorization stands (the law requires it).
- A deferred enrollment queues its reminder in the submission's own transaction
  (`queue_deferred_reminder`), due at the end of the quiet hours the plan's deferred_reminder_days later;
  it is skipped if the member has applied again meanwhile.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Optional

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.notice_schedule import morning_of
from bot.core.plan.config import PlanConfig, load_plan
from bot.store.audit import Actor, audit, refuse_personal_data
from bot.store.models import (
    DeductionAuthorization,
    Enroller,
    Enrollment,
    Notice,
    NoticeOptOut,
    SharingPeriod,
)

MAX_ATTEMPTS = 8
REQUIRED_KINDS = ("deduction",)  # sent even after 退订 (only queued while the authorization stands)
_SYSTEM = Actor("system", "notifier")


@dataclass(frozen=True)
class NoticeView:
    id: int
    idempotency_key: str
    kind: str
    enrollment_number: Optional[str]
    recipient: str
    channel: str
    language: str
    params: dict[str, Any]
    due_at: datetime
    status: str
    attempts: int
    sent_at: Optional[datetime]


def _view(n: Notice, number: Optional[str]) -> NoticeView:
    return NoticeView(n.id, n.idempotency_key, n.kind, number, n.recipient, n.channel, n.language,
                      dict(n.params or {}), n.due_at, n.status, n.attempts, n.sent_at)


def _insert_if_absent(session: Session, values: dict[str, Any]) -> bool:
    """Insert a notice unless one with its idempotency key exists; True when this call inserted it."""
    refuse_personal_data(values.get("params", {}), "notice params")
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Notice)
    result = session.execute(insert.values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"]))
    return result.rowcount == 1


def queue_notice(engine: Engine, *, key: str, kind: str, recipient: str, channel: str, language: str,
                 params: dict[str, Any], due_at: datetime, now: datetime,
                 enrollment_number: Optional[str] = None) -> bool:
    """Queue one notice (no-op when its key is queued already); True when it is new."""
    with Session(engine) as session, session.begin():
        enrollment_id = None
        if enrollment_number is not None:
            enrollment_id = session.execute(select(Enrollment.id).where(
                Enrollment.enrollment_number == enrollment_number)).scalar_one()
        return _insert_if_absent(session, dict(
            idempotency_key=key, kind=kind, enrollment_id=enrollment_id, recipient=recipient, channel=channel,
            language=language, params=params, due_at=due_at, status="pending", attempts=0, created_at=now))


# ------------------------------------------------------------------------------------------- planning


def record_sharing_period(engine: Engine, deduction_on: date, cases: int, actor: Actor, now: datetime) -> None:
    """Record (or correct, before its notices are queued) how many cases the period deducted on
    `deduction_on` has."""
    if cases < 0:
        raise ValueError("cases must not be negative")
    with Session(engine) as session, session.begin():
        period = session.execute(select(SharingPeriod).where(SharingPeriod.deduction_on == deduction_on)
                                 ).scalar_one_or_none()
        if period is None:
            session.add(SharingPeriod(deduction_on=deduction_on, cases=cases, recorded_at=now))
        else:
            period.cases, period.recorded_at = cases, now
        audit(session, actor, "sharing_period.recorded", f"sharing_period:{deduction_on.isoformat()}",
              {"cases": cases})


def sharing_period_cases(engine: Engine, deduction_on: date) -> Optional[int]:
    with Session(engine) as session:
        return session.execute(select(SharingPeriod.cases).where(SharingPeriod.deduction_on == deduction_on)
                               ).scalar_one_or_none()


def queue_deduction_notices(engine: Engine, deduction_on: date, *, cases: int, at_most: str, due_at: datetime,
                            now: datetime) -> int:
    """Queue the notice before the deduction on `deduction_on` for every active membership whose
    deduction authorization stands. `at_most` is the amount as a decimal string. Returns how many are new."""
    with Session(engine) as session, session.begin():
        rows = session.execute(
            select(Enrollment.id, Enrollment.enrollment_number, Enrollment.language, Enroller.sender_id,
                   Enroller.channel)
            .join(Enroller, Enrollment.enroller_id == Enroller.id)
            .join(DeductionAuthorization, DeductionAuthorization.enrollment_id == Enrollment.id)
            .where(Enrollment.status == "active", DeductionAuthorization.cancelled_at.is_(None))
        ).all()
        new = 0
        for enrollment_id, number, language, sender_id, channel in rows:
            new += _insert_if_absent(session, dict(
                idempotency_key=f"deduction:{number}:{deduction_on.isoformat()}", kind="deduction",
                enrollment_id=enrollment_id, recipient=sender_id, channel=channel, language=language,
                params={"deduction_on": deduction_on.isoformat(), "cases": cases, "at_most": at_most,
                        "enrollment_number": number},
                due_at=due_at, status="pending", attempts=0, created_at=now))
        if new:
            audit(session, _SYSTEM, "notice.queued", f"sharing_period:{deduction_on.isoformat()}",
                  {"kind": "deduction", "count": new})
        return new


def queue_waiting_period_notices(engine: Engine, cover_starts_on: date, *, due_at: datetime,
                                 now: datetime) -> int:
    """Queue the end-of-waiting-period notice of every active membership covered from `cover_starts_on`."""
    with Session(engine) as session, session.begin():
        rows = session.execute(
            select(Enrollment.id, Enrollment.enrollment_number, Enrollment.language, Enroller.sender_id,
                   Enroller.channel)
            .join(Enroller, Enrollment.enroller_id == Enroller.id)
            .where(Enrollment.status == "active", Enrollment.cover_start == cover_starts_on)
        ).all()
        new = 0
        for enrollment_id, number, language, sender_id, channel in rows:
            new += _insert_if_absent(session, dict(
                idempotency_key=f"waiting_period_end:{number}:{cover_starts_on.isoformat()}",
                kind="waiting_period_end", enrollment_id=enrollment_id, recipient=sender_id, channel=channel,
                language=language, params={"cover_start": cover_starts_on.isoformat(), "enrollment_number": number},
                due_at=due_at, status="pending", attempts=0, created_at=now))
        return new


def queue_deferred_reminder(session: Session, enrollment: Enrollment, enroller: Enroller, *, now: datetime,
                            plan: PlanConfig | None = None) -> bool:
    """In the transaction that stores a deferred enrollment: queue the reminder that the member may apply
    again once the results are in. True when it is new (a retried submission queues nothing more)."""
    after = (plan or load_plan()).after
    if after is None:
        return False
    day = enrollment.enrolled_on + timedelta(days=after.deferred_reminder_days)
    number = enrollment.enrollment_number
    new = _insert_if_absent(session, dict(
        idempotency_key=f"deferred_reminder:{number}", kind="deferred_reminder", enrollment_id=enrollment.id,
        recipient=enroller.sender_id, channel=enroller.channel, language=enrollment.language,
        params={"enrolled_on": enrollment.enrolled_on.isoformat(), "enrollment_number": number},
        due_at=morning_of(day, plan=plan), status="pending", attempts=0,
        created_at=now))
    if new:
        audit(session, _SYSTEM, "notice.queued", f"enrollment:{number}", {"kind": "deferred_reminder"})
    return new


def _applied_again(session: Session, enrollment_ids: set[int]) -> set[int]:
    """Of these enrollments, those whose member has a later enrollment that was not withdrawn."""
    if not enrollment_ids:
        return set()
    later = Enrollment.__table__.alias("later")
    return set(session.execute(
        select(Enrollment.id).join(later, and_(later.c.member_id == Enrollment.member_id,
                                               later.c.id > Enrollment.id, later.c.status != "withdrawn"))
        .where(Enrollment.id.in_(enrollment_ids))).scalars())


# ------------------------------------------------------------------------------------------- sending


def claim_due_notices(engine: Engine, worker: str, *, now: datetime, lease: timedelta,
                      limit: int = 20) -> list[NoticeView]:
    """Take up to `limit` due notices for `worker` under a lease. Notices of families who opted out are
    marked skipped here (unless required). Each notice is handed to one worker at a time."""
    with Session(engine) as session, session.begin():
        due = session.execute(
            select(Notice)
            .where(Notice.status == "pending", Notice.due_at <= now,
                   or_(Notice.lease_until.is_(None), Notice.lease_until < now))
            .order_by(Notice.due_at, Notice.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars().all()
        if not due:
            return []
        opted_out = set(session.execute(select(NoticeOptOut.sender_id).where(
            NoticeOptOut.sender_id.in_({n.recipient for n in due}))).scalars())
        enrollment_ids = {n.enrollment_id for n in due if n.enrollment_id}
        numbers, statuses = {}, {}
        for enrollment_id, number, status in session.execute(
                select(Enrollment.id, Enrollment.enrollment_number, Enrollment.status)
                .where(Enrollment.id.in_(enrollment_ids))).all():
            numbers[enrollment_id], statuses[enrollment_id] = number, status
        authorized = set(session.execute(select(DeductionAuthorization.enrollment_id).where(
            DeductionAuthorization.enrollment_id.in_(enrollment_ids),
            DeductionAuthorization.cancelled_at.is_(None))).scalars())
        applied_again = _applied_again(session, {n.enrollment_id for n in due if n.kind == "deferred_reminder"})
        claimed = []
        for notice in due:
            why = None
            if notice.recipient in opted_out and notice.kind not in REQUIRED_KINDS:
                why = "opted_out"
            elif notice.kind == "deferred_reminder" and notice.enrollment_id in applied_again:
                why = "applied_again"
            elif notice.kind in ("deduction", "waiting_period_end") and statuses.get(notice.enrollment_id) != "active":
                why = "membership_ended"  # withdrawn since the notice was queued
            elif notice.kind == "deduction" and notice.enrollment_id not in authorized:
                why = "authorization_cancelled"
            if why:
                notice.status, notice.lease_until, notice.claimed_by = "skipped", None, None
                audit(session, _SYSTEM, "notice.skipped", f"notice:{notice.id}", {"kind": notice.kind, "why": why})
                continue
            notice.lease_until, notice.claimed_by = now + lease, worker
            notice.attempts += 1
            claimed.append(notice)
        session.flush()
        return [_view(n, numbers.get(n.enrollment_id)) for n in claimed]


def _held(notice_id: int, worker: str):
    return and_(Notice.id == notice_id, Notice.status == "pending", Notice.claimed_by == worker)


def mark_delivered(engine: Engine, notice_id: int, worker: str, *, now: datetime, status: str = "sent") -> bool:
    """The notice reached the family ('sent') or was kept for a channel that cannot receive it ('kept').
    False when `worker` no longer holds it (its lease ran out and another worker took it)."""
    if status not in ("sent", "kept"):
        raise ValueError("status must be sent or kept")
    with Session(engine) as session, session.begin():
        done = session.execute(
            update(Notice).where(_held(notice_id, worker))
            .values(status=status, sent_at=now, lease_until=None, last_error=None)
            .execution_options(synchronize_session=False)).rowcount == 1
        if done:
            audit(session, _SYSTEM, f"notice.{status}", f"notice:{notice_id}")
        return done


def mark_failed_attempt(engine: Engine, notice_id: int, worker: str, *, now: datetime, error: str,
                        retry_at: datetime) -> None:
    """Delivery failed: try again at `retry_at`, or give up after MAX_ATTEMPTS (status 'failed')."""
    error = error[:200]
    refuse_personal_data(error, "notice error")
    with Session(engine) as session, session.begin():
        notice = session.execute(select(Notice).where(_held(notice_id, worker))).scalar_one_or_none()
        if notice is None:
            return
        notice.last_error, notice.lease_until, notice.claimed_by = error, None, None
        if notice.attempts >= MAX_ATTEMPTS:
            notice.status = "failed"
            audit(session, _SYSTEM, "notice.failed", f"notice:{notice_id}", {"attempts": notice.attempts})
        else:
            notice.due_at = retry_at


def count_due_unsent(engine: Engine, *, now: datetime) -> int:
    """Notices due by `now` and not yet sent (the notifier's backlog; its metrics read it)."""
    with Session(engine) as session:
        return session.execute(select(func.count(Notice.id)).where(
            Notice.status == "pending", Notice.due_at <= now)).scalar_one()


def list_notices(engine: Engine, *, enrollment_number: Optional[str] = None,
                 recipient: Optional[str] = None) -> list[NoticeView]:
    query = select(Notice, Enrollment.enrollment_number).outerjoin(
        Enrollment, Notice.enrollment_id == Enrollment.id).order_by(Notice.id)
    if enrollment_number is not None:
        query = query.where(Enrollment.enrollment_number == enrollment_number)
    if recipient is not None:
        query = query.where(Notice.recipient == recipient)
    with Session(engine) as session:
        return [_view(n, number) for n, number in session.execute(query).all()]


# ------------------------------------------------------------------------------------------ opting out


def opt_out_of_notices(engine: Engine, sender_id: str, *, now: datetime) -> bool:
    """The family said 退订 / stop: record it (once). True when it is new."""
    try:
        with Session(engine) as session, session.begin():
            if session.execute(select(NoticeOptOut.id).where(NoticeOptOut.sender_id == sender_id)).first():
                return False
            session.add(NoticeOptOut(sender_id=sender_id, opted_out_at=now))
            session.flush()
            audit(session, Actor("assistant", _pseudonym(sender_id)), "notice.opted_out", "notices",
                  {"sender": _pseudonym(sender_id)})
            return True
    except IntegrityError:
        return False


def _pseudonym(sender_id: str) -> str:
    """A REST sender id is whatever the integrator chose: the audit keeps a digest of it, never the id."""
    return "sender-" + hashlib.sha256(sender_id.encode()).hexdigest()[:16]


def has_opted_out(engine: Engine, sender_id: str) -> bool:
    with Session(engine) as session:
        return session.execute(select(NoticeOptOut.id).where(NoticeOptOut.sender_id == sender_id)
                               ).first() is not None

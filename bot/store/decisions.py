"""Staff decisions on manual reviews and contested declines, and the notice each one queues.

`decide` is one transaction: a conditional UPDATE moves the enrollment out of `manual_review` or
`declined` (only when no decision exists yet), the decision row goes in (unique per enrollment: the
database lets exactly one of two concurrent deciders win), the family's notice is written to the outbox,
and the audit trail gets the step. Approving makes the enrollment active with the waiting period counted
from the decision day (bot.core.plan.cover); declining keeps it declined and records the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.notice_schedule import outside_quiet_hours
from bot.core.plan.config import PlanConfig, load_plan
from bot.core.plan.cover import cover_dates
from bot.store.audit import Actor, audit
from bot.store.models import Enroller, Enrollment, Notice, StaffAccount, StaffDecision

DECIDABLE_STATUSES = ("manual_review", "declined")
DECISION_RESULTS = ("decided", "already_decided", "not_decidable", "not_found", "already_member")


@dataclass(frozen=True)
class DecisionView:
    enrollment_number: str
    decision: str
    reason: str
    note: str
    previous_status: str
    staff_username: str
    decided_at: datetime
    decided_on: date


@dataclass(frozen=True)
class DecisionResult:
    status: str  # one of DECISION_RESULTS
    decision: Optional[DecisionView] = None  # the decision that stands (ours or the winner's)


def case_of_conversation(engine: Engine, conversation_id: str) -> Optional[str]:
    """The enrollment number a ticket's conversation asks a person to decide: its newest enrollment in
    manual review or declined, else its newest enrollment at all (to show what was decided), else None."""
    with Session(engine) as session:
        rows = session.execute(
            select(Enrollment.enrollment_number, Enrollment.status)
            .where(Enrollment.conversation_id == conversation_id)
            .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())
        ).all()
    decidable = [number for number, status in rows if status in DECIDABLE_STATUSES]
    return (decidable or [number for number, _ in rows] or [None])[0]


def get_decision(engine: Engine, enrollment_number: str) -> Optional[DecisionView]:
    with Session(engine) as session:
        return _decision_view(session, enrollment_number.strip().upper())


def _decision_view(session: Session, number: str) -> Optional[DecisionView]:
    row = session.execute(
        select(StaffDecision, StaffAccount.username)
        .join(Enrollment, StaffDecision.enrollment_id == Enrollment.id)
        .join(StaffAccount, StaffDecision.staff_id == StaffAccount.id)
        .where(Enrollment.enrollment_number == number)
    ).first()
    if row is None:
        return None
    d, username = row
    return DecisionView(number, d.decision, d.reason, d.note, d.previous_status, username, d.decided_at,
                        d.decided_on)


def decide(engine: Engine, enrollment_number: str, *, staff_id: int, decision: str, reason: str, note: str,
           now: datetime, decided_on: date, plan: PlanConfig | None = None) -> DecisionResult:
    """Record a staff decision. `now` is the moment (aware), `decided_on` its date in China."""
    plan = plan or load_plan()
    chosen = plan.after.reason(reason)
    if decision not in ("approve", "decline") or chosen is None or chosen.decision != decision:
        raise ValueError("the reason must be one of the plan's reasons for this decision")
    number = enrollment_number.strip().upper()
    try:
        with Session(engine) as session, session.begin():
            return _decide(session, number, staff_id, decision, reason, note.strip(), now, decided_on, plan)
    except IntegrityError:
        # Another staff member's decision won (unique enrollment id), or approving would give the member
        # a second active membership (the partial unique index on active enrollments).
        with Session(engine) as session:
            existing = _decision_view(session, number)
        if existing is not None:
            return DecisionResult("already_decided", existing)
        return DecisionResult("already_member")


def _decide(session: Session, number: str, staff_id: int, decision: str, reason: str, note: str,
            now: datetime, decided_on: date, plan: PlanConfig) -> DecisionResult:
    username = session.execute(select(StaffAccount.username).where(StaffAccount.id == staff_id)).scalar_one()
    enrollment = session.execute(select(Enrollment).where(Enrollment.enrollment_number == number)
                                 ).scalar_one_or_none()
    if enrollment is None:
        return DecisionResult("not_found")
    existing = _decision_view(session, number)
    if existing is not None:
        return DecisionResult("already_decided", existing)
    previous = enrollment.status
    if previous not in DECIDABLE_STATUSES:
        return DecisionResult("not_decidable")
    values: dict = {"updated_at": now}
    cover = None
    if decision == "approve":
        cover = cover_dates(decided_on, plan=plan)
        values.update(status="active", waiting_period_end=cover.waiting_period_ends,
                      cover_start=cover.covered_from)
    else:
        values.update(status="declined")
    changed = session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == previous)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:  # someone changed it in between (another decision, a withdrawal): say what stands
        existing = _decision_view(session, number)  # a new statement sees what the winner committed
        return DecisionResult("already_decided", existing) if existing else DecisionResult("not_decidable")
    session.add(StaffDecision(enrollment_id=enrollment.id, decision=decision, reason=reason, note=note,
                              previous_status=previous, staff_id=staff_id, decided_at=now,
                              decided_on=decided_on))
    session.flush()  # the unique enrollment id decides a race here
    enroller = session.get(Enroller, enrollment.enroller_id)
    params = {"decision": decision, "reason": reason, "enrollment_number": number}
    if cover is not None:
        params.update(waiting_period_end=cover.waiting_period_ends.isoformat(),
                      cover_start=cover.covered_from.isoformat())
    session.add(Notice(
        idempotency_key=f"decision:{number}", kind="decision", enrollment_id=enrollment.id,
        recipient=enroller.sender_id, channel=enroller.channel, language=enrollment.language, params=params,
        due_at=outside_quiet_hours(now, plan=plan), status="pending", attempts=0, created_at=now,
    ))
    actor = Actor("staff", username)
    # The note is free text and may hold personal data: the audit keeps its length, never its words.
    audit(session, actor, f"enrollment.{'approved' if decision == 'approve' else 'declined'}_by_staff",
          f"enrollment:{number}", {"decision": decision, "reason": reason, "previous_status": previous,
                                   "note_characters": len(note), "decided_on": decided_on.isoformat()})
    audit(session, actor, "notice.queued", f"enrollment:{number}", {"kind": "decision"})
    session.flush()
    return DecisionResult("decided", DecisionView(number, decision, reason, note, previous, username, now,
                                                  decided_on))

"""Handoff tickets: conversations waiting for a person, and which staff member has taken which.

A ticket goes waiting → claimed → closed (or claimed → waiting again when released). Claiming is one
conditional UPDATE (`... WHERE status = 'waiting'`), so when two staff members click at once exactly one
gets the conversation. A conversation has at most one open ticket: asking again returns the open one
(and only a new ticket counts in assistant_handoffs_total).
The staff member holding a ticket finishes it by handing the conversation back to the assistant or by
closing it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.handoff import Handover
from bot.metrics import count_handoff
from bot.store.audit import Actor, audit, refuse_personal_data
from bot.store.models import HandoffTicket, StaffAccount, utcnow

TICKET_OUTCOMES = ("handed_back", "closed")  # how the holder finished a ticket (audit detail "outcome")


@dataclass(frozen=True)
class HandoffTicketView:
    id: int
    conversation_id: str
    channel: str
    language: str
    reason: str
    summary: dict[str, Any]
    status: str  # waiting | claimed | closed
    claimed_by: Optional[int]  # staff account id
    created_at: datetime
    claimed_at: Optional[datetime]
    closed_at: Optional[datetime]


def _view(t: HandoffTicket) -> HandoffTicketView:
    return HandoffTicketView(
        id=t.id, conversation_id=t.conversation_id, channel=t.channel, language=t.language,
        reason=t.reason, summary=dict(t.summary or {}), status=t.status, claimed_by=t.claimed_by,
        created_at=t.created_at, claimed_at=t.claimed_at, closed_at=t.closed_at,
    )


def _open_ticket(session: Session, conversation_id: str) -> Optional[HandoffTicket]:
    return session.execute(
        select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id,
                                    HandoffTicket.status != "closed")
    ).scalar_one_or_none()


def open_handoff_ticket(engine: Engine, handover: Handover, *, conversation_id: str,
                       channel: str) -> HandoffTicketView:
    """The ticket of a handoff decided by bot.core.handoff.handover (or the conversation's open one)."""
    return create_handoff_ticket(engine, conversation_id=conversation_id, channel=channel,
                                 language=handover.language, reason=handover.reason.value,
                                 summary=handover.summary)


def create_handoff_ticket(engine: Engine, *, conversation_id: str, channel: str, language: str,
                          reason: str, summary: dict[str, Any]) -> HandoffTicketView:
    """Queue a conversation for a person; if it already has an open ticket, return that one.

    `summary` is shown to staff and must be masked already: plain ID or phone numbers are refused.
    """
    refuse_personal_data(summary, "handoff summary")
    for attempt in range(2):
        try:
            with Session(engine) as session, session.begin():
                ticket = _open_ticket(session, conversation_id)
                if ticket is None:
                    ticket = HandoffTicket(conversation_id=conversation_id, channel=channel, language=language,
                                           reason=reason, summary=summary, status="waiting",
                                           created_at=utcnow())
                    session.add(ticket)
                    session.flush()
                    audit(session, Actor("assistant", conversation_id), "handoff.requested",
                          f"ticket:{ticket.id}", {"reason": reason})
                    opened = True
                else:
                    opened = False
                view = _view(ticket)
            if opened:
                count_handoff(reason)
            return view
        except IntegrityError:  # another request opened it first: read theirs
            if attempt:
                raise
    raise AssertionError("unreachable")


def get_ticket(engine: Engine, ticket_id: int) -> Optional[HandoffTicketView]:
    with Session(engine) as session:
        ticket = session.get(HandoffTicket, ticket_id)
        return None if ticket is None else _view(ticket)


def list_waiting_tickets(engine: Engine) -> list[HandoffTicketView]:
    """Tickets nobody has claimed yet, the longest-waiting first."""
    with Session(engine) as session:
        tickets = session.execute(
            select(HandoffTicket).where(HandoffTicket.status == "waiting")
            .order_by(HandoffTicket.created_at, HandoffTicket.id)
        ).scalars()
        return [_view(t) for t in tickets]


def list_claimed_tickets(engine: Engine, staff_id: int) -> list[HandoffTicketView]:
    """The tickets a staff member holds now, the earliest claimed first."""
    with Session(engine) as session:
        tickets = session.execute(
            select(HandoffTicket)
            .where(HandoffTicket.status == "claimed", HandoffTicket.claimed_by == staff_id)
            .order_by(HandoffTicket.claimed_at, HandoffTicket.id)
        ).scalars()
        return [_view(t) for t in tickets]


def open_tickets_state(engine: Engine) -> tuple[tuple[int, str, Optional[int]], ...]:
    """(id, status, holder) of every open ticket, by id: it changes whenever a ticket is opened, taken,
    put back or closed, by any process. The console's live queue compares it from one moment to the next
    (one indexed query), so every console replica sees every change without messages between them."""
    with Session(engine) as session:
        rows = session.execute(
            select(HandoffTicket.id, HandoffTicket.status, HandoffTicket.claimed_by)
            .where(HandoffTicket.status.in_(("waiting", "claimed"))).order_by(HandoffTicket.id)
        ).all()
        return tuple((row.id, row.status, row.claimed_by) for row in rows)


def _staff_actor(session: Session, staff_id: int) -> Actor:
    username = session.execute(select(StaffAccount.username).where(StaffAccount.id == staff_id)).scalar_one()
    return Actor("staff", username)


def claim_ticket(engine: Engine, ticket_id: int, staff_id: int) -> bool:
    """Take a waiting ticket. True for the one staff member who got it, False for everyone else."""
    with Session(engine) as session, session.begin():
        actor = _staff_actor(session, staff_id)
        won = session.execute(
            update(HandoffTicket)
            .where(HandoffTicket.id == ticket_id, HandoffTicket.status == "waiting")
            .values(status="claimed", claimed_by=staff_id, claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if won:
            audit(session, actor, "handoff.claimed", f"ticket:{ticket_id}")
        return won


def release_ticket(engine: Engine, ticket_id: int, staff_id: int) -> bool:
    """Give a claimed ticket back to the queue (only the staff member holding it can)."""
    with Session(engine) as session, session.begin():
        actor = _staff_actor(session, staff_id)
        released = session.execute(
            update(HandoffTicket)
            .where(HandoffTicket.id == ticket_id, HandoffTicket.status == "claimed",
                   HandoffTicket.claimed_by == staff_id)
            .values(status="waiting", claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if released:
            audit(session, actor, "handoff.released", f"ticket:{ticket_id}")
        return released


def close_ticket(engine: Engine, ticket_id: int, actor: Actor) -> bool:
    """Close an open ticket (the conversation is back with the assistant or finished)."""
    with Session(engine) as session, session.begin():
        closed = session.execute(
            update(HandoffTicket)
            .where(HandoffTicket.id == ticket_id, HandoffTicket.status != "closed")
            .values(status="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if closed:
            audit(session, actor, "handoff.closed", f"ticket:{ticket_id}")
        return closed


def finish_ticket(engine: Engine, ticket_id: int, staff_id: int, outcome: str) -> bool:
    """Close a ticket the staff member holds, saying how (one of TICKET_OUTCOMES). False when they do not
    hold it (anymore)."""
    if outcome not in TICKET_OUTCOMES:
        raise ValueError(f"outcome must be one of {TICKET_OUTCOMES}, not {outcome!r}")
    with Session(engine) as session, session.begin():
        actor = _staff_actor(session, staff_id)
        finished = session.execute(
            update(HandoffTicket)
            .where(HandoffTicket.id == ticket_id, HandoffTicket.status == "claimed",
                   HandoffTicket.claimed_by == staff_id)
            .values(status="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if finished:
            audit(session, actor, "handoff.closed", f"ticket:{ticket_id}", {"outcome": outcome})
        return finished

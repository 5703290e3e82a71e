"""What supervisors see beyond the queue: every handoff ticket, whatever its state."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.handoffs import HandoffTicketView, _view
from bot.store.models import HandoffTicket

ALL_TICKETS_LIMIT = 500


def list_all_tickets(engine: Engine, limit: int = ALL_TICKETS_LIMIT) -> list[HandoffTicketView]:
    """Every ticket, waiting, claimed or closed, the newest first."""
    with Session(engine) as session:
        tickets = session.execute(
            select(HandoffTicket).order_by(HandoffTicket.created_at.desc(), HandoffTicket.id.desc()).limit(limit)
        ).scalars()
        return [_view(t) for t in tickets]

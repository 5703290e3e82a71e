"""What the insight consumer keeps: the facts it took from the conversation events, and how far it read.

Each fact carries the digest of the event it came from, unique in the database, and the consumer writes a
batch of facts together with its new read position in one transaction: read again after a restart (or a
message the broker delivers twice), an event adds nothing. No fact holds a text, a name or a number
someone typed (bot.core.insight.facts decides what is kept).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Optional

from sqlalchemy import Column, Float, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.models import Base, HandoffTicket


class InsightFact(Base):
    """One fact of one conversation event, in the order the consumer read them."""

    __tablename__ = "insight_facts"

    id = Column(Integer, primary_key=True)
    digest = Column(String(64), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False)
    at = Column(Float, nullable=False)
    kind = Column(String(20), nullable=False)
    name = Column(String(60), nullable=True)
    value = Column(String(60), nullable=True)


class InsightPosition(Base):
    """How far the consumer has read a source (the SQL broker's last event id)."""

    __tablename__ = "insight_positions"

    source = Column(String(200), primary_key=True)
    position = Column(Integer, nullable=False)


FACT_FIELDS = ("conversation_id", "at", "kind", "name", "value")


def read_position(engine: Engine, source: str) -> int:
    with Session(engine) as session:
        row = session.get(InsightPosition, source)
        return row.position if row else 0


def record_facts(engine: Engine, facts: Iterable[tuple[str, dict[str, Any]]], source: Optional[str] = None,
                 position: Optional[int] = None) -> int:
    """Keep the (digest, fact) pairs not kept yet and, with `source`, the new read position, in one unit
    of work. Returns how many facts were new."""
    facts = list(facts)
    with Session(engine) as session, session.begin():
        digests = {digest for digest, _ in facts}
        known = set(session.execute(select(InsightFact.digest).where(InsightFact.digest.in_(digests))).scalars()
                    ) if digests else set()
        added = 0
        for digest, fact in facts:
            if digest in known:
                continue
            known.add(digest)
            session.add(InsightFact(digest=digest, **{name: fact.get(name) for name in FACT_FIELDS}))
            added += 1
        if source is not None and position is not None:
            row = session.get(InsightPosition, source)
            if row is None:
                session.add(InsightPosition(source=source, position=position))
            else:
                row.position = position
    return added


def read_facts(engine: Engine) -> list[dict[str, Any]]:
    """Every kept fact, in the order it was read."""
    with Session(engine) as session:
        rows = session.execute(select(InsightFact).order_by(InsightFact.id)).scalars()
        return [{name: getattr(row, name) for name in FACT_FIELDS} for row in rows]


def handoff_reasons(engine: Engine) -> list[tuple[str, datetime, str]]:
    """(conversation, opened at, reason) of every handoff ticket: why each handoff happened."""
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(
            select(HandoffTicket.conversation_id, HandoffTicket.created_at, HandoffTicket.reason)
            .order_by(HandoffTicket.created_at))]

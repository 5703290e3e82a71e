"""The audit trail: who (assistant, staff, operator, system) did what to which record, and when.

Repository functions write their audit row in the same transaction as the change itself. Details are for
facts like statuses and reasons, never personal data: a value that looks like an ID number or a mobile
number is refused, so a careless caller fails loudly instead of leaking.
"""
from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.models import AuditEntry, utcnow

ACTOR_KINDS = ("assistant", "staff", "operator", "system")

# Shapes of personal data that must never reach the audit trail or a handoff summary in plain.
_PLAIN_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_PLAIN_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@dataclass(frozen=True)
class Actor:
    kind: str  # one of ACTOR_KINDS
    id: str  # sender id, staff username, OS user, ...

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"actor kind must be one of {ACTOR_KINDS}, not {self.kind!r}")

    @classmethod
    def operator(cls) -> "Actor":
        """The person running `python -m bot` on this machine."""
        return cls("operator", getpass.getuser())


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: Actor
    action: str
    subject: str
    details: dict[str, Any] = field(default_factory=dict)


def refuse_personal_data(value: Any, where: str) -> None:
    """Raise ValueError when `value` (nested dicts, lists, strings) holds a plain ID or mobile number."""
    if isinstance(value, str):
        if _PLAIN_ID_NUMBER.search(value) or _PLAIN_MOBILE.search(value):
            raise ValueError(f"{where} must not contain a plain ID number or phone number")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_personal_data(str(key), where)
            refuse_personal_data(item, where)
    elif isinstance(value, (list, tuple)):
        for item in value:
            refuse_personal_data(item, where)


def audit(
    target: Union[Engine, Session],
    actor: Actor,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit row: inside the caller's transaction when given a Session, else in its own."""
    details = dict(details or {})
    refuse_personal_data(details, "audit details")
    refuse_personal_data(subject, "audit subject")
    entry = AuditEntry(at=utcnow(), actor_kind=actor.kind, actor_id=actor.id, action=action,
                       subject=subject, details=details)
    if isinstance(target, Session):
        target.add(entry)
        return
    with Session(target) as session, session.begin():
        session.add(entry)


def list_audit(engine: Engine, subject: str | None = None, limit: int = 100) -> list[AuditRecord]:
    """The newest audit rows first, optionally only those about one subject."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    with Session(engine) as session:
        return [
            AuditRecord(at=e.at, actor=Actor(e.actor_kind, e.actor_id), action=e.action,
                        subject=e.subject, details=dict(e.details or {}))
            for e in session.execute(query).scalars()
        ]

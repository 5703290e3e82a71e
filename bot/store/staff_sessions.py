"""Logins to the support console: server-side sessions, so logging out or disabling an account ends them.

The session's token is 32 random bytes that only the staff member's cookie holds; the store keeps its
SHA-256, so someone who reads the database cannot use a live session. Each session has its own CSRF token
and an absolute expiry. Logging in and out is written to the audit trail with the session change itself.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.audit import Actor, audit
from bot.store.models import StaffAccount, StaffSession, utcnow
from bot.store.staff import StaffAccountView

SESSION_TOKEN_BYTES = 32


@dataclass(frozen=True)
class StaffSessionView:
    staff: StaffAccountView
    csrf_token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_staff_session(engine: Engine, staff_id: int, lifetime: timedelta) -> tuple[str, StaffSessionView]:
    """Log an active staff member in: the token for the cookie, and the session it opens.

    Sessions that have expired (anyone's) are deleted on the way.
    """
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    now = utcnow()
    with Session(engine) as session, session.begin():
        account = session.get(StaffAccount, staff_id)
        if account is None or not account.active:
            raise ValueError(f"staff account {staff_id} is not an active account")
        session.execute(delete(StaffSession).where(StaffSession.expires_at <= now)
                        .execution_options(synchronize_session=False))
        row = StaffSession(token_hash=_hash(token), staff_id=staff_id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, expires_at=now + lifetime)
        session.add(row)
        audit(session, Actor("staff", account.username), "staff.logged_in", f"staff:{account.username}")
        return token, _view(row, account)


def find_staff_session(engine: Engine, token: str) -> Optional[StaffSessionView]:
    """The session a cookie's token opens: None when unknown, expired, or of a disabled account."""
    if not token:
        return None
    with Session(engine) as session:
        found = session.execute(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == _hash(token), StaffSession.expires_at > utcnow(),
                   StaffAccount.active.is_(True))
        ).one_or_none()
        return None if found is None else _view(*found)


def close_staff_session(engine: Engine, token: str) -> bool:
    """Log out: forget the session. True when there was a session to forget."""
    with Session(engine) as session, session.begin():
        found = session.execute(
            select(StaffSession, StaffAccount)
            .join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == _hash(token))
        ).one_or_none()
        if found is None:
            return False
        row, account = found
        session.delete(row)
        audit(session, Actor("staff", account.username), "staff.logged_out", f"staff:{account.username}")
        return True


def _view(row: StaffSession, account: StaffAccount) -> StaffSessionView:
    return StaffSessionView(
        staff=StaffAccountView(account.id, account.username, account.display_name, account.active,
                               account.role or "agent"),
        csrf_token=row.csrf_token, expires_at=row.expires_at,
    )

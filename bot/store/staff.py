"""Support-staff accounts for the support console: creating them and checking their passwords (argon2)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.audit import Actor, audit
from bot.store.models import StaffAccount, utcnow

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class StaffExists(Exception):
    """A staff account with this username exists already."""


@dataclass(frozen=True)
class StaffAccountView:
    id: int
    username: str
    display_name: str
    active: bool
    role: str = "agent"

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"


def _view(account: StaffAccount) -> StaffAccountView:
    return StaffAccountView(account.id, account.username, account.display_name, account.active,
                            account.role or "agent")


def create_staff(engine: Engine, username: str, password: str, display_name: Optional[str] = None,
                 actor: Optional[Actor] = None, role: str = "agent") -> StaffAccountView:
    """Create an active staff account; raises StaffExists for a taken username."""
    username = username.strip()
    if not username:
        raise ValueError("a username is needed")
    if not password:
        raise ValueError("an empty password is not allowed")
    try:
        with Session(engine) as session, session.begin():
            account = StaffAccount(username=username, password_hash=_hasher.hash(password),
                                   display_name=display_name or username, active=True, created_at=utcnow(),
                                   role=role)
            session.add(account)
            session.flush()
            audit(session, actor or Actor("system", "store"), "staff.created", f"staff:{username}",
                  {"role": role})
            return _view(account)
    except IntegrityError as error:
        raise StaffExists(username) from error


def verify_staff_password(engine: Engine, username: str, password: str) -> Optional[StaffAccountView]:
    """The account when the username is an active account and the password matches, else None."""
    with Session(engine) as session, session.begin():
        account = session.execute(
            select(StaffAccount).where(StaffAccount.username == username.strip())
        ).scalar_one_or_none()
        try:
            _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if account is None or not account.active:
            return None
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(password)
        return _view(account)


def get_staff(engine: Engine, staff_id: int) -> Optional[StaffAccountView]:
    """The account with this id, active or not; None when there is none."""
    with Session(engine) as session:
        account = session.get(StaffAccount, staff_id)
        return None if account is None else _view(account)


def record_refused_login(engine: Engine, username: str, *, throttled: bool) -> None:
    """Audit a refused console login under the account it tried, when that account exists.

    A typed name that is no account (a typo, or someone's phone number) is recorded as `staff:?`, so the
    audit trail never keeps what strangers type.
    """
    with Session(engine) as session, session.begin():
        known = session.execute(
            select(StaffAccount.username).where(StaffAccount.username == username.strip())
        ).scalar_one_or_none()
        subject = f"staff:{known}" if known else "staff:?"
        audit(session, Actor("system", "console"), "staff.login_refused", subject, {"throttled": throttled})

"""Looking after support-staff accounts: listing them, disabling or enabling one, setting a new password
or a role (agent, supervisor).

Both end every open session of the account at once (its cookies stop working on the next request) and
are written to the audit trail with the change itself. A disabled account cannot log in
(verify_staff_password) and its sessions are not found (find_staff_session).
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.store.audit import Actor, audit
from bot.store.models import STAFF_ROLES, StaffAccount, StaffSession
from bot.store.staff import StaffAccountView, _hasher, _view


class NoSuchStaff(LookupError):
    """No staff account has this username."""


def _account(session: Session, username: str) -> StaffAccount:
    account = session.execute(
        select(StaffAccount).where(StaffAccount.username == username.strip())).scalar_one_or_none()
    if account is None:
        raise NoSuchStaff(username)
    return account


def _end_sessions(session: Session, account: StaffAccount) -> int:
    result = session.execute(delete(StaffSession).where(StaffSession.staff_id == account.id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def disable_staff(engine: Engine, username: str, actor: Actor) -> tuple[StaffAccountView, int]:
    """Disables the account and ends its sessions: (the account, how many sessions were ended)."""
    with Session(engine) as session, session.begin():
        account = _account(session, username)
        account.active = False
        ended = _end_sessions(session, account)
        audit(session, actor, "staff.disabled", f"staff:{account.username}", {"sessions_ended": ended})
        return _view(account), ended


def reset_staff_password(engine: Engine, username: str, password: str, actor: Actor,
                         enable: Optional[bool] = None) -> tuple[StaffAccountView, int]:
    """Sets a new password (and, with `enable`, re-enables the account); ends the account's sessions."""
    if not password:
        raise ValueError("an empty password is not allowed")
    with Session(engine) as session, session.begin():
        account = _account(session, username)
        account.password_hash = _hasher.hash(password)
        if enable:
            account.active = True
        ended = _end_sessions(session, account)
        audit(session, actor, "staff.password_reset", f"staff:{account.username}",
              {"sessions_ended": ended, "enabled": bool(enable)})
        return _view(account), ended


def list_staff(engine: Engine) -> list[StaffAccountView]:
    """Every account, active or not, by username."""
    with Session(engine) as session:
        return [_view(a) for a in session.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars()]


def enable_staff(engine: Engine, username: str, actor: Actor) -> StaffAccountView:
    with Session(engine) as session, session.begin():
        account = _account(session, username)
        account.active = True
        audit(session, actor, "staff.enabled", f"staff:{account.username}")
        return _view(account)


def set_staff_role(engine: Engine, username: str, role: str, actor: Actor) -> StaffAccountView:
    """Gives the account `role`; its sessions end, so the new role applies from the next login."""
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    with Session(engine) as session, session.begin():
        account = _account(session, username)
        previous, account.role = account.role, role
        ended = _end_sessions(session, account)
        audit(session, actor, "staff.role_changed", f"staff:{account.username}",
              {"from": previous, "to": role, "sessions_ended": ended})
        return _view(account)

"""Console logins kept in the store, and the store functions the support console adds to handoffs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.store import (
    close_staff_session,
    create_handoff_ticket,
    create_staff,
    claim_ticket,
    find_staff_session,
    finish_ticket,
    get_staff,
    get_ticket,
    list_audit,
    list_claimed_tickets,
    open_staff_session,
    record_refused_login,
)
from bot.store.models import StaffAccount, StaffSession

HOUR = timedelta(hours=1)


def ticket(engine, conversation_id: str):
    return create_handoff_ticket(engine, conversation_id=conversation_id, channel="webchat", language="en",
                                 reason="user_asked", summary={})


def test_a_session_opens_is_found_by_its_token_and_closes(engine):
    alice = create_staff(engine, "alice", "correct horse", display_name="Alice Wang")
    token, opened = open_staff_session(engine, alice.id, HOUR)

    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    found = find_staff_session(engine, token)
    assert found == opened and found.staff == alice and len(found.csrf_token) >= 43
    assert find_staff_session(engine, token + "x") is None
    assert find_staff_session(engine, "") is None

    assert close_staff_session(engine, token) is True
    assert close_staff_session(engine, token) is False
    assert find_staff_session(engine, token) is None
    actions = [(e.action, e.actor.id) for e in reversed(list_audit(engine, subject="staff:alice"))]
    assert actions[-2:] == [("staff.logged_in", "alice"), ("staff.logged_out", "alice")]


def test_only_the_tokens_hash_is_stored(engine):
    alice = create_staff(engine, "alice", "correct horse")
    token, _ = open_staff_session(engine, alice.id, HOUR)
    with Session(engine) as session:
        stored = session.execute(select(StaffSession.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64


def test_expired_sessions_and_disabled_accounts_open_nothing(engine):
    alice = create_staff(engine, "alice", "correct horse")
    bob = create_staff(engine, "bob", "battery staple")
    expired, _ = open_staff_session(engine, alice.id, timedelta(seconds=-1))
    assert find_staff_session(engine, expired) is None

    live, _ = open_staff_session(engine, bob.id, HOUR)  # opening a session purges expired ones
    with Session(engine) as session:
        assert session.execute(select(StaffSession.staff_id)).scalars().all() == [bob.id]

    with Session(engine) as session, session.begin():
        session.execute(update(StaffAccount).where(StaffAccount.id == bob.id).values(active=False))
    assert find_staff_session(engine, live) is None
    with pytest.raises(ValueError):
        open_staff_session(engine, bob.id, HOUR)


def test_get_staff(engine):
    alice = create_staff(engine, "alice", "correct horse", display_name="Alice Wang")
    assert get_staff(engine, alice.id) == alice
    assert get_staff(engine, alice.id + 100) is None


def test_refused_logins_are_audited_without_what_strangers_type(engine):
    create_staff(engine, "alice", "correct horse")
    record_refused_login(engine, "alice", throttled=False)
    record_refused_login(engine, "13912345678", throttled=True)  # no account: a phone number, maybe
    refused = [(e.subject, e.details) for e in reversed(list_audit(engine))
               if e.action == "staff.login_refused"]
    assert refused == [("staff:alice", {"throttled": False}), ("staff:?", {"throttled": True})]


def test_only_the_holder_finishes_a_ticket_and_says_how(engine):
    alice = create_staff(engine, "alice", "correct horse")
    bob = create_staff(engine, "bob", "battery staple")
    first, second, third = ticket(engine, "web:1"), ticket(engine, "web:2"), ticket(engine, "web:3")
    assert claim_ticket(engine, second.id, alice.id) and claim_ticket(engine, first.id, alice.id)
    assert claim_ticket(engine, third.id, bob.id)

    assert [t.id for t in list_claimed_tickets(engine, alice.id)] == [second.id, first.id]  # claim order
    assert finish_ticket(engine, first.id, bob.id, "closed") is False
    assert finish_ticket(engine, first.id, alice.id, "handed_back") is True
    assert finish_ticket(engine, first.id, alice.id, "closed") is False
    assert get_ticket(engine, first.id).status == "closed"
    assert [t.id for t in list_claimed_tickets(engine, alice.id)] == [second.id]
    with pytest.raises(ValueError):
        finish_ticket(engine, second.id, alice.id, "abandoned")

    closed = list_audit(engine, subject=f"ticket:{first.id}")[0]
    assert (closed.action, closed.actor.id, closed.details) == ("handoff.closed", "alice",
                                                                 {"outcome": "handed_back"})
    assert finish_ticket(engine, ticket(engine, "web:4").id, alice.id, "closed") is False  # not claimed

"""Handoff tickets through their life, and staff accounts for the support console."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.store import (
    Actor,
    StaffExists,
    claim_ticket,
    close_ticket,
    create_handoff_ticket,
    create_staff,
    get_ticket,
    list_audit,
    list_waiting_tickets,
    release_ticket,
    verify_staff_password,
)
from bot.store.models import StaffAccount


def ticket(engine, conversation_id: str, **changes):
    values = dict(conversation_id=conversation_id, channel="rest", language="zh", reason="not_sure_answer",
                  summary={"member": "110105********1234", "step": "screening", "question": "H5"})
    values.update(changes)
    return create_handoff_ticket(engine, **values)


def test_a_ticket_waits_is_claimed_released_and_closed(engine):
    alice = create_staff(engine, "alice", "correct horse", display_name="Alice Wang")
    bob = create_staff(engine, "bob", "battery staple")
    first = ticket(engine, "rest:a")
    second = ticket(engine, "wx:b", channel="wechat", language="en", reason="user_asked")

    assert [t.id for t in list_waiting_tickets(engine)] == [first.id, second.id]  # oldest first
    assert first.summary == {"member": "110105********1234", "step": "screening", "question": "H5"}
    assert (first.status, first.claimed_by, first.language) == ("waiting", None, "zh")

    assert claim_ticket(engine, first.id, alice.id) is True
    assert claim_ticket(engine, first.id, bob.id) is False
    claimed = get_ticket(engine, first.id)
    assert (claimed.status, claimed.claimed_by) == ("claimed", alice.id) and claimed.claimed_at
    assert [t.id for t in list_waiting_tickets(engine)] == [second.id]

    assert release_ticket(engine, first.id, bob.id) is False  # only the holder can give it back
    assert release_ticket(engine, first.id, alice.id) is True
    assert get_ticket(engine, first.id).status == "waiting"
    assert [t.id for t in list_waiting_tickets(engine)] == [first.id, second.id]

    assert claim_ticket(engine, first.id, bob.id) is True
    assert close_ticket(engine, first.id, Actor("staff", "bob")) is True
    assert close_ticket(engine, first.id, Actor("staff", "bob")) is False
    closed = get_ticket(engine, first.id)
    assert closed.status == "closed" and closed.closed_at
    assert claim_ticket(engine, first.id, alice.id) is False

    actions = [(e.action, e.actor.id) for e in reversed(list_audit(engine, subject=f"ticket:{first.id}"))]
    assert actions == [("handoff.requested", "rest:a"), ("handoff.claimed", "alice"),
                       ("handoff.released", "alice"), ("handoff.claimed", "bob"), ("handoff.closed", "bob")]


def test_asking_again_returns_the_open_ticket_and_a_new_one_after_closing(engine):
    first = ticket(engine, "rest:a")
    assert ticket(engine, "rest:a", reason="user_asked").id == first.id
    close_ticket(engine, first.id, Actor("system", "test"))
    assert ticket(engine, "rest:a").id != first.id


def test_a_summary_with_a_plain_id_or_phone_number_is_refused(engine):
    with pytest.raises(ValueError, match="plain ID number"):
        ticket(engine, "rest:a", summary={"member": "11010519491231002X"})
    with pytest.raises(ValueError, match="plain ID number"):
        ticket(engine, "rest:a", summary={"notes": ["call 13912345678"]})
    assert list_waiting_tickets(engine) == []


def test_staff_passwords(engine):
    created = create_staff(engine, "alice", "correct horse", display_name="Alice Wang")
    assert (created.username, created.display_name, created.active) == ("alice", "Alice Wang", True)

    assert verify_staff_password(engine, "alice", "correct horse") == created
    assert verify_staff_password(engine, "alice", "wrong") is None
    assert verify_staff_password(engine, "nobody", "correct horse") is None
    with pytest.raises(StaffExists):
        create_staff(engine, "alice", "another")
    with pytest.raises(ValueError):
        create_staff(engine, "carol", "")


def test_a_deactivated_account_cannot_log_in(engine):
    create_staff(engine, "alice", "correct horse")
    with engine.begin() as connection:
        connection.execute(update(StaffAccount).values(active=False))
    assert verify_staff_password(engine, "alice", "correct horse") is None


def test_passwords_are_stored_as_argon2_hashes(engine):
    create_staff(engine, "alice", "correct horse")
    with engine.connect() as connection:
        stored = connection.execute(select(StaffAccount.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored

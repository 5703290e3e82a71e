"""Races an operator would notice: a double-tapped submit, two children enrolling the same parent at once,
two staff members claiming the same conversation."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store import claim_ticket, create_handoff_ticket, create_staff, get_ticket, submit_enrollment
from bot.store.models import Enroller, Enrollment, Member
from store_samples import submission

RACERS = 50


def race(count: int, work):
    """Run work(i) in `count` threads released at the same moment; return the results."""
    start = threading.Barrier(count)

    def runner(i):
        start.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(runner, range(count)))


def rows(engine, model) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_fifty_identical_submissions_at_once_store_one_enrollment(engine):
    results = race(RACERS, lambda _: submit_enrollment(engine, submission()))

    assert Counter(r.status for r in results) == {"created": 1, "existing": RACERS - 1}
    assert len({r.enrollment_number for r in results}) == 1
    assert (rows(engine, Enrollment), rows(engine, Member), rows(engine, Enroller)) == (1, 1, 1)


def test_fifty_children_enrolling_the_same_parent_at_once_make_one_membership(engine):
    results = race(RACERS, lambda i: submit_enrollment(
        engine, submission(conversation_id=f"rest:child-{i}", sender_id=f"rest:child-{i}")))

    # The other children are not told that the parent is a member, nor the membership's number.
    assert Counter(r.status for r in results) == {"created": 1, "not_disclosed": RACERS - 1}
    assert len({r.enrollment_number for r in results if r.status == "created"}) == 1
    assert {r.enrollment_number for r in results if r.status == "not_disclosed"} == {None}
    assert {r.masked_id for r in results} == {"110105********1234"}
    assert (rows(engine, Enrollment), rows(engine, Member), rows(engine, Enroller)) == (1, 1, RACERS)


def test_two_staff_members_claiming_one_ticket_at_once_one_wins(engine):
    alice = create_staff(engine, "alice", "pw-alice-123")
    bob = create_staff(engine, "bob", "pw-bob-123")
    for round_ in range(5):
        ticket = create_handoff_ticket(engine, conversation_id=f"rest:user-{round_}", channel="rest",
                                       language="en", reason="user_asked", summary={})
        staff = [alice.id, bob.id] * 5
        won = race(len(staff), lambda i, ticket=ticket, staff=staff: claim_ticket(engine, ticket.id, staff[i]))
        assert won.count(True) == 1
        winner = staff[won.index(True)]
        assert get_ticket(engine, ticket.id).claimed_by == winner


def test_many_requests_for_a_person_from_one_conversation_open_one_ticket(engine):
    tickets = race(20, lambda _: create_handoff_ticket(
        engine, conversation_id="rest:impatient", channel="rest", language="zh", reason="user_asked",
        summary={}))
    assert len({t.id for t in tickets}) == 1

"""The queue: waiting conversations oldest first, as a page and as the data the page refreshes itself from."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.store.models import HandoffTicket, utcnow
from console_support import open_ticket

HOSTILE = "<img src=x onerror=alert(1)>"


def waited(engine, ticket_id: int, minutes: int) -> None:
    """Make a ticket look `minutes` old."""
    with Session(engine) as session, session.begin():
        session.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id)
                        .values(created_at=utcnow() - timedelta(minutes=minutes)))


async def test_the_queue_data_lists_waiting_conversations_oldest_first_with_language_reason_and_wait(console):
    newest = open_ticket(console.engine, "web:new", language="en", reason="manual_review")
    oldest = open_ticket(console.engine, "wx:old", channel="wechat", reason="misunderstood")
    waited(console.engine, oldest.id, 42)
    waited(console.engine, newest.id, 3)
    alice = await console.logged_in("alice")

    data = await (await alice.get("/queue.json")).json()

    assert [e["id"] for e in data["waiting"]] == [oldest.id, newest.id]
    first = data["waiting"][0]
    assert (first["language"], first["language_label"]) == ("zh", "Chinese")
    assert (first["reason"], first["reason_label"]) == ("misunderstood", "The assistant did not understand twice")
    assert first["channel_label"] == "WeChat"
    assert first["waiting_label"] == "42 minutes" and 42 * 60 <= first["waiting_seconds"] < 43 * 60
    assert (first["url"], first["claim_url"]) == (f"/tickets/{oldest.id}", f"/tickets/{oldest.id}/claim")
    assert data["mine"] == []
    assert "conversation_id" not in first  # the queue needs no user identifiers


async def test_taken_conversations_leave_the_queue_and_show_under_their_holder(console):
    first, second = open_ticket(console.engine, "web:1"), open_ticket(console.engine, "web:2")
    alice, bob = await console.logged_in("alice"), await console.logged_in("bob")
    await alice.post(f"/tickets/{first.id}/claim")

    alices, bobs = [await (await s.get("/queue.json")).json() for s in (alice, bob)]

    assert [e["id"] for e in alices["waiting"]] == [e["id"] for e in bobs["waiting"]] == [second.id]
    assert [e["id"] for e in alices["mine"]] == [first.id] and bobs["mine"] == []


async def test_the_queue_page_shows_the_same_rows_and_polls_for_updates(console):
    oldest = open_ticket(console.engine, "web:1")
    newest = open_ticket(console.engine, "web:2", language="en")
    waited(console.engine, oldest.id, 10)
    alice = await console.logged_in("alice")

    page = await (await alice.get("/")).text()

    assert page.index(f'data-ticket="{oldest.id}"') < page.index(f'data-ticket="{newest.id}"')
    assert 'data-source="/queue.json"' in page and 'data-interval="3000"' in page
    assert f'action="/tickets/{oldest.id}/claim"' in page
    assert "10 minutes" in page


async def test_hostile_text_in_a_ticket_is_escaped_on_the_page_and_plain_data_in_json(console):
    open_ticket(console.engine, "web:1", reason=HOSTILE)
    alice = await console.logged_in("alice")

    page = await (await alice.get("/")).text()
    response = await alice.get("/queue.json")

    assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert response.content_type == "application/json"
    assert (await response.json())["waiting"][0]["reason_label"] == HOSTILE  # console.js sets textContent


async def test_the_script_puts_text_in_as_text_only():
    from bot.console.app import STATIC_DIR

    script = (STATIC_DIR / "console.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "eval(" not in script


async def test_waiting_times_are_judged_against_the_plans_response_target_and_rest_says_it_cannot_be_answered(
        console):
    fresh = open_ticket(console.engine, "web:fresh")
    nearly = open_ticket(console.engine, "wx:nearly", channel="wechat")
    late = open_ticket(console.engine, "rest:late", channel="rest",
                       summary={"relationship": "father", "enrollment_number": "SC261128-AB12"})
    waited(console.engine, nearly.id, 7)  # the shipped plan's target is 10 minutes
    waited(console.engine, late.id, 12)
    alice = await console.logged_in("alice")

    entries = {e["id"]: e for e in (await (await alice.get("/queue.json")).json())["waiting"]}
    assert [entries[t.id]["waiting_level"] for t in (fresh, nearly, late)] == ["ok", "soon", "late"]
    assert entries[late.id]["waiting_level_label"] == "Over the response target"
    assert entries[late.id]["enrollment_number"] == "SC261128-AB12"
    assert entries[late.id]["no_reply_note"].startswith("This channel cannot receive replies")
    assert entries[fresh.id]["no_reply_note"] == ""

    page = await (await alice.get("/")).text()
    assert 'id="filters"' in page and 'data-number="SC261128-AB12"' in page and 'class="wait late"' in page
    assert page.count('class="no-reply"') == 1

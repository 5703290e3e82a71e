"""The queue: waiting conversations oldest first, as a page and as the data the page refreshes itself from."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.store.models import HandoffTicket, utcnow
from console_support import open_ticket
from test_tickets import events

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


async def test_each_row_names_the_member_masked_and_shows_the_last_message_masked_and_short(console):
    chinese = open_ticket(console.engine, "web:1", summary={"member_name": "王秀英", "relationship": "mother"})
    english = open_ticket(console.engine, "web:2", language="en", summary={"member_name": "Grace Hopper"})
    console.rasa.events["web:1"] = events(("user", "我要转人工"), ("bot", "好的"),
                                          ("user", "她的手机是 139 1234 5678，身份证 110105196103150029，"
                                                   "麻烦您尽快回个电话给我，我下午三点以后都在家里等着，谢谢您了"))
    console.rasa.events["web:2"] = events(("user", "talk to a person"), ("bot", "One moment"))
    alice = await console.logged_in("alice")

    entries = {e["id"]: e for e in (await (await alice.get("/queue.json")).json())["waiting"]}
    page = await (await alice.get("/")).text()

    assert entries[chinese.id]["member"] == "王＊英" and entries[english.id]["member"] == "G**** H*****"
    said = entries[chinese.id]["last_message"]
    assert said.startswith("她的手机是 139****5678，身份证 110105********0029，") and said.endswith("…")
    assert len(said) <= 60
    assert entries[english.id]["last_message"] == "talk to a person"  # the family's words, not the assistant's
    for shown in (page, str(entries)):
        assert "王秀英" not in shown and "Grace" not in shown and "13912345678" not in shown
        assert "139 1234 5678" not in shown and "110105196103150029" not in shown
    assert "王＊英" in page and "139****5678" in page and "talk to a person" in page


async def test_the_queue_still_shows_when_rasa_does_not_answer(console):
    open_ticket(console.engine, "web:1", summary={"member_name": "王秀英"})
    console.rasa.fail = True
    alice = await console.logged_in("alice")

    [entry] = (await (await alice.get("/queue.json")).json())["waiting"]

    assert entry["member"] == "王＊英" and entry["last_message"] == ""
    assert (await alice.get("/")).status == 200


async def test_a_rest_ticket_offers_the_masked_number_the_family_gave_to_call_back(console):
    with_phone = open_ticket(console.engine, "rest:1", channel="rest", summary={"phone": "139****5678"})
    without = open_ticket(console.engine, "rest:2", channel="rest", summary={})
    alice = await console.logged_in("alice", accept_language="zh-CN")

    entries = {e["id"]: e for e in (await (await alice.get("/queue.json")).json())["waiting"]}

    assert entries[with_phone.id]["no_reply_note"] == "这个渠道收不到回复，请改为电话联系家属。 回电号码：139****5678"
    assert entries[without.id]["no_reply_note"].endswith("家属还没有留下电话号码。")
    page = await (await alice.get(f"/tickets/{with_phone.id}")).text()
    assert "留下的电话" in page and "139****5678" in page  # the summary, before anyone takes it


async def test_the_queue_page_hears_at_once_of_new_and_taken_conversations(console):
    alice = await console.logged_in("alice")
    page = await (await alice.get("/")).text()
    assert 'data-events="/queue/events"' in page

    stream = await alice.get("/queue/events")
    assert stream.status == 200 and stream.content_type == "text/event-stream"
    assert (await stream.content.readline()).startswith(b"retry: ")
    await asyncio.sleep(1.5)  # the watch reads the store once to know where it starts

    ticket = open_ticket(console.engine, "web:live")  # as the assistant's process does, not through the console
    assert await next_event(stream) == b"event: queue"
    await alice.post(f"/tickets/{ticket.id}/claim")
    assert await next_event(stream) == b"event: queue"
    stream.close()


async def next_event(stream) -> bytes:
    """The `event:` line of the next event in the stream (comments, the retry line and data skipped)."""
    while True:
        line = (await asyncio.wait_for(stream.content.readline(), 10)).strip()
        if line.startswith(b"event:"):
            return line

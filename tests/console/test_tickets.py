"""Taking, reading, replying to, handing back, closing and releasing a conversation, through the HTTP
endpoints, with a fake Rasa HTTP API that records what the console asks of it."""
from __future__ import annotations

import asyncio

import pytest

from bot.store import get_ticket, list_audit
from console_support import BACKENDS, RASA_TOKEN, audit_actions, open_ticket

HOSTILE = "<script>alert('pwned')</script>"


def events(*pairs):
    """Tracker events: ("user", text) / ("bot", text) / ("pause", "") at one-second steps."""
    return [{"event": kind, "text": text, "timestamp": 1_800_000_000 + i} if text else
            {"event": kind, "timestamp": 1_800_000_000 + i} for i, (kind, text) in enumerate(pairs)]


async def claimed(console, username="alice", conversation_id="web:1", **ticket_changes):
    """A ticket taken by `username`, their browser, and the fake Rasa's calls cleared."""
    ticket = open_ticket(console.engine, conversation_id, **ticket_changes)
    staff = await console.logged_in(username)
    assert (await staff.post(f"/tickets/{ticket.id}/claim")).status == 303
    console.rasa.calls.clear()
    return ticket, staff


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_of_two_staff_claiming_at_once_exactly_one_gets_the_conversation(console, staff):
    ticket = open_ticket(console.engine, "web:1")
    alice, bob = await console.logged_in("alice"), await console.logged_in("bob")

    responses = await asyncio.gather(alice.post(f"/tickets/{ticket.id}/claim"),
                                     bob.post(f"/tickets/{ticket.id}/claim"))

    assert sorted(r.status for r in responses) == [303, 409]
    winner = "alice" if responses[0].status == 303 else "bob"
    assert get_ticket(console.engine, ticket.id).claimed_by == staff[winner].id
    assert audit_actions(console.engine, f"ticket:{ticket.id}") == [("handoff.requested", "web:1"),
                                                                     ("handoff.claimed", winner)]
    pauses = console.rasa.calls_to("tracker/events")
    assert [(c.conversation_id, c.body) for c in pauses] == [("web:1", {"event": "pause"})]
    loser = responses[1] if winner == "alice" else responses[0]
    assert "Someone else has taken this conversation" in await loser.text()


async def test_the_transcript_shows_user_and_bot_messages_in_order_escaped(console):
    ticket = open_ticket(console.engine, "web:1", summary={"relationship": HOSTILE})
    console.rasa.events["web:1"] = events(("user", f"{HOSTILE} 我要转人工"), ("bot", "好的，请稍等"),
                                          ("action", ""), ("pause", ""), ("user", "还在吗"))
    alice = await console.logged_in("alice")

    page = await (await alice.get(f"/tickets/{ticket.id}")).text()

    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;") == 2  # message and summary
    order = [page.index(text) for text in ("我要转人工", "好的，请稍等", "Handed to people", "还在吗")]
    assert order == sorted(order)
    # Nobody has taken it yet: the marker says it was handed to people, not that a person has it.
    assert "took over" not in page and "Handled by" not in page
    tracker_call = console.rasa.calls_to("tracker")[0]
    assert (tracker_call.method, tracker_call.conversation_id) == ("GET", "web:1")
    assert tracker_call.query == {"include_events": "ALL"}  # the secret is in no URL: a JWT header
    assert audit_actions(console.engine, f"ticket:{ticket.id}")[-1] == ("handoff.transcript_read", "alice")
    bob = await console.logged_in("bob", accept_language="zh-CN")
    chinese = await (await bob.get(f"/tickets/{ticket.id}")).text()
    assert "已转人工，智能助手暂停回复" in chinese and "人工已接手" not in chinese and "正在处理这个会话" not in chinese


async def test_a_reply_reaches_rasa_as_a_bot_event_of_the_staff_member_and_is_audited(console, staff):
    ticket, alice = await claimed(console)

    reply = "您好，我是客服小王。\n请问有什么可以帮您？"
    response = await alice.post(f"/tickets/{ticket.id}/reply", {"text": f"  {reply} "})

    assert response.status == 303
    assert response.headers["Location"] == f"/tickets/{ticket.id}?notice=reply_sent#reply"
    [call] = console.rasa.calls
    assert (call.method, call.conversation_id, call.endpoint) == ("POST", "web:1", "tracker/events")
    assert call.query == {"execute_side_effects": "true", "output_channel": "latest", "include_events": "NONE"}
    assert call.body == {"event": "bot", "text": reply, "metadata": {"staff_id": staff["alice"].id}}
    replied = list_audit(console.engine, subject=f"ticket:{ticket.id}")[0]
    assert (replied.action, replied.actor.id, replied.details) == (
        "handoff.replied", "alice", {"staff_id": staff["alice"].id, "characters": len(reply)})

    page = await (await alice.get(f"/tickets/{ticket.id}?notice=reply_sent")).text()
    assert "Your reply was sent." in page
    assert 'class="line staff"><span class="who">Staff · Alice Wang</span>' in page


async def test_replies_are_refused_to_anyone_but_the_holder_and_without_text_or_token(console):
    ticket, alice = await claimed(console)
    bob = await console.logged_in("bob")

    assert (await bob.post(f"/tickets/{ticket.id}/reply", {"text": "hi"})).status == 409
    assert (await alice.post(f"/tickets/{ticket.id}/reply", {"text": "   "})).status == 400
    assert (await alice.post(f"/tickets/{ticket.id}/reply", {"text": "x" * 2001})).status == 400
    no_token = await alice.client.post(f"/tickets/{ticket.id}/reply", data={"text": "hi"},
                                       allow_redirects=False)
    assert no_token.status == 403
    wrong = await alice.client.post(f"/tickets/{ticket.id}/reply", data={"text": "hi", "csrf_token": bob.csrf},
                                    allow_redirects=False)
    assert wrong.status == 403  # another session's token is no good either
    assert (await alice.post("/tickets/999/reply", {"text": "hi"})).status == 404
    assert console.rasa.calls == []
    assert "handoff.replied" not in [a for a, _ in audit_actions(console.engine, f"ticket:{ticket.id}")]


async def test_a_reply_rasa_did_not_take_is_shown_back_and_not_audited(console):
    ticket, alice = await claimed(console)
    console.rasa.fail = True

    response = await alice.post(f"/tickets/{ticket.id}/reply", {"text": f"draft {HOSTILE}"})

    assert response.status == 502
    page = await response.text()
    assert "your reply was not sent" in page
    assert "draft &lt;script&gt;" in page and "<script>alert" not in page
    assert RASA_TOKEN not in page
    assert "handoff.replied" not in [a for a, _ in audit_actions(console.engine, f"ticket:{ticket.id}")]


async def test_handing_back_resumes_the_conversation_asks_the_assistant_to_continue_and_closes(console):
    ticket, alice = await claimed(console)

    response = await alice.post(f"/tickets/{ticket.id}/hand-back")

    assert (response.status, response.headers["Location"]) == (303, "/?notice=handed_back")
    assert [(c.method, c.endpoint, c.body) for c in console.rasa.calls] == [
        ("POST", "tracker/events", {"event": "resume"}),
        ("POST", "trigger_intent", {"name": "resume_conversation"}),
    ]
    assert console.rasa.calls[1].query["output_channel"] == "latest"
    assert get_ticket(console.engine, ticket.id).status == "closed"
    closed = list_audit(console.engine, subject=f"ticket:{ticket.id}")[0]
    assert (closed.action, closed.actor.id, closed.details) == ("handoff.closed", "alice",
                                                                 {"outcome": "handed_back"})
    assert "which has told the user" in await (await alice.get("/?notice=handed_back")).text()


async def test_a_hand_back_the_assistant_cannot_announce_still_hands_back(console):
    ticket, alice = await claimed(console)
    console.rasa.known_intents.clear()  # the bot side has no resume_conversation intent (yet)

    response = await alice.post(f"/tickets/{ticket.id}/hand-back")

    assert response.headers["Location"] == "/?notice=handed_back_quietly"
    assert get_ticket(console.engine, ticket.id).status == "closed" and console.rasa.paused["web:1"] is False


async def test_closing_resumes_the_conversation_without_the_assistant_speaking(console):
    ticket, alice = await claimed(console)

    response = await alice.post(f"/tickets/{ticket.id}/close")

    assert (response.status, response.headers["Location"]) == (303, "/?notice=closed")
    assert [(c.endpoint, c.body) for c in console.rasa.calls] == [("tracker/events", {"event": "resume"})]
    assert get_ticket(console.engine, ticket.id).status == "closed"
    assert list_audit(console.engine, subject=f"ticket:{ticket.id}")[0].details == {"outcome": "closed"}
    assert (await alice.post(f"/tickets/{ticket.id}/close")).status == 409  # done already


async def test_when_rasa_is_down_finishing_changes_nothing(console):
    ticket, alice = await claimed(console)
    console.rasa.fail = True
    for action in ("hand-back", "close"):
        assert (await alice.post(f"/tickets/{ticket.id}/{action}")).status == 502
    assert get_ticket(console.engine, ticket.id).status == "claimed"


async def test_releasing_puts_the_conversation_back_in_the_queue_still_paused(console):
    ticket, alice = await claimed(console)
    bob = await console.logged_in("bob")
    assert (await bob.post(f"/tickets/{ticket.id}/release")).status == 409

    response = await alice.post(f"/tickets/{ticket.id}/release")

    assert (response.status, response.headers["Location"]) == (303, "/?notice=released")
    assert get_ticket(console.engine, ticket.id).status == "waiting"
    assert console.rasa.calls == [] and console.rasa.paused["web:1"] is True
    assert audit_actions(console.engine, f"ticket:{ticket.id}")[-1] == ("handoff.released", "alice")
    assert (await bob.post(f"/tickets/{ticket.id}/claim")).status == 303


async def test_a_claim_rasa_cannot_pause_leaves_the_ticket_in_the_queue(console):
    ticket = open_ticket(console.engine, "web:1")
    alice = await console.logged_in("alice")
    console.rasa.fail = True

    assert (await alice.post(f"/tickets/{ticket.id}/claim")).status == 502
    assert get_ticket(console.engine, ticket.id).status == "waiting"
    assert [a for a, _ in audit_actions(console.engine, f"ticket:{ticket.id}")][-2:] == [
        "handoff.claimed", "handoff.released"]


async def test_the_page_of_a_ticket_says_who_has_it_and_offers_only_what_one_may_do(console):
    ticket, alice = await claimed(console)
    bob = await console.logged_in("bob")
    waiting = open_ticket(console.engine, "web:2")

    mine = await (await alice.get(f"/tickets/{ticket.id}")).text()
    theirs = await (await bob.get(f"/tickets/{ticket.id}")).text()
    free = await (await bob.get(f"/tickets/{waiting.id}")).text()

    assert f'action="/tickets/{ticket.id}/reply"' in mine and "hand-back" in mine
    assert "Alice Wang is handling this conversation." in theirs and "/reply" not in theirs
    assert f'action="/tickets/{waiting.id}/claim"' in free and "/reply" not in free
    assert (await bob.get("/tickets/999")).status == 404
    assert (await bob.get("/tickets/99999999999999")).status == 404


async def test_the_transcript_keeps_itself_current_for_the_holder_only(console):
    ticket, alice = await claimed(console)
    bob = await console.logged_in("bob")
    console.rasa.events["web:1"] += events(("user", HOSTILE))
    await alice.post(f"/tickets/{ticket.id}/hand-back")  # adds resume, an EXTERNAL user event, "I'm back."
    ticket2, alice2 = await claimed(console, conversation_id="web:1")  # asked for a person again

    data = await (await alice2.get(f"/tickets/{ticket2.id}/transcript.json")).json()

    speakers = [(line["speaker"], line["text"]) for line in data["lines"]]
    assert ("user", HOSTILE) in speakers  # JSON carries the text as it is; the page's script sets textContent
    assert ("assistant", "I'm back.") in speakers
    assert not any(text.startswith("EXTERNAL:") for _, text in speakers)
    assert data["paused"] is True
    assert (await bob.get(f"/tickets/{ticket2.id}/transcript.json")).status == 409


async def test_a_rest_user_gets_a_warning_that_replies_cannot_reach_them(console):
    ticket, alice = await claimed(console, channel="rest")
    console.rasa.latest_input_channel = "rest"
    page = await (await alice.get(f"/tickets/{ticket.id}")).text()
    assert "cannot receive replies sent from here" in page


async def test_every_staff_action_is_in_the_audit_trail(console, staff):
    ticket = open_ticket(console.engine, "web:1")
    alice, bob = await console.logged_in("alice"), await console.logged_in("bob")

    await alice.get(f"/tickets/{ticket.id}")
    await alice.post(f"/tickets/{ticket.id}/claim")
    await alice.post(f"/tickets/{ticket.id}/reply", {"text": "您好"})
    await alice.post(f"/tickets/{ticket.id}/release")
    await bob.post(f"/tickets/{ticket.id}/claim")
    await bob.post(f"/tickets/{ticket.id}/reply", {"text": "我来处理"})
    await bob.post(f"/tickets/{ticket.id}/hand-back")
    await bob.post("/logout", {})

    assert audit_actions(console.engine, f"ticket:{ticket.id}") == [
        ("handoff.requested", "web:1"),
        ("handoff.transcript_read", "alice"),
        ("handoff.claimed", "alice"),
        ("handoff.replied", "alice"),
        ("handoff.released", "alice"),
        ("handoff.claimed", "bob"),
        ("handoff.replied", "bob"),
        ("handoff.closed", "bob"),
    ]
    assert audit_actions(console.engine, "staff:bob")[-2:] == [("staff.logged_in", "bob"),
                                                                ("staff.logged_out", "bob")]
    replies = [e.details for e in list_audit(console.engine) if e.action == "handoff.replied"]
    assert all(set(d) == {"staff_id", "characters"} for d in replies)  # never the words themselves

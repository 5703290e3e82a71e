"""A family on REST cannot get a staff reply, so someone calls them back: the full number is shown only to
a supervisor who asks for it, from the assistant's own record, and every look is in the audit trail."""
from __future__ import annotations

from console_support import audit_actions, open_ticket
from test_supervision import supervisor

PHONE = "13912345678"


def rest_ticket(console, conversation_id: str = "rest:call-me"):
    console.rasa.slots[conversation_id] = {"phone": PHONE}
    return open_ticket(console.engine, conversation_id, channel="rest", summary={"phone": "139****5678"})


async def test_a_supervisor_sees_the_full_number_once_and_the_look_is_recorded(console, staff):
    ticket = rest_ticket(console)
    sam = await supervisor(console)
    page = await (await sam.get(f"/tickets/{ticket.id}")).text()
    assert f'action="/tickets/{ticket.id}/call-back-number"' in page and PHONE not in page
    response = await sam.post(f"/tickets/{ticket.id}/call-back-number")
    shown = await response.text()
    assert response.status == 200 and f'href="tel:{PHONE}"' in shown
    assert response.headers["Cache-Control"] == "no-store"
    assert ("handoff.call_back_number_read", "sam") in audit_actions(console.engine, f"ticket:{ticket.id}")
    assert all(PHONE not in str(row) for row in audit_actions(console.engine, f"ticket:{ticket.id}"))


async def test_an_agent_gets_neither_the_button_nor_the_number(console, staff):
    ticket = rest_ticket(console)
    alice = await console.logged_in("alice")
    page = await (await alice.get(f"/tickets/{ticket.id}")).text()
    assert "call-back-number" not in page and PHONE not in page
    response = await alice.post(f"/tickets/{ticket.id}/call-back-number")
    assert response.status == 403 and PHONE not in await response.text()
    assert ("handoff.call_back_number_read", "alice") not in audit_actions(console.engine, f"ticket:{ticket.id}")


async def test_a_web_chat_ticket_needs_no_call_back(console, staff):
    ticket = open_ticket(console.engine, "web:replies-work")
    console.rasa.slots["web:replies-work"] = {"phone": PHONE}
    sam = await supervisor(console)
    assert "call-back-number" not in await (await sam.get(f"/tickets/{ticket.id}")).text()
    response = await sam.post(f"/tickets/{ticket.id}/call-back-number")
    assert response.status == 409 and PHONE not in await response.text()


async def test_in_chinese_with_no_number_given_yet(console, staff):
    ticket = rest_ticket(console, "rest:no-number")
    console.rasa.slots["rest:no-number"] = {}
    sam = await supervisor(console)
    sam_zh = await console.logged_in("sam", accept_language="zh-CN")
    response = await sam_zh.post(f"/tickets/{ticket.id}/call-back-number")
    assert response.status == 200 and "家属还没有留下电话号码" in await response.text()
    assert sam is not None

"""Staff decisions in the console, end to end: staff see the screening answers and the reason, decide with
a reason from the plan's list in either language, the store shows the decision, two staff deciding at once
give one decision, and the notifier then tells the web chat and the WeChat family in their language."""
from __future__ import annotations

import asyncio
import socket
from datetime import date, datetime, timedelta, timezone

import pytest
from aiohttp import ClientSession, web

from bot.channels.wechat_api import WeChatClient
from bot.console.decisions import CLOCK
from bot.console.rasa_api import RasaClient
from bot.core.identity import check_character
from bot.notify.delivery import Delivery
from bot.notify.service import Notifier
from bot.core.plan.clock import CHINA_TIME
from bot.store import EnrollmentSubmission, get_enrollment, list_audit, submit_enrollment
from bot.store.decisions import get_decision
from bot.store.outbox import list_notices
from console_support import BACKENDS, RASA_TOKEN, open_ticket

DECIDED_AT = datetime(2026, 12, 2, 11, 0, tzinfo=CHINA_TIME).astimezone(timezone.utc)


def manual_review(engine, sender: str, language: str, birth: str) -> str:
    first_17 = "110105" + birth + "123"
    return submit_enrollment(engine, EnrollmentSubmission(
        conversation_id=sender, channel="wechat" if sender.startswith("wx:") else "webchat", sender_id=sender,
        language=language, relationship="mother", member_name="王秀英", id_number=first_17 + check_character(first_17),
        phone="13912345678", birth_date=date(int(birth[:4]), int(birth[4:6]), int(birth[6:])), sex="female",
        outcome="manual_review", outcome_reasons=["H5_yes"], consents=(),
        screening_answers={"H1": "no", "H2": "no", "H3": "no", "H4": "no", "H5": "yes", "H6": "no"},
        enrolled_on=date(2026, 11, 30))).enrollment_number


@pytest.fixture
def case(console, engine):
    console.server.app[CLOCK] = lambda: DECIDED_AT
    number = manual_review(engine, "web:tab-1", "en", "19560315")
    ticket = open_ticket(engine, "web:tab-1", reason="manual_review", language="en")
    return number, ticket.id


async def test_staff_see_the_answers_and_decide_in_chinese(console, engine, case):
    number, ticket_id = case
    alice = await console.logged_in("alice", accept_language="zh-CN")
    ticket_page = await (await alice.get(f"/tickets/{ticket_id}")).text()
    assert f'href="/tickets/{ticket_id}/decision"' in ticket_page and "查看并审核" in ticket_page
    page = await (await alice.get(f"/tickets/{ticket_id}/decision")).text()
    assert "H5 · 近6个月有可疑症状" in page and "H5_yes" in page and "已确认为良性" in page
    assert "13912345678" not in page
    response = await alice.post(f"/tickets/{ticket_id}/decision",
                                {"reason": "approve:benign_confirmed", "note": "报告已看过"})
    assert response.status == 303
    enrollment = get_enrollment(engine, number)
    assert enrollment.status == "active" and enrollment.cover_start == date(2027, 3, 3)
    assert get_decision(engine, number).staff_username == "alice"
    shown = await (await alice.get(response.headers["Location"])).text()
    assert "已记录审核结果" in shown and "报告已看过" in shown
    assert [n.kind for n in list_notices(engine, enrollment_number=number)] == ["decision"]


async def test_a_decision_without_the_forms_token_changes_nothing(console, engine, case):
    number, ticket_id = case
    alice = await console.logged_in("alice")
    response = await alice.client.post(f"/tickets/{ticket_id}/decision",
                                       data={"reason": "decline:suspected_tumour"}, allow_redirects=False)
    assert response.status == 403
    assert get_enrollment(engine, number).status == "manual_review" and get_decision(engine, number) is None


async def test_a_reason_of_the_other_decision_is_refused(console, engine, case):
    number, ticket_id = case
    alice = await console.logged_in("alice")
    response = await alice.post(f"/tickets/{ticket_id}/decision", {"reason": "approve:suspected_tumour"})
    assert response.status == 400 and "Choose a decision" in await response.text()
    assert get_decision(engine, number) is None


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_two_staff_deciding_at_once_give_one_decision(console, engine, case):
    number, ticket_id = case
    alice, bob = await console.logged_in("alice"), await console.logged_in("bob")
    responses = await asyncio.gather(
        alice.post(f"/tickets/{ticket_id}/decision", {"reason": "approve:benign_confirmed"}),
        bob.post(f"/tickets/{ticket_id}/decision", {"reason": "decline:suspected_tumour"}))
    assert sorted(r.status for r in responses) == [303, 409]
    loser = next(r for r in responses if r.status == 409)
    decision = get_decision(engine, number)
    assert f"{decision.staff_username} has already decided" in await loser.text()
    assert len(list_notices(engine, enrollment_number=number)) == 1
    decided = [e for e in list_audit(engine, subject=f"enrollment:{number}") if e.action.endswith("_by_staff")]
    assert len(decided) == 1


async def _fake_wechat(received: list) -> tuple[web.AppRunner, str]:
    async def token(request):
        return web.json_response({"access_token": "t-1", "expires_in": 7200})

    async def send(request):
        received.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    app = web.Application()
    app.router.add_get("/cgi-bin/token", token)
    app.router.add_post("/cgi-bin/message/custom/send", send)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    return runner, f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_decisions_made_in_the_console_reach_web_chat_and_wechat_in_their_language(console, engine, case):
    web_number, web_ticket = case
    wx_number = manual_review(engine, "wx:openid-1", "zh", "19580420")
    wx_ticket = open_ticket(engine, "wx:openid-1", reason="manual_review", channel="wechat").id
    alice = await console.logged_in("alice")
    assert (await alice.post(f"/tickets/{web_ticket}/decision",
                             {"reason": "decline:not_enough_information"})).status == 303
    assert (await alice.post(f"/tickets/{wx_ticket}/decision",
                             {"reason": "approve:no_cancer_risk_found"})).status == 303
    assert get_enrollment(engine, web_number).status == "declined"
    assert get_enrollment(engine, wx_number).status == "active"

    wechat_messages: list = []
    runner, wechat_url = await _fake_wechat(wechat_messages)
    wechat = WeChatClient("wx-app", "secret", wechat_url)
    try:
        async with ClientSession() as http:
            delivery = Delivery(http, wechat=wechat, rasa=RasaClient(http, console.rasa.url, RASA_TOKEN))
            clock = lambda: DECIDED_AT + timedelta(minutes=1)  # noqa: E731 - the test clock
            for worker in ("a", "b"):
                await Notifier(engine, delivery, clock=clock, lease=timedelta(minutes=2), worker=worker).run_once()
    finally:
        await wechat.close()
        await runner.cleanup()
    [wx] = wechat_messages
    assert wx["touser"] == "openid-1" and "审核已通过" in wx["text"]["content"]
    assert "您说明的情况与肿瘤无关" in wx["text"]["content"] and "2027年3月3日" in wx["text"]["content"]
    pushes = [c for c in console.rasa.calls_to("tracker/events")
              if c.body.get("event") == "bot" and c.conversation_id == "web:tab-1"]
    [push] = pushes
    assert push.query["execute_side_effects"] == "true" and push.query["output_channel"] == "latest"
    assert "cannot join this time" in push.body["text"] and "not have enough information" in push.body["text"]
    assert {n.status for n in list_notices(engine)} == {"sent"}

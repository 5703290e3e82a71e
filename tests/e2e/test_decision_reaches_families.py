"""A manual review decided in the console reaches the family, end to end, in their language and channel.

Everything runs for real: the assistant (Rasa server and action server), the support console in its own
process, a browser for the staff member, a socket.io client for the web chat family and the notifier
(in this process, on a test clock). Only the WeChat API is a fake, at the network edge: WeChat's side of
the webhook (signed pushes) and its customer-service message endpoint, which records what it is sent.

- An English-speaking son enrolls his father in the web chat; a Chinese-speaking daughter her mother on
  WeChat. A "yes" to the warning-signs question (H5) makes each a manual review: a ticket, a pause.
- Staff decide in the browser, one in the English console (approve), one in the Chinese (decline).
- The notifier sends each decision once: the web chat family sees it arrive on their open socket, the
  WeChat family gets a customer-service message, each in their language; the store shows both decisions.
"""
from __future__ import annotations

import asyncio
import hashlib
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Callable

import aiohttp
import pytest
import socketio

from bench.scale.families import FakeWeChatAPI
from bot import store
from bot.channels.wechat_api import WeChatClient
from bot.console.rasa_api import RasaClient
from bot.notify.delivery import Delivery
from bot.notify.service import Notifier
from bot.core.settings import PROJECT_ROOT
from bot.store.decisions import get_decision
from bot.store.outbox import list_notices
from tests.conftest import assistant_started, free_port

pytestmark = [pytest.mark.rasa_server, pytest.mark.browser]

WECHAT_TOKEN, APP_ID, APP_SECRET = "wechat-token-decisions", "wx-e2e-app", "wx-e2e-secret"
OPENID = "oE2eDaughterOpenid0000000001"
PASSWORD = "a long staff password"
SCREENSHOTS = PROJECT_ROOT / "test-output" / "decisions-e2e"

WEB_SON = ["I want to sign my dad up for the cancer plan", "I agree", "his name is Li Wei", "110105195807200018",
           "+86 138 1234 5678", "yes", "yes he agrees", "no", "never", "nope", "I don't think so",
           "yes", "no"]  # H5 (warning signs): yes
WECHAT_DAUGHTER = ["我想给我妈报名防癌计划", "同意", "她叫王秀英", "110105196103150029", "139-1234-5678",
                   "同意", "她同意的", "没有", "没得过", "从来没有", "没有", "是的", "没有"]


@pytest.fixture(scope="module")
def wechat_fake():
    """WeChat's API as the assistant and the notifier call it (the scale test's fake)."""
    fake = FakeWeChatAPI()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def wechat_api(wechat_fake) -> str:
    return wechat_fake.url


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, wechat_api):
    with assistant_started(tmp_path_factory.mktemp("decisions-e2e"), WECHAT_TOKEN=WECHAT_TOKEN,
                           WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=APP_SECRET,
                           WECHAT_API_BASE=wechat_api) as running:
        yield running


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def turn_done(assistant, sender: str, user_messages: int) -> Callable[[], bool]:
    """True once the assistant has answered the `user_messages`-th message (it listens, or staff hold it)."""
    def done() -> bool:
        tracker = assistant.tracker(sender)
        said = sum(1 for e in tracker["events"] if e["event"] == "user")
        return said >= user_messages and (tracker["latest_action_name"] == "action_listen" or tracker["paused"])
    return done


class WebChatFamily:
    """What rasa-webchat does on the wire, with a python-socketio client against the real server (long
    polling: the synchronous client's websocket needs a package the project does not install)."""

    def __init__(self, url: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.session_id = ""
        self.bot_messages: list[dict[str, Any]] = []
        self.client.on("session_confirm", self._confirmed)
        self.client.on("bot_uttered", self._uttered)
        self.client.connect(url, socketio_path="/socket.io", transports=["polling"])
        self.client.emit("session_request", {"session_id": None})
        wait_for(lambda: self.session_id, "the web chat session")

    def _uttered(self, message: dict[str, Any]) -> None:
        """Kept as the widget shows it: the channel sends Markdown that renders as the plain text."""
        text = message.get("text")
        if isinstance(text, str):
            message = {**message, "text": re.sub(r"\\([\\`*{}\[\]()#+\-.!_>~|])", r"\1", text).replace("  \n", "\n")}
        self.bot_messages.append(message)

    def _confirmed(self, session_id: str) -> None:
        self.session_id = session_id

    @property
    def sender(self) -> str:
        return f"web:{self.session_id}"

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "customData": {"language": "en"},
                                          "session_id": self.session_id})


def wechat_push(assistant, text: str) -> None:
    """A text message as WeChat pushes it: signed with the token. WeChat's timestamp is real time, and
    the channel refuses one more than 5 minutes off its own clock, so this one edge reads the clock."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    xml = (f"<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
           f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{text}]]></Content><MsgId>{uuid.uuid4().int % 10**17}</MsgId></xml>")
    url = (f"{assistant.url}/webhooks/wechat/webhook?signature={signature}&timestamp={timestamp}"
           f"&nonce={nonce}&openid={OPENID}")
    request = urllib.request.Request(url, data=xml.encode(), method="POST", headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read() == b"success"


def started_console(assistant, tmp_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "CONSOLE_PORT": str(port), "CONSOLE_HOST": "127.0.0.1", "RASA_URL": assistant.url,
           "RASA_API_TOKEN": assistant.token}
    log = open(tmp_path / "console.log", "ab")
    console = subprocess.Popen([sys.executable, "-m", "bot.console"], cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if console.poll() is not None:
            pytest.fail(f"the console stopped; see {tmp_path / 'console.log'}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2):
                return True
        except OSError:
            return False
    wait_for(healthy, "the console", timeout=60)
    return console, base


def decide_in_browser(browser, base: str, ticket_id: int, locale: str, choice: str, note: str) -> None:
    labels = {"en-US": ("See the case and decide", "Record the decision", "Decided."),
              "zh-CN": ("查看并审核", "记录审核结果", "已记录审核结果")}[locale]
    context = browser.new_context(locale=locale, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/tickets/{ticket_id}")
    page.fill("input[name=username]", "mei")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click(f"text={labels[0]}")
    page.check(f"input[value='{choice}']")
    page.fill("#decision-note", note)
    page.click(f"text={labels[1]}")
    page.wait_for_selector(f"text={labels[2]}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"decided-{locale}.png"), full_page=True)
    context.close()


async def notify_once(engine, assistant, wechat_api: str, at) -> None:
    """One notifier round at `at` (a test clock), delivering to the real Rasa and the fake WeChat."""
    wechat = WeChatClient(APP_ID, APP_SECRET, wechat_api)
    async with aiohttp.ClientSession() as http:
        delivery = Delivery(http, wechat=wechat, rasa=RasaClient(http, assistant.url, assistant.token))
        try:
            await Notifier(engine, delivery, clock=lambda: at, lease=timedelta(minutes=2)).run_once()
        finally:
            await wechat.close()


def test_a_decision_in_the_console_reaches_web_chat_and_wechat_in_their_language(
        assistant, wechat_api, wechat_fake, browser, tmp_path):
    engine = store.engine_for(os.environ["DATABASE_URL"])
    store.create_staff(engine, "mei", PASSWORD, display_name="Mei Chen")

    son = WebChatFamily(assistant.url)
    try:
        for count, text in enumerate(WEB_SON, 1):
            son.say(text)
            wait_for(turn_done(assistant, son.sender, count), f"the answer to {text!r}")
            wechat_push(assistant, WECHAT_DAUGHTER[count - 1])
            wait_for(turn_done(assistant, f"wx:{OPENID}", count), f"the answer to {WECHAT_DAUGHTER[count - 1]!r}")
        assert assistant.tracker(son.sender)["paused"] and assistant.tracker(f"wx:{OPENID}")["paused"]
        assert any("staff for review" in m.get("text", "") for m in son.bot_messages)
        assert any("人工审核" in text for _, text in wechat_fake.texts_to(OPENID))

        tickets = {t.conversation_id: t for t in store.list_waiting_tickets(engine)}
        web_ticket, wechat_ticket = tickets[son.sender], tickets[f"wx:{OPENID}"]
        assert web_ticket.reason == wechat_ticket.reason == "manual_review"

        console, base = started_console(assistant, tmp_path)
        try:
            decide_in_browser(browser, base, web_ticket.id, "en-US", "approve:benign_confirmed",
                              "Ultrasound report seen: benign")
            decide_in_browser(browser, base, wechat_ticket.id, "zh-CN", "decline:suspected_tumour",
                              "近期便血，建议复查后再申请")
        finally:
            console.terminate()
            console.wait(timeout=20)

        by_sender = {e.enroller: e for e in store.list_enrollments(engine)}
        web_case, wechat_case = by_sender[son.sender], by_sender[f"wx:{OPENID}"]
        assert (web_case.status, wechat_case.status) == ("active", "declined")
        web_decision = get_decision(engine, web_case.enrollment_number)
        wechat_decision = get_decision(engine, wechat_case.enrollment_number)
        assert (web_decision.decision, web_decision.reason, web_decision.staff_username) == (
            "approve", "benign_confirmed", "mei")
        assert (wechat_decision.decision, wechat_decision.reason) == ("decline", "suspected_tumour")

        notices = list_notices(engine, enrollment_number=web_case.enrollment_number) + list_notices(
            engine, enrollment_number=wechat_case.enrollment_number)
        at = max(n.due_at for n in notices)  # the test clock: when both notices are due (after quiet hours)
        wechat_before = len(wechat_fake.texts_to(OPENID))
        # Playwright's synchronous API keeps an event loop in this thread: the notifier gets one of its own.
        with ThreadPoolExecutor(1) as thread:
            for moment in (at, at + timedelta(minutes=5)):  # the second round has nothing left to send
                thread.submit(asyncio.run, notify_once(engine, assistant, wechat_api, moment)).result()

        pushed = wait_for(lambda: [m for m in son.bot_messages if "approved" in m.get("text", "")],
                          "the decision on the web chat")
        assert len(pushed) == 1 and "the test results show it is benign" in pushed[0]["text"]
        assert web_case.enrollment_number in pushed[0]["text"] and "2027" in pushed[0]["text"]
        told = [text for _, text in wechat_fake.texts_to(OPENID)[wechat_before:]]
        assert len(told) == 1 and "这次不能加入" in told[0] and "近期的症状可能与肿瘤有关" in told[0]
        assert wechat_case.enrollment_number in told[0]
        assert sorted(n.status for n in list_notices(engine)) == ["sent", "sent"]
        # The web chat family's conversation keeps the notice, for when they come back to the chat.
        said = [e.get("text") for e in assistant.tracker(son.sender)["events"] if e["event"] == "bot"]
        assert pushed[0]["text"] in said
    finally:
        son.client.eio.disconnect(abort=True)  # a polite disconnect waits out the open long-poll
        store.dispose_engines()

"""The whole handoff in real browsers: a user asks for a person in the web chat, a staff member takes the
conversation in the support console, replies, sees the user's answer, hands back, and the assistant
carries on in the user's chat.

The real assistant (the `running_assistant` fixture of tests/conftest.py, needing the trained model) and
the console started as `python -m bot.console` over the same store; Debian's Chromium driven by Playwright
(never `playwright install`). Screenshots go to test-output/console/.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
from typing import Iterator, List

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.store import create_staff, engine_for, list_audit, list_waiting_tickets
from tests.console.console_support import console_process

pytestmark = [pytest.mark.browser, pytest.mark.rasa_server]

SCREENSHOTS = PROJECT_ROOT / "test-output" / "console"
TIMEOUT_MS = 60_000
STAFF_PASSWORD = "a long staff password"


@pytest.fixture(scope="module")
def console_url(running_assistant) -> Iterator[str]:
    """`python -m bot.console` on a free port, over the assistant's store and talking to its HTTP API."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "RASA_URL": running_assistant.url, "RASA_API_TOKEN": running_assistant.token}
    with console_process(env, port, running_assistant.data_dir / "console.log") as url:
        yield url


# --------------------------------------------------------------------------------- the user's web chat


def bot_texts(page) -> List[str]:
    return [text.strip() for text in page.locator(".rw-response").all_inner_texts()]


def settle(page) -> None:
    """Waits until the widget has shown every message it is holding back (it shows them one by one)."""
    shown, quiet = -1, 0
    for _ in range(TIMEOUT_MS // 500):
        now = page.locator(".rw-response").count()
        quiet = quiet + 1 if now == shown and page.locator(".rw-typing-indication").count() == 0 else 0
        if quiet == 3:
            return
        shown = now
        page.wait_for_timeout(500)


def next_reply(page, before: int, containing: str = "") -> str:
    """The first message after the first `before` ones (that contains `containing`), once it has text."""
    page.wait_for_function(
        "([n, part]) => Array.from(document.querySelectorAll('.rw-response')).slice(n)"
        ".some(r => r.innerText.trim() !== '' && r.innerText.includes(part))",
        arg=[before, containing], timeout=TIMEOUT_MS)
    return next(text for text in bot_texts(page)[before:] if text and containing in text)


def say(page, text: str) -> int:
    """Types `text` into the chat; the number of bot messages shown before it."""
    settle(page)
    before = page.locator(".rw-response").count()
    page.locator(".rw-new-message").fill(text)
    page.keyboard.press("Enter")
    return before


# ------------------------------------------------------------------------------------------ the test


def test_staff_take_over_reply_and_hand_back_a_web_chat_conversation(running_assistant, console_url, browser):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    engine = engine_for(os.environ["DATABASE_URL"])
    create_staff(engine, "console-browser", STAFF_PASSWORD, display_name="小王")

    # The user asks for a person; the assistant says so and pauses.
    user = browser.new_context(locale="zh-CN", viewport={"width": 800, "height": 900}).new_page()
    user.goto(f"{running_assistant.url}/webhooks/webchat/")
    next_reply(user, 0)
    asked = say(user, "转人工")
    assert "人工客服" in next_reply(user, asked, "人工客服")
    user.screenshot(path=str(SCREENSHOTS / "1-user-asks-for-a-person.png"))
    sender_id = "web:" + json.loads(user.evaluate("localStorage.getItem('chat_session')"))["session_id"]
    [ticket] = [t for t in list_waiting_tickets(engine) if t.conversation_id == sender_id]
    assert (ticket.reason, ticket.channel, ticket.language) == ("user_request", "webchat", "zh")

    # Staff log in (in English), see the conversation arrive in the queue, and take it.
    staff = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900}).new_page()
    staff.on("dialog", lambda dialog: dialog.accept())
    staff.goto(f"{console_url}/")
    staff.get_by_label("Username").fill("console-browser")
    staff.get_by_label("Password").fill(STAFF_PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    row = staff.locator(f'#queue tr[data-ticket="{ticket.id}"]')
    row.wait_for(timeout=TIMEOUT_MS)
    assert "Asked for a person" in row.inner_text() and "Chinese" in row.inner_text()
    assert "转人工" in row.locator("td.last").inner_text()  # the family's last message, read from Rasa
    staff.screenshot(path=str(SCREENSHOTS / "2-queue.png"))
    row.get_by_role("button", name="Take it").click()
    staff.locator("#transcript").get_by_text("转人工", exact=True).wait_for(timeout=TIMEOUT_MS)

    # The reply reaches the user's open chat.
    staff.get_by_label("Your reply to the user").fill("您好，我是客服小王，请问有什么可以帮您？")
    before = user.locator(".rw-response").count()
    staff.get_by_role("button", name="Send").click()
    staff.get_by_text("Your reply was sent.").wait_for(timeout=TIMEOUT_MS)
    assert next_reply(user, before, "客服小王") == "您好，我是客服小王，请问有什么可以帮您？"
    user.screenshot(path=str(SCREENSHOTS / "3-user-sees-the-staff-reply.png"))

    # While staff are in charge the assistant stays quiet; the console shows the user's answer by itself.
    say(user, "我想问一下我妈妈能不能参加")
    staff.locator("#transcript").get_by_text("我想问一下我妈妈能不能参加").wait_for(timeout=TIMEOUT_MS)
    settle(user)
    assert bot_texts(user)[-1] == "您好，我是客服小王，请问有什么可以帮您？"
    staff.screenshot(path=str(SCREENSHOTS / "4-staff-see-the-answer.png"))

    # Hand back: the assistant says it is back and answers the user again.
    before = user.locator(".rw-response").count()
    staff.get_by_role("button", name="Hand back to the assistant").click()
    staff.get_by_text("The conversation is back with the assistant").wait_for(timeout=TIMEOUT_MS)
    assert "我回来了" in next_reply(user, before, "我回来了")
    asked = say(user, "这个计划是什么？")
    assert next_reply(user, asked)
    user.screenshot(path=str(SCREENSHOTS / "5-assistant-carries-on.png"))
    staff.screenshot(path=str(SCREENSHOTS / "6-console-after-hand-back.png"))

    actions = [e.action for e in reversed(list_audit(engine)) if e.actor.id == "console-browser"]
    for expected in ("staff.logged_in", "handoff.claimed", "handoff.replied", "handoff.closed"):
        assert expected in actions

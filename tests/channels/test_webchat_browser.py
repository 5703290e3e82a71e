"""The web chat page in a real browser against the real assistant: Chinese, English, reload, pushed reply.

Debian's Chromium driven by Playwright (never `playwright install`); screenshots go to
test-output/webchat/. Needs the trained model (the `running_assistant` fixture of tests/conftest.py).
"""
from __future__ import annotations

import json
import re
import shutil
import urllib.request
from typing import List
from urllib.parse import parse_qs, urlparse

import pytest

from bot.core.language import script_language
from bot.core.settings import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.rasa_server]

SCREENSHOTS = PROJECT_ROOT / "test-output" / "webchat"
REPLY_TIMEOUT_MS = 60_000


def bot_texts(page) -> List[str]:
    return [text.strip() for text in page.locator(".rw-response").all_inner_texts()]


def user_texts(page) -> List[str]:
    return [text.strip() for text in page.locator(".rw-client").all_inner_texts()]


def stored_session_id(page) -> str:
    """The session id rasa-webchat keeps in the browser's local storage (with the conversation)."""
    return json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]


def wait_for_reply(page, before: int) -> str:
    """The first bot message after the first `before` ones, once it has text."""
    page.wait_for_function(
        "n => { const r = document.querySelectorAll('.rw-response');"
        " return r.length > n && r[n].innerText.trim() !== ''; }",
        arg=before, timeout=REPLY_TIMEOUT_MS)
    return bot_texts(page)[before]


def settle(page) -> None:
    """Waits until the widget has shown the replies it is still holding back.

    It shows a turn's messages one by one, each after a typing delay; the next question must not be
    mistaken for the answer of the last one.
    """
    shown, quiet_checks = -1, 0
    for _ in range(REPLY_TIMEOUT_MS // 500):
        now = page.locator(".rw-response").count()
        typing = page.locator(".rw-typing-indication").count() > 0
        quiet_checks = quiet_checks + 1 if now == shown and not typing else 0
        if quiet_checks == 3:
            return
        shown = now
        page.wait_for_timeout(500)


def say(page, text: str) -> str:
    """Types `text` into the widget and returns the first reply that follows it."""
    settle(page)
    before = page.locator(".rw-response").count()
    page.locator(".rw-new-message").fill(text)
    page.keyboard.press("Enter")
    return wait_for_reply(page, before)


def push_agent_reply(assistant, sender_id: str, text: str) -> None:
    """What the support console does for an agent's reply."""
    body = json.dumps([{"event": "bot", "text": text}]).encode()
    request = urllib.request.Request(
        f"{assistant.url}/conversations/{sender_id}/tracker/events"
        "?execute_side_effects=true&output_channel=latest",
        data=body, method="POST", headers={"Content-Type": "application/json", **assistant.api_headers()})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_chat_in_both_languages_survives_a_reload_and_receives_agent_replies(running_assistant, browser):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 900, "height": 900})
    page = context.new_page()
    foreign_requests: List[str] = []
    page.on("request", lambda request: None if request.url.startswith(running_assistant.url)
            else foreign_requests.append(request.url))
    console_errors: List[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    routes: List[str] = []  # the ?session= of each socket.io request: what nginx routes the sender by
    page.on("request", lambda request: "/socket.io/" in request.url and routes.append(
        (parse_qs(urlparse(request.url).query).get("session") or [""])[0]))

    # Chinese: the page opens in the browser's language and the assistant greets in Chinese.
    page.goto(f"{running_assistant.url}/webhooks/webchat/")
    assert script_language(wait_for_reply(page, 0)) == "zh"
    # A first visit: before any session exists its socket.io requests carry a route key of its own, and
    # the session issued starts with it (deploy/nginx/sticky-maps.conf routes both on those 16 digits).
    assert re.fullmatch(r"[0-9a-f]{16}", routes[0]) and set(routes) == {routes[0]}
    assert stored_session_id(page).startswith(routes[0])
    assert script_language(say(page, "这个计划是什么？")) == "zh"
    page.screenshot(path=str(SCREENSHOTS / "1-chinese.png"))

    # English: the switch relabels the page and the widget; the assistant follows.
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Type a message…"
    assert script_language(say(page, "How much does it cost?")) == "en"
    page.screenshot(path=str(SCREENSHOTS / "2-english.png"))

    # Reload: the same conversation, on screen and on the server.
    session_id = stored_session_id(page)
    said_before = user_texts(page)
    routes.clear()
    page.reload()
    page.wait_for_selector(".rw-client", timeout=REPLY_TIMEOUT_MS)
    assert routes and set(routes) == {session_id}  # coming back: the whole session id, the same route key
    assert user_texts(page)[:len(said_before)] == said_before
    assert page.locator("html").get_attribute("lang") == "en"  # the language choice is kept too
    assert script_language(say(page, "Who can join?")) == "en"
    assert stored_session_id(page) == session_id
    page.screenshot(path=str(SCREENSHOTS / "3-after-reload.png"))

    sender_id = f"web:{session_id}"
    events = running_assistant.tracker(sender_id)["events"]
    said = [e["text"] for e in events if e.get("event") == "user"]
    assert said[-3:] == ["这个计划是什么？", "How much does it cost?", "Who can join?"]
    assert {e["metadata"].get("language") for e in events if e.get("event") == "user"} >= {"zh", "en"}

    # An agent's reply pushed through the HTTP API appears in the open page.
    settle(page)
    before = page.locator(".rw-response").count()
    push_agent_reply(running_assistant, sender_id, "人工客服：您好，我是小李。")
    assert wait_for_reply(page, before) == "人工客服：您好，我是小李。"
    page.screenshot(path=str(SCREENSHOTS / "4-agent-reply.png"))

    # Closing the tab and coming back on the same device: the same conversation; "Start over": a new one.
    said_so_far = user_texts(page)
    page.close()
    page = context.new_page()
    page.goto(f"{running_assistant.url}/webhooks/webchat/")
    page.wait_for_selector(".rw-client", timeout=REPLY_TIMEOUT_MS)
    assert user_texts(page)[:len(said_so_far)] == said_so_far and stored_session_id(page) == session_id
    page.screenshot(path=str(SCREENSHOTS / "5-back-in-a-new-tab.png"))
    page.locator(".restart").click()
    for _ in range(REPLY_TIMEOUT_MS // 100):  # the page reloads and the server issues a new session
        page.wait_for_timeout(100)
        fresh = page.evaluate("localStorage.getItem('chat_session')")
        if fresh and json.loads(fresh).get("session_id") not in (None, session_id):
            break
    assert stored_session_id(page) != session_id and user_texts(page) == []

    assert foreign_requests == []  # no CDN, no web fonts, nothing from another server
    assert not [e for e in console_errors if re.search("Content Security Policy|Refused to", e)]
    context.close()

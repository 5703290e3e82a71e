"""The web chat channel: rasa-webchat's socket.io protocol, pushed replies, and the page it serves.

A python-socketio client plays the widget against a real Sanic server running the channel; the stub agent
(conftest.py) echoes through the output channel it is given, as Rasa does, so no model is needed.
"""
from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any, Dict, List

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import UserMessage
from rasa.server import _get_output_channel
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.webchat import WIDGET_JS, WebChatInput, language_metadata


class Widget:
    """What rasa-webchat does on the wire: session_request on connect, user_uttered with customData.

    It connects over websocket, as the widget does once connected (see `aiohttp_ws_timeout_shim`).
    """

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.session_id: "asyncio.Future[str]" = asyncio.get_running_loop().create_future()
        self.bot_messages: List[Dict[str, Any]] = []
        self.transport = ""

        @self.client.on("session_confirm")
        async def session_confirm(session_id: str) -> None:
            if not self.session_id.done():
                self.session_id.set_result(session_id)

        @self.client.on("bot_uttered")
        async def bot_uttered(message: Dict[str, Any]) -> None:
            self.bot_messages.append(message)

    async def open(self, url: str, session_id: Any = None, transport: str = "websocket",
                   origin: str = "") -> str:
        self.transport = transport
        await self.client.connect(url, socketio_path="/socket.io", transports=[transport],
                                  headers={"Origin": origin} if origin else {})
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.session_id, 5)

    async def say(self, text: str, language: str = "zh") -> None:
        await self.client.emit("user_uttered", {"message": text, "customData": {"language": language},
                                                "session_id": self.session_id.result()})

    async def replies(self, count: int, timeout: float = 5) -> List[Dict[str, Any]]:
        for _ in range(int(timeout / 0.02)):
            if len(self.bot_messages) >= count:
                break
            await asyncio.sleep(0.02)
        return self.bot_messages

    async def close(self) -> None:
        if self.transport == "polling":
            # A polite disconnect waits up to 30 s for the open long-poll; the test does not need to.
            await self.client.eio.disconnect(abort=True)
        else:
            await self.client.disconnect()


@pytest.fixture(autouse=True)
def aiohttp_ws_timeout_shim(monkeypatch):
    """python-engineio 4.15's websocket client passes aiohttp 3.10's ClientWSTimeout, which the aiohttp
    3.9 that Rasa pins lacks; 3.9 takes the same close timeout as a plain number. (Test client only:
    the server side does not use it.)"""
    if not hasattr(aiohttp, "ClientWSTimeout"):
        monkeypatch.setattr(aiohttp, "ClientWSTimeout", lambda ws_close: ws_close, raising=False)


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


@pytest.fixture
async def rasa(serve_channels):
    running = await serve_channels(WebChatInput.from_credentials(
        {"session_persistence": True, "user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered"}))
    running.agent.reply = echo
    return running


@pytest.fixture
async def widgets():
    opened: List[Widget] = []

    def make() -> Widget:
        widget = Widget()
        opened.append(widget)
        return widget

    yield make
    for widget in opened:
        await widget.close()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_replies_arrive_with_session_persistence(rasa, widgets, transport: str):
    widget = widgets()
    session_id = await widget.open(rasa.url, transport=transport)
    assert re.fullmatch(r"[0-9a-f]{64}", session_id)

    await widget.say("你好", language="zh")
    assert await widget.replies(1) == [{"text": "echo: 你好"}]
    [message] = rasa.agent.messages
    assert message.sender_id == f"web:{session_id}"
    assert message.input_channel == "webchat"
    assert message.metadata == {"language": "zh"}


async def test_a_reloaded_page_continues_the_same_conversation(rasa, widgets):
    first = widgets()
    session_id = await first.open(rasa.url)
    await first.say("hello", language="en")
    await first.replies(1)
    await first.close()

    reloaded = widgets()
    assert await reloaded.open(rasa.url, session_id=session_id) == session_id
    await reloaded.say("still me", language="en")
    assert await reloaded.replies(1) == [{"text": "echo: still me"}]
    assert {m.sender_id for m in rasa.agent.messages} == {f"web:{session_id}"}


async def test_replies_pushed_through_the_http_api_reach_every_tab(rasa, widgets):
    tab1, tab2 = widgets(), widgets()
    session_id = await tab1.open(rasa.url)
    await tab2.open(rasa.url, session_id=session_id)
    sender_id = f"web:{session_id}"

    # What Rasa does for POST /conversations/{id}/tracker/events?execute_side_effects=true&output_channel=…
    for requested in ("webchat", "latest"):
        request = SimpleNamespace(args={"output_channel": requested}, app=rasa.app)
        tracker = DialogueStateTracker.from_events(sender_id, [UserUttered("hi", input_channel="webchat")])
        output_channel = _get_output_channel(request, tracker)
        await output_channel.send_text_message(sender_id, f"agent via {requested}")

    expected = [{"text": "agent via webchat"}, {"text": "agent via latest"}]
    assert await tab1.replies(2) == expected
    assert await tab2.replies(2) == expected


async def test_each_conversation_gets_only_its_own_replies(rasa, widgets):
    alice, bob = widgets(), widgets()
    await alice.open(rasa.url)
    await bob.open(rasa.url)
    await alice.say("alice here")
    await bob.say("bob here")
    assert await alice.replies(1) == [{"text": "echo: alice here"}]
    assert await bob.replies(1) == [{"text": "echo: bob here"}]
    await asyncio.sleep(0.2)
    assert len(alice.bot_messages) == len(bob.bot_messages) == 1


@pytest.mark.parametrize("requested", ["wx:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "../../x", 42, "ABCDEF",
                                       "0123456789abcdef0123456789abcdef",  # the old, unsigned form
                                       "0123456789abcdef0123456789abcdef" * 2])  # well formed, not signed
async def test_a_session_id_we_did_not_issue_is_replaced(rasa, widgets, requested: Any):
    session_id = await widgets().open(rasa.url, session_id=requested)
    assert session_id != requested
    assert re.fullmatch(r"[0-9a-f]{64}", session_id)


async def test_a_message_is_filed_under_its_own_session_whatever_it_claims(rasa, widgets):
    victim, intruder = widgets(), widgets()
    victim_session = await victim.open(rasa.url)
    intruder_session = await intruder.open(rasa.url)
    await intruder.client.emit("user_uttered", {"message": "let me in", "session_id": victim_session})
    await intruder.replies(1)
    assert [m.sender_id for m in rasa.agent.messages] == [f"web:{intruder_session}"]
    assert victim.bot_messages == []


async def test_messages_before_a_session_request_are_ignored(rasa):
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(rasa.url, socketio_path="/socket.io", transports=["websocket"])
    await client.emit("user_uttered", {"message": "too early", "session_id": "0" * 32})
    await client.emit("user_uttered", "not even a dict")
    await asyncio.sleep(0.3)
    await client.disconnect()
    assert rasa.agent.messages == []


async def test_custom_json_is_emitted_as_the_message_itself(rasa, widgets):
    widget = widgets()
    session_id = await widget.open(rasa.url)
    output = rasa.app.ctx.input_channels[0].get_output_channel()
    await output.send_custom_json(f"web:{session_id}", {"kind": "consent", "version": "2026-11"})
    assert await widget.replies(1) == [{"kind": "consent", "version": "2026-11"}]


@pytest.mark.parametrize("custom_data, expected", [
    ({"language": "zh"}, {"language": "zh"}),
    ({"language": "en-GB"}, {"language": "en"}),
    ({"language": "zh_CN"}, {"language": "zh"}),
    ('{"language": "en"}', {"language": "en"}),
    ({"language": "fr"}, {}),
    ({"language": "zh", "sender": "someone else"}, {"language": "zh"}),
    (None, {}),
    ("not json", {}),
    ({"language": 3}, {}),
])
def test_only_a_known_language_passes_from_custom_data_to_metadata(custom_data: Any, expected: Dict):
    assert language_metadata(custom_data) == expected


# --- the page and its scripts -------------------------------------------------------------------------

async def get(url: str, headers: Dict[str, str] | None = None):
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers=headers or {}) as response:
            return response.status, response.headers, await response.read()


@pytest.mark.parametrize("path", ["/webhooks/webchat/", "/webhooks/webchat"])
async def test_the_chat_page_is_served_with_a_strict_content_security_policy(rasa, path: str):
    status, headers, body = await get(rasa.url + path)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    page = body.decode()
    assert "/webhooks/webchat/static/embed.js" in page
    assert "中文" in page and "English" in page
    assert "https://" not in page  # nothing from another server, no CDN


async def test_the_widget_is_served_from_node_modules_without_remote_fonts(rasa):
    assert WIDGET_JS.exists(), "run `npm ci --prefix web` (the Makefile's setup does)"
    status, headers, body = await get(rasa.url + "/webhooks/webchat/static/webchat.js")
    assert status == 200
    assert headers["Content-Type"].startswith("application/javascript")
    assert b"window.WebChat" in body or b"e.WebChat=t()" in body
    assert b"fonts.googleapis.com" not in body

    status, _, _ = await get(rasa.url + "/webhooks/webchat/static/webchat.js",
                             {"If-None-Match": headers["ETag"]})
    assert status == 304


@pytest.mark.parametrize("name", ["embed.js", "page.js"])
async def test_the_loader_scripts_are_served(rasa, name: str):
    status, headers, body = await get(rasa.url + f"/webhooks/webchat/static/{name}")
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b"EnrollmentChat" in body


@pytest.mark.parametrize("path", ["index.html", "..%2F..%2Fcredentials.yml", "package.json", ""])
async def test_nothing_else_is_served(rasa, path: str):
    status, _, _ = await get(rasa.url + "/webhooks/webchat/static/" + path)
    assert status == 404


async def test_health(rasa):
    status, _, body = await get(rasa.url + "/webhooks/webchat/health")
    assert status == 200 and b"ok" in body


def test_output_channel_is_none_before_the_server_starts():
    with pytest.warns(UserWarning, match="cannot be recreated"):
        assert WebChatInput.from_credentials(None).get_output_channel() is None


async def test_with_a_jwt_key_only_clients_with_a_valid_token_connect(serve_channels):
    import jwt

    key = "a-shared-secret-of-at-least-32-bytes"
    running = await serve_channels(WebChatInput.from_credentials({"jwt_key": key}))
    refused = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        forged = jwt.encode({"user": "x"}, "another-secret-also-32-bytes-long!!", algorithm="HS256")
        await refused.connect(running.url, socketio_path="/socket.io", transports=["websocket"],
                              auth={"token": forged})
    allowed = socketio.AsyncClient(reconnection=False)
    await allowed.connect(running.url, socketio_path="/socket.io", transports=["websocket"],
                          auth={"token": jwt.encode({"user": "x"}, key, algorithm="HS256")})
    assert allowed.connected
    await allowed.disconnect()


async def test_the_privacy_line_says_the_conversation_is_kept_on_the_server_in_both_languages(rasa):
    _, _, page = await get(rasa.url + "/webhooks/webchat/")
    _, _, script = await get(rasa.url + "/webhooks/webchat/static/page.js")
    shown = page.decode() + script.decode()
    # It used to promise the conversation stays in the tab, which is not true: the server keeps it.
    assert "标签页" not in shown and "this tab only" not in shown
    assert shown.count("对话会保存在我们的服务器上") == 2  # the page as served and its Chinese text
    assert "The conversation is kept on our servers" in shown


async def test_a_session_id_cannot_be_made_up_from_another_ones_random_part(rasa, widgets):
    """Knowing someone's session's first half (the console shows conversation ids) is not enough."""
    victim = await widgets().open(rasa.url)
    forged = victim[:32] + ("0" if victim[32] != "0" else "1") + victim[33:]
    assert await widgets().open(rasa.url, session_id=forged) not in (victim, forged)


async def test_sessions_signed_with_another_key_are_not_accepted(serve_channels, widgets, monkeypatch):
    monkeypatch.setenv("WEBCHAT_SESSION_KEY", "key-one")
    first = await serve_channels(WebChatInput.from_credentials({"session_persistence": True}))
    issued = await widgets().open(first.url)
    monkeypatch.setenv("WEBCHAT_SESSION_KEY", "key-two")
    second = await serve_channels(WebChatInput.from_credentials({"session_persistence": True}))
    assert await widgets().open(second.url, session_id=issued) != issued
    assert await widgets().open(first.url, session_id=issued) == issued


async def test_a_page_of_another_site_cannot_open_the_chat(rasa, widgets):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await widgets().open(rasa.url, origin="https://evil.example")
    assert rasa.agent.messages == []


async def test_the_chats_own_page_and_rasa_cors_origins_can(serve_channels, widgets, monkeypatch):
    monkeypatch.setenv("RASA_CORS", "https://www.example.org")
    running = await serve_channels(WebChatInput.from_credentials({"session_persistence": True}))
    running.agent.reply = echo
    own_site = running.url  # http://127.0.0.1:<port>, what the page's Origin is when Rasa serves it
    for origin in (own_site, "https://www.example.org"):
        widget = widgets()
        await widget.open(running.url, origin=origin)
        await widget.say("hi")
        assert await widget.replies(1) == [{"text": "echo: hi"}]
    with pytest.raises(socketio.exceptions.ConnectionError):
        await widgets().open(running.url, origin="https://www.example.org.evil.example")


async def test_a_first_visit_gets_a_session_on_the_route_key_it_connected_with(rasa, widgets):
    """web/embed.js connects a first visit with ?session=<16 hex digits>, the key nginx routed it by; the
    session issued starts with it, so every later request of the conversation takes the same route."""
    route = "0123456789abcdef"
    issued = await widgets().open(f"{rasa.url}/?session={route}", transport="polling")
    assert re.fullmatch(route + r"[0-9a-f]{48}", issued)
    assert await widgets().open(f"{rasa.url}/?session={route}") != issued  # the key routes; it is not the session
    assert await widgets().open(f"{rasa.url}/?session={issued}", session_id=issued) == issued  # a reload
    for odd in ("", "?session=XYZ", "?session=0123", "?session=" + "f" * 40):
        assert not (await widgets().open(f"{rasa.url}/{odd}")).startswith(route)


def test_the_route_key_is_only_what_the_handshake_sent():
    from bot.channels.webchat import SessionIds, route_key

    assert route_key({"QUERY_STRING": "EIO=4&transport=polling&session=0123456789abcdef"}) == "0123456789abcdef"
    assert route_key({"QUERY_STRING": "session=" + "ab" * 32 + "&EIO=4"}) == "ab" * 8
    assert route_key({"QUERY_STRING": "session=../../x"}) == route_key({}) == ""
    sessions = SessionIds("k")
    assert sessions.issued(sessions.issue("0123456789abcdef")) and sessions.issued(sessions.issue("not hex"))
    assert sessions.issue("0123456789abcdef")[16:32] != sessions.issue("0123456789abcdef")[16:32]


def test_the_client_manager_can_be_kept_to_one_process(monkeypatch):
    from bot.channels.webchat import client_manager

    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("WEBCHAT_CLIENT_MANAGER", "memory")
    assert client_manager() is None
    monkeypatch.setenv("WEBCHAT_CLIENT_MANAGER", "rabbit")
    with pytest.raises(ValueError, match="WEBCHAT_CLIENT_MANAGER"):
        client_manager()


def test_with_shared_redis_every_replica_emits_through_it(monkeypatch):
    from socketio import AsyncRedisManager

    from bot.channels.webchat import client_manager

    monkeypatch.delenv("REDIS_HOST", raising=False)
    assert client_manager() is None  # one process: python-socketio's in-memory manager
    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("REDIS_DB", "4")
    manager = client_manager()
    assert isinstance(manager, AsyncRedisManager) and manager.channel == "enrollment-webchat-4"

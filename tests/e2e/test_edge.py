"""The production edge against the real servers: the assistant started by the launcher (Rasa server and
action server) with integrator keys, a web chat session key and a WeChat token, behind nginx running
deploy/nginx's production config (tests/deploy/test_nginx.py's loader: only the upstream addresses,
ports and log path changed). Each attack of issue 16 is driven and refused (4xx) or ignored, and the
legitimate path still works.

Skipped when nginx is not installed, unless REQUIRE_NGINX is set (scripts/setup-nginx.sh installs it).
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import aiohttp
import pytest
import socketio

from bot.rasa.api_token import authorization
from tests.conftest import assistant_started, free_port
from tests.deploy.test_nginx import NGINX, production_as_the_image_loads_it, scratch, started_nginx

pytestmark = [pytest.mark.rasa_server, pytest.mark.skipif(
    NGINX is None and not os.environ.get("REQUIRE_NGINX"),
    reason="nginx is not installed (scripts/setup-nginx.sh); set REQUIRE_NGINX=1 to make this a failure")]

REST_KEY = "integrator-key-" + uuid.uuid4().hex
SECRET = "test-api-token"  # what tests/conftest.py's assistant_started sets as RASA_API_TOKEN


class Site:
    def __init__(self, assistant, public: str, internal: str) -> None:
        self.assistant, self.public, self.internal = assistant, public, internal

    def call(self, url: str, method: str = "GET", body=None, headers=None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                try:
                    return response.status, json.loads(raw or b"null")
                except ValueError:
                    return response.status, raw.decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, None

    def say(self, sender: str, text: str) -> list[str]:
        status, replies = self.call(self.internal + "/webhooks/rest/webhook", "POST",
                                    {"sender": sender, "message": text},
                                    {"Authorization": f"Bearer {REST_KEY}", "X-Sender-Id": sender})
        assert status == 200, status
        return [r.get("text", "") for r in replies]

    def tracker(self, conversation_id: str) -> dict:
        status, tracker = self.call(f"{self.internal}/conversations/{conversation_id}/tracker",
                                    headers=authorization(SECRET, "tests"))
        assert status == 200
        return tracker

    def api(self, conversation_id: str, endpoint: str, body) -> int:
        return self.call(f"{self.internal}/conversations/{conversation_id}/{endpoint}", "POST", body,
                         authorization(SECRET, "tests"))[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("edge-data")
    with assistant_started(data, REST_INTEGRATOR_KEYS=f"partner:{REST_KEY}",
                           WEBCHAT_SESSION_KEY=uuid.uuid4().hex, WECHAT_TOKEN="wechat-token-e2e",
                           RASA_CORS="") as assistant:
        prefix = scratch(tmp_path_factory.mktemp("edge-nginx"))
        public_port, internal_port = free_port(), free_port()
        conf = production_as_the_image_loads_it(prefix, public_port, internal_port, (assistant.rasa_port,) * 3)
        nginx = started_nginx(prefix, conf, f"http://127.0.0.1:{public_port}/nginx-health")
        try:
            yield Site(assistant, f"http://127.0.0.1:{public_port}", f"http://127.0.0.1:{internal_port}")
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def new_sender() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


# --- the HTTP API: internal, a JWT header only, no secret on a command line -----------------------------

def test_the_http_api_and_rest_are_not_public(site):
    assert site.call(site.public + "/conversations/rest:partner:x/tracker", headers=authorization(SECRET))[0] == 404
    assert site.call(site.public + "/webhooks/rest/webhook", "POST", {"sender": "x", "message": "hi"},
                     {"Authorization": f"Bearer {REST_KEY}"})[0] == 404
    assert site.call(site.internal + "/model", "PUT", {"model_file": "/tmp/evil.tar.gz"},
                     authorization(SECRET))[0] == 403
    assert site.call(site.public + "/webhooks/webchat/")[0] == 200


def test_the_api_takes_a_jwt_header_never_the_token_in_the_query_string(site):
    url = f"{site.assistant.url}/conversations/x/tracker"
    assert site.call(f"{url}?token={SECRET}")[0] == 401  # Rasa has no auth token at all
    assert site.call(url)[0] == 401
    assert site.call(url, headers={"Authorization": "Bearer not-a-jwt"})[0] == 401
    assert site.call(url, headers=authorization("another-secret"))[0] == 401
    assert site.call(url, headers=authorization(SECRET))[0] == 200


def command_lines() -> list[str]:
    """Every process's command line as `ps` shows it (/proc/<pid>/cmdline), untruncated."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            pass  # it ended meanwhile
    return lines


def test_no_secret_is_on_any_command_line(site):
    ports = (f"--port {site.assistant.rasa_port}", f"--port {site.assistant.action_port}")
    ours = [line for line in command_lines() if any(port in line for port in ports)]
    assert any("bot.rasa.server" in line for line in ours) and any("run actions" in line for line in ours), ours
    for line in ours:
        assert SECRET not in line and REST_KEY not in line and "--auth-token" not in line, line


def test_the_action_server_listens_on_loopback_only(site):
    addresses = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    outside = [a for a in addresses if not a.startswith("127.") and ":" not in a]
    if not outside:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    import socket

    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex((outside[0], site.assistant.action_port)) != 0
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", site.assistant.action_port)) == 0


# --- REST: a key per integrator, senders namespaced -----------------------------------------------------

def test_rest_needs_an_integrator_key_and_namespaces_the_sender(site):
    sender = new_sender()
    assert site.call(site.internal + "/webhooks/rest/webhook", "POST", {"sender": sender, "message": "你好"})[0] == 401
    assert site.call(site.internal + "/webhooks/rest/webhook", "POST", {"sender": sender, "message": "你好"},
                     {"Authorization": "Bearer guessed"})[0] == 401
    assert site.say(sender, "你好")
    assert [e["text"] for e in site.tracker(f"rest:partner:{sender}")["events"] if e["event"] == "user"] == ["你好"]
    assert not [e for e in site.tracker(sender)["events"] if e["event"] == "user"]  # not un-namespaced


# --- typed payloads: no foreign language, no assistant-only slot, no end to a staff pause ----------------

def test_a_typed_payload_cannot_switch_to_a_language_we_do_not_speak(site):
    sender = new_sender()
    replies = site.say(sender, '/greet{"language": "fr"}')
    assert replies and all(replies), "the assistant must not go quiet"
    assert site.tracker(f"rest:partner:{sender}")["slots"]["language"] in ("zh", "en")
    assert site.say(sender, "你好")


def test_a_typed_payload_cannot_set_slots_only_the_assistant_sets(site):
    sender = new_sender()
    site.say(sender, "你好")
    site.say(sender, '/greet{"handoff_reason": "user_request", "enrollment_number": "SC000000-FAKE1", '
                     '"member_age": 65, "masked_id": "110***********002X", "pending_offer": "enroll"}')
    slots = site.tracker(f"rest:partner:{sender}")["slots"]
    for name in ("handoff_reason", "enrollment_number", "member_age", "masked_id", "pending_offer"):
        assert slots[name] is None, name


def test_restart_typed_while_staff_hold_the_conversation_does_not_end_the_pause(site):
    sender = new_sender()
    conversation = f"rest:partner:{sender}"
    site.say(sender, "你好")
    assert site.api(conversation, "tracker/events", {"event": "pause"}) == 200
    assert site.say(sender, "/restart") == []
    tracker = site.tracker(conversation)
    assert tracker["paused"] is True
    assert not [e for e in tracker["events"] if e["event"] == "restart"]
    assert site.api(conversation, "tracker/events", {"event": "resume"}) == 200  # staff hand back
    assert site.say(sender, "你好")


# --- web chat: other sites' pages refused, sessions only as issued --------------------------------------

async def open_chat(url: str, origin: str = "", session_id=None) -> tuple[socketio.AsyncClient, str]:
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    await client.connect(url, socketio_path="/socket.io", transports=["polling"],
                         headers={"Origin": origin} if origin else {})
    await client.emit("session_request", {"session_id": session_id})
    return client, await asyncio.wait_for(confirmed, 10)


async def close(client: socketio.AsyncClient) -> None:
    await client.eio.disconnect(abort=True)


async def test_through_the_edge_a_page_of_another_site_cannot_open_the_chat(site):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await open_chat(site.public, origin="https://evil.example")
    client, session_id = await open_chat(site.public, origin=site.public)  # the chat's own page
    await close(client)
    assert len(session_id) == 64


async def test_a_made_up_session_id_gets_a_new_session_and_an_issued_one_is_kept(site):
    client, issued = await open_chat(site.public)
    await close(client)
    client, again = await open_chat(site.public, session_id=issued)
    await close(client)
    assert again == issued
    forged = issued[:32] + "0" * 32
    client, other = await open_chat(site.public, session_id=forged)
    await close(client)
    assert other not in (issued, forged)


# --- WeChat: a call without a fresh, valid signature does nothing ---------------------------------------

def test_wechat_calls_without_a_valid_signature_are_refused_through_the_edge(site):
    import hashlib
    import time

    def signed(timestamp: int, nonce: str) -> str:
        parts = sorted(["wechat-token-e2e", str(timestamp), nonce])
        return hashlib.sha1("".join(parts).encode()).hexdigest()

    stale = int(time.time()) - 3600
    query = f"signature={signed(stale, 'n1')}&timestamp={stale}&nonce=n1&openid=o-e2e"
    body = "<xml><FromUserName>o-e2e</FromUserName><MsgType>text</MsgType><Content>hi</Content></xml>"
    request = urllib.request.Request(f"{site.public}/webhooks/wechat/webhook?{query}", data=body.encode(),
                                     method="POST", headers={"Content-Type": "text/xml"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403

"""Helpers of the console tests: a fake Rasa HTTP API at the network edge (a small aiohttp app on 127.0.0.1
that records every call), staff browsers, logging in, and tickets. The fixtures are in conftest.py."""
from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from datetime import timedelta
from typing import Any, Iterator, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.console import ConsoleConfig, create_app
from bot.core.settings import PROJECT_ROOT
from bot.store import create_handoff_ticket, list_audit

RASA_TOKEN = "fake-rasa-token"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PASSWORDS = {"alice": "correct horse battery", "bob": "staple of the battery"}


@contextmanager
def console_process(env: dict, port: int, log_path: Path) -> Iterator[str]:
    """`python -m bot.console` as its own process on 127.0.0.1:`port`, as staff run it: its URL once its
    /health answers (the test fails, naming the log, if it stops or does not answer within a minute)."""
    env = {**env, "CONSOLE_PORT": str(port), "CONSOLE_HOST": "127.0.0.1"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot.console"], cwd=PROJECT_ROOT, env=env,
                                   stdout=log, stderr=log, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the console did not start; see {log_path}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


def open_ticket(engine, conversation_id: str, **changes):
    values: dict[str, Any] = dict(conversation_id=conversation_id, channel="webchat", language="zh",
                                  reason="user_request", summary={"relationship": "mother", "member_age": 67})
    values.update(changes)
    return create_handoff_ticket(engine, **values)


def audit_actions(engine, subject: str) -> list[tuple[str, str]]:
    """(action, actor id) of the audit rows about `subject`, oldest first."""
    return [(e.action, e.actor.id) for e in reversed(list_audit(engine, subject=subject))]


@dataclass
class RasaCall:
    method: str
    conversation_id: str
    endpoint: str  # "tracker", "tracker/events", "trigger_intent"
    query: dict[str, str]
    body: Any


@dataclass
class FakeRasa:
    """Rasa's HTTP API as far as the console uses it. Conversations are lists of events; appended events
    are kept, so the transcript shows what the console sent. `fail` makes every call answer 500."""

    url: str = ""
    calls: list[RasaCall] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    paused: dict[str, bool] = field(default_factory=dict)
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    latest_input_channel: str = "webchat"
    fail: bool = False
    known_intents: set[str] = field(default_factory=lambda: {"resume_conversation"})

    def calls_to(self, endpoint: str) -> list[RasaCall]:
        return [c for c in self.calls if c.endpoint == endpoint]

    def app(self) -> web.Application:  # noqa: D102
        app = web.Application()
        app.router.add_route("*", "/conversations/{conversation_id}/{endpoint:.+}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        conversation_id = request.match_info["conversation_id"]
        endpoint = request.match_info["endpoint"]
        body = await request.json() if request.can_read_body else None
        self.calls.append(RasaCall(request.method, conversation_id, endpoint, dict(request.query), body))
        if "token" in request.query or not _signed_by(request.headers.get("Authorization", ""), RASA_TOKEN):
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        if self.fail:
            return web.json_response({"status": "failure", "reason": "ConversationError"}, status=500)
        events = self.events.setdefault(conversation_id, [])
        if (request.method, endpoint) == ("GET", "tracker"):
            return web.json_response({"sender_id": conversation_id, "events": events,
                                      "slots": self.slots.get(conversation_id, {}),
                                      "paused": self.paused.get(conversation_id, False),
                                      "latest_input_channel": self.latest_input_channel})
        if (request.method, endpoint) == ("POST", "tracker/events"):
            events.append({"timestamp": time.time(), **body})
            if body.get("event") in ("pause", "resume"):
                self.paused[conversation_id] = body["event"] == "pause"
            return web.json_response({"sender_id": conversation_id})
        if (request.method, endpoint) == ("POST", "trigger_intent"):
            if body.get("name") not in self.known_intents:
                return web.json_response({"status": "failure", "reason": "NotFound"}, status=404)
            events.append({"event": "user", "text": f"EXTERNAL: {body['name']}", "timestamp": time.time()})
            events.append({"event": "bot", "text": "I'm back.", "timestamp": time.time()})
            return web.json_response({"tracker": {"sender_id": conversation_id}})
        return web.json_response({"status": "failure"}, status=404)


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass
class Console:
    """The console on a local port; `client()` is a new browser (its own cookies)."""

    server: TestServer
    engine: Any
    rasa: FakeRasa
    _clients: list[TestClient] = field(default_factory=list)

    async def client(self, accept_language: str = "en") -> TestClient:
        client = TestClient(self.server, headers={"Accept-Language": accept_language})
        await client.start_server()
        self._clients.append(client)
        return client

    async def logged_in(self, username: str, accept_language: str = "en") -> "Staff":
        client = await self.client(accept_language)
        response = await login(client, username, PASSWORDS[username])
        assert response.status == 303, await response.text()
        return Staff(client, await csrf_token(client))

    async def close(self) -> None:
        for client in self._clients:
            await client.close()


@dataclass
class Staff:
    """A logged-in browser and the CSRF token of its session."""

    client: TestClient
    csrf: str

    async def post(self, path: str, data: Optional[dict[str, str]] = None, **kwargs):
        form = {"csrf_token": self.csrf, **(data or {})}
        return await self.client.post(path, data=form, allow_redirects=False, **kwargs)

    async def get(self, path: str, **kwargs):
        return await self.client.get(path, allow_redirects=False, **kwargs)


async def login_form_token(client: TestClient) -> str:
    page = await (await client.get("/login")).text()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


async def login(client: TestClient, username: str, password: str, next_path: str = "/"):
    token = await login_form_token(client)
    return await client.post("/login", data={"username": username, "password": password, "next": next_path,
                                             "csrf_token": token}, allow_redirects=False)


async def csrf_token(client: TestClient) -> str:
    page = await (await client.get("/")).text()
    return CSRF_META.search(page).group(1)


def console_config(database_url: str, rasa_url: str, **changes) -> ConsoleConfig:
    values: dict[str, Any] = dict(database_url=database_url, rasa_url=rasa_url, rasa_token=RASA_TOKEN,
                                  session_lifetime=timedelta(hours=1))
    values.update(changes)
    return ConsoleConfig(**values)


async def start_console(database_url: str, fake_rasa: FakeRasa, **changes) -> TestServer:
    server = TestServer(create_app(console_config(database_url, fake_rasa.url, **changes)), host="127.0.0.1")
    await server.start_server()
    return server


def _signed_by(header: str, secret: str) -> bool:
    """What Rasa's --jwt-secret check does: a Bearer JWT for the admin role, signed with `secret`."""
    import jwt

    scheme, _, token = header.partition(" ")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return False
    return scheme == "Bearer" and claims.get("user", {}).get("role") == "admin"

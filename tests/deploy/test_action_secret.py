"""The action server's shared secret (bot/rasa/action_server_auth.py, found by rasa-sdk through the
rasa_sdk_plugins shim), on rasa-sdk's own Sanic app and a real socket."""
from __future__ import annotations

import socket
import sys
from typing import Any

import aiohttp
import pytest
from rasa_sdk import Action
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic

from bot.rasa import action_server_auth

SECRET = "s3cret-for-tests"


class ActionPing(Action):
    def name(self) -> str:
        return "action_ping"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="pong")
        return []


CALL = {"next_action": "action_ping", "sender_id": "tester", "version": "3.6.2", "domain": {},
        "tracker": {"sender_id": "tester", "slots": {}, "latest_message": {}, "events": [],
                    "paused": False, "followup_action": None, "active_loop": {},
                    "latest_action_name": None}}


@pytest.fixture
async def action_server(monkeypatch):
    """rasa-sdk's app with this module's action and the plugins attached exactly as `rasa run actions` does."""
    servers = []
    Sanic.test_mode = True

    async def start(secret: str) -> str:
        monkeypatch.setenv("ACTION_SERVER_SECRET", secret)
        app = create_app(sys.modules[__name__], cors_origins=None)
        plugin_manager().hook.attach_sanic_app_extensions(app=app)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


def test_rasa_sdk_discovers_the_plugin():
    assert action_server_auth in plugin_manager().get_plugins()


async def post(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url + "/webhook", json=CALL, headers=headers or {}) as reply:
            return reply.status, await reply.json(content_type=None)


async def test_with_a_secret_only_callers_that_know_it_run_actions(action_server):
    url = await action_server(SECRET)
    assert (await post(url))[0] == 401
    assert (await post(url, {"X-Action-Secret": "wrong"}))[0] == 401
    assert (await post(url, {"X-Action-Secret": SECRET + "x"}))[0] == 401
    status, body = await post(url, {"X-Action-Secret": SECRET})
    assert status == 200 and body["responses"][0]["text"] == "pong"
    async with aiohttp.ClientSession() as session:  # probes need no secret
        async with session.get(url + "/health") as reply:
            assert reply.status == 200


async def test_without_a_secret_the_local_action_server_stays_open(action_server):
    url = await action_server("")
    status, body = await post(url)
    assert status == 200 and body["responses"][0]["text"] == "pong"


@pytest.mark.parametrize("given", [None, "", "s3cret", "s3cret-for-tests ", "ß3cret-for-tests"])
def test_secret_comparison(given):
    assert not action_server_auth.secret_matches(SECRET, given)
    assert action_server_auth.secret_matches(SECRET, SECRET)


def test_with_the_production_endpoints_and_no_secret_the_action_server_does_not_start(monkeypatch):
    """`rasa run actions` itself, as the manifests run it: it exits with the reason instead of serving."""
    import os
    import subprocess

    from bot.core.settings import PROJECT_ROOT

    env = {**os.environ, "RASA_ENDPOINTS": "endpoints.production.yml", "ACTION_SERVER_SECRET": "",
           "PYTHONPATH": str(PROJECT_ROOT)}
    from tests.conftest import free_port

    result = subprocess.run([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(free_port())],
                            env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ACTION_SERVER_SECRET must be set" in result.stderr + result.stdout


async def test_locally_the_action_server_listens_on_loopback_only(action_server, monkeypatch):
    monkeypatch.delenv("SANIC_HOST", raising=False)
    monkeypatch.delenv("ACTION_HOST", raising=False)
    await action_server("")
    import os

    assert os.environ["SANIC_HOST"] == "127.0.0.1"  # what rasa-sdk binds to, read right after the hook

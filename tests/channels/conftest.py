"""Fixtures for the channel tests: a real Sanic server on a free local port, and a fake WeChat API.

Channels are registered the way Rasa registers them (`rasa.core.channels.channel.register`), with a stub
agent in place of a trained model, so the tests need neither a model nor sanic-testing.
"""
from __future__ import annotations

import asyncio
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List

import pytest
from aiohttp import web
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic


class StubAgent:
    """Stands in for Rasa's Agent: records messages and answers them with `reply`, if given."""

    def __init__(self) -> None:
        self.messages: List[UserMessage] = []
        self.received = asyncio.Event()
        self.reply: Callable[[UserMessage], Awaitable[None]] | None = None

    async def handle_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        self.received.set()
        if self.reply is not None:
            await self.reply(message)


@dataclass
class RunningRasa:
    """A Sanic app serving input channels as `rasa run` does, under /webhooks/."""

    url: str
    app: Sanic
    agent: StubAgent


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
async def serve_channels() -> AsyncIterator[Callable[..., Awaitable[RunningRasa]]]:
    """Starts a Sanic server on 127.0.0.1 with the given channels; stops it after the test."""
    # Lets several apps start in one process, as sanic-testing does: Sanic rewrites some of its own methods
    # at the first start ("touchup") and in test mode keeps the originals for the next app.
    Sanic.test_mode = True
    servers: List[Any] = []

    async def start(*channels: InputChannel) -> RunningRasa:
        app = Sanic(f"channels_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
        agent = StubAgent()
        app.ctx.agent = agent
        register(list(channels), app, route="/webhooks/")
        sock = _free_socket()
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        return RunningRasa(f"http://127.0.0.1:{port}", app, agent)

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


@dataclass
class FakeWeChatAPI:
    """The two WeChat API endpoints the connector calls, with answers the test can script."""

    url: str = ""
    token_lifetime: int = 7200
    token_requests: List[Dict[str, str]] = field(default_factory=list)
    sent: List[Dict[str, Any]] = field(default_factory=list)  # accepted messages, with the token used
    send_errors: List[int] = field(default_factory=list)  # errcodes for the next sends, in order
    _issued: int = 0

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests.append(dict(request.query))
        if request.query.get("appid") != "wx-test-app" or request.query.get("secret") != "test-secret":
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        self._issued += 1
        return web.json_response({"access_token": f"token-{self._issued}", "expires_in": self.token_lifetime})

    async def send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        if token != f"token-{self._issued}":
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.send_errors:
            errcode = self.send_errors.pop(0)
            return web.json_response({"errcode": errcode, "errmsg": "scripted error"})
        self.sent.append({**await request.json(), "access_token": token})
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
async def wechat_api() -> AsyncIterator[FakeWeChatAPI]:
    fake = FakeWeChatAPI()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", fake.token)
    app.router.add_post("/cgi-bin/message/custom/send", fake.send)
    runner = web.AppRunner(app, access_log=None)  # its lines would show the fake tokens
    await runner.setup()
    sock = _free_socket()
    site = web.SockSite(runner, sock)
    await site.start()
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield fake
    await runner.cleanup()

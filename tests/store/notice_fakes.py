"""Fakes at the network edge for the notifier tests: the WeChat API (access token and customer-service
messages), the Rasa HTTP API's tracker-events endpoint (web chat pushes) and a REST integrator's
callback, all served by one local aiohttp server that records what it received."""
from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import jwt
from aiohttp import ClientSession, web

from bot.channels.wechat_api import WeChatClient
from bot.console.rasa_api import RasaClient
from bot.notify.delivery import Delivery

APP_ID, APP_SECRET, RASA_TOKEN = "wx-test-app", "test-secret", "rasa-test-token"


@dataclass
class Edge:
    url: str = ""
    wechat: list[dict[str, Any]] = field(default_factory=list)  # customer-service messages
    webchat: list[dict[str, Any]] = field(default_factory=list)  # {"conversation": ..., "event": ...}
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    rasa_down: bool = False

    async def token(self, request: web.Request) -> web.Response:
        assert request.query["appid"] == APP_ID and request.query["secret"] == APP_SECRET
        return web.json_response({"access_token": "token-1", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        await asyncio.sleep(0.01)  # a real network call takes a while: races get their chance
        self.wechat.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def events(self, request: web.Request) -> web.Response:
        if self.rasa_down:
            return web.json_response({"status": "failure"}, status=500)
        # Rasa's HTTP API takes a JWT signed with RASA_API_TOKEN in the header, never ?token=
        assert "token" not in request.query
        scheme, _, signed = request.headers["Authorization"].partition(" ")
        assert scheme == "Bearer" and jwt.decode(signed, RASA_TOKEN, algorithms=["HS256"])["user"]["role"] == "admin"
        assert request.query["execute_side_effects"] == "true"
        self.webchat.append({"conversation": request.match_info["cid"], "event": await request.json()})
        return web.json_response({})

    async def callback(self, request: web.Request) -> web.Response:
        self.callbacks.append({"key": request.headers["Idempotency-Key"], **await request.json()})
        return web.json_response({})


@asynccontextmanager
async def edge_and_delivery(*, rest_callback: bool = False) -> AsyncIterator[tuple[Edge, Delivery]]:
    edge = Edge()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", edge.token)
    app.router.add_post("/cgi-bin/message/custom/send", edge.send)
    app.router.add_post("/conversations/{cid}/tracker/events", edge.events)
    app.router.add_post("/callback", edge.callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    edge.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    wechat = WeChatClient(APP_ID, APP_SECRET, edge.url)
    async with ClientSession() as http:
        delivery = Delivery(http, wechat=wechat, rasa=RasaClient(http, edge.url, RASA_TOKEN),
                            rest_callback_url=f"{edge.url}/callback" if rest_callback else "")
        try:
            yield edge, delivery
        finally:
            await wechat.close()
            await runner.cleanup()

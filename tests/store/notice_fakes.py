"""Fakes at the network edge for the notifier tests: the WeChat API (access token, customer-service and
template messages), the Rasa HTTP API's tracker endpoints (web chat pushes; when a user last wrote) and a
REST integrator's callback, all served by one local aiohttp server that records what it received."""
from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Mapping, Optional

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
    templates: list[dict[str, Any]] = field(default_factory=list)  # template messages
    last_wrote: dict[str, datetime] = field(default_factory=dict)  # conversation id -> user's last message
    window_closed: set[str] = field(default_factory=set)  # openids WeChat refuses customer-service messages to
    rasa_down: bool = False

    async def token(self, request: web.Request) -> web.Response:
        assert request.query["appid"] == APP_ID and request.query["secret"] == APP_SECRET
        return web.json_response({"access_token": "token-1", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        await asyncio.sleep(0.01)  # a real network call takes a while: races get their chance
        message = await request.json()
        if message["touser"] in self.window_closed:
            return web.json_response({"errcode": 45015, "errmsg": "response out of time limit"})
        self.wechat.append(message)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def template(self, request: web.Request) -> web.Response:
        assert request.query["access_token"] == "token-1"
        self.templates.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": 200228332})

    async def tracker(self, request: web.Request) -> web.Response:
        if self.rasa_down:
            return web.json_response({"status": "failure"}, status=500)
        scheme, _, signed = request.headers["Authorization"].partition(" ")
        assert scheme == "Bearer" and jwt.decode(signed, RASA_TOKEN, algorithms=["HS256"])
        wrote = self.last_wrote.get(request.match_info["cid"])
        events = [{"event": "action", "name": "action_listen", "timestamp": 1_700_000_000.0}]
        if wrote is not None:  # as Rasa keeps it: seconds since the epoch, then the assistant's answer
            events += [{"event": "user", "text": "你好", "timestamp": wrote.timestamp()},
                       {"event": "bot", "text": "您好", "timestamp": wrote.timestamp() + 1}]
        return web.json_response({"sender_id": request.match_info["cid"], "events": events})

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
async def edge_and_delivery(*, rest_callback: bool = False, wechat_templates: Optional[Mapping[str, str]] = None
                            ) -> AsyncIterator[tuple[Edge, Delivery]]:
    edge = Edge()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", edge.token)
    app.router.add_post("/cgi-bin/message/custom/send", edge.send)
    app.router.add_post("/cgi-bin/message/template/send", edge.template)
    app.router.add_get("/conversations/{cid}/tracker", edge.tracker)
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
                            rest_callback_url=f"{edge.url}/callback" if rest_callback else "",
                            wechat_templates=wechat_templates)
        try:
            yield edge, delivery
        finally:
            await wechat.close()
            await runner.cleanup()

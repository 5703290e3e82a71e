"""The scale test's handed-over families, each counting what reaches it: web chat users (socket.io
through the router's public port, connected as web/embed.js connects: a route key of their own in
`?session=` on a first visit) and WeChat users (pushes signed as WeChat signs them, through the same
port), whose replies the fake WeChat API at the network edge records as the assistant sends them."""
from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

WECHAT_TOKEN, WECHAT_APP_ID = "scale-wechat-token", "wx-scale-app"
REQUEST_TIMEOUT_S = 60  # one socket.io request, as enrollers.REQUEST_TIMEOUT_S is one REST turn
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*{}\[\]()#+\-.!_>~|])")


class FakeWeChatAPI:
    """WeChat's API as the assistant calls it (an access token, customer-service messages), in a thread
    of this process; every message sent is kept with the time it arrived."""

    def __init__(self) -> None:
        sent: list[tuple[float, dict]] = []
        self.sent = sent

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # /cgi-bin/token
                self._answer({"access_token": "scale-token", "expires_in": 7200})

            def do_POST(self) -> None:  # /cgi-bin/message/custom/send
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path.startswith("/cgi-bin/message/custom/send"):
                    sent.append((time.monotonic(), body))
                self._answer({"errcode": 0, "errmsg": "ok"})

            def _answer(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # its lines would show the token
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def environment(self) -> dict:
        """What the replicas need to serve the WeChat channel against this fake."""
        return {"WECHAT_TOKEN": WECHAT_TOKEN, "WECHAT_APP_ID": WECHAT_APP_ID,
                "WECHAT_APP_SECRET": secrets.token_hex(16), "WECHAT_API_BASE": self.url}

    def texts_to(self, openid: str) -> list[tuple[float, str]]:
        return [(at, m.get("text", {}).get("content", "")) for at, m in list(self.sent) if m.get("touser") == openid]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WebChatUser:
    """A first visit of the web chat, as rasa-webchat speaks socket.io (long polling: the websocket
    client of this engine.io needs a newer aiohttp than Rasa's)."""

    def __init__(self, route: str) -> None:
        import socketio

        self.route = route
        # engine.io's own default gives a request 5 s, which a replica under the main wave's load (or a
        # shared machine's) can exceed on the handshake; the widget's socket.io-client waits 20 s.
        self.client = socketio.AsyncClient(reconnection=False, request_timeout=REQUEST_TIMEOUT_S)
        self.received: list[tuple[float, str]] = []
        self.session: asyncio.Future = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", self._confirmed)
        self.client.on("bot_uttered", self._uttered)

    async def _confirmed(self, session_id: str) -> None:
        if not self.session.done():
            self.session.set_result(session_id)

    async def _uttered(self, message: dict) -> None:
        text = message.get("text") if isinstance(message, dict) else None
        if isinstance(text, str):  # as the widget shows it: the channel sends escaped Markdown
            self.received.append((time.monotonic(), _MARKDOWN_ESCAPE.sub(r"\1", text).replace("  \n", "\n")))

    async def open(self, public: str) -> str:
        await self.client.connect(f"{public}/?session={self.route}", socketio_path="/socket.io",
                                  transports=["polling"])
        await self.client.emit("session_request", {"session_id": None})
        return "web:" + await asyncio.wait_for(self.session, 60)

    @property
    def sender(self) -> str:
        return "web:" + self.session.result()

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "customData": {"language": "zh"}})

    async def close(self) -> None:
        await self.client.eio.disconnect(abort=True)  # a polite disconnect waits out the open long-poll


async def wechat_push(http, public: str, openid: str, text: str) -> str:
    """A text message as WeChat pushes it (signed with the token; WeChat's timestamp is real time, which
    the channel checks, so this one edge reads the clock). Returns the replica that took it."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    xml = (f"<xml><ToUserName><![CDATA[gh_scale]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
           f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           f"<Content><![CDATA[{text}]]></Content><MsgId>{uuid.uuid4().int % 10**17}</MsgId></xml>")
    params = {"signature": signature, "timestamp": timestamp, "nonce": nonce, "openid": openid}
    async with http.post(f"{public}/webhooks/wechat/webhook", params=params, data=xml.encode(),
                         headers={"Content-Type": "text/xml"}) as response:
        body = await response.text()
        if response.status != 200 or body != "success":
            raise RuntimeError(f"the WeChat webhook answered {response.status} {body[:80]!r}")
        return response.headers.get("X-Upstream", "")


def socket_replicas(access_log: Path, route: str) -> set[str]:
    """The replicas that served the socket.io requests routed by `route`, from the router's access log."""
    found = set()
    for line in access_log.read_text(errors="replace").splitlines():
        if '"GET /socket.io/' in line or '"POST /socket.io/' in line:
            if f" key={route} " in line:
                found.add(line.rsplit(" upstream=", 1)[1].split(" ", 1)[0])
    return found

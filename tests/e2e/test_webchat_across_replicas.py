"""Two real Rasa replicas (production endpoints: PostgreSQL trackers, Redis locks, the web chat's Redis
client manager): a staff reply sent by the console's own client to replica B reaches the web chat user
whose socket.io connection is on replica A."""
from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest
import socketio

from bench.scale.cluster import scratch_folder, start_cluster
from bot.console.rasa_api import RasaClient
from bot.ops import launcher

# Several minutes and the production services: `make replica-test` (pytest -m replicas), not `make test`.
pytestmark = [pytest.mark.rasa_server, pytest.mark.replicas]

STAFF_REPLY = "您好，我是客服小李，您的报名我来跟进。"


@pytest.fixture(scope="module")
def two_replicas():
    saved = dict(os.environ)
    cluster = None
    try:
        cluster = start_cluster(scratch_folder("webchat-replicas-"), db_name="webchat_replicas", redis_db=12,
                                ports=((5205, 5206), (5255, 5256), 8280))
        yield cluster
    finally:
        if cluster is not None:
            launcher.stop(cluster.children)
        os.environ.clear()
        os.environ.update(saved)


class WebChatUser:
    """A browser's web chat, as rasa-webchat speaks socket.io: a session, messages, the bot's replies."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient()
        self.replies: asyncio.Queue = asyncio.Queue()
        self.session: asyncio.Future = asyncio.get_running_loop().create_future()
        self.client.on("session_confirm", self._confirmed)
        self.client.on("bot_uttered", self.replies.put)

    async def _confirmed(self, session_id) -> None:
        self.session.set_result(session_id)

    async def open(self, url: str) -> str:
        await self.client.connect(url, socketio_path="/socket.io", transports=["polling"])  # engine.io's websocket client needs a newer aiohttp
        await self.client.emit("session_request", {"session_id": None})
        return "web:" + await asyncio.wait_for(self.session, 30)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "customData": {"language": "zh"}})

    async def next_texts_until(self, wanted: str, timeout_s: float) -> list[str]:
        texts: list[str] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while wanted not in texts:
            reply = await asyncio.wait_for(self.replies.get(), max(0.1, deadline - loop.time()))
            texts.append(reply.get("text"))
        return texts


async def staff_reply_across_replicas(cluster) -> tuple[list[str], list[str]]:
    replica_a, replica_b = (f"http://127.0.0.1:{port}" for port in cluster.rasa_ports)
    user = WebChatUser()
    sender = await user.open(replica_a)
    try:
        await user.say("你好")
        greeting = [(await asyncio.wait_for(user.replies.get(), 90)).get("text")]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            console = RasaClient(http, replica_b, cluster.env["RASA_API_TOKEN"])
            await console.send_staff_reply(sender, STAFF_REPLY, staff_id=7)
        return greeting, await user.next_texts_until(STAFF_REPLY, timeout_s=10)
    finally:
        await user.client.disconnect()


def test_a_staff_reply_sent_to_replica_b_reaches_the_user_connected_to_replica_a(two_replicas):
    greeting, after_reply = asyncio.run(staff_reply_across_replicas(two_replicas))
    assert greeting and greeting[0]  # the assistant answered the user on replica A
    assert after_reply[-1] == STAFF_REPLY

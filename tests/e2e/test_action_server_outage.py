"""The action server down or slow: the assistant says so within seconds, offers a person, and carries on.

A real Rasa server and action server, with the wire between them (the network edge) replaced by a link
the test can slow down or cut.
"""
from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Optional

import pytest
from aiohttp import ClientSession, web

from bot import store
from bot.store.sealed_slots import unseal
from tests.conftest import assistant_started, free_port

pytestmark = pytest.mark.rasa_server

ACTION_TIMEOUT_S = 2
SLOW_S = 60  # far longer than anyone would wait
PASSED_HEADERS = ("Content-Type", "Content-Encoding", "X-Action-Secret")


class ActionServerLink:
    """An HTTP hop in front of the action server: 'up' forwards, 'slow' stalls, 'down' refuses."""

    def __init__(self, target: str) -> None:
        self.target, self.port, self.mode = target, free_port(), "up"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None
        self._released: Optional[asyncio.Event] = None  # set to let stalled requests go

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start(self) -> None:
        self._thread.start()
        self._call(self._listen())

    def set(self, mode: str) -> None:
        if self.mode == "slow" and mode != "slow":
            # Stalled requests answer at once; otherwise stopping the server waits for them (up to a minute).
            self._call(self._release_stalled())
        if mode == "down" and self._runner is not None:
            self._call(self._runner.cleanup())
            self._runner = None
        elif mode != "down" and self._runner is None:
            self._call(self._listen())
        self.mode = mode

    def close(self) -> None:
        self.set("down")
        self._call(self._cancel_stalled())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @staticmethod
    async def _cancel_stalled() -> None:
        stalled = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in stalled:
            task.cancel()
        await asyncio.gather(*stalled, return_exceptions=True)

    async def _release_stalled(self) -> None:
        if self._released is not None:
            self._released.set()
        self._released = asyncio.Event()

    def _call(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    async def _listen(self) -> None:
        if self._released is None:
            self._released = asyncio.Event()
        app = web.Application()
        app.router.add_post("/webhook", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def _forward(self, request: web.Request) -> web.Response:
        if self.mode == "slow":
            released = self._released
            try:
                await asyncio.wait_for(released.wait(), SLOW_S)
            except asyncio.TimeoutError:
                pass
            raise web.HTTPServiceUnavailable()  # the caller gave up long ago
        headers = {name: request.headers[name] for name in PASSED_HEADERS if name in request.headers}
        async with ClientSession() as session:
            async with session.post(self.target, data=await request.read(), headers=headers) as answer:
                return web.Response(body=await answer.read(), status=answer.status,
                                    content_type=answer.content_type)


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """An assistant whose Rasa server reaches its action server only through an ActionServerLink."""
    link = ActionServerLink(target="")
    link.start()
    try:
        with assistant_started(tmp_path_factory.mktemp("outage-data"), ACTION_ENDPOINT_URL=link.url,
                               ACTION_TIMEOUT_SECONDS=str(ACTION_TIMEOUT_S),
                               STAFF_HOURS="00:00-24:00") as assistant:
            link.target = f"http://127.0.0.1:{assistant.action_port}/webhook"
            yield assistant, link
    finally:
        link.close()


@pytest.fixture
def assistant(outage):
    running, link = outage
    link.set("up")
    yield running
    link.set("up")


def timed(assistant, sender: str, message: str) -> tuple[str, float]:
    started = time.monotonic()
    replies = assistant.texts(sender, message)
    return " ".join(replies), time.monotonic() - started


def test_a_slow_action_server_gets_an_apology_and_an_offer_within_seconds(assistant, outage):
    link = outage[1]
    sender = f"slow-{uuid.uuid4().hex[:8]}"
    link.set("slow")
    said, seconds = timed(assistant, sender, "我想给我妈报名防癌计划")
    # At most the session start and the enrollment form each wait out the timeout.
    assert seconds < 3 * ACTION_TIMEOUT_S + 4, seconds
    assert "出了点问题" in said and "转人工" in said

    link.set("up")
    said, _ = timed(assistant, sender, "我想给我妈报名防癌计划")
    assert "出了点问题" not in said and "您的信息怎么用" in said  # the enrollment goes on: the privacy notice


def test_an_answer_given_while_the_action_server_is_down_is_not_kept_unchecked(assistant, outage):
    link = outage[1]
    sender = f"down-{uuid.uuid4().hex[:8]}"
    assistant.texts(sender, "我想给我妈报名防癌计划")
    assistant.texts(sender, "同意")
    assistant.texts(sender, "她叫王秀英")

    link.set("down")
    said, seconds = timed(assistant, sender, "110105196103150029")
    assert seconds < ACTION_TIMEOUT_S + 3, seconds
    assert "出了点问题" in said
    assert assistant.tracker(sender)["slots"]["id_number"] is None  # never validated, so not kept

    link.set("up")
    said, _ = timed(assistant, sender, "110105196103150029")
    assert "出了点问题" not in said and "手机" in said  # accepted; the next question is the phone
    assert unseal(assistant.tracker(sender)["slots"]["id_number"]) == "110105196103150029"


def test_a_person_can_be_reached_while_the_action_server_is_down(assistant, outage):
    link = outage[1]
    sender = f"human-{uuid.uuid4().hex[:8]}"
    link.set("down")
    said, _ = timed(assistant, sender, "I want to sign my mother up for the cancer plan")
    assert "went wrong" in said and "talk to a human" in said

    said, _ = timed(assistant, sender, "talk to a human")
    assert "support staff" in said
    assert assistant.tracker(sender)["paused"] is True

    engine = store.engine_for(f"sqlite:///{assistant.data_dir / 'enrollment.db'}")
    ticket = next(t for t in store.list_waiting_tickets(engine) if t.conversation_id == sender)
    assert ticket.reason == "assistant_problem" and ticket.language == "en"
    assert ticket.summary["relationship"] in (None, "mother")

"""The live queue: open queue pages hear at once when a conversation is handed to people, taken, put back
or closed, through Server-Sent Events (`GET /queue/events`), and then fetch /queue.json again.

Tickets are opened by the assistant's processes and taken on any console replica, so no process knows
every change by itself: each console process has one `QueueWatch` that reads the open tickets' state from
the store every `CHECK_SECONDS` while anyone listens (one indexed query per replica, however many staff
are connected, bot.store.open_tickets_state) and wakes its listeners when the state differs. The event
carries no data (the page asks /queue.json, behind the login as always). A stream ends after
`STREAM_SECONDS` and the browser reconnects by itself, so an expired session does not keep one open;
pages also poll slowly, for the waiting times and last messages, and in case a stream is cut.

The watch reads its baseline when a stream joins, before the page hears the stream is open (and then asks
/queue.json once): a ticket opened in between is in that answer or is announced, never missed.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator, Callable, Optional

from aiohttp import web

from bot.console import keys
from bot.store import open_tickets_state

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0  # a comment line, so proxies do not drop an idle stream
STREAM_SECONDS = 300.0
RETRY_MS = 3000


class QueueWatch:
    """Reads the store's open-ticket state while someone listens; `version` goes up at each change."""

    def __init__(self, read_state: Callable[[], Any], interval: float = CHECK_SECONDS) -> None:
        self._read = read_state
        self._interval = interval
        self._state: Optional[Any] = None
        self._listeners = 0
        self.version = 0
        self.changed = asyncio.Event()  # replaced by a fresh one at each change
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        while not self.stopping.is_set():
            await asyncio.sleep(self._interval)
            if not self._listeners:
                self._state = None  # nobody listens: read nothing, and start afresh on the next listener
                continue
            state = await self._read_state()
            if state is None:
                continue
            if self._state is not None and state != self._state:
                self._announce()
            self._state = state

    async def _read_state(self) -> Optional[Any]:
        try:
            return await asyncio.to_thread(self._read)
        except Exception as error:  # the store restarting: try again next time
            log.warning("the live queue could not read the store: %s", type(error).__name__)
            return None

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[None]:
        """One listener for the time of the block; the first one reads the baseline before going on."""
        self._listeners += 1
        try:
            if self._state is None:
                self._state = await self._read_state()
            yield
        finally:
            self._listeners -= 1

    def _announce(self) -> None:
        self.version += 1
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()

    def stop(self) -> None:
        self.stopping.set()
        self.changed.set()

    async def changes(self, seen: int, heartbeat: float = HEARTBEAT_SECONDS,
                      lifetime: float = STREAM_SECONDS) -> AsyncIterator[bool]:
        """True at each change, False when `heartbeat` seconds passed without one; ends after `lifetime`
        seconds or when the console stops. Called inside `listening()`; `seen` is the version there."""
        loop = asyncio.get_running_loop()
        ends = loop.time() + lifetime
        while not self.stopping.is_set() and loop.time() < ends:
            if self.version == seen:
                try:
                    await asyncio.wait_for(self.changed.wait(), min(heartbeat, max(ends - loop.time(), 0)))
                except asyncio.TimeoutError:
                    yield False
                    continue
            if self.stopping.is_set():
                return
            seen = self.version
            yield True


QUEUE_WATCH = web.AppKey("queue_watch", QueueWatch)


async def queue_events(request: web.Request) -> web.StreamResponse:
    """The event stream of the queue page: `event: queue` whenever the list of open tickets changes."""
    watch = request.app[QUEUE_WATCH]
    response = web.StreamResponse(headers={"X-Accel-Buffering": "no"})  # nginx: pass each event on at once
    response.content_type = "text/event-stream"
    async with watch.listening():
        seen = watch.version
        await response.prepare(request)
        try:
            await response.write(f"retry: {RETRY_MS}\n\n".encode())
            async for changed in watch.changes(seen):
                await response.write(b"event: queue\ndata: changed\n\n" if changed else b": still here\n\n")
        except ConnectionResetError:
            pass  # the page was closed
    return response


async def watching(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the process's QueueWatch over the console's store, stopped with the console."""
    engine = app[keys.ENGINE]
    watch = QueueWatch(lambda: open_tickets_state(engine))
    app[QUEUE_WATCH] = watch
    task = asyncio.create_task(watch.run())
    yield
    watch.stop()
    task.cancel()


async def stop_streams(app: web.Application) -> None:
    """on_shutdown: end every open stream, so stopping the console does not wait for pages to close."""
    if QUEUE_WATCH in app:
        app[QUEUE_WATCH].stop()

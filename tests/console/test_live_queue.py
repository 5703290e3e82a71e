"""The live queue's watch (bot.console.live): a page that has just opened hears of every ticket opened after
it asked for the list, however soon, and a quiet stream sends heartbeats."""
from __future__ import annotations

import asyncio

from bot.console.live import QueueWatch


async def watched(state: list[str]) -> tuple[QueueWatch, asyncio.Task]:
    watch = QueueWatch(lambda: tuple(state), interval=0.01)
    return watch, asyncio.create_task(watch.run())


async def test_a_ticket_opened_just_after_a_page_starts_listening_is_announced():
    state = ["ticket 1"]
    watch, task = await watched(state)
    try:
        async with watch.listening():  # the stream joins; the page then asks /queue.json: ticket 1
            seen = watch.version
            state.append("ticket 2")  # opened before the watch's first check
            changes = watch.changes(seen, heartbeat=5, lifetime=5)
            assert await asyncio.wait_for(changes.__anext__(), 2) is True
    finally:
        watch.stop()
        task.cancel()


async def test_a_quiet_queue_sends_heartbeats_and_a_stopped_console_ends_the_stream():
    watch, task = await watched(["ticket 1"])
    try:
        async with watch.listening():
            changes = watch.changes(watch.version, heartbeat=0.05, lifetime=5)
            assert await asyncio.wait_for(changes.__anext__(), 2) is False
            watch.stop()
            assert [changed async for changed in changes] == []
    finally:
        task.cancel()


async def test_nobody_listening_means_no_reads():
    reads = []
    watch = QueueWatch(lambda: reads.append(1) or (), interval=0.01)
    task = asyncio.create_task(watch.run())
    await asyncio.sleep(0.1)
    watch.stop()
    task.cancel()
    assert reads == []

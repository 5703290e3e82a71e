"""The production lock store against the local Redis: a conversation whose turn died with its replica
(SIGKILL: the ticket is never given back) is free again within seconds, while a live turn, however
long, keeps its lock and the next message of that conversation waits for it."""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis

from bot.rasa.lock_store import TICKET_SECONDS, KeptAliveRedisLockStore

REDIS_DB = 11


@pytest.fixture
def make_store():
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).ping()
    except redis.ConnectionError:
        pytest.fail("the lock store tests need the local Redis on 127.0.0.1:6379")

    def made() -> KeptAliveRedisLockStore:  # one per replica
        return KeptAliveRedisLockStore(host="127.0.0.1", port=6379, db=REDIS_DB, key_prefix="test-locks")
    return made


async def test_a_killed_replicas_ticket_frees_the_conversation_within_seconds(make_store):
    conversation = f"web:{uuid.uuid4().hex}"
    killed = make_store()
    killed.issue_ticket(conversation, TICKET_SECONDS)  # took the lock, then died: never renewed or freed
    began = time.monotonic()
    async with make_store().lock(conversation):
        waited = time.monotonic() - began
    assert waited <= TICKET_SECONDS + 1  # Rasa's own store: 60 s


async def test_a_long_live_turn_keeps_its_lock_and_the_next_message_waits(make_store):
    conversation = f"web:{uuid.uuid4().hex}"
    replica = make_store()
    order = []

    async def turn(name: str, seconds: float) -> None:
        async with replica.lock(conversation):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    first = asyncio.create_task(turn("first", TICKET_SECONDS * 2))  # longer than a ticket lives
    await asyncio.sleep(0.5)
    await asyncio.gather(first, turn("second", 0))
    assert order == ["first starts", "first ends", "second starts", "second ends"]

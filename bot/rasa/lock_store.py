"""The conversation lock store of the production endpoints: Rasa's Redis lock store, with tickets that
live seconds and are kept alive while their turn runs.

Rasa processes one message per conversation at a time: each message takes a ticket in the
conversation's lock (in Redis, shared by the replicas) and waits for the tickets before it. A ticket
lives 60 s (TICKET_LOCK_LIFETIME), so when a replica is killed (SIGKILL, an OOM kill) in the middle of
a turn, its ticket blocks that conversation for up to a minute: the user's resent message, now on
another replica, waits that long. Here a ticket lives TICKET_SECONDS and the process that holds it
renews it every KEEP_ALIVE_SECONDS while its turn runs, however long the turn takes; a dead process
renews nothing, so its ticket expires within TICKET_SECONDS and the next turn goes ahead. Waiting
turns look at the lock every WAIT_SECONDS instead of every second.
"""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

log = logging.getLogger(__name__)

TICKET_SECONDS = 4.0
KEEP_ALIVE_SECONDS = 1.0
WAIT_SECONDS = 0.2


class KeptAliveRedisLockStore(RedisLockStore):
    """RedisLockStore (same endpoint settings) with short tickets kept alive by their holder."""

    ticket_seconds = TICKET_SECONDS
    keep_alive_seconds = KEEP_ALIVE_SECONDS
    wait_seconds = WAIT_SECONDS

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """From the endpoints file (`type: bot.rasa.lock_store.KeptAliveRedisLockStore`, which Rasa
        hands in as `endpoint_config`), or with RedisLockStore's own arguments."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = TICKET_SECONDS,
                   wait_time_in_seconds: float = WAIT_SECONDS) -> AsyncGenerator[TicketLock, None]:
        """The conversation's lock, once the tickets before this one are done or expired; Rasa's
        `lock_lifetime` and wait are replaced by this store's (see the module)."""
        ticket = self.issue_ticket(conversation_id, self.ticket_seconds)
        keeper = asyncio.create_task(self._keep_alive(conversation_id, ticket))
        try:
            yield await self._acquire_lock(conversation_id, ticket, self.wait_seconds)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep_alive(self, conversation_id: Text, ticket: int) -> None:
        while True:
            await asyncio.sleep(self.keep_alive_seconds)
            try:
                self.renew(conversation_id, ticket)
            except Exception as problem:  # noqa: BLE001 - Redis away for a moment: try again next time
                log.warning("could not renew a conversation lock ticket: %s", type(problem).__name__)

    def renew(self, conversation_id: Text, ticket: int) -> Optional[float]:
        """Push the expiry of `ticket` TICKET_SECONDS ahead; its new expiry, or None when it is gone."""
        lock = self.get_lock(conversation_id)
        held = next((t for t in lock.tickets if t.number == ticket), None) if lock else None
        if held is None:
            return None
        held.expires = time.time() + self.ticket_seconds
        self.save_lock(lock)
        return held.expires

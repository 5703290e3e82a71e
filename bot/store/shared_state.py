"""Short-lived facts that every replica of a server must agree on: "this WeChat nonce was used", "this
message was handled", "this is the current access token", "this many failed logins".

In production (REDIS_HOST set: bot.core.settings.shared_redis_url) they live in Redis, so a replayed nonce or
a retried message is recognised whichever replica it reaches, and replicas share one WeChat access
token instead of invalidating each other's. Locally they live in this process's memory (bounded),
which is right for one process; the memory variant takes a test clock, Redis keeps time itself.
"""
from __future__ import annotations

import time
from typing import Callable, Optional, Protocol

MEMORY_MAX_ENTRIES = 100_000
_COUNT = ("local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end "
          "return n")
_UNCOUNT = "if redis.call('get', KEYS[1]) and tonumber(redis.call('get', KEYS[1])) > 0 then return redis.call('decr', KEYS[1]) end return 0"
_COMPARE_AND_DELETE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class SharedState(Protocol):
    async def add_if_absent(self, key: str, ttl_s: float) -> bool:
        """Marks `key` for `ttl_s` seconds; True when it was not marked already (first use)."""

    async def get(self, key: str) -> Optional[str]: ...

    async def put(self, key: str, value: str, ttl_s: float) -> None: ...

    async def delete_if(self, key: str, value: str) -> None:
        """Forgets `key` only while it still holds `value` (another replica may have replaced it)."""

    async def count(self, key: str, ttl_s: float) -> int:
        """Adds one to the counter `key` (which expires `ttl_s` after its first count); the new count."""

    async def uncount(self, key: str) -> None:
        """Takes one back from the counter `key`, if it still exists."""

    async def delete(self, key: str) -> None: ...


class MemoryState:
    """One process's shared state."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, str]] = {}

    def _live(self, key: str) -> Optional[str]:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        return entry[1]

    def _put(self, key: str, value: str, ttl_s: float) -> None:
        if len(self._entries) >= MEMORY_MAX_ENTRIES:
            now = self._clock()
            for stale in [k for k, (expiry, _) in self._entries.items() if expiry <= now]:
                del self._entries[stale]
            if len(self._entries) >= MEMORY_MAX_ENTRIES:
                del self._entries[min(self._entries, key=lambda k: self._entries[k][0])]
        self._entries[key] = (self._clock() + ttl_s, value)

    async def add_if_absent(self, key: str, ttl_s: float) -> bool:
        if self._live(key) is not None:
            return False
        self._put(key, "1", ttl_s)
        return True

    async def get(self, key: str) -> Optional[str]:
        return self._live(key)

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        self._put(key, value, ttl_s)

    async def delete_if(self, key: str, value: str) -> None:
        if self._live(key) == value:
            del self._entries[key]

    async def count(self, key: str, ttl_s: float) -> int:
        current = self._live(key)
        if current is None:
            self._put(key, "1", ttl_s)
            return 1
        expiry, _ = self._entries[key]
        self._entries[key] = (expiry, str(int(current) + 1))
        return int(current) + 1

    async def uncount(self, key: str) -> None:
        current = self._live(key)
        if current is not None:
            expiry, _ = self._entries[key]
            self._entries[key] = (expiry, str(max(0, int(current) - 1)))

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)


class RedisState:
    """Shared state in Redis (redis-py's asyncio client, which Rasa's lock store brings)."""

    def __init__(self, url: str, prefix: str = "enrollment:") -> None:
        import redis.asyncio

        self._redis = redis.asyncio.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def add_if_absent(self, key: str, ttl_s: float) -> bool:
        return bool(await self._redis.set(self._prefix + key, "1", nx=True, px=max(1, int(ttl_s * 1000))))

    async def get(self, key: str) -> Optional[str]:
        return await self._redis.get(self._prefix + key)

    async def put(self, key: str, value: str, ttl_s: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_s * 1000)))

    async def delete_if(self, key: str, value: str) -> None:
        await self._redis.eval(_COMPARE_AND_DELETE, 1, self._prefix + key, value)

    async def count(self, key: str, ttl_s: float) -> int:
        return int(await self._redis.eval(_COUNT, 1, self._prefix + key, max(1, int(ttl_s * 1000))))

    async def uncount(self, key: str) -> None:
        await self._redis.eval(_UNCOUNT, 1, self._prefix + key)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.close()


def shared_state(clock: Callable[[], float] = time.monotonic) -> SharedState:
    """Redis when REDIS_HOST is set (production), else this process's memory."""
    from bot.core import settings

    url = settings.shared_redis_url()
    return RedisState(url) if url else MemoryState(clock)


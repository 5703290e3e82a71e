"""A small in-memory mapping whose entries expire after a fixed time and whose size is bounded.

Channels use it to remember what they saw recently (WeChat message ids, offered button choices) without
growing without limit when traffic is heavy or hostile.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """Entries live `ttl_seconds`; past `max_entries` the oldest are dropped first."""

    def __init__(
        self,
        ttl_seconds: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        # key -> (expiry time, value); kept in expiry order because every entry has the same lifetime.
        self._entries: "OrderedDict[K, tuple[float, V]]" = OrderedDict()

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        self._expire()
        return key in self._entries

    def get(self, key: K) -> Optional[V]:
        self._expire()
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def put(self, key: K, value: V) -> None:
        self._expire()
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self._ttl, value)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> Optional[V]:
        self._expire()
        entry = self._entries.pop(key, None)
        return entry[1] if entry else None

    def add_if_absent(self, key: K, value: V) -> bool:
        """Stores `value` under `key` unless the key is live already; True when it was stored."""
        if key in self:
            return False
        self.put(key, value)
        return True

    def _expire(self) -> None:
        now = self._clock()
        while self._entries:
            oldest_key, (expires_at, _) = next(iter(self._entries.items()))
            if expires_at > now:
                break
            del self._entries[oldest_key]

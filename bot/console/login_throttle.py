"""Slowing down password guessing: after N failed logins for a username from one address within a window,
that pair is refused (429) until the oldest failure leaves the window.

Kept in memory: the console runs as one process, and a restart forgetting the counts costs an attacker a
restart. A successful login clears its pair. The map is bounded, so a flood of made-up usernames cannot
grow it without end.
"""
from __future__ import annotations

import time
from collections import deque
from datetime import timedelta
from typing import Callable

MAX_TRACKED_PAIRS = 10_000


class LoginThrottle:
    def __init__(self, failures_allowed: int, window: timedelta,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._allowed = failures_allowed
        self._window = window.total_seconds()
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    @staticmethod
    def _key(username: str, address: str) -> tuple[str, str]:
        return username.strip().lower(), address

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.get(key, deque())
        horizon = self._clock() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def is_blocked(self, username: str, address: str) -> bool:
        """True while this username has had its allowed failures from this address within the window."""
        return len(self._recent(self._key(username, address))) >= self._allowed

    def record_failure(self, username: str, address: str) -> None:
        key = self._key(username, address)
        failures = self._recent(key)
        if key not in self._failures and len(self._failures) >= MAX_TRACKED_PAIRS:
            self._forget_expired()
            if len(self._failures) >= MAX_TRACKED_PAIRS:  # still full: drop the pair seen longest ago
                oldest = min(self._failures, key=lambda k: self._failures[k][-1])
                del self._failures[oldest]
        failures.append(self._clock())
        self._failures[key] = failures

    def clear(self, username: str, address: str) -> None:
        """Forget the failures of a pair (after its successful login)."""
        self._failures.pop(self._key(username, address), None)

    def _forget_expired(self) -> None:
        for key in list(self._failures):
            self._recent(key)

"""Slowing down password guessing: each login attempt takes a place in two counters before its password
is checked, one per username and one per client address; past the limit of either within the window the
console answers 429 without checking the password.

Taking the place first matters: the password check is slow (argon2) and awaited, so counting only
failures after it let 20 parallel guesses all be tried. Counting per address as well stops guesses
spread over many usernames, and per username stops guesses spread over many addresses. A successful
login clears its username's counter and gives its place in the address's back (so staff behind one
office address can log in all day; the address's failed attempts still count). The counters are shared by every console replica through Redis in production
(bot.store.shared_state), in memory locally; the client address is the trusted proxy's X-Forwarded-For only
(client_address).
"""
from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Iterable, Optional, Sequence, Union

from bot.store.shared_state import MemoryState, SharedState

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class LoginThrottle:
    def __init__(self, failures_allowed: int, window: timedelta, *, per_address: Optional[int] = None,
                 state: Optional[SharedState] = None) -> None:
        self._allowed = failures_allowed
        self._per_address = per_address if per_address is not None else 10 * failures_allowed
        self._window = window.total_seconds()
        self._state = state if state is not None else MemoryState()

    @staticmethod
    def _user_key(username: str) -> str:
        return "console:login:user:" + username.strip().lower()

    @staticmethod
    def _address_key(address: str) -> str:
        return "console:login:address:" + address

    async def reserve(self, username: str, address: str) -> bool:
        """Takes this attempt's place before the password check; False: refuse it (429) unchecked."""
        by_user = await self._state.count(self._user_key(username), self._window)
        by_address = await self._state.count(self._address_key(address), self._window)
        return by_user <= self._allowed and by_address <= self._per_address

    async def succeeded(self, username: str, address: str) -> None:
        """The password was right: the username's attempts no longer count, nor this one for the address."""
        await self._state.delete(self._user_key(username))
        await self._state.uncount(self._address_key(address))


def trusted_networks(raw: Union[str, Iterable[str]]) -> tuple[Network, ...]:
    """CONSOLE_TRUSTED_PROXIES: space-separated addresses or networks (ValueError for a bad one)."""
    items = raw.split() if isinstance(raw, str) else list(raw)
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _in(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: Optional[str], forwarded_for: Optional[str], trusted: Sequence[Network]) -> str:
    """Who is logging in: the connection's address, unless it is a trusted proxy; then the nearest
    address in X-Forwarded-For that is not a trusted proxy (a client can prepend anything, so the list
    is read from the right)."""
    address = peer or "unknown"
    if not trusted or not _in(address, trusted) or not forwarded_for:
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not _in(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # garbage from a client beyond our proxies: count it as the proxy's
    return address

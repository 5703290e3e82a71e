"""What each family said last, for the queue: the user's latest message, numbers masked, shortened.

The words live in Rasa's tracker, not in the store, so the queue asks Rasa (the same call as a ticket's
transcript) and remembers each answer for a few seconds: many staff pages refreshing the queue cost one
call per conversation per `TTL_SECONDS`, not one per page. A conversation Rasa does not answer for shows
no last message (the queue still works while Rasa restarts). ID numbers and phones are masked already by
`conversation_from_tracker` (bot.core.personal_data).
"""
from __future__ import annotations

import asyncio
import time
from typing import Callable, Iterable, Optional

from aiohttp import web

from bot.console.rasa_api import RasaClient, RasaUnavailable
from bot.console.transcript import Conversation

TTL_SECONDS = 10.0
MAX_CHARS = 60  # about two lines of a phone's card
MAX_ENTRIES = 2000
CONCURRENT_CALLS = 8
CALL_SECONDS = 3.0  # a slow Rasa must not hold the queue page for its full timeout


def last_user_text(conversation: Conversation, max_chars: int = MAX_CHARS) -> str:
    """The user's latest message with text, on one line, cut at `max_chars` with "…"."""
    for line in reversed(conversation.lines):
        if line.speaker == "user" and line.text.strip():
            text = " ".join(line.text.split())
            return text if len(text) <= max_chars else text[:max_chars - 1].rstrip() + "…"
    return ""


class LastMessages:
    """The last user message of conversations, each remembered for `ttl` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[float, str]] = {}
        self._calls = asyncio.Semaphore(CONCURRENT_CALLS)

    async def of(self, rasa: RasaClient, conversation_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(conversation_ids))
        texts = await asyncio.gather(*(self._one(rasa, conversation_id) for conversation_id in ids))
        return dict(zip(ids, texts))

    async def _one(self, rasa: RasaClient, conversation_id: str) -> str:
        now = self._clock()
        known = self._known.get(conversation_id)
        if known is not None and known[0] > now:
            return known[1]
        text = await self._ask(rasa, conversation_id)
        if len(self._known) >= MAX_ENTRIES:
            self._known = {key: value for key, value in self._known.items() if value[0] > now}
            if len(self._known) >= MAX_ENTRIES:
                self._known.clear()
        self._known[conversation_id] = (now + self._ttl, text or "")
        return text or ""

    async def _ask(self, rasa: RasaClient, conversation_id: str) -> Optional[str]:
        async with self._calls:
            try:
                conversation = await asyncio.wait_for(rasa.conversation(conversation_id), CALL_SECONDS)
            except (RasaUnavailable, asyncio.TimeoutError):
                return None
        return last_user_text(conversation)


LAST_MESSAGES = web.AppKey("last_messages", LastMessages)

"""The enrollment store for async code (the action server, the Rasa server's guards, the console, the
notifier): the same functions, run in a worker thread so that an event loop never waits on the database.

    store = configured_store()                      # DATABASE_URL, or the local SQLite file
    result = await store.submit_enrollment(submission)   # bot.store.submit_enrollment(engine, submission)
    await store.run(opt_out_of_notices, sender_id, now=now)  # any function taking the engine first
"""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Awaitable, Callable

from sqlalchemy.engine import Engine

from bot.core import settings
from bot.store.db import engine_for


class AsyncStore:
    """Every public function of bot.store as a coroutine method, with the engine filled in."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`function(engine, *args, **kwargs)` in a worker thread."""
        return await asyncio.to_thread(function, self.engine, *args, **kwargs)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        import bot.store

        function = None if name.startswith("_") or name not in bot.store.__all__ else getattr(bot.store, name)
        if not callable(function):
            raise AttributeError(f"bot.store has no function {name!r}")

        @functools.wraps(function)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self.run(function, *args, **kwargs)

        return call


def configured_engine() -> Engine:
    """The enrollment store's engine: DATABASE_URL, or the local SQLite file."""
    return engine_for(settings.database_url())


def configured_store() -> AsyncStore:
    return AsyncStore(configured_engine())

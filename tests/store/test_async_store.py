"""The store for async callers: the same functions, awaited, against the same database, and only the
store's public functions."""
from __future__ import annotations

import asyncio
import threading

import pytest

from bot.store.aio import AsyncStore
from tests.store.store_samples import submission


def test_an_awaited_submission_is_stored_and_read_back(engine):
    async def scenario():
        store = AsyncStore(engine)
        result = await store.submit_enrollment(submission())
        return result, await store.get_enrollment(result.enrollment_number)

    result, view = asyncio.run(scenario())
    assert result.status == "created" and view.enrollment_number == result.enrollment_number


def test_the_database_work_runs_off_the_event_loop(engine):
    seen = {}

    def where(engine_given, value):
        seen["thread"], seen["engine"], seen["value"] = threading.get_ident(), engine_given, value
        return value

    async def scenario():
        seen["loop_thread"] = threading.get_ident()
        return await AsyncStore(engine).run(where, 42)

    assert asyncio.run(scenario()) == 42
    assert seen["engine"] is engine and seen["thread"] != seen["loop_thread"]


@pytest.mark.parametrize("name", ["_run", "pii", "no_such_function"])
def test_only_the_stores_public_functions_are_offered(engine, name):
    with pytest.raises(AttributeError):
        getattr(AsyncStore(engine), name)

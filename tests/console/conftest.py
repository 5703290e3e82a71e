"""Fixtures of the console tests: the console on a real local port over a fresh store, a fake Rasa HTTP API,
and two staff accounts (helpers in console_support.py).

The store is a SQLite file per test; tests that parametrize `database_url` over BACKENDS also run on
PostgreSQL (TEST_POSTGRES_URL, a schema per test, as the store tests do).
"""
from __future__ import annotations

import uuid
from typing import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import create_staff, dispose_engines, engine_for, upgrade_schema
from console_support import PASSWORDS, Console, FakeRasa, start_console


@pytest.fixture
def database_url(request, tmp_path, monkeypatch):
    """An empty store at the newest schema: SQLite, or PostgreSQL when parametrized so."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'enrollment.db'}"
        upgrade_schema(url)
        yield url
        dispose_engines()
        return
    server_url, admin = request.getfixturevalue("postgres_server")
    schema = f"console_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    try:
        upgrade_schema(url)
        yield url
    finally:
        dispose_engines()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(database_url):
    return engine_for(database_url)


@pytest.fixture
def staff(engine):
    """Two staff accounts: alice ("Alice Wang") and bob."""
    return {
        "alice": create_staff(engine, "alice", PASSWORDS["alice"], display_name="Alice Wang"),
        "bob": create_staff(engine, "bob", PASSWORDS["bob"]),
    }


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


@pytest.fixture
async def console(database_url, engine, staff, fake_rasa) -> AsyncIterator[Console]:
    server = await start_console(database_url, fake_rasa)
    running = Console(server, engine, fake_rasa)
    yield running
    await running.close()
    await server.close()

"""Fixtures of the store tests: every test that takes `engine` runs on SQLite and on PostgreSQL.

SQLite uses a fresh file under tmp_path. PostgreSQL uses TEST_POSTGRES_URL (see `python -m bot settings`):
each test gets its own schema (via the connection's search_path), dropped afterwards, so parallel runs
never collide and nothing is left beside Rasa's tracker tables. Unset → the PostgreSQL variants skip and
say why; set but unreachable → they fail.
"""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store import dispose_engines, engine_for, upgrade_schema

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    """Each test generates its own key files, as a first run does, and closes the engines it opened."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ID_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("ID_HASH_KEY", raising=False)
    yield
    dispose_engines()


def with_search_path(url: str, schema: str) -> str:
    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A URL of an empty database of each kind, upgraded to the newest schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / 'enrollment.db'}"
        return
    server_url, admin = request.getfixturevalue("postgres_server")
    schema = f"store_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(server_url, schema)
    finally:
        dispose_engines()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(database_url):
    upgrade_schema(database_url)
    return engine_for(database_url)

"""Engines for the enrollment store.

`engine_for(url)` gives one Engine per URL (cached). SQLite: foreign keys on, WAL journal, a busy timeout,
and every transaction begun with BEGIN IMMEDIATE, so concurrent writers queue for the write lock instead
of failing with "database is locked" half way through. PostgreSQL: a connection pool with pre-ping.

Every engine hides statement parameters (`hide_parameters=True`): an error or echo logs the SQL, never
the names, birth dates or tokens bound into it. SQLite files are private to their owner (0600, the
folder 0700) and deleted content is overwritten (`secure_delete`), so old values do not linger in free
pages of the file.

Every database error is counted (`assistant_store_errors_total`, bot.metrics).

Units of work open their own session: `with Session(engine) as s, s.begin(): ...`.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from bot.metrics import count_store_error

SQLITE_BUSY_TIMEOUT_SECONDS = 30

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """The Engine for `url`, created on first use and shared afterwards (engines are thread-safe)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every cached engine's connections and forget them (tests, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _create_engine(url: str) -> Engine:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=10,
                               hide_parameters=True)
    count_errors(engine, "enrollment")
    return engine


def count_errors(engine: Engine, store: str) -> None:
    """Count every database error of `engine` in assistant_store_errors_total{store=...} (bot.metrics)."""

    def _on_error(context) -> None:
        count_store_error(store, context.original_exception)

    event.listen(engine, "handle_error", _on_error)


def make_private(path: Path) -> None:
    """Make a file (or folder) readable by its owner only, if it exists and is ours to change."""
    try:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    except (FileNotFoundError, PermissionError):
        pass


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    files: list[Path] = []
    if database and database != ":memory:":
        path = Path(database)
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    engine = create_engine(
        url,
        future=True,
        hide_parameters=True,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()
        for file in files:  # the database and its WAL files, whatever the process's umask
            make_private(file)

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes can fail at
        # once (SQLITE_BUSY) when another writer committed in between; an immediate one waits its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine

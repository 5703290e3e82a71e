"""The enrollment store's schema migrations (Alembic scripts in versions/) and the upgrade that runs them.

Every service may run the upgrade at start (the launcher, the console, the notifier, `python -m bot db
upgrade` in the Kubernetes pods' init containers, the tests): `upgrade_schema(url)`. It is safe when
several run at once: one at a time under a lock (PostgreSQL: a transaction-scoped advisory lock;
SQLite: a lock on a file next to the database), and whoever comes second finds the schema up to date
and leaves it alone. A service started before its database answers, or while another one migrates,
waits for the schema (up to `wait_s`) instead of failing.
"""
from __future__ import annotations

import fcntl
import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from bot.store.db import engine_for

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent
ADVISORY_LOCK_KEY = 0x656E_726F_6C6C  # "enroll": the one PostgreSQL advisory lock the migrations take
DEFAULT_WAIT_S = 300.0


class SchemaNotReady(RuntimeError):
    """The database did not answer, or another migration held the lock, for the whole wait."""


def upgrade_schema(url: str, wait_s: float = DEFAULT_WAIT_S) -> None:
    """Bring the database at `url` to the newest schema (`alembic upgrade head`), creating it if new; one
    process at a time (see the module). Raises SchemaNotReady after `wait_s` seconds of waiting."""
    from alembic import command
    from alembic.config import Config

    deadline = time.monotonic() + wait_s
    engine = engine_for(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with _sqlite_file_lock(engine, deadline), _connection(engine, deadline) as connection:
        with connection.begin():
            _advisory_lock(connection, deadline)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@contextmanager
def _connection(engine: Engine, deadline: float) -> Iterator[Connection]:
    """A connection, retried until `deadline` while the database does not answer yet."""
    while True:
        try:
            connection = engine.connect()
            break
        except OperationalError as error:
            if time.monotonic() >= deadline:
                raise SchemaNotReady(f"the enrollment store does not answer: {error.orig}") from None
            log.info("the enrollment store does not answer yet; waiting to migrate it")
            time.sleep(1)
    try:
        yield connection
    finally:
        connection.close()


def _advisory_lock(connection: Connection, deadline: float) -> None:
    """PostgreSQL: wait for the migrations' advisory lock, held until this transaction ends."""
    if connection.dialect.name != "postgresql":
        return
    wait_ms = max(1, int((deadline - time.monotonic()) * 1000))
    connection.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
    try:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    except OperationalError as error:
        raise SchemaNotReady("another process held the migration lock for the whole wait") from error
    connection.execute(text("SET LOCAL lock_timeout = 0"))


@contextmanager
def _sqlite_file_lock(engine: Engine, deadline: float) -> Iterator[None]:
    """SQLite (a file): an exclusive lock on `<database>.migrating` while migrating."""
    database = make_url(str(engine.url)).database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    path = Path(database).with_name(Path(database).name + ".migrating")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SchemaNotReady("another process held the migration lock for the whole wait") from None
                time.sleep(0.2)
        yield
    finally:
        os.close(descriptor)  # releases the lock

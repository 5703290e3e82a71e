"""The local conversation store's SQLite files: how the store and Rasa's SQL broker open them.

A write-ahead log with fsync at checkpoints, not at every commit (a commit 0.95 ms -> 0.03 ms,
bench/README.md), and the connections pooled: SQLAlchemy 1.4 gives a file database no pool, so Rasa
opened and tuned a new connection for every read, save and publish (about 7 % of a turn). Closing the
last connection was also when SQLite checkpointed the log; a rewrite that forgets stored values now does
it at once (`overwrite_forgotten`), so the forgotten values leave the disk as they did before.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000")


def _tune(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def tuned_sqlite(engine: Engine) -> Engine:
    """Rasa's SQLite engine (the store's, the SQL broker's) tuned, and pooled for a file. An in-memory
    database keeps Rasa's engine: its one connection is the database."""
    if engine.url.database in (None, "", ":memory:"):
        event.listen(engine, "connect", _tune)
        return engine
    pooled = create_engine(engine.url, poolclass=QueuePool, pool_size=5, max_overflow=10,
                           connect_args={"check_same_thread": False})
    event.listen(pooled, "connect", _tune)
    engine.dispose()
    return pooled


def overwrite_forgotten(engine: Engine) -> None:
    """After a rewrite that forgot stored values: on SQLite, the write-ahead log is copied into the file
    and emptied at once, so the old pages leave the disk now. (With the connections pooled, nothing
    closes the file after a turn, which is when SQLite would otherwise do it.)"""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    if busy and busy[0]:
        log.warning("the conversation file could not be checkpointed after forgetting: a reader held it")

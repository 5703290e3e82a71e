"""The conversation (tracker) store of the local, embedded setup: Rasa's SQL tracker store on a SQLite
file, with a write-ahead log and fsync at checkpoints instead of at every turn.

Rasa saves the conversation after every turn. With SQLite's defaults (a rollback journal, fsync on each
commit) that commit was one of the larger costs of a turn in the profile (bench/). In WAL mode with
`synchronous = NORMAL` a commit survives the Rasa server crashing or being restarted; only a power loss
or an operating-system crash can take back the last turns before a checkpoint. Enrollments, consents
and audit records are not kept here: they are in the enrollment store (bot/store), whose commits stay
fully synchronous. Production uses PostgreSQL (endpoints.production.yml) and is untouched.
"""
from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import event

PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000")


def _tune(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class LocalTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (same arguments, tables and behaviour) with the SQLite connections tuned."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _tune)
            self.engine.dispose()  # connections made while creating the tables reconnect tuned

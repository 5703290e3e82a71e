"""Every service runs `python -m bot db upgrade` at start: several at once leave one schema, a service
waits while another migrates, and the wait is bounded. On SQLite and on the local PostgreSQL."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.store.migrations import ADVISORY_LOCK_KEY
from tests.store.test_store_schema import _head_revision

ROOT = Path(__file__).resolve().parents[2]


def migrate(url: str, *extra: str) -> subprocess.Popen:
    """What a service's start runs (a pod's init container, the console, the notifier)."""
    return subprocess.Popen([sys.executable, "-m", "bot", "--database-url", url, "db", "upgrade", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def finished(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


@contextmanager
def migration_lock_held(url: str):
    """Another process in the middle of migrating: it holds the migrations' lock."""
    if make_url(url).get_backend_name() == "sqlite":
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".migrating"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield
        return
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
    engine.dispose()


def schema_state(url: str) -> tuple[list, set]:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = set(inspect(connection).get_table_names())
            assert MigrationContext.configure(connection).get_current_revision() == _head_revision()
    finally:
        engine.dispose()
    return versions, tables


def test_services_starting_together_all_migrate_and_leave_one_schema(database_url):
    services = [migrate(database_url) for _ in range(3)]
    results = [finished(p) for p in services]
    assert [code for code, _ in results] == [0, 0, 0], [output for _, output in results]
    versions, tables = schema_state(database_url)
    assert versions == [_head_revision()]
    assert {"enrollments", "staff_accounts", "audit_trail"} <= tables


def test_a_service_waits_while_another_migrates_then_finds_the_schema(database_url):
    with migration_lock_held(database_url):
        waiting = migrate(database_url)
        time.sleep(4)
        assert waiting.poll() is None, finished(waiting)  # still waiting, not failed
    code, output = finished(waiting)
    assert code == 0, output
    assert schema_state(database_url)[0] == [_head_revision()]


def test_the_wait_is_bounded_and_says_why(database_url):
    with migration_lock_held(database_url):
        code, output = finished(migrate(database_url, "--wait", "1"))
    assert code == 1
    assert "another process held the migration lock" in output

"""The schema: migrations create exactly what the models describe, and the database enforces the rules."""
from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, insert
from sqlalchemy.exc import IntegrityError

from bot.store import engine_for, upgrade_schema
from bot.store.models import Base, Enrollment, ScreeningAnswer


def test_the_migrations_create_exactly_the_models_schema(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_twice_changes_nothing_and_records_the_head(database_url, engine):
    upgrade_schema(database_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head_revision()


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store.migrations import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_a_fresh_sqlite_file_in_a_new_folder_is_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'folder' / 'enrollment.db'}"
    upgrade_schema(url)
    assert "enrollments" in inspect(engine_for(url)).get_table_names()


def test_no_table_collides_with_rasas_tracker_store():
    assert "events" not in Base.metadata.tables


def test_foreign_keys_are_enforced_by_the_database(engine):
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(ScreeningAnswer).values(enrollment_id=12345, question_id="H1", answer="no"))


def test_statuses_outside_the_vocabulary_are_refused_by_the_database(engine):
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(Enrollment).values(
                enrollment_number="SC1", enroller_id=1, member_id=1, relationship="self", conversation_id="c",
                language="en", status="approved", outcome_reasons=[], enrolled_on=date(2026, 1, 1)))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    with engine_for(url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_engines_are_shared_per_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'same.db'}"
    assert engine_for(url) is engine_for(url)

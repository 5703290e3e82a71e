"""The enrollment store's schema migrations (Alembic scripts in versions/) and the upgrade that runs them.

The launcher, `python -m bot db upgrade` and the tests call `upgrade_schema(url)`; it is safe to run on
every start (an up-to-date database is left alone).
"""
from __future__ import annotations

from pathlib import Path

from bot.store.db import engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parent


def upgrade_schema(url: str) -> None:
    """Bring the database at `url` to the newest schema (`alembic upgrade head`), creating it if new."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

"""Alembic environment of the enrollment store.

`bot.store.upgrade_schema(url)` hands in an open connection (config.attributes["connection"]). The alembic
command line (alembic.ini at the repository root) uses `-x url=...`, else DATABASE_URL / the default.
"""
from alembic import context
from sqlalchemy.types import TypeDecorator

from bot.core import settings
from bot.store.db import engine_for
from bot.store.models import Base

config = context.config


def _render_item(kind, obj, _autogen_context):
    # Migrations must not import the models: write a TypeDecorator (UTCDateTime) as its plain SQL type.
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or settings.database_url()


if context.is_offline_mode():
    _run_offline()
elif config.attributes.get("connection") is not None:
    _run(config.attributes["connection"])
else:
    with engine_for(_url()).begin() as connection:
        _run(connection)

"""Alembic environment: async engine, URL and metadata from the application."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shop.config.settings import DatabaseSettings
from shop.database import models  # noqa: F401  (registers every table)
from shop.database.base import Base

config = context.config
if config.config_file_name is not None and config.attributes.get(
    "configure_logging", True
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """Return the URL given by the caller, else the application's DATABASE_URL."""
    url: str | None = config.attributes.get("database_url")
    # Only DATABASE_URL is read: migrating needs no SECRET_KEY (CI has none).
    return url or DatabaseSettings().database_url


def run_migrations_offline() -> None:
    """Emit the migration SQL without connecting (`alembic upgrade --sql`)."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on an open connection."""
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    """Connect with the async driver and run the migrations."""
    # A plain engine, not the application's: SQLite's foreign keys stay off here,
    # as batch mode needs while it copies a table and drops the old one.
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())

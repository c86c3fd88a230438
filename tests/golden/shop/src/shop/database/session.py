"""Async engine and session factory built from the settings."""

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from shop.config.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    """Create the async engine for `DATABASE_URL`.

    Every wait on the database is bounded (connecting, each statement, a free
    connection from the pool), so that a database that is down or stalled makes
    requests fail fast with 503 instead of hanging. A server connection the
    database closed (a restart, a fail-over, an idle timeout) is replaced when
    it is checked out of the pool. SQLite enforces foreign keys on every
    connection, so that ON DELETE behaves as on PostgreSQL, and keeps its file
    in write-ahead-log mode, so that readers never block the writer. Statement
    parameters stay out of error messages, and so out of the logs.
    """
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        # The statement timeout is how long SQLite waits for a locked file.
        engine = create_async_engine(
            url,
            hide_parameters=True,
            connect_args={"timeout": settings.database_statement_timeout_seconds},
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_driver_name() == "asyncpg":
        connect_args = {
            "timeout": settings.database_connect_timeout_seconds,
            "command_timeout": settings.database_statement_timeout_seconds,
        }
    engine = create_async_engine(
        url,
        hide_parameters=True,
        pool_timeout=settings.database_pool_timeout_seconds,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed_connection)
    return engine


def _configure_sqlite(dbapi_connection: DBAPIConnection, _record: object) -> None:
    """Set up a new SQLite connection.

    Foreign-key checks are off by default in SQLite. In its default rollback
    journal a writer waits for every open read to end and blocks all reads
    while it commits; with the write-ahead log readers and the one writer run
    side by side. The mode is stored in the file, so setting it again is a
    no-op; `synchronous` stays FULL, so a commit survives a power cut.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# `pool_pre_ping` would find the same connections with three round trips (BEGIN,
# a ping, ROLLBACK with asyncpg) on every checkout, that is on every request.
# The driver already knows: the server's close reaches the idle connection's
# socket, and asyncpg marks the connection closed.
def _replace_closed_connection(
    _dbapi_connection: DBAPIConnection,
    record: ConnectionPoolEntry,
    _proxy: PoolProxiedConnection,
) -> None:
    """Make the pool open a new connection instead of a closed one."""
    is_closed = getattr(record.driver_connection, "is_closed", None)
    if callable(is_closed) and is_closed():
        raise DisconnectionError("the database closed this connection")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Create the session factory; objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)

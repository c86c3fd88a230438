"""Async engine and session factory built from the settings."""

from sqlalchemy import event
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

    A server connection the database closed (a restart, a fail-over, an idle
    timeout) is replaced when it is checked out of the pool; an embedded SQLite
    file has no connection to lose.
    """
    engine = create_async_engine(settings.database_url)
    if not settings.database_url.startswith("sqlite"):
        event.listen(engine.sync_engine.pool, "checkout", _replace_closed_connection)
    return engine


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

"""Whether the database has every migration the code needs.

The application and `shop-admin` check before they touch a table, so a
fresh or stale database stops them with one line naming the command that fixes it
instead of a traceback from the first query. Migrations are never applied
implicitly: `alembic upgrade head` is an explicit step of every deployment.
"""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

UPGRADE_COMMAND = "alembic upgrade head"
VERSION_TABLE = "alembic_version"
# In a checkout (an editable install) alembic.ini sits three folders above this
# module; an installed package finds it in the working directory (the image's /app).
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class PendingMigrationsError(Exception):
    """The database lacks migrations the code needs."""

    def __init__(self, pending: list[str]) -> None:
        self.pending = pending
        listed = ", ".join(pending)
        super().__init__(
            f"the database lacks {len(pending)} migration(s) ({listed}): "
            f"run `{UPGRADE_COMMAND}` first"
        )


@lru_cache
def migration_scripts() -> ScriptDirectory | None:
    """The project's migrations, or None when no alembic.ini can be found."""
    for folder in (PROJECT_ROOT, Path.cwd()):
        ini = folder / "alembic.ini"
        if ini.is_file():
            return ScriptDirectory.from_config(Config(str(ini)))
    return None


def pending_migrations(scripts: ScriptDirectory, applied: tuple[str, ...]) -> list[str]:
    """The revisions not applied yet, oldest first.

    A database at a revision these scripts do not know was migrated by a newer
    version of the code; nothing is reported pending then.
    """
    done: set[str] = set()
    try:
        for head in applied:
            done.update(
                script.revision for script in scripts.iterate_revisions(head, "base")
            )
    except CommandError:
        return []
    return [
        s.revision
        for s in reversed(list(scripts.walk_revisions()))
        if s.revision not in done
    ]


def _applied(connection: Connection) -> tuple[str, ...]:
    # Read as Alembic stores it; its MigrationContext would log at INFO on every start.
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return tuple(rows.scalars())


async def require_migrated(engine: AsyncEngine) -> bool:
    """Raise PendingMigrationsError when the database lacks a migration.

    Returns whether the check could run: not without alembic.ini, nor while the
    database cannot be reached (the app then starts, answers 503 until the
    database is back, and the first query names what is missing).
    """
    scripts = migration_scripts()
    if scripts is None:
        return False
    try:
        async with engine.connect() as connection:
            applied = await connection.run_sync(_applied)
    except (OSError, DBAPIError):
        return False
    pending = pending_migrations(scripts, applied)
    if pending:
        raise PendingMigrationsError(pending)
    return True

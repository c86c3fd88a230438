"""Whether the database has every migration the code needs.

The application and `shop-admin` check before they touch a table, so a
fresh or stale database stops them with one line naming the command that fixes it
instead of a traceback from the first query. Migrations are never applied
implicitly: `alembic upgrade head` is an explicit step of every deployment.

The check reads the revision graph from the `revision` and `down_revision` lines
of the migration files (parsed, not run) instead of loading Alembic: Alembic and
Mako would stay in the server's memory, some 8 MiB per process, for one look at
start-up. A layout this reading does not cover (a `script_location` inside a
package, a migration it cannot parse) is left to Alembic itself.
`tests/integration/test_migrations.py` proves both read the same graph.
"""

import ast
import configparser
import os
import re
from functools import lru_cache
from pathlib import Path

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


Graph = dict[str, tuple[str, ...]]
"""Each revision and the revisions it follows (none for the first one)."""

_SEPARATORS = {
    "os": re.escape(os.pathsep),
    "space": r"\s+",
    "newline": r"\n+",
    "colon": ":",
    "semicolon": ";",
}


def _alembic_ini() -> Path | None:
    for folder in (PROJECT_ROOT, Path.cwd()):
        ini = folder / "alembic.ini"
        if ini.is_file():
            return ini
    return None


def version_folders(ini: Path) -> list[Path] | None:
    """The folders holding the migration files, as `alembic.ini` names them.

    None when they are not plain folders of `.py` files on disk (a package
    resource, sourceless or recursive version folders).
    """
    parser = configparser.ConfigParser(defaults={"here": str(ini.parent)})
    parser.read(ini, encoding="utf-8")
    if not parser.has_option("alembic", "script_location"):
        return None
    for option in ("sourceless", "recursive_version_locations"):
        if parser.getboolean("alembic", option, fallback=False):
            return None
    location = Path(parser.get("alembic", "script_location"))
    if not location.is_absolute():
        location = ini.parent / location
    if not parser.has_option("alembic", "version_locations"):
        folders = [location / "versions"]
    else:
        separator = _SEPARATORS.get(
            parser.get("alembic", "path_separator", fallback=""), r"[\s,]+"
        )
        raw = parser.get("alembic", "version_locations").strip()
        folders = [Path(part) for part in re.split(separator, raw) if part]
    if not all(folder.is_dir() for folder in folders):
        return None
    return folders


def _revisions(value: object) -> tuple[str, ...]:
    """A `revision` or `down_revision` value as a tuple of revision ids."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"not a revision: {value!r}")


def _value(node: ast.expr | None) -> object:
    return ast.literal_eval(node) if node is not None else None


def read_graph(folders: list[Path]) -> Graph:
    """The revision graph of the migration files in `folders`.

    Raises SyntaxError or ValueError for a file this reading cannot follow.
    """
    graph: Graph = {}
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            found: dict[str, ast.expr | None] = {}
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                value: ast.expr | None
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                elif isinstance(node, ast.AnnAssign):
                    target, value = node.target, node.value
                else:
                    continue
                if isinstance(target, ast.Name):
                    found[target.id] = value
            if "revision" not in found:
                continue
            revision = _revisions(_value(found["revision"]))
            if len(revision) != 1:
                raise ValueError(f"{path.name}: not one revision id")
            graph[revision[0]] = _revisions(_value(found.get("down_revision")))
    return graph


def _alembic_graph(ini: Path) -> Graph:
    from alembic.config import Config  # only for unusual layouts
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(Config(str(ini)))
    return {
        script.revision: _revisions(script.down_revision)
        for script in scripts.walk_revisions()
    }


@lru_cache
def migration_graph() -> Graph | None:
    """The project's revision graph, or None when no alembic.ini can be found."""
    ini = _alembic_ini()
    if ini is None:
        return None
    try:
        folders = version_folders(ini)
        if folders is not None:
            return read_graph(folders)
    except (configparser.Error, SyntaxError, ValueError):
        pass
    return _alembic_graph(ini)


def pending_migrations(graph: Graph, applied: tuple[str, ...]) -> list[str]:
    """The revisions not applied yet, oldest first.

    A database at a revision these files do not know was migrated by a newer
    version of the code; nothing is reported pending then.
    """
    if any(head not in graph for head in applied):
        return []
    done: set[str] = set()
    todo = list(applied)
    while todo:
        revision = todo.pop()
        if revision not in done:
            done.add(revision)
            todo.extend(down for down in graph[revision] if down in graph)
    return [revision for revision in oldest_first(graph) if revision not in done]


def oldest_first(graph: Graph) -> list[str]:
    """Every revision after the ones it follows (ties by revision id)."""
    ordered: list[str] = []
    placed: set[str] = set()
    waiting = sorted(graph)
    while waiting:
        ready = [
            r for r in waiting if all(d in placed or d not in graph for d in graph[r])
        ]
        if not ready:  # a cycle: Alembic itself refuses such files
            ordered.extend(waiting)
            break
        ordered.extend(ready)
        placed.update(ready)
        waiting = [r for r in waiting if r not in placed]
    return ordered


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
    graph = migration_graph()
    if graph is None:
        return False
    try:
        async with engine.connect() as connection:
            applied = await connection.run_sync(_applied)
    except (OSError, DBAPIError):
        return False
    pending = pending_migrations(graph, applied)
    if pending:
        raise PendingMigrationsError(pending)
    return True

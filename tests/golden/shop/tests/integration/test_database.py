"""How the engine sets up SQLite: foreign keys enforced, readers never block the writer."""

import sqlite3
from pathlib import Path

from sqlalchemy import text

from shop.database.session import create_engine
from tests.helpers import make_settings


async def test_sqlite_file_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    engine = create_engine(make_settings(f"sqlite+aiosqlite:///{path}"))
    try:
        async with engine.connect() as connection:
            foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
            mode = await connection.scalar(text("PRAGMA journal_mode"))
    finally:
        await engine.dispose()

    assert foreign_keys == 1
    assert mode == "wal"
    # The mode is kept in the file: other programs opening it see it too.
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_an_open_read_does_not_block_a_write(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    # A write that waited for the reader would fail after half a second.
    settings = make_settings(
        f"sqlite+aiosqlite:///{path}", database_statement_timeout_seconds=0.5
    )
    engine = create_engine(settings)
    reader = None
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE note (body TEXT)"))
            await connection.execute(text("INSERT INTO note VALUES ('first')"))
        # Another process in the middle of a read: its snapshot holds a lock.
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM note").fetchone() == (1,)

        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO note VALUES ('second')"))

        # The reader keeps its snapshot until it ends its transaction.
        assert reader.execute("SELECT count(*) FROM note").fetchone() == (1,)
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM note").fetchone() == (2,)
    finally:
        if reader is not None:
            reader.close()
        await engine.dispose()

"""Helpers run with the app venv's Python: make a fresh PostgreSQL database, seed rows.

python appctl.py createdb NAME           drop and create NAME on 127.0.0.1:5432 (user postgres)
python appctl.py dropdb NAME
python appctl.py seed URL TABLE COUNT    insert COUNT rows, values made from the column types
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import uuid
from decimal import Decimal
from typing import Any

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def createdb(name: str, *, create: bool = True) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _value(column: Any, i: int) -> Any:
    from sqlalchemy import types

    kind = column.type
    now = dt.datetime.now(dt.UTC)
    if isinstance(kind, types.Enum):
        return kind.enums[i % len(kind.enums)]
    if isinstance(kind, types.Boolean):
        return i % 2 == 0
    if isinstance(kind, types.Integer):
        return i
    if isinstance(kind, types.Numeric):
        return Decimal(i % 1000) + Decimal("0.99")
    if isinstance(kind, types.DateTime):
        return now - dt.timedelta(seconds=i)
    if isinstance(kind, types.Date):
        return (now - dt.timedelta(days=i % 365)).date()
    if isinstance(kind, types.Uuid):
        return uuid.uuid4()
    if isinstance(kind, types.JSON):
        return {"i": i}
    if isinstance(kind, types.String | types.Text):
        length = getattr(kind, "length", None) or 200
        return f"{column.name}-{i:06d}"[:length]
    return None


async def seed(url: str, table_name: str, count: int) -> None:
    from sqlalchemy import MetaData, insert
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    metadata = MetaData()
    async with engine.begin() as conn:
        await conn.run_sync(metadata.reflect, only=[table_name])
        table = metadata.tables[table_name]
        columns = [c for c in table.columns if not (c.primary_key and c.autoincrement)]
        rows = [{c.name: _value(c, i) for c in columns} for i in range(1, count + 1)]
        for start in range(0, count, 1000):
            await conn.execute(insert(table), rows[start : start + 1000])
    await engine.dispose()
    print(f"seeded {count} rows into {table_name}: {', '.join(c.name for c in columns)}")


def main() -> None:
    command, *rest = sys.argv[1:]
    if command == "createdb":
        asyncio.run(createdb(rest[0]))
    elif command == "dropdb":
        asyncio.run(createdb(rest[0], create=False))
    elif command == "seed":
        asyncio.run(seed(rest[0], rest[1], int(rest[2])))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()

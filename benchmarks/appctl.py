"""Helpers run with the app venv's Python: make a fresh PostgreSQL database, seed rows.

python appctl.py createdb NAME           drop and create NAME on 127.0.0.1:5432 (user postgres)
python appctl.py dropdb NAME
python appctl.py seed URL TABLE COUNT [START]
                                         insert COUNT rows, values made from the column types
                                         (row numbers START+1.., so a table can grow in steps)
python appctl.py count URL TABLE         rows in TABLE
python appctl.py max-id URL TABLE        the largest id in TABLE
python appctl.py cursors URL TABLE N PACKAGE
                                         N cursors from the middle of TABLE in its default order
                                         (created_at, id, newest first), as JSON
                                         {"generated": [...], "baseline": [...]}: the generated
                                         app's own encoding (PACKAGE's pagination module) and
                                         baseline_app's
python appctl.py redis-fill URL COUNT    empty the Redis database URL names, then put COUNT keys in it
python appctl.py mcp-latency PORT FIRST COUNT
                                         call the MCP tool get_item COUNT times, one at a time,
                                         ids FIRST.., bearer token from $BENCH_TOKEN; prints JSON
                                         {"latencies": [s, ...], "errors": n}
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import time
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


async def seed(url: str, table_name: str, count: int, first: int = 0) -> None:
    from sqlalchemy import MetaData, insert
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    metadata = MetaData()
    async with engine.connect() as conn:
        await conn.run_sync(metadata.reflect, only=[table_name])
        table = metadata.tables[table_name]
        columns = [c for c in table.columns if not (c.primary_key and c.autoincrement)]
        for start in range(first + 1, first + count + 1, 5000):
            stop = min(start + 5000, first + count + 1)
            await conn.execute(
                insert(table), [{c.name: _value(c, i) for c in columns} for i in range(start, stop)]
            )
            await conn.commit()
    await engine.dispose()
    print(f"seeded {count} rows into {table_name}: {', '.join(c.name for c in columns)}")


async def scalar(url: str, sql: str) -> Any:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.connect() as conn:
        value = (await conn.execute(text(sql))).scalar()
    await engine.dispose()
    return value


async def cursors(url: str, table_name: str, count: int, package: str) -> None:
    """Cursors of `count` rows from the middle of the table in its default order: the
    generated app's (its own query model makes them) and baseline_app's."""
    import base64
    import importlib

    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    resource = table_name.removesuffix("s")
    db_models = importlib.import_module(f"{package}.database.models.{resource}_db_model")
    models = importlib.import_module(f"{package}.models.{resource}_model")
    cls = resource.capitalize()
    table = getattr(db_models, f"{cls}DBModel")
    query_model, read_model = getattr(models, f"{cls}Query"), getattr(models, f"{cls}Read")
    engine = create_async_engine(url)
    async with async_sessionmaker(engine)() as session:
        total = await session.scalar(select(func.count()).select_from(table)) or 0
        rows = (
            await session.scalars(
                select(table)
                .order_by(table.created_at.desc(), table.id.desc())
                .offset(max(0, total // 2 - count // 2))
                .limit(count)
            )
        ).all()
        reads = [read_model.model_validate(row) for row in rows]
    await engine.dispose()
    query = query_model()
    generated = [query.cursor_after(read) for read in reads]
    baseline = []
    for read in reads:
        when = read.created_at if read.created_at.tzinfo else read.created_at.replace(tzinfo=dt.UTC)
        baseline.append(base64.urlsafe_b64encode(f"{when.isoformat()}|{read.id}".encode()).decode())
    print(json.dumps({"generated": generated, "baseline": baseline}))


async def redis_fill(url: str, count: int) -> None:
    import redis.asyncio as redis

    client = redis.from_url(url)
    try:
        await client.flushdb()
        for start in range(0, count, 10_000):
            async with client.pipeline(transaction=False) as pipe:
                for i in range(start, min(start + 10_000, count)):
                    pipe.set(f"unrelated:{i}", "x" * 32)
                await pipe.execute()
    finally:
        await client.aclose()


async def mcp_latency(port: int, first: int, count: int) -> None:
    """The official MCP client over Streamable HTTP (the app venv has it: mcp, httpx2)."""
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {os.environ['BENCH_TOKEN']}"}
    latencies: list[float] = []
    errors = 0
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as client,
        streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        await session.call_tool("get_item", {"item_id": first + count})  # warm
        for item_id in range(first, first + count):
            started = time.perf_counter()
            result = await session.call_tool("get_item", {"item_id": item_id})
            latencies.append(time.perf_counter() - started)
            errors += bool(getattr(result, "is_error", None) or getattr(result, "isError", False))
    print(json.dumps({"latencies": latencies, "errors": errors}))


def main() -> None:
    command, *rest = sys.argv[1:]
    if command == "createdb":
        asyncio.run(createdb(rest[0]))
    elif command == "dropdb":
        asyncio.run(createdb(rest[0], create=False))
    elif command == "seed":
        asyncio.run(seed(rest[0], rest[1], int(rest[2]), int(rest[3]) if len(rest) > 3 else 0))
    elif command == "count":
        print(asyncio.run(scalar(rest[0], f"SELECT count(*) FROM {rest[1]}")))
    elif command == "max-id":
        print(asyncio.run(scalar(rest[0], f"SELECT coalesce(max(id), 0) FROM {rest[1]}")))
    elif command == "cursors":
        asyncio.run(cursors(rest[0], rest[1], int(rest[2]), rest[3]))
    elif command == "redis-fill":
        asyncio.run(redis_fill(rest[0], int(rest[1])))
    elif command == "mcp-latency":
        asyncio.run(mcp_latency(int(rest[0]), int(rest[1]), int(rest[2])))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()

"""The hand-written reference for the load runs: one file, FastAPI + async SQLAlchemy.

It serves the same two reads as the generated app's `item` resource, against the
same database (the tables the generated migrations created), with the same auth
check cost: verify the bearer JWT (HS256, same claims) and load the user by id.

    DATABASE_URL=... SECRET_KEY=... APP_NAME=... uvicorn baseline_app:app

GET /api/v1/items/{id}                   one row by primary key
GET /api/v1/items?limit=20&offset=0      a page, newest first (the total count with include_total=true)
GET /api/v1/items?limit=20&cursor=C      the page after the cursor: keyset on (created_at, id)
POST /api/v1/items                       create (409 on a duplicate name)
PATCH /api/v1/items/{id}                 change some fields
GET /healthz                             no auth, no database: the harness ceiling

What it does not do, unlike the generated app: no read cache, no request-id or
rate-limit middleware, no MCP mount, no check for server-closed connections at
pool checkout, no structured logging, no gc.freeze() after start-up. Like the generated
app it keeps an SQLite file in write-ahead-log mode.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Boolean, DateTime, Integer, Numeric, String, event, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ["DATABASE_URL"]
SECRET_KEY = os.environ["SECRET_KEY"]
ISSUER = os.environ.get("APP_NAME", "loadapp")

engine = create_async_engine(DATABASE_URL)
if engine.dialect.name == "sqlite":
    # As the generated app does: the mode is kept in the file, so the two apps
    # serving one file would share it anyway; this only takes the order of their
    # start-up out of the comparison.
    @event.listens_for(engine.sync_engine, "connect")
    def _wal(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.cursor().execute("PRAGMA journal_mode=WAL")


Session = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String)
    is_active: Mapped[bool] = mapped_column(Boolean)


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    price: Mapped[Decimal] = mapped_column(Numeric)
    active: Mapped[bool] = mapped_column(Boolean)
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    price: Decimal
    active: bool
    quantity: int
    created_at: datetime
    updated_at: datetime


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int | None
    limit: int
    offset: int
    next_cursor: str | None


class ItemCreate(BaseModel):
    name: str
    price: Decimal
    active: bool = True
    quantity: int


class ItemUpdate(BaseModel):
    name: str | None = None
    price: Decimal | None = None
    active: bool | None = None
    quantity: int | None = None


def encode_cursor(row: Item) -> str:
    return base64.urlsafe_b64encode(f"{row.created_at.isoformat()}|{row.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        when = datetime.fromisoformat(stamp)
        return (when if when.tzinfo else when.replace(tzinfo=UTC)), int(ident)
    except (ValueError, UnicodeDecodeError) as error:
        raise HTTPException(422, "bad cursor") from error


async def session() -> AsyncIterator[AsyncSession]:
    async with Session() as db:
        yield db


DB = Annotated[AsyncSession, Depends(session)]


async def current_user(db: DB, authorization: Annotated[str | None, Header()] = None) -> User:
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "Not authenticated")
    try:
        claims = jwt.decode(
            authorization[7:],
            SECRET_KEY,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
        user = await db.get(User, int(claims["sub"]))
    except (jwt.InvalidTokenError, ValueError):
        user = None
    if user is None or not user.is_active:
        raise HTTPException(401, "Could not validate credentials")
    return user


app = FastAPI()
api = APIRouter(prefix="/api/v1", dependencies=[Depends(current_user)])


@api.get("/items/{item_id}")
async def get_item(item_id: int, db: DB) -> ItemOut:
    row = await db.get(Item, item_id)
    if row is None:
        raise HTTPException(404, "Item not found")
    return ItemOut.model_validate(row)


@api.get("/items")
async def list_items(
    db: DB,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    cursor: str | None = None,
    include_total: bool = False,
) -> ItemPage:
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc()).limit(limit + 1)
    if cursor is not None:
        when, ident = decode_cursor(cursor)
        query = query.where(tuple_(Item.created_at, Item.id) < tuple_(when, ident))
    else:
        query = query.offset(offset)
    rows = list((await db.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    total = await db.scalar(select(func.count()).select_from(Item)) if include_total else None
    return ItemPage(
        items=[ItemOut.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
    )


@api.post("/items", status_code=201)
async def create_item(body: ItemCreate, db: DB) -> ItemOut:
    now = datetime.now(UTC)
    row = Item(**body.model_dump(), created_at=now, updated_at=now)
    db.add(row)
    try:
        await db.commit()
    except IntegrityError as error:
        raise HTTPException(409, "an item with this name exists") from error
    return ItemOut.model_validate(row)


@api.patch("/items/{item_id}")
async def update_item(item_id: int, body: ItemUpdate, db: DB) -> ItemOut:
    row = await db.get(Item, item_id)
    if row is None:
        raise HTTPException(404, "Item not found")
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(row, key, value)
    row.updated_at = datetime.now(UTC)
    try:
        await db.commit()
    except IntegrityError as error:
        raise HTTPException(409, "an item with this name exists") from error
    return ItemOut.model_validate(row)


app.include_router(api)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}

"""The in-process TTL cache, and what a delete invalidates."""

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from shop.database.models import changed_by_delete
from shop.middleware.cache import InMemoryCache


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the current fake time."""
        return self.now


async def test_value_expires_after_default_ttl() -> None:
    clock = FakeClock()
    cache = InMemoryCache("test", default_ttl=10, clock=clock)
    await cache.set("key", "value")

    clock.now += 9.9
    assert await cache.get("key") == "value"
    clock.now += 0.1
    assert await cache.get("key") is None


async def test_explicit_ttl_overrides_default() -> None:
    clock = FakeClock()
    cache = InMemoryCache("test", default_ttl=10, clock=clock)
    await cache.set("key", "value", ttl=1)

    clock.now += 1
    assert await cache.get("key") is None


async def test_delete_and_delete_prefix() -> None:
    cache = InMemoryCache("test", default_ttl=10)
    for key in ("users:1", "users:list:a", "users:list:b", "tokens:1"):
        await cache.set(key, key)

    await cache.delete("users:1")
    await cache.delete_prefix("users:list:")

    assert [await cache.get(k) for k in ("users:1", "users:list:a", "tokens:1")] == [
        None,
        None,
        "tokens:1",
    ]


async def test_bump_moves_only_the_scopes_named() -> None:
    cache = InMemoryCache("test", default_ttl=10)
    before = {scope: await cache.generation(scope) for scope in ("a", "b")}

    await cache.bump(["a"])

    assert await cache.generation("a") == before["a"] + 1
    assert await cache.generation("b") == before["b"]


async def test_clear_removes_everything() -> None:
    cache = InMemoryCache("test", default_ttl=10)
    await cache.set("a", "1")

    await cache.clear()

    assert await cache.get("a") is None


async def test_oldest_entry_is_evicted_when_full() -> None:
    cache = InMemoryCache("test", default_ttl=10, max_entries=2)
    await cache.set("a", "1")
    await cache.set("b", "2")
    await cache.set("c", "3")

    assert await cache.get("a") is None
    assert await cache.get("b") == "2"
    assert await cache.get("c") == "3"


def test_a_delete_reaches_the_tables_that_reference_it() -> None:
    metadata = MetaData()
    Table("authors", metadata, Column("id", Integer, primary_key=True))
    for name, parent, rule in (
        ("books", "authors", "CASCADE"),
        ("chapters", "books", "CASCADE"),
        ("reviews", "books", "SET NULL"),
        ("quotes", "reviews", "CASCADE"),
        ("replies", "replies", "CASCADE"),
    ):
        Table(
            name,
            metadata,
            Column("id", Integer, primary_key=True),
            Column("parent_id", ForeignKey(f"{parent}.id", ondelete=rule)),
        )

    changed = changed_by_delete(metadata.tables)

    assert changed["authors"] == {"books", "chapters", "reviews"}
    assert changed["reviews"] == {"quotes"}
    assert changed["chapters"] == frozenset()
    assert changed["replies"] == {"replies"}

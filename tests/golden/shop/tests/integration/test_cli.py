"""`shop-admin create-admin` against the configured database."""

import asyncio
from collections.abc import Iterator

import pytest

from shop.cli import main
from shop.config.settings import get_settings
from tests.helpers import TEST_SECRET_KEY, clean_database

ARGS = ["create-admin", "--email", "Root@Example.com", "--password", "root-password"]


@pytest.fixture
def configured_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point the CLI's settings at the empty test database."""
    asyncio.run(clean_database(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("configured_database")
def test_create_admin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ARGS) == 0
    assert "Created administrator root@example.com" in capsys.readouterr().out


@pytest.mark.usefixtures("configured_database")
def test_create_admin_twice_fails(capsys: pytest.CaptureFixture[str]) -> None:
    main(ARGS)

    assert main(ARGS) == 1
    assert "exists" in capsys.readouterr().err


@pytest.mark.usefixtures("configured_database")
def test_create_admin_validates_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-admin", "--email", "nope", "--password", "x"]) == 2
    assert "email" in capsys.readouterr().err

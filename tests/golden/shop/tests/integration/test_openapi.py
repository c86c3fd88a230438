"""The OpenAPI document is the truth: schemathesis calls every operation it lists.

Each operation gets generated valid and invalid requests with an administrator's
token, in-process, and every built-in check of schemathesis runs on every response:
no server error, only documented statuses, bodies and headers that match their
schema, invalid data refused, valid data accepted (but a made-up list cursor), 405 with `Allow` for other
methods, and the rest. The test reads what the schema says, so new operations and
query parameters are covered without changing it.
"""

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.generation.case import Case
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from shop.app import create_app
from shop.cli import create_admin
from shop.config.settings import Settings
from shop.models.user_model import UserCreate
from tests.helpers import PASSWORD, clean_database, make_settings

ADMIN_EMAIL = "schema-admin@example.com"
# A handful of cases per operation and phase keeps the whole run near a minute on
# two cores; every operation and check still runs. The cases are derandomized (the
# same on every run: a finding is reproducible and CI never fails at random);
# SCHEMA_MAX_EXAMPLES=200 makes a longer, deeper run.
MAX_EXAMPLES = int(os.environ.get("SCHEMA_MAX_EXAMPLES", "6"))


# The document the tests are made from, read at collection time from an app that is
# never started (so it touches no database); each case then calls `running_app`.
schema = schemathesis.openapi.from_dict(
    create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
)


@pytest.fixture(scope="module")
def admin_settings(database_url: str) -> Settings:
    """Settings of the test database, emptied but for an administrator."""
    settings = make_settings(database_url)
    asyncio.run(clean_database(database_url))
    asyncio.run(
        create_admin(
            settings, UserCreate(email=ADMIN_EMAIL, password=PASSWORD, is_admin=True)
        )
    )
    return settings


@pytest.fixture
def running_app(admin_settings: Settings) -> Iterator[FastAPI]:
    """The app, started in schemathesis's own event loop by its first request (the
    schemathesis plugin stops it after each test)."""
    try:
        yield create_app(admin_settings)
    finally:
        asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def schema_admin_token(admin_settings: Settings) -> str:
    """A token of the administrator, from the token endpoint."""
    login = schema["/api/v1/auth/token"]["POST"].Case(
        body={"username": ADMIN_EMAIL, "password": PASSWORD},
        media_type="application/x-www-form-urlencoded",
    )
    try:
        response = login.call(app=create_app(admin_settings))
    finally:
        asgi.shutdown_lifespans()
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    # Each case is a real request through the app and its database: too slow for
    # hypothesis's default 200 ms deadline and its "too slow" health check on a busy
    # machine. Patterns and bounds make it discard many candidates of some inputs.
    # `running_app` is meant to serve every case of one operation, not one each.
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_operation_conforms_to_the_schema(
    case: Case[Any], running_app: FastAPI, schema_admin_token: str
) -> None:
    # A list's `cursor` is valid only as the API issued it (behind a checksum no schema
    # can state), so a made-up one that fits the schema is rightly refused; so are a
    # sort naming a field twice and a range whose bounds are both given (the lower may
    # be above the upper): rules across parameters that a schema cannot state either.
    # For such a case, and only then, "valid data is accepted" is not asked. Each
    # resource's tests walk real cursors, and check these refusals.
    query = case.query or {}
    sorted_by = [key.removeprefix("-") for key in str(query.get("sort", "")).split(",")]
    cross_checked = (
        "cursor" in query
        or len(set(sorted_by)) < len(sorted_by)
        or any(
            name.removesuffix("_min") + "_max" in query
            for name in query
            if name.endswith("_min")
        )
    )
    case.call_and_validate(
        app=running_app,
        headers={"Authorization": f"Bearer {schema_admin_token}"},
        excluded_checks=[positive_data_acceptance] if cross_checked else None,
    )

"""Automatic discovery of routers, tables and MCP tools."""

import importlib

from shop.database.base import Base
from shop.routes import discover_routers
from shop.server.registry import ToolRegistry


def test_routers_are_discovered() -> None:
    prefixes = {router.prefix for router in discover_routers()}

    assert {"/health", "/api/v1/auth", "/api/v1/users"} <= prefixes


def test_tables_are_registered() -> None:
    importlib.import_module("shop.database.models")

    assert "users" in Base.metadata.tables


def test_tool_modules_are_discovered() -> None:
    assert "shop.tools.system_tools" in ToolRegistry().discover()

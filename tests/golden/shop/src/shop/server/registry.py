"""Automatic discovery of the MCP tool modules in `shop.tools`."""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from mcp.server.mcpserver import MCPServer

from shop import tools
from shop.container import ServiceContainer
from shop.utils.discovery import import_submodules

RegisterTools = Callable[[MCPServer[Any], ServiceContainer], None]


class ToolRegistry:
    """Find the modules with a `register(server, services)` function and call them."""

    def __init__(self, package: ModuleType = tools) -> None:
        self._package = package

    def discover(self) -> dict[str, RegisterTools]:
        """Return each tool module's `register` function, keyed by module name."""
        return {
            module.__name__: module.register
            for module in import_submodules(
                self._package.__name__, self._package.__path__
            )
            if callable(getattr(module, "register", None))
        }

    def register_all(self, server: MCPServer[Any], services: ServiceContainer) -> None:
        """Register the tools of every discovered module on `server`."""
        for register in self.discover().values():
            register(server, services)

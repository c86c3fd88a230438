"""HTTP routes; every module with a module-level `router` is included automatically."""

from fastapi import APIRouter

from shop.utils.discovery import import_submodules


def discover_routers() -> list[APIRouter]:
    """Return the `router` of every module in this package."""
    return [
        module.router
        for module in import_submodules(__name__, __path__)
        if isinstance(getattr(module, "router", None), APIRouter)
    ]

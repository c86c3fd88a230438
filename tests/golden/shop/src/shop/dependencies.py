"""FastAPI dependencies for the shared resources, as `Annotated` aliases."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shop.container import ServiceContainer
from shop.middleware.cache import CacheManager


def container_of(request: Request) -> ServiceContainer:
    """The resources of the running application (a function, not a dependency)."""
    container: ServiceContainer = request.app.state.container
    return container


# Every dependency is `async def`, even one that never awaits: FastAPI runs a
# plain `def` dependency in its thread pool, a thread round trip per request
# (and a wait for the GIL under load) for what is an attribute lookup.
async def get_container(request: Request) -> ServiceContainer:
    """Return the resources of the running application."""
    return container_of(request)


ContainerDep = Annotated[ServiceContainer, Depends(get_container)]


# The dependencies every API request solves (the session, the caller, the
# resource's service) take the `Request` and call `container_of` rather than
# depend on `ContainerDep`: FastAPI walks a dependency's whole sub-tree on every
# request, even when its value is cached, so each shared node costs each time.
async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Open one database session per request."""
    async with container_of(request).session() as session:
        yield session


async def get_cache(container: ContainerDep) -> CacheManager:
    """Return the application's cache."""
    return container.cache


SessionDep = Annotated[AsyncSession, Depends(get_session)]
CacheDep = Annotated[CacheManager, Depends(get_cache)]

"""FastAPI dependencies for the shared resources, as `Annotated` aliases."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shop.container import ServiceContainer
from shop.middleware.cache import CacheManager


# Every dependency is `async def`, even one that never awaits: FastAPI runs a
# plain `def` dependency in its thread pool, a thread round trip per request
# (and a wait for the GIL under load) for what is an attribute lookup.
async def get_container(request: Request) -> ServiceContainer:
    """Return the resources of the running application."""
    container: ServiceContainer = request.app.state.container
    return container


ContainerDep = Annotated[ServiceContainer, Depends(get_container)]


async def get_session(container: ContainerDep) -> AsyncIterator[AsyncSession]:
    """Open one database session per request."""
    async with container.session() as session:
        yield session


async def get_cache(container: ContainerDep) -> CacheManager:
    """Return the application's cache."""
    return container.cache


SessionDep = Annotated[AsyncSession, Depends(get_session)]
CacheDep = Annotated[CacheManager, Depends(get_cache)]

"""Long-lived resources shared by the REST routes, the MCP tools and the CLI."""

from dataclasses import dataclass
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shop.config.settings import Settings
from shop.database.session import create_engine, create_session_factory
from shop.middleware.cache import CacheManager, create_cache
from shop.services.async_service import AsyncProcessingService


@dataclass(frozen=True, slots=True)
class ServiceContainer:
    """Settings, database, cache and worker pool of one running process."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    cache: CacheManager
    processing: AsyncProcessingService

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build every resource from the settings; nothing connects yet."""
        engine = create_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            cache=create_cache(settings),
            processing=AsyncProcessingService(settings.processing_workers),
        )

    def session(self) -> AsyncSession:
        """Open a database session: `async with container.session() as session:`.

        The session is itself the context manager and is closed on exit.
        """
        return self.session_factory()

    async def aclose(self) -> None:
        """Release connections and stop the worker pool."""
        self.processing.shutdown()
        await self.cache.close()
        await self.engine.dispose()

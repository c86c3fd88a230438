"""Long-lived resources shared by the REST routes, the MCP tools and the CLI."""

from dataclasses import dataclass
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shop.config.settings import Settings
from shop.database.session import create_engine, create_session_factory
from shop.middleware.cache import CacheManager, create_cache
from shop.services.async_service import AsyncProcessingService
from shop.services.login_throttle import LoginThrottle, create_login_throttle


@dataclass(frozen=True, slots=True)
class ServiceContainer:
    """Settings, database, cache, worker pool and login throttle of one process."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    cache: CacheManager
    processing: AsyncProcessingService
    login_throttle: LoginThrottle

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
            login_throttle=create_login_throttle(settings),
        )

    def session(self) -> AsyncSession:
        """Open a database session: `async with container.session() as session:`.

        The session is itself the context manager and is closed on exit.
        """
        return self.session_factory()

    async def aclose(self) -> None:
        """Release connections and stop the worker pool."""
        self.processing.shutdown()
        await self.login_throttle.aclose()
        await self.cache.close()
        await self.engine.dispose()

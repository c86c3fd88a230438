"""Application factory: REST API, MCP endpoint, middleware and lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.routing import Route

from shop import __version__
from shop.config.settings import Settings, get_settings
from shop.container import ServiceContainer
from shop.database.migrations import PendingMigrationsError, require_migrated
from shop.middleware.rate_limit import RateLimiter, RateLimitMiddleware
from shop.middleware.request_id import REQUEST_ID_HEADER, RequestIDMiddleware
from shop.oauth.routes import install_oauth
from shop.routes import discover_routers
from shop.server.mcp_server import (
    MCP_METHODS,
    build_mcp_http_app,
    build_mcp_server,
)
from shop.utils.errors import install_error_handlers
from shop.utils.logging import configure_logging
from shop.utils.monitoring import configure_monitoring

logger = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; each call gets its own resources and MCP server."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    configure_monitoring(settings)

    container = ServiceContainer.from_settings(settings)
    mcp_server = build_mcp_server(container, require_auth=True)
    mcp_app = build_mcp_http_app(mcp_server, settings)
    limiter = RateLimiter(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        logger.info(
            "application_startup", version=__version__, environment=settings.environment
        )
        try:
            try:
                checked = await require_migrated(container.engine)
            except PendingMigrationsError as exc:
                # Every request would fail on a missing table: refuse to start.
                logger.error("database_not_migrated", error=str(exc))
                raise
            if not checked:
                logger.warning(
                    "migrations_not_checked",
                    reason="no alembic.ini found, or the database is unreachable",
                )
            async with mcp_server.session_manager.run():
                yield
        finally:
            await limiter.aclose()
            await container.aclose()
            logger.info("application_shutdown")

    app = FastAPI(
        title=settings.app_name,
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.container = container
    app.state.limiter = limiter

    install_error_handlers(app)
    install_error_handlers(mcp_app)

    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, limiter=limiter)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.add_middleware(RequestIDMiddleware)

    for router in discover_routers():
        app.include_router(router)
    install_oauth(app, container)
    # Only the MCP app's own paths (its endpoint, and any route the SDK adds) go to
    # it, not every path as a mount at "/" would: an unknown path is then the API's
    # JSON 404, and a method a path does not serve is a 405 naming those it does.
    for route in mcp_app.routes:
        if isinstance(route, Route):
            methods = sorted(route.methods or MCP_METHODS)
            app.router.routes.append(
                Route(route.path, mcp_app, methods=methods, include_in_schema=False)
            )
    return app

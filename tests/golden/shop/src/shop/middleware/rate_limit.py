"""Per-client rate limiting with slowapi, shared through Redis across replicas."""

import math
import time
from http import HTTPStatus

from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from shop.config.settings import Settings
from shop.utils.errors import error_response

EXEMPT_PATH_PREFIXES = ("/health",)


def create_limiter(settings: Settings) -> Limiter:
    """Build the limiter: `RATE_LIMIT` per client IP, summed over all endpoints."""
    # Counters in Redis give every replica one shared budget; if Redis becomes
    # unreachable, each process counts in memory instead of failing requests.
    return Limiter(
        key_func=get_remote_address,
        application_limits=[settings.rate_limit],
        storage_uri=settings.redis_url or "memory://",
        key_prefix=settings.app_name,
        in_memory_fallback_enabled=True,
        enabled=settings.rate_limit_enabled,
    )


# slowapi's own middlewares look the endpoint up in `app.routes`, where FastAPI
# now nests included routers, so they find nothing and exempt every request.
# Application limits do not depend on the endpoint, so they are checked here
# directly (synchronously: one Redis round trip when the counters are shared).
class RateLimitMiddleware:
    """Apply the application rate limits to every HTTP request but health probes."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if (
            scope["type"] != "http"
            or not self.limiter.enabled
            or scope["path"].startswith(EXEMPT_PATH_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            self.limiter._check_request_limit(request, None, in_middleware=True)
        except RateLimitExceeded as exc:
            response = error_response(
                request,
                HTTPStatus.TOO_MANY_REQUESTS,
                "rate_limited",
                f"Rate limit exceeded: {exc.detail}",
                headers={"Retry-After": str(self._retry_after(request))},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _retry_after(self, request: Request) -> int:
        limit, keys = request.state.view_rate_limit
        reset_at, _ = self.limiter.limiter.get_window_stats(limit, *keys)
        return max(1, math.ceil(reset_at - time.time()))

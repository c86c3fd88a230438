"""Request ids: accept or create `X-Request-ID`, bind it to logs, echo it back."""

import itertools
import logging
import re
import secrets
import time

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# A new id is this process's random prefix and a sequence number (32 hex digits):
# unique across replicas and restarts, without reading the OS's random source on
# every request (a system call that cost a few percent of a request under load).
# Request ids label log lines; they are not secrets.
_ID_PREFIX = secrets.token_hex(8)
_ID_SEQUENCE = itertools.count(1)

logger = structlog.get_logger(__name__)
# Checked per request (the standard library caches it), so the completion line
# costs nothing when the level is above INFO.
_level_check = logging.getLogger(__name__)


class RequestIDMiddleware:
    """Tag each HTTP request with an id and log one line when it completes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = (
            incoming
            if _VALID_REQUEST_ID.fullmatch(incoming)
            else f"{_ID_PREFIX}{next(_ID_SEQUENCE):016x}"
        )
        scope.setdefault("state", {})["request_id"] = request_id
        status_code = 500
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = MutableHeaders(scope=message)
                if REQUEST_ID_HEADER not in headers:
                    headers.append(REQUEST_ID_HEADER, request_id)
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            if _level_check.isEnabledFor(logging.INFO):
                logger.info(
                    "request_completed",
                    method=scope["method"],
                    path=scope["path"],
                    status_code=status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.reset_contextvars(**tokens)

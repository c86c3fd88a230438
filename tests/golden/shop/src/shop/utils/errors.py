"""Service errors and the one JSON shape every error response is rendered in."""

from http import HTTPStatus
from typing import Any

import structlog
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match

logger = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = (
    f"The service is unavailable (its database cannot be reached); "
    f"retry in {RETRY_AFTER_SECONDS} seconds"
)
# What a database that is down, refusing, stalled or out of connections raises:
# the driver's connection errors, a connect or statement timeout, an empty pool.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    ConnectionError,
    TimeoutError,
)


# What `Allow` may name (HEAD goes with GET, OPTIONS with CORS preflights).
ALLOWED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ServiceError(Exception):
    """Base error raised by services; carries its HTTP status and error code."""

    status_code = HTTPStatus.BAD_REQUEST
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(ServiceError):
    """The requested object does not exist."""

    status_code = HTTPStatus.NOT_FOUND
    code = "not_found"


class ConflictError(ServiceError):
    """The change would violate a uniqueness rule."""

    status_code = HTTPStatus.CONFLICT
    code = "conflict"


def error_response(
    request: Request,
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render `{"error": {"code", "message", "request_id"[, "details"]}}`."""
    request_id: str | None = getattr(request.state, "request_id", None)
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if details:
        body["details"] = details
    response = JSONResponse({"error": body}, status_code=status_code, headers=headers)
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def _code_for(status_code: int) -> str:
    """Derive a snake_case error code from the HTTP reason phrase."""
    try:
        phrase = HTTPStatus(status_code).phrase
    except ValueError:
        return "error"
    return phrase.lower().replace(" ", "_").replace("-", "_")


async def _handle_service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return error_response(request, exc.status_code, exc.code, exc.message)


def _allowed_methods(request: Request) -> str:
    """Every method a route serves at the request's path, for `Allow`."""
    # The router's own 405 names the methods of the first route on the path only,
    # where several routes (GET and POST of a collection) share it.
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in ALLOWED_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in routes
        )
    )


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(request)
    return error_response(
        request,
        exc.status_code,
        _code_for(exc.status_code),
        str(exc.detail),
        headers=headers or None,
    )


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"loc": list(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return error_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "validation_error",
        "Request validation failed",
        details,
    )


async def _handle_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.warning(
        "database_unavailable",
        request_id=getattr(request.state, "request_id", None),
        path=request.url.path,
        exc_info=exc,
    )
    return error_response(
        request,
        HTTPStatus.SERVICE_UNAVAILABLE,
        "service_unavailable",
        UNAVAILABLE_MESSAGE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Raised outside the routes (the MCP endpoint's token check in its middleware),
    # an unreachable database reaches this last-resort handler: still a 503.
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return await _handle_unavailable(request, exc)
    logger.error(
        "unhandled_exception",
        request_id=getattr(request.state, "request_id", None),
        path=request.url.path,
        exc_info=exc,
    )
    return error_response(
        request,
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "internal_error",
        "Internal server error",
    )


def install_error_handlers(app: Starlette) -> None:
    """Render every error raised inside `app` in the shared JSON shape."""
    app.add_exception_handler(ServiceError, _handle_service_error)
    app.add_exception_handler(HTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, _handle_unavailable)
    app.add_exception_handler(Exception, _handle_unexpected)

"""What the OpenAPI document says each operation may answer besides success.

Every error is sent as ``{"error": {...}}`` (see :mod:`shop.utils.errors`);
:class:`ErrorResponse` is that body, documented for every status an operation can
return, 422 included (in place of FastAPI's ``HTTPValidationError``).
"""

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, Field

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "The authentication scheme to use: `Bearer`.",
        "schema": {"type": "string"},
    }
}

DESCRIPTIONS: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "The body cannot be parsed (malformed JSON or form)",
    HTTPStatus.UNAUTHORIZED: "The bearer token is missing, invalid or expired",
    HTTPStatus.FORBIDDEN: "The caller may not do this (administrators only)",
    HTTPStatus.NOT_FOUND: "The object, or one it refers to, does not exist",
    HTTPStatus.CONFLICT: "The change conflicts with the stored data",
    HTTPStatus.UNPROCESSABLE_ENTITY: "The request is not valid; `details` says where",
    HTTPStatus.TOO_MANY_REQUESTS: "The client's rate limit is exhausted",
    HTTPStatus.SERVICE_UNAVAILABLE: "The database cannot be reached; retry later",
}
HEADERS: dict[int, dict[str, Any]] = {
    HTTPStatus.UNAUTHORIZED: WWW_AUTHENTICATE,
    HTTPStatus.TOO_MANY_REQUESTS: RETRY_AFTER,
    HTTPStatus.SERVICE_UNAVAILABLE: RETRY_AFTER,
}


class ErrorDetail(BaseModel):
    """One problem of an invalid request."""

    loc: list[str | int] = Field(
        description="Where: `body`, `query` or `path`, then names."
    )
    message: str
    type: str


class ErrorBody(BaseModel):
    """What went wrong, and the request it happened in."""

    code: str = Field(description="A snake_case code, e.g. `not_found`.")
    message: str
    request_id: str | None
    details: list[ErrorDetail] = Field(
        default_factory=list, description="Sent with validation errors only."
    )


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of an operation that can answer each of `statuses`."""
    return {
        status: {
            "model": ErrorResponse,
            "description": DESCRIPTIONS[status],
            **({"headers": HEADERS[status]} if status in HEADERS else {}),
        }
        for status in statuses
    }

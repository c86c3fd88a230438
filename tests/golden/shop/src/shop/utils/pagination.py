"""Opaque list cursors: where the next page starts, checked before it is used.

A cursor holds the sort it was issued for, a digest of the filters, and the sort value
and id of the last row of its page, behind a checksum. It is a position, not a
credential: a client that forges one only moves its own place in the list. A cursor
that was altered, or sent with another sort or other filters, is refused with a 422
instead of silently starting somewhere else.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

MAX_CURSOR_LENGTH = 1024
CHECK_LENGTH = 16


class CursorError(ValueError):
    """The cursor was not issued by this API for this query."""


def encode_cursor(
    *, sort: str, filters: Mapping[str, Any], value: Any, row_id: int
) -> str:
    """Return the cursor of the position after the row (`value`, `row_id`)."""
    body = json.dumps(
        {
            "sort": sort,
            "filters": filters_digest(filters),
            "value": value,
            "id": row_id,
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    text = f"{_check(body)}{body}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, *, sort: str, filters: Mapping[str, Any]
) -> tuple[Any, int]:
    """Return the (sort value, id) of a cursor issued for this sort and filters."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        check, body = text[:CHECK_LENGTH], text[CHECK_LENGTH:]
        position = json.loads(body) if _check(body) == check else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        position = None
    if not isinstance(position, dict) or not isinstance(position.get("id"), int):
        raise CursorError(
            "cursor is not one this API issued: pass next_cursor unchanged"
        )
    if position.get("sort") != sort or position.get("filters") != filters_digest(
        filters
    ):
        raise CursorError(
            "cursor was issued for another sort or other filters: send the same ones,"
            " or start again without a cursor"
        )
    return position.get("value"), position["id"]


def filters_digest(filters: Mapping[str, Any]) -> str:
    """A short digest of the filters a list was asked with."""
    text = json.dumps(filters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:CHECK_LENGTH]


def _check(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:CHECK_LENGTH]

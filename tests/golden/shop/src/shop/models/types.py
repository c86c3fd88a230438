"""Input types that accept what their JSON schema describes, and nothing more.

pydantic's lax mode reads a number as a Unix timestamp where a date is expected and
`"yes"`, `"on"` or `1` as a boolean; the OpenAPI document says a date is an ISO 8601
string and a boolean `true` or `false`, so those are refused (422). A decimal is a
string (a JSON number cannot hold 0.1 exactly) whose schema states its digits, and an
e-mail address's schema states the domains email-validator refuses.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import AwareDatetime, BeforeValidator, EmailStr, Field, WithJsonSchema

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _iso_text(value: object) -> object:
    """Refuse a number (or a string holding one) where an ISO 8601 value is due."""
    if isinstance(value, int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value.strip())
    ):
        raise ValueError("must be an ISO 8601 string, not a number")
    return value


def _decimal_text(value: object) -> object:
    """Accept a decimal as a string (or a `Decimal`), not as a JSON number."""
    if isinstance(value, str | Decimal):
        return value
    raise ValueError('must be a string such as "9.99"')


def _any_case(word: str) -> str:
    """A regular expression matching `word` in any letter case, without flags."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _true_or_false(value: object) -> object:
    """Accept `true` or `false` only (a query string spells them out)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be true or false")


def json_number(value: object) -> object:
    """Refuse a boolean, or a string holding a number, where a number is due: JSON has
    numbers, and pydantic's lax mode would read `true` as 1 and `"5"` as 5. Used as a
    model's before-validator, it leaves the field's bounds in the schema."""
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
"""A date written as `YYYY-MM-DD`."""
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
"""A timestamp written in ISO 8601 with its offset."""
QueryBool = Annotated[bool, BeforeValidator(_true_or_false)]
"""A boolean query parameter: `true` or `false`."""

# The columns are Numeric(12, 2): ten digits before the point, two after.
DECIMAL_PATTERN = r"^-?\d{1,10}(\.\d{1,2})?$"
DecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    WithJsonSchema(
        {"type": "string", "pattern": DECIMAL_PATTERN, "examples": ["9.99"]}
    ),
]
"""A decimal of the columns' precision, written as a string: `"9.99"`."""

# email-validator refuses addresses at special-use domains (`.test`, `.localhost`, …).
_SPECIAL_USE = "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
Email = Annotated[
    EmailStr,
    Field(json_schema_extra={"pattern": rf"^(?!.*[@.]({_SPECIAL_USE})$).*$"}),
]
"""An e-mail address at a domain that can receive mail."""

"""Liveness and readiness contracts, shared by `/health` and the MCP tools."""

from typing import Literal

from pydantic import BaseModel

CheckResult = Literal["ok", "error"]


class Liveness(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Whether the service can take traffic, with the result of each check."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckResult]

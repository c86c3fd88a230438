"""Liveness and readiness probes."""

from fastapi import APIRouter, Response, status

from shop.dependencies import ContainerDep
from shop.models.health_model import Liveness, Readiness
from shop.services.health_service import HealthService

router = APIRouter(prefix="/health", tags=["health"])


@router.get("")
async def liveness() -> Liveness:
    """Answer as long as the process is running."""
    return Liveness()


@router.get(
    "/ready",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": Readiness}},
)
async def readiness(container: ContainerDep, response: Response) -> Readiness:
    """Check the database and, when configured, Redis; 503 if any check fails."""
    health = HealthService(container.engine, container.cache, container.settings)
    result = await health.readiness()
    if result.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return result

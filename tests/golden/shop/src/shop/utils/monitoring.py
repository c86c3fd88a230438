"""Error monitoring: Sentry when `SENTRY_DSN` is set, nothing otherwise."""

from shop import __version__
from shop.config.settings import Settings


def configure_monitoring(settings: Settings) -> None:
    """Initialise Sentry (with its FastAPI integration) if a DSN is configured."""
    if not settings.sentry_dsn:
        return
    # Imported only when used: a service without Sentry does not carry it in memory.
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.environment,
        release=f"{settings.app_name}@{__version__}",
        traces_sample_rate=settings.sentry_traces_sample_rate,
        send_default_pii=False,
    )

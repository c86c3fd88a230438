"""Structured JSON logging for structlog and the standard library, secrets removed."""

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor, WrappedLogger

from shop.config.settings import LogLevel

REDACTED = "[redacted]"

# A key that names a secret: its value is replaced whatever it is.
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authori[sz]ation|cookie|api[_-]?key"
    r"|private[_-]?key|credential|dsn|signature",
    re.IGNORECASE,
)
# Secrets inside free text: the password of a URL (`scheme://user:password@host`),
# a bearer or basic credential, a JWT, and `password=...`-style pairs of a query
# string, a form body or an error message.
_SECRET_IN_TEXT = (
    re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+(?=@)", re.IGNORECASE),
    re.compile(r"(?P<keep>\b(bearer|basic)\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
    re.compile(
        r"(?P<keep>\b[\w-]*(pass(word|wd)?|secret|token|api[_-]?key)[\w-]*"
        r"[\"']?\s*[=:]\s*[\"']?)[^\s&\"',;}]+",
        re.IGNORECASE,
    ),
)


def redact_text(text: str) -> str:
    """Replace the secrets found in free text."""
    for pattern in _SECRET_IN_TEXT:
        text = pattern.sub(_keep_prefix, text)
    return text


def _keep_prefix(match: re.Match[str]) -> str:
    return (match.groupdict().get("keep") or "") + REDACTED


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and _SECRET_KEY.search(key)
            else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def redact_secrets(
    _logger: WrappedLogger, _method: str, event_dict: EventDict
) -> EventDict:
    """Remove passwords, tokens, keys and cookies from every field of a log event."""
    redacted: EventDict = _redact(event_dict)
    return redacted


SHARED_PROCESSORS: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def configure_logging(level: LogLevel) -> None:
    """Send every log record, structlog's or stdlib's, to stderr as JSON lines."""
    # Library records (uvicorn, SQLAlchemy, mcp) share the renderer, so request
    # ids bound with `structlog.contextvars` appear in them too; stderr keeps
    # stdout free for the MCP stdio transport.
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks without the frames' local variables: they hold the
            # passwords, tokens and keys a request carried.
            structlog.processors.ExceptionRenderer(
                ExceptionDictTransformer(show_locals=False)
            ),
            # Last before rendering, so that it sees every field, the traceback's
            # exception messages included, of structlog's and stdlib's records.
            redact_secrets,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # The request-id middleware logs every request with more context.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)

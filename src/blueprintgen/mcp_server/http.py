"""Streamable HTTP on 127.0.0.1, every request guarded by a bearer token.

The token is random per start (or ``$BLUEPRINTGEN_MCP_TOKEN``, so that an assistant's
configuration can name a fixed one) and printed with the URL. A request without it is
answered 401 before it reaches the MCP app; the comparison takes the same time however
much of the token is right. The SDK's own host check (DNS-rebinding protection, on for
127.0.0.1) stays in place behind it.
"""

from __future__ import annotations

import hmac
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from mcp.server.mcpserver import MCPServer

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HOST = "127.0.0.1"
PATH = "/mcp"
TOKEN_ENV = "BLUEPRINTGEN_MCP_TOKEN"
MIN_TOKEN_LENGTH = 32


class BearerGuard:
    """An ASGI wrapper: HTTP requests pass only with ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def admits(self, headers: list[tuple[bytes, bytes]]) -> bool:
        """Whether the request carries the token (the scheme's case does not matter, RFC 7235)."""
        given = next((value for name, value in headers if name == b"authorization"), b"")
        scheme, _, credentials = given.strip().partition(b" ")
        # compare_digest even for a wrong scheme: how long it takes says nothing about the token
        matches = hmac.compare_digest(credentials.strip(), self.token)
        return scheme.lower() == b"bearer" and matches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.admits(scope["headers"]):
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="blueprintgen"'),
                    ],
                }
            )
            body = b'{"error": "invalid_token", "error_description": "the bearer token printed at start is needed"}'
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def token() -> str:
    """The token requests must carry: ``$BLUEPRINTGEN_MCP_TOKEN``, else a random one."""
    from blueprintgen.errors import UsageError

    chosen = os.environ.get(TOKEN_ENV)
    if chosen is None:
        return secrets.token_urlsafe(32)
    if len(chosen) < MIN_TOKEN_LENGTH:
        raise UsageError(
            f"${TOKEN_ENV} is shorter than {MIN_TOKEN_LENGTH} characters",
            hint=f'make one with `python -c "import secrets; print(secrets.token_urlsafe(32))"`, or unset {TOKEN_ENV}',
        )
    return chosen


def listen(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1:``port`` (0: a free port), or UsageError saying why not."""
    from blueprintgen.errors import UsageError

    bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bound.bind((HOST, port))
    except OSError as error:
        bound.close()
        raise UsageError(
            f"cannot listen on {HOST}:{port} ({error.strerror or error})",
            hint="choose another --port, or leave it out for a free one",
        ) from None
    return bound


def serve(server: MCPServer, root: Path, *, port: int) -> None:
    """Serve until interrupted, after printing the URL and the header to send."""
    import uvicorn

    secret = token()
    bound = listen(port)
    app = BearerGuard(server.streamable_http_app(streamable_http_path=PATH, host=HOST), secret)
    url = f"http://{HOST}:{bound.getsockname()[1]}{PATH}"
    print(f"blueprintgen MCP server for {root}", flush=True)
    print(f"url: {url}", flush=True)
    print(f"header: Authorization: Bearer {secret}", flush=True)
    print("stop it with Ctrl-C", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[bound])

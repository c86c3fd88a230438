"""The authorization server's endpoints, added to the application.

From the MCP SDK: RFC 8414 metadata, `/authorize`, `/token` (authorization
code with PKCE S256, refresh), `/register` (RFC 7591) and `/revoke` (RFC 7009);
RFC 9728 metadata for the REST API. The MCP app serves its own (for `/mcp`).
"""

from urllib.parse import parse_qsl

from fastapi import FastAPI
from mcp.server.auth.routes import (
    REVOCATION_PATH,
    create_auth_routes,
    create_protected_resource_routes,
)
from mcp.server.auth.settings import (
    AuthSettings,
    ClientRegistrationOptions,
    RevocationOptions,
)
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shop.config.settings import Settings
from shop.container import ServiceContainer
from shop.oauth import sign_in
from shop.oauth.audience import api_resource, mcp_resource
from shop.oauth.provider import DatabaseOAuthProvider
from shop.oauth.scopes import DEFAULT_SCOPES, SCOPES


def auth_settings(settings: Settings) -> AuthSettings:
    """The MCP endpoint's view of the authorization server: this application."""
    # The token verifier checks the audience itself, for REST and MCP alike.
    # Validated from strings: AuthSettings keeps a path-less URL without the
    # trailing slash AnyHttpUrl would add, and RFC 8414 compares issuers exactly.
    return AuthSettings.model_validate(
        {
            "issuer_url": api_resource(settings),
            "resource_server_url": mcp_resource(settings),
            "client_registration_options": ClientRegistrationOptions(
                enabled=True,
                valid_scopes=list(SCOPES),
                default_scopes=list(DEFAULT_SCOPES),
            ),
            "revocation_options": RevocationOptions(enabled=True),
            "validate_token_resource": False,
        }
    )


class PublicClientRevocation:
    """Let a public client revoke with its client id alone (RFC 7009, section 2.1).

    The SDK's revocation form requires a `client_secret` field even from a client
    registered with `token_endpoint_auth_method: none`, which has none to send;
    this adds the empty one the SDK accepts for such a client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        form = headers.get(b"content-type", b"").startswith(
            b"application/x-www-form-urlencoded"
        )
        if scope["type"] != "http" or scope["method"] != "POST" or not form:
            await self.app(scope, receive, send)
            return
        body, more_body = b"", True
        while more_body and len(body) <= DEFAULT_MAX_REQUEST_BODY_SIZE:
            message = await receive()
            body += message.get("body", b"")
            more_body = message.get("more_body", False)
        fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        if not more_body and "client_secret" not in dict(fields):
            body += b"&client_secret=" if body else b"client_secret="
            headers[b"content-length"] = str(len(body)).encode()
            scope = {**scope, "headers": list(headers.items())}
        replayed = False

        async def replay() -> Message:
            # The body read so far, then (when over the limit) the rest as it comes.
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more_body}

        await self.app(scope, replay, send)


def _accept_public_revocation(route: BaseRoute) -> BaseRoute:
    if isinstance(route, Route) and route.path == REVOCATION_PATH:
        return Route(
            route.path,
            endpoint=PublicClientRevocation(route.app),
            methods=route.methods,
        )
    return route


def install_oauth(app: FastAPI, container: ServiceContainer) -> None:
    """Add the authorization server's routes and the sign-in page to `app`."""
    settings = auth_settings(container.settings)
    routes = create_auth_routes(
        DatabaseOAuthProvider(container),
        settings.issuer_url,
        client_registration_options=settings.client_registration_options,
        revocation_options=settings.revocation_options,
    )
    app.router.routes.extend(_accept_public_revocation(route) for route in routes)
    app.router.routes.extend(
        create_protected_resource_routes(
            resource_url=settings.issuer_url,
            authorization_servers=[settings.issuer_url],
            scopes_supported=list(SCOPES),
            resource_name=container.settings.app_name,
        )
    )
    app.include_router(sign_in.router)

"""The authorization server's endpoints, added to the application.

From the MCP SDK: RFC 8414 metadata, `/authorize`, `/token` (authorization
code with PKCE S256, refresh), `/register` (RFC 7591) and `/revoke` (RFC 7009);
RFC 9728 metadata for the REST API. The MCP app serves its own (for `/mcp`).
"""

from fastapi import FastAPI
from mcp.server.auth.routes import create_auth_routes, create_protected_resource_routes
from mcp.server.auth.settings import (
    AuthSettings,
    ClientRegistrationOptions,
    RevocationOptions,
)

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


def install_oauth(app: FastAPI, container: ServiceContainer) -> None:
    """Add the authorization server's routes and the sign-in page to `app`."""
    settings = auth_settings(container.settings)
    app.router.routes.extend(
        create_auth_routes(
            DatabaseOAuthProvider(container),
            settings.issuer_url,
            client_registration_options=settings.client_registration_options,
            revocation_options=settings.revocation_options,
        )
    )
    app.router.routes.extend(
        create_protected_resource_routes(
            resource_url=settings.issuer_url,
            authorization_servers=[settings.issuer_url],
            scopes_supported=list(SCOPES),
            resource_name=container.settings.app_name,
        )
    )
    app.include_router(sign_in.router)

"""The sign-in and consent page of the authorization-code flow (no JavaScript)."""

import html
import secrets
from typing import Annotated

import jwt
from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import parse

from shop.dependencies import ContainerDep
from shop.middleware.auth import UserServiceDep
from shop.middleware.rate_limit import RateLimiter
from shop.oauth.provider import (
    SIGN_IN_PATH,
    DatabaseOAuthProvider,
    PendingAuthorization,
)
from shop.oauth.scopes import SCOPE_DESCRIPTIONS

CSRF_COOKIE = "oauth_csrf"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

router = APIRouter(prefix=SIGN_IN_PATH, tags=["oauth"], include_in_schema=False)


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in to {app}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0}}.error{{color:#b00}}</style></head>
<body>
<h1>Sign in to {app}</h1>
<p><strong>{client}</strong> asks to act on your behalf, with these permissions:</p>
<ul>{scopes}</ul>
<p>After you allow it, you are sent back to <code>{redirect}</code>.</p>
{error}
<form method="post" action="{action}">
<input type="hidden" name="request" value="{request}">
<input type="hidden" name="csrf_token" value="{csrf}">
<label>E-mail <input type="email" name="email" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit" name="decision" value="allow">Sign in and allow</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>
</body>
</html>
"""


def _page(
    request: Request,
    pending: PendingAuthorization,
    sealed: str,
    *,
    error: str | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    """The form, with a fresh CSRF token in a hidden field and a cookie."""
    container = request.app.state.container
    csrf = secrets.token_urlsafe(32)
    scopes = "".join(
        f"<li><code>{html.escape(scope)}</code>: "
        f"{html.escape(SCOPE_DESCRIPTIONS.get(scope, scope))}</li>"
        for scope in pending.scopes
    )
    body = PAGE.format(
        app=html.escape(container.settings.app_name),
        client=html.escape(pending.client_name),
        scopes=scopes,
        redirect=html.escape(pending.redirect_uri),
        error=f'<p class="error">{html.escape(error)}</p>' if error else "",
        action=html.escape(SIGN_IN_PATH),
        request=html.escape(sealed),
        csrf=html.escape(csrf),
    )
    response = HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=600,
        path=SIGN_IN_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


def _refusal(message: str, status_code: int) -> HTMLResponse:
    body = f"<!doctype html><title>Sign-in refused</title><p>{html.escape(message)}</p>"
    return HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)


async def _over_limit(request: Request) -> bool:
    """Count one sign-in attempt of the client IP; True when over the limit."""
    limiter: RateLimiter = request.app.state.limiter
    if not limiter.enabled:
        return False
    settings = request.app.state.container.settings
    client = request.client.host if request.client else "unknown"
    wait = await limiter.hit_limit(
        parse(settings.oauth_sign_in_rate_limit), f"oauth-sign-in:{client}"
    )
    return wait is not None


@router.get("")
async def show_sign_in(
    request: Request,
    sealed: Annotated[str, Query(alias="request")],
    container: ContainerDep,
) -> Response:
    """Show the sign-in and consent form of a pending authorization."""
    try:
        pending = PendingAuthorization.unseal(sealed, container.settings.secret_key)
    except jwt.InvalidTokenError:
        return _refusal(
            "This sign-in link is invalid or expired; start again from your client.",
            status.HTTP_400_BAD_REQUEST,
        )
    return _page(request, pending, sealed)


@router.post("")
async def submit_sign_in(
    request: Request,
    sealed: Annotated[str, Form(alias="request")],
    csrf_token: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    container: ContainerDep,
    users: UserServiceDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Check the form, then redirect to the client with a code, or with a refusal."""
    if await _over_limit(request):
        return _refusal(
            "Too many sign-in attempts; wait a minute.",
            status.HTTP_429_TOO_MANY_REQUESTS,
        )
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        return _refusal(
            "The form expired or was not sent from this page; reload it.",
            status.HTTP_403_FORBIDDEN,
        )
    try:
        pending = PendingAuthorization.unseal(sealed, container.settings.secret_key)
    except jwt.InvalidTokenError:
        return _refusal(
            "This sign-in link is invalid or expired; start again from your client.",
            status.HTTP_400_BAD_REQUEST,
        )
    if decision != "allow":
        return RedirectResponse(
            pending.redirect(error="access_denied"), status.HTTP_303_SEE_OTHER
        )
    user = await users.authenticate(email, password)
    if user is None:
        return _page(
            request,
            pending,
            sealed,
            error="Incorrect e-mail or password.",
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    provider = DatabaseOAuthProvider(container)
    target = await provider.complete_authorization(pending, user)
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.delete_cookie(CSRF_COOKIE, path=SIGN_IN_PATH)
    return response

"""The scope check of a tool call, as a tool error naming the missing scope."""

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver.exceptions import ToolError

from shop.oauth.scopes import MissingScopeError, require_scope


def require_tool_scope(scope: str, error: type[Exception] = ToolError) -> None:
    """Refuse an HTTP caller whose token lacks `scope` with `error` (a tool error, or a
    resource error for a resource read); stdio callers are trusted."""
    access = get_access_token()
    if access is None:
        return
    try:
        require_scope(access.scopes, scope)
    except MissingScopeError as exc:
        raise error(str(exc)) from exc

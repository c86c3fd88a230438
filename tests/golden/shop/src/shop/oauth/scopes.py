"""The scopes a token can carry, and the one check REST and MCP both use.

- `read`: GET routes and read-only tools.
- `write`: routes and tools that create, change or delete.
- `admin`: account administration (administrators only).
"""

from collections.abc import Collection

READ = "read"
WRITE = "write"
ADMIN = "admin"
SCOPES = (READ, WRITE, ADMIN)
SCOPE_DESCRIPTIONS = {
    READ: "read your data",
    WRITE: "create, change and delete your data",
    ADMIN: "administer user accounts",
}
DEFAULT_SCOPES = (READ, WRITE)
"""What a client gets when it asks for no scope."""


class MissingScopeError(Exception):
    """The token lacks the scope an operation needs."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(f"The access token lacks the '{scope}' scope")


def role_scopes(*, is_admin: bool) -> list[str]:
    """Every scope a user's role allows: `admin` for administrators only."""
    return [*DEFAULT_SCOPES, ADMIN] if is_admin else list(DEFAULT_SCOPES)


def require_scope(granted: Collection[str], scope: str) -> None:
    """Raise MissingScopeError unless `scope` was granted."""
    if scope not in granted:
        raise MissingScopeError(scope)

"""Administer users: no schema change.

`blueprintgen add resource user` adds routes and tools over the users table the
project was created with; this empty revision keeps the migration chain linear.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: nothing changes."""


def downgrade() -> None:
    """Revert this revision: nothing changes."""

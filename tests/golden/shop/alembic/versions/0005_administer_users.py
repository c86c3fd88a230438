"""Administer users: no schema change.

`blueprintgen add resource user` adds routes and tools over the users table the
project was created with; this empty revision keeps the migration chain linear.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: nothing changes."""


def downgrade() -> None:
    """Revert this revision: nothing changes."""

"""Create the authors table.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def search_key(column: str) -> sa.TextClause:
    """lower(column), compared bytewise (as the queries of the prefix search are)."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.text(f'(lower({column}) COLLATE "C")')
    return sa.text(f"lower({column})")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
    )
    op.create_index(
        op.f("ix_authors_name_keyset"), "authors", ["name", "id"], unique=False
    )
    op.create_index(
        op.f("ix_authors_created_at_keyset"),
        "authors",
        ["created_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_authors_updated_at_keyset"),
        "authors",
        ["updated_at", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_authors_name_search"), "authors", [search_key("name")], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_authors_name_search"), table_name="authors")
    op.drop_index(op.f("ix_authors_updated_at_keyset"), table_name="authors")
    op.drop_index(op.f("ix_authors_created_at_keyset"), table_name="authors")
    op.drop_index(op.f("ix_authors_name_keyset"), table_name="authors")
    op.drop_table("authors")

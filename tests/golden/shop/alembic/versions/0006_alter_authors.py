"""Change the authors table: add website, age; drop bio; alter name.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def search_key(column: str) -> sa.TextClause:
    """lower(column), compared bytewise (as the queries of the prefix search are)."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.text(f'(lower({column}) COLLATE "C")')
    return sa.text(f"lower({column})")


def upgrade() -> None:
    """Apply this revision."""
    op.drop_index(op.f("ix_authors_name_search"), table_name="authors")
    with op.batch_alter_table("authors") as batch:
        batch.drop_column("bio")
        batch.add_column(sa.Column("website", sa.String(length=2048), nullable=True))
        batch.create_unique_constraint(op.f("uq_authors_website"), ["website"])
        batch.add_column(
            sa.Column("age", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_index(op.f("ix_authors_age_keyset"), ["age", "id"], unique=False)
        batch.create_index(op.f("ix_authors_name"), ["name"], unique=False)
    op.create_index(
        op.f("ix_authors_name_search"), "authors", [search_key("name")], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_authors_name_search"), table_name="authors")
    with op.batch_alter_table("authors") as batch:
        batch.drop_index(op.f("ix_authors_name"))
        batch.drop_index(op.f("ix_authors_age_keyset"))
        batch.drop_column("age")
        batch.drop_constraint(op.f("uq_authors_website"), type_="unique")
        batch.drop_column("website")
        batch.add_column(sa.Column("bio", sa.Text(), nullable=True))
    op.create_index(
        op.f("ix_authors_name_search"), "authors", [search_key("name")], unique=False
    )

"""Create the books table.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
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
        "books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("subtitle", sa.String(length=255), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("contact", sa.String(length=320), nullable=False),
        sa.Column("homepage", sa.String(length=2048), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("isbn", sa.Uuid(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column(
            "format",
            sa.Enum("hardcover", "paperback", "e-book", native_enum=False),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_books")),
        sa.UniqueConstraint("title", name=op.f("uq_books_title")),
        sa.UniqueConstraint("isbn", name=op.f("uq_books_isbn")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_books_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["authors.id"],
            name=op.f("fk_books_editor_id_authors"),
            ondelete="SET NULL",
        ),
    )
    op.create_index(op.f("ix_books_contact"), "books", ["contact"], unique=False)
    op.create_index(op.f("ix_books_pages"), "books", ["pages"], unique=False)
    op.create_index(op.f("ix_books_author_id"), "books", ["author_id"], unique=False)
    op.create_index(op.f("ix_books_editor_id"), "books", ["editor_id"], unique=False)
    op.create_index(
        op.f("ix_books_title_keyset"), "books", ["title", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_subtitle_keyset"), "books", ["subtitle", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_contact_keyset"), "books", ["contact", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_pages_keyset"), "books", ["pages", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_rating_keyset"), "books", ["rating", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_price_keyset"), "books", ["price", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_in_stock_keyset"), "books", ["in_stock", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_published_on_keyset"),
        "books",
        ["published_on", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_books_released_at_keyset"),
        "books",
        ["released_at", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_books_isbn_keyset"), "books", ["isbn", "id"], unique=False)
    op.create_index(
        op.f("ix_books_format_keyset"), "books", ["format", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_author_id_keyset"), "books", ["author_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_editor_id_keyset"), "books", ["editor_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_created_at_keyset"), "books", ["created_at", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_updated_at_keyset"), "books", ["updated_at", "id"], unique=False
    )
    op.create_index(
        op.f("ix_books_title_search"), "books", [search_key("title")], unique=False
    )
    op.create_index(
        op.f("ix_books_subtitle_search"),
        "books",
        [search_key("subtitle")],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_books_subtitle_search"), table_name="books")
    op.drop_index(op.f("ix_books_title_search"), table_name="books")
    op.drop_index(op.f("ix_books_updated_at_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_created_at_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_editor_id_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_author_id_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_format_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_isbn_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_released_at_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_published_on_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_in_stock_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_price_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_rating_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_pages_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_contact_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_subtitle_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_title_keyset"), table_name="books")
    op.drop_index(op.f("ix_books_editor_id"), table_name="books")
    op.drop_index(op.f("ix_books_author_id"), table_name="books")
    op.drop_index(op.f("ix_books_pages"), table_name="books")
    op.drop_index(op.f("ix_books_contact"), table_name="books")
    op.drop_table("books")

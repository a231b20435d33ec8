"""Feed item hashes on articles, so a poll skips items it already holds unchanged.

Without them every changed feed had all its items' pages fetched again. Existing rows get an
empty hash: their items are fetched once more, then recognised.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("item_hash", sa.String(64), nullable=False, server_default=""))
    op.create_index("ix_articles_feed", "articles", ["feed"])


def downgrade() -> None:
    op.drop_index("ix_articles_feed", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("item_hash")

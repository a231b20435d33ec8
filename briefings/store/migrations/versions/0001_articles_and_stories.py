"""Feeds, articles with their facts and clustering features, and stories.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("seeded", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt", UTC_DATETIME, nullable=True),
        sa.Column("last_success", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("name", name="uq_feeds_name"),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created", UTC_DATETIME, nullable=False),
        sa.Column("updated", UTC_DATETIME, nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("title_fr", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("guid", sa.String(2048), nullable=True),
        sa.Column("feed", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("published", UTC_DATETIME, nullable=False),
        sa.Column("fetched_at", UTC_DATETIME, nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("backlog", sa.Boolean(), nullable=False),
        sa.Column("story_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_articles_story_id_stories", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    op.create_index("ix_articles_guid", "articles", ["guid"])
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_fingerprint", "articles", ["fingerprint"])
    op.create_index("ix_articles_story_id", "articles", ["story_id"])
    op.create_table(
        "facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_facts_article_id_articles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_facts"),
    )
    op.create_index("ix_facts_article_id", "facts", ["article_id"])
    op.create_table(
        "article_features",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_article_features_article_id_articles", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_features"),
    )


def downgrade() -> None:
    op.drop_table("article_features")
    op.drop_index("ix_facts_article_id", table_name="facts")
    op.drop_table("facts")
    for column in ("story_id", "fingerprint", "published", "guid"):
        op.drop_index(f"ix_articles_{column}", table_name="articles")
    op.drop_table("articles")
    op.drop_table("stories")
    op.drop_table("feeds")

"""Stored story views, what each channel was told, and a small key-value table.

`story_views` holds each story's merged facts, titles and topics as readers see them, and
`view_facts` one row per merged fact with when the bot first saw it and last saw it change, indexed
for the look-ups; `view_actors` and `view_terms` index pledges by donor and recipient and stories by
the words of their titles and facts. `channel_sent` remembers each fact a channel was sent, with its signature, so a
brief carries only what is new or changed. The views of an existing store are built on its first
open after this revision (`Pipeline` compares the `meta` table's view version and rebuilds them
from the articles), since building them needs the pipeline's merge and topic rules.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "story_views",
        sa.Column("story_id", sa.String(64), sa.ForeignKey("stories.id", ondelete="CASCADE",
                                                          name="fk_story_views_story_id_stories"), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("first_published", _WHEN, nullable=False),
        sa.Column("last_published", _WHEN, nullable=False),
        sa.Column("learned", _WHEN, nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("story_id", name="pk_story_views"),
    )
    op.create_index("ix_story_views_last_published", "story_views", ["last_published"])
    op.create_index("ix_story_views_learned", "story_views", ["learned"])
    op.create_table(
        "view_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.String(64), sa.ForeignKey("stories.id", ondelete="CASCADE",
                                                          name="fk_view_facts_story_id_stories"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fact_key", sa.String(400), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("first_seen", _WHEN, nullable=False),
        sa.Column("changed", _WHEN, nullable=False),
        sa.Column("last_published", _WHEN, nullable=False),
        sa.Column("on_date", sa.String(10), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_view_facts"),
    )
    op.create_index("ix_view_facts_story_id", "view_facts", ["story_id"])
    op.create_index("ix_view_facts_kind_published", "view_facts", ["kind", "last_published"])
    op.create_index("ix_view_facts_kind_on_date", "view_facts", ["kind", "on_date"])
    op.create_index("ix_view_facts_changed", "view_facts", ["changed"])
    op.create_table(
        "channel_sent",
        sa.Column("channel_key", sa.String(200), nullable=False),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("fact_key", sa.String(400), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("brief_key", sa.String(200), nullable=False),
        sa.Column("sent_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("channel_key", "story_id", "fact_key", name="pk_channel_sent"),
    )
    op.create_index("ix_channel_sent_sent_at", "channel_sent", ["sent_at"])
    op.create_table(
        "view_actors",
        sa.Column("story_id", sa.String(64), sa.ForeignKey("stories.id", ondelete="CASCADE",
                                                          name="fk_view_actors_story_id_stories"), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("last_published", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("story_id", "side", "code", name="pk_view_actors"),
    )
    op.create_index("ix_view_actors_side_code_published", "view_actors", ["side", "code", "last_published"])
    op.create_table(
        "view_terms",
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("story_id", sa.String(64), sa.ForeignKey("stories.id", ondelete="CASCADE",
                                                          name="fk_view_terms_story_id_stories"), nullable=False),
        sa.PrimaryKeyConstraint("term", "story_id", name="pk_view_terms"),
    )
    op.create_index("ix_view_terms_story_id", "view_terms", ["story_id"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("view_terms")
    op.drop_table("view_actors")
    op.drop_table("channel_sent")
    op.drop_table("view_facts")
    op.drop_table("story_views")

"""Channel settings made from chat, and the log of their changes.

`channel_settings` holds what chat admins set per channel (null: inherited from config.toml);
`channel_setting_changes` one row per change, which every worker watches to re-plan that channel's
brief job and which the admin channel hears about.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channel_settings",
        sa.Column("channel_key", sa.String(200), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("schedule", sa.String(200), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("channel_key", name="pk_channel_settings"),
    )
    op.create_table(
        "channel_setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_key", sa.String(200), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_channel_setting_changes"),
    )
    op.create_index("ix_channel_setting_changes_channel_key", "channel_setting_changes", ["channel_key"])


def downgrade() -> None:
    op.drop_table("channel_setting_changes")
    op.drop_table("channel_settings")

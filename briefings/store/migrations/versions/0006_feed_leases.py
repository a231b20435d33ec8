"""Feed leases, so several workers on one database share the feeds instead of each polling all.

A worker takes due feeds in a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and marks
them with `lease_owner` and `lease_until`; a worker that dies leaves its lease to lapse, and another
takes the feeds then. `polled_at` is when a worker last finished a feed, which is what makes a feed
due again after its interval whichever worker polled it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("polled_at")
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")

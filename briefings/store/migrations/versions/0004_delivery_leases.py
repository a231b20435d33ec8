"""Delivery leases: a worker holds an outbox row while it posts, so two workers never post one brief.

`lease_owner` names the worker holding the row and `lease_until` when its hold lapses (a crashed
worker's row is resumed by another after that); a released row keeps `lease_until` as the earliest
time it may be retried. Rows that can never be posted (unknown channel) now end as status 'failed'
with their reason in `last_error`; the status column already holds any short word.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")

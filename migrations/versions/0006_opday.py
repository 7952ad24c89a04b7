"""Callbacks: when one was cancelled (a transfer that does not carry it), apart from when one was done.

Revision ID: 0006_opday
Revises: 0005_suggest
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_opday"
down_revision = "0006_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callbacks") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callbacks") as batch:
        batch.drop_column("cancelled_at")

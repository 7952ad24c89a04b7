"""Verification by the helpdesk: the history of who confirmed an organisation's details, and when.

Revision ID: 0008_verify
Revises: 0007_notify
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_verify"
down_revision = "0007_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_verifications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["users.id"],
            name=op.f("fk_organisation_verifications_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_verifications")),
    )
    op.create_index(
        "ix_organisation_verifications_organisation_id_verified_at",
        "organisation_verifications",
        ["organisation_id", "verified_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_organisation_verifications_organisation_id_verified_at", table_name="organisation_verifications"
    )
    op.drop_table("organisation_verifications")

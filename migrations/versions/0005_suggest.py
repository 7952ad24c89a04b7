"""Suggestions: an index of the leads by organisation and date that holds the outcome and the request, so
that the helpdesk's history of a few dozen organisations is read from the index alone.

Revision ID: 0005_suggest
Revises: 0005_needs
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005_suggest"
down_revision = "0005_needs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_leads_organisation_history",
        "leads",
        ["organisation_id", "updated_at", "outcome", "request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_leads_organisation_history", table_name="leads")

"""The needs thesaurus and the count of request-page searches that found nothing.

Revision ID: 0005_needs
Revises: 0004_jobs
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_needs"
down_revision = "0004_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("phrases_fr", sa.Text(), nullable=False),
        sa.Column("phrases_nl", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("publics", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("shipped", sa.Boolean(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
        sa.UniqueConstraint("code", name=op.f("uq_needs_code")),
    )
    op.create_table(
        "unanswered_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(length=20), nullable=False),
        sa.Column("theme_code", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_unanswered_searches_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_searches")),
        sa.UniqueConstraint(
            "request_id", "theme_code", "day", name=op.f("uq_unanswered_searches_request_id_theme_code_day")
        ),
    )
    op.create_index(
        op.f("ix_unanswered_searches_request_id"), "unanswered_searches", ["request_id"], unique=False
    )
    op.create_index(op.f("ix_unanswered_searches_at"), "unanswered_searches", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unanswered_searches_at"), table_name="unanswered_searches")
    op.drop_index(op.f("ix_unanswered_searches_request_id"), table_name="unanswered_searches")
    op.drop_table("unanswered_searches")
    op.drop_table("needs")

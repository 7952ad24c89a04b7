"""What the social.brussels API says of an organisation beyond the common fields, and the source's vocabularies.

Revision ID: 0004_socialbrussels
Revises: 0004_accounts
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_socialbrussels"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None

TEXTS = (
    "activities_fr",
    "activities_nl",
    "access_fr",
    "access_nl",
    "target_public_fr",
    "target_public_nl",
    "remark_fr",
    "remark_nl",
)
LISTS = ("other_names", "company_numbers", "faxes", "sectors", "action_zones")


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("official_name_fr", sa.String(length=400), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("official_name_nl", sa.String(length=400), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("legal_form_nl", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("legal_form_code", sa.String(length=50), nullable=False, server_default="")
        )
        for name in TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        for name in LISTS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("language_regime", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("interpreting", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("lambert_x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lambert_y", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("served_communes", sa.String(length=400), nullable=False, server_default="")
        )
    op.create_table(
        "vocabulary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("label_fr", sa.String(length=400), nullable=False),
        sa.Column("label_nl", sa.String(length=400), nullable=False),
        sa.Column("parent_code", sa.String(length=100), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabulary_terms")),
        sa.UniqueConstraint("kind", "code", name=op.f("uq_vocabulary_terms_kind_code")),
    )


def downgrade() -> None:
    op.drop_table("vocabulary_terms")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name in (
            "served_communes",
            "lambert_y",
            "lambert_x",
            "interpreting",
            "language_regime",
            *LISTS,
            *TEXTS,
            "legal_form_code",
            "legal_form_nl",
            "official_name_nl",
            "official_name_fr",
        ):
            batch_op.drop_column(name)

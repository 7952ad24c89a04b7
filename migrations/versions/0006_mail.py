"""Mail: the outbox table, and the language of the asking professional on a request.

Revision ID: 0006_mail
Revises: 0005_suggest
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_mail"
down_revision = "0005_suggest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_outbox_messages_request_id_help_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_outbox_messages_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_messages_message_id")),
    )
    op.create_index(
        "ix_outbox_messages_state_run_after", "outbox_messages", ["state", "run_after"], unique=False
    )
    op.create_index(op.f("ix_outbox_messages_request_id"), "outbox_messages", ["request_id"], unique=False)
    with op.batch_alter_table("help_requests") as batch:
        batch.add_column(sa.Column("caller_language", sa.String(length=5), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("caller_language")
    op.drop_index(op.f("ix_outbox_messages_request_id"), table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_state_run_after", table_name="outbox_messages")
    op.drop_table("outbox_messages")

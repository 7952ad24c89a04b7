"""Directory stewardship: proposals (their changes field by field), the overlays accepted values leave on
organisations, notifications of a proposal's outcome; the correction notes of before become proposals.

Revision ID: 0008_steward
Revises: 0008_verify
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_steward"
down_revision = "0008_verify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_until", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("duplicates_seen", sa.JSON(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("territory", sa.String(length=20), nullable=False),
        sa.Column("basin", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legacy_note_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["legacy_note_id"],
            ["organisation_notes.id"],
            name=op.f("fk_proposals_legacy_note_id_organisation_notes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_proposals_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"], ["users.id"], name=op.f("fk_proposals_proposer_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index(op.f("ix_proposals_decided_at"), "proposals", ["decided_at"], unique=False)
    op.create_index(op.f("ix_proposals_organisation_id"), "proposals", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_proposals_proposer_id"), "proposals", ["proposer_id"], unique=False)
    op.create_index("ix_proposals_state_created_at", "proposals", ["state", "created_at"], unique=False)
    op.create_table(
        "proposal_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("directory_value", sa.JSON(), nullable=True),
        sa.Column("proposed_value", sa.JSON(), nullable=True),
        sa.Column("accepted_value", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_changes_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_changes")),
    )
    op.create_index(
        op.f("ix_proposal_changes_proposal_id"), "proposal_changes", ["proposal_id"], unique=False
    )
    op.create_table(
        "organisation_overlays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("source_value", sa.JSON(), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_overlays_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_organisation_overlays_proposal_id_proposals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_overlays")),
    )
    op.create_index(
        "ix_organisation_overlays_organisation_id_state",
        "organisation_overlays",
        ["organisation_id", "state"],
        unique=False,
    )
    op.create_index(op.f("ix_organisation_overlays_state"), "organisation_overlays", ["state"], unique=False)
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_notifications_proposal_id"), ["proposal_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_notifications_proposal_id_proposals"),
            "proposals",
            ["proposal_id"],
            ["id"],
            ondelete="CASCADE",
        )
    _migrate_correction_notes()


def _migrate_correction_notes() -> None:
    """Each correction note becomes a proposal (field ``other``, the note's text as its note and proposed
    value): open or exported ones pending, done ones accepted. The notes stay, marked ``migrated``."""
    bind = op.get_bind()
    notes = sa.table(
        "organisation_notes",
        sa.column("id", sa.Integer),
        sa.column("organisation_id", sa.Integer),
        sa.column("author_id", sa.Integer),
        sa.column("territory", sa.String),
        sa.column("text", sa.Text),
        sa.column("is_correction", sa.Boolean),
        sa.column("correction_status", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    organisations = sa.table("organisations", sa.column("id", sa.Integer), sa.column("basin", sa.String))
    proposals = sa.table(
        "proposals",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("state", sa.String),
        sa.column("organisation_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("note", sa.Text),
        sa.column("duplicates_seen", sa.JSON),
        sa.column("proposer_id", sa.Integer),
        sa.column("territory", sa.String),
        sa.column("basin", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("decided_at", sa.DateTime(timezone=True)),
        sa.column("refusal_reason", sa.Text),
        sa.column("legacy_note_id", sa.Integer),
    )
    changes = sa.table(
        "proposal_changes",
        sa.column("proposal_id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("directory_value", sa.JSON),
        sa.column("proposed_value", sa.JSON),
        sa.column("accepted_value", sa.JSON),
    )
    rows = bind.execute(
        sa.select(
            notes.c.id,
            notes.c.organisation_id,
            notes.c.author_id,
            notes.c.territory,
            notes.c.text,
            notes.c.correction_status,
            notes.c.created_at,
            organisations.c.basin,
        )
        .join(organisations, organisations.c.id == notes.c.organisation_id)
        .where(notes.c.is_correction.is_(True))
        .order_by(notes.c.id)
    ).all()
    for row in rows:
        done = row.correction_status == "done"
        proposal_id = bind.execute(
            sa.insert(proposals)
            .values(
                kind="change",
                state="accepted" if done else "pending",
                organisation_id=row.organisation_id,
                status="",
                note=row.text,
                duplicates_seen=[],
                proposer_id=row.author_id,
                territory=row.territory or "",
                basin=row.basin or "",
                created_at=row.created_at,
                decided_at=row.created_at if done else None,
                refusal_reason="",
                legacy_note_id=row.id,
            )
            .returning(proposals.c.id)
        ).scalar_one()
        bind.execute(
            sa.insert(changes).values(
                proposal_id=proposal_id,
                field="other",
                directory_value=None,
                proposed_value=row.text,
                accepted_value=row.text if done else None,
            )
        )
    if rows:
        bind.execute(
            sa.update(notes).where(notes.c.is_correction.is_(True)).values(correction_status="migrated")
        )


def downgrade() -> None:
    bind = op.get_bind()
    notes = sa.table(
        "organisation_notes", sa.column("id", sa.Integer), sa.column("correction_status", sa.String)
    )
    proposals = sa.table("proposals", sa.column("legacy_note_id", sa.Integer), sa.column("state", sa.String))
    for state, status in (("pending", "open"), ("accepted", "done"), ("refused", "done")):
        legacy = sa.select(proposals.c.legacy_note_id).where(proposals.c.state == state).scalar_subquery()
        bind.execute(
            sa.update(notes)
            .where(notes.c.correction_status == "migrated", notes.c.id.in_(legacy))
            .values(correction_status=status)
        )
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(batch.f("fk_notifications_proposal_id_proposals"), type_="foreignkey")
        batch.drop_index(batch.f("ix_notifications_proposal_id"))
        batch.drop_column("proposal_id")
    op.drop_index(op.f("ix_organisation_overlays_state"), table_name="organisation_overlays")
    op.drop_index("ix_organisation_overlays_organisation_id_state", table_name="organisation_overlays")
    op.drop_table("organisation_overlays")
    op.drop_index(op.f("ix_proposal_changes_proposal_id"), table_name="proposal_changes")
    op.drop_table("proposal_changes")
    op.drop_index("ix_proposals_state_created_at", table_name="proposals")
    op.drop_index(op.f("ix_proposals_proposer_id"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_organisation_id"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_decided_at"), table_name="proposals")
    op.drop_table("proposals")

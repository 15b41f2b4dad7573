"""Set-up and withdrawal (issue 13): a project's status date, its contacts, records that can
be withdrawn and restored, and the tokens that make a form sent twice act once

Revision ID: s13a_setup
Revises: sec11e_stale
Create Date: 2026-12-05 02:01:20

"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

import tracker.database

# revision identifiers, used by Alembic.
revision = "s13a_setup"
down_revision = "sec11e_stale"
branch_labels = None
depends_on = None

WITHDRAWABLE = (
    "budget_line",
    "change_request",
    "evidence_item",
    "gap_action",
    "issue_log_entry",
    "meeting",
    "milestone",
    "risk",
    "spend_entry",
    "task",
)

# Records edited through issue 13's set-up forms, which carry the version they were read at.
VERSIONED = ("meeting", "project", "service", "stage", "staff_resource", "work_stream")


@contextmanager
def _batch(table: str) -> Iterator[BatchOperations]:
    """A batch alteration (a table copy on SQLite). The copy reflects `person` for the foreign
    key, and SQLAlchemy warns that it cannot reflect person's expression index: harmless here,
    as person itself is not copied."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table(table, schema=None) as batch_op:
            yield batch_op


def upgrade():

    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("sender", sa.Integer(), nullable=False),
        sa.Column("answered_with", sa.String(length=500), nullable=False),
        sa.Column("created_at", tracker.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", "sender", name=op.f("pk_form_submission")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("responsibility", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", tracker.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", tracker.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_contact_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_contact_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint(
            "project_id", "person_id", name=op.f("uq_contact_project_id_person_id")
        ),
    )
    with _batch("project") as batch_op:
        batch_op.add_column(sa.Column("status_date", sa.Date(), nullable=True))
    for table in VERSIONED:
        with _batch(table) as batch_op:
            batch_op.add_column(
                sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False)
            )
    with _batch("stage") as batch_op:
        batch_op.add_column(sa.Column("products", sa.Text(), server_default="", nullable=False))
    with _batch("funding_source") as batch_op:
        batch_op.add_column(
            sa.Column("in_project_budget", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    for table in WITHDRAWABLE:
        with _batch(table) as batch_op:
            batch_op.add_column(
                sa.Column("withdrawn_at", tracker.database.UTCDateTime(), nullable=True)
            )
            batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_withdrawn_by_id_person"),
                "person",
                ["withdrawn_by_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade():
    for table in WITHDRAWABLE:
        with _batch(table) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_withdrawn_by_id_person"), type_="foreignkey"
            )
            batch_op.drop_column("withdrawn_by_id")
            batch_op.drop_column("withdrawn_reason")
            batch_op.drop_column("withdrawn_at")
    with _batch("funding_source") as batch_op:
        batch_op.drop_column("in_project_budget")
    with _batch("stage") as batch_op:
        batch_op.drop_column("products")
    for table in VERSIONED:
        with _batch(table) as batch_op:
            batch_op.drop_column("row_version")
    with _batch("project") as batch_op:
        batch_op.drop_column("status_date")
    op.drop_table("contact")
    op.drop_table("form_submission")

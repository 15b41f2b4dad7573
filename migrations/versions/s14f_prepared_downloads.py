"""Slow files (the assessor's pack, a report's PDF) prepared by the background worker (issue 14)

prepared_download: one row per request for such a file while REDIS_URL is set: who asked, for
what, whether the worker has made it (queued, ready, failed), and where the file is kept.

Revision ID: s14f_prepared_downloads
Revises: s14e_mail_preferences
Create Date: 2026-12-05 12:30:00

"""

import sqlalchemy as sa
from alembic import op

import tracker.database

# revision identifiers, used by Alembic.
revision = "s14f_prepared_downloads"
down_revision = "s14e_mail_preferences"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prepared_download",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("what", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", tracker.database.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=6), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=True),
        sa.Column("finished_at", tracker.database.UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_prepared_download_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["person.id"],
            name=op.f("fk_prepared_download_requested_by_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_download")),
    )
    op.create_index(
        "ix_prepared_download_lookup",
        "prepared_download",
        ["project_id", "kind", "what", "requested_by_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_prepared_download_lookup", table_name="prepared_download")
    op.drop_table("prepared_download")

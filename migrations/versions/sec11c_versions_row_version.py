"""Row versions: every record edited through a form gets a `row_version` counter, so that a save
made from a stale form (or two saves racing) is refused instead of silently overwriting

Revision ID: sec11c_versions
Revises: sec11b_sessions
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "sec11c_versions"
down_revision = 'sec11b_sessions'
branch_labels = None
depends_on = None

# Every table whose model has VersionedMixin (tracker/database.py).
TABLES = (
    "person",
    "risk",
    "issue_log_entry",
    "change_request",
    "task",
    "milestone",
    "funding_source",
    "budget_line",
    "spend_entry",
    "evidence_item",
    "gap_action",
    "assessment_round",
    "highlight_report",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("row_version")

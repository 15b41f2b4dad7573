"""Staff time gets a row version: two people recording the same person's month at once no
longer silently overwrite each other (the staff-days form carries the version it was read at)

Revision ID: sec11e_stale
Revises: sec11a_email_ci
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "sec11e_stale"
down_revision = "sec11a_email_ci"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_time", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("staff_time", schema=None) as batch_op:
        batch_op.drop_column("row_version")

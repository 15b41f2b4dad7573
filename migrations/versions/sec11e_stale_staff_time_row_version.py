"""Staff time gets a row version: two people recording the same person's month at once no
longer silently overwrite each other (the staff-days form carries the version it was read at)

Revision ID: sec11e_stale
Revises: sec11a_email_ci
Create Date: 2026-12-05 10:00:00

"""

import warnings

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "sec11e_stale"
down_revision = "sec11a_email_ci"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (with its default, so NOT NULL holds for the rows there) works on both
    # SQLite and PostgreSQL; a batch copy on SQLite would reflect `person`, whose expression
    # index SQLAlchemy cannot reflect.
    op.add_column(
        "staff_time",
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with warnings.catch_warnings():  # the reflection of person's expression index, above
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            with op.batch_alter_table("staff_time", schema=None) as batch_op:
                batch_op.drop_column("row_version")
    else:
        op.drop_column("staff_time", "row_version")

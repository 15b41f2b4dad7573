"""Each person chooses what e-mail the tracker sends them

person gains mail_preference: "immediate" (each message as it happens, the default for everyone
already here), "digest" (the daily digest only) or "none".

Revision ID: s14e_mail_preferences
Revises: s14d_stream_elements
Create Date: 2026-12-05 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's14e_mail_preferences'
down_revision = 's14d_stream_elements'
branch_labels = None
depends_on = None


def upgrade():
    # Added in place, not through a batch copy of the table: a copy would lose the expression
    # index on lower(email) (as s14c_calendar_key says).
    op.add_column(
        'person',
        sa.Column(
            'mail_preference', sa.String(length=9), server_default='immediate', nullable=False
        ),
    )


def downgrade():
    op.execute('ALTER TABLE person DROP COLUMN mail_preference')

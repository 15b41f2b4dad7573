"""Sessions end on sign-out and password changes; failed sign-ins are counted by source too

person gains session_generation: every session and remember cookie carries the generation it was
made in, and a bump (sign-out, a new password, deactivation) ends them all. login_attempt gains
source, the client address a failed sign-in came from, so that failures are counted per source
(password spraying) and per address and source (guessing one person's password) together.

Revision ID: sec11b_sessions
Revises: f1c9bed2583d
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'sec11b_sessions'
down_revision = 'f1c9bed2583d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source', sa.String(length=64), server_default='', nullable=False)
        )
        batch_op.create_index(batch_op.f('ix_login_attempt_source'), ['source'], unique=False)


def downgrade():
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempt_source'))
        batch_op.drop_column('source')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('session_generation')

"""Each person gets a calendar key, which signs the address of their calendar feed

person gains calendar_key: 32 random bytes. The feed's address carries an HMAC of it made with
the installation's SECRET_KEY (tracker/calendars/services.py), and resetting the key is how a
person makes their old address stop working. Existing people get a key each here.

Revision ID: s14c_calendar_key
Revises: s13a_setup
Create Date: 2026-12-05 07:40:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's14c_calendar_key'
down_revision = 's13a_setup'
branch_labels = None
depends_on = None


def upgrade():
    # Added in place, not through a batch copy of the table: a copy would lose the expression
    # index on lower(email). The server default only lets SQLite add a NOT NULL column; every
    # row is then given its own random key, and new rows get one from the model.
    op.add_column(
        'person',
        sa.Column('calendar_key', sa.String(length=64), server_default='', nullable=False),
    )
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('calendar_key', sa.String))
    connection = op.get_bind()
    for (person_id,) in connection.execute(sa.select(person.c.id)).all():
        connection.execute(
            person.update()
            .where(person.c.id == person_id)
            .values(calendar_key=secrets.token_urlsafe(32))
        )


def downgrade():
    # In place as well (SQLite 3.35 and later drop a column without copying the table).
    op.execute('ALTER TABLE person DROP COLUMN calendar_key')

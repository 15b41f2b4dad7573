"""Email addresses ignore case: stored in lower case, one per person, enforced by the database

Addresses are stored trimmed and in lower case (blank ones become NULL), and a unique index on
lower(email) replaces the plain unique constraint, so that "Anne@x" and "anne@x" can no longer
be two people (the second's sign-in failed with an error).

If two people already share an address in different cases the upgrade stops, changing nothing,
and names them: which of the two is the real account (memberships, evidence, history) is for
an administrator to decide, not a migration. Give one of them another address (or none) in
Site administration > Users, then run `flask db upgrade` again.

Revision ID: sec11a_email_ci
Revises: sec11c_versions
Create Date: 2026-12-04 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'sec11a_email_ci'
down_revision = 'sec11c_versions'
branch_labels = None
depends_on = None


def _case_duplicates(connection: sa.engine.Connection) -> list[str]:
    rows = connection.execute(
        sa.text(
            "SELECT lower(trim(email)) AS address, id, name FROM person "
            "WHERE lower(trim(email)) IN ("
            "  SELECT lower(trim(email)) FROM person WHERE trim(email) <> '' "
            "  GROUP BY lower(trim(email)) HAVING count(*) > 1"
            ") ORDER BY 1, 2"
        )
    )
    return [f"  {address}: person {person_id} ({name})" for address, person_id, name in rows]


def upgrade():
    duplicates = _case_duplicates(op.get_bind())
    if duplicates:
        raise RuntimeError(
            "Some people share an email address that differs only in case. Give each address "
            "to one person only (Site administration > Users), then run the upgrade again. "
            "Nothing was changed.\n" + "\n".join(duplicates)
        )
    op.execute("UPDATE person SET email = NULL WHERE trim(email) = ''")
    op.execute("UPDATE person SET email = lower(trim(email)) WHERE email IS NOT NULL")
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_person_email'), type_='unique')
    op.create_index(
        'uq_person_email_lower', 'person', [sa.text('lower(email)')], unique=True
    )


def downgrade():
    op.drop_index('uq_person_email_lower', table_name='person')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_person_email'), ['email'])

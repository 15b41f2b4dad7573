"""Milestones can be predecessors: a task or milestone may wait for a milestone (finish to start)

task_dependency gains predecessor_milestone_id; predecessor_id (a task) becomes nullable. Two
CHECK constraints say exactly one predecessor and exactly one successor is set. The old unique
constraint over three columns forbade nothing (a NULL in a row escapes it); one unique constraint
per pair of kinds now forbids the same dependency twice.

Revision ID: f1c9bed2583d
Revises: 8361b868ad73
Create Date: 2026-12-01 08:06:40.020990

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1c9bed2583d'
down_revision = '8361b868ad73'
branch_labels = None
depends_on = None

PAIRS = [
    ('predecessor_id', 'successor_task_id'),
    ('predecessor_id', 'successor_milestone_id'),
    ('predecessor_milestone_id', 'successor_task_id'),
    ('predecessor_milestone_id', 'successor_milestone_id'),
]


def upgrade():
    # The application always set exactly one successor; a row without one (or with both) says
    # nothing a schedule can use and would stop the CHECK constraint being added.
    op.execute(
        'DELETE FROM task_dependency '
        'WHERE (successor_task_id IS NULL) = (successor_milestone_id IS NULL)'
    )
    # Batch mode: SQLite cannot alter a column or add a constraint in place, so the table is
    # copied; PostgreSQL runs the same operations as ALTER TABLE statements.
    with op.batch_alter_table('task_dependency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('predecessor_milestone_id', sa.Integer(), nullable=True))
        batch_op.alter_column('predecessor_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(
            batch_op.f('uq_task_dependency_predecessor_id_successor_task_id_successor_milestone_id'),
            type_='unique',
        )
        for first, second in PAIRS:
            batch_op.create_unique_constraint(
                batch_op.f(f'uq_task_dependency_{first}_{second}'), [first, second]
            )
        batch_op.create_foreign_key(
            batch_op.f('fk_task_dependency_predecessor_milestone_id_milestone'),
            'milestone',
            ['predecessor_milestone_id'],
            ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_task_dependency_one_predecessor'),
            '(predecessor_id IS NULL) <> (predecessor_milestone_id IS NULL)',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_task_dependency_one_successor'),
            '(successor_task_id IS NULL) <> (successor_milestone_id IS NULL)',
        )


def downgrade():
    # Before this revision a predecessor had to be a task: dependencies on milestones go.
    op.execute('DELETE FROM task_dependency WHERE predecessor_milestone_id IS NOT NULL')
    with op.batch_alter_table('task_dependency', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_task_dependency_one_successor'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_task_dependency_one_predecessor'), type_='check')
        batch_op.drop_constraint(
            batch_op.f('fk_task_dependency_predecessor_milestone_id_milestone'),
            type_='foreignkey',
        )
        for first, second in reversed(PAIRS):
            batch_op.drop_constraint(
                batch_op.f(f'uq_task_dependency_{first}_{second}'), type_='unique'
            )
        batch_op.create_unique_constraint(
            batch_op.f('uq_task_dependency_predecessor_id_successor_task_id_successor_milestone_id'),
            ['predecessor_id', 'successor_task_id', 'successor_milestone_id'],
        )
        batch_op.alter_column('predecessor_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('predecessor_milestone_id')

"""Which elements of the standard each work stream is expected to evidence (issue 14)

work_stream_element: one row per (work stream, element) the manager assigns; the seed prefills
it from the 2009 self-assessment (a service rated on an element: its work stream owns it).
service gains work_stream_id (optional): the stream that evidences for the service, so that a
stream's page shows the self-assessment ratings of its services.

Revision ID: s14d_stream_elements
Revises: s14c_calendar_key
Create Date: 2026-12-05 11:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "s14d_stream_elements"
down_revision = "s14c_calendar_key"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "work_stream_element",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_stream_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["element_id"],
            ["element.id"],
            name=op.f("fk_work_stream_element_element_id_element"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_stream_id"],
            ["work_stream.id"],
            name=op.f("fk_work_stream_element_work_stream_id_work_stream"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_stream_element")),
        sa.UniqueConstraint(
            "work_stream_id",
            "element_id",
            name=op.f("uq_work_stream_element_work_stream_id_element_id"),
        ),
    )
    op.create_index(
        op.f("ix_work_stream_element_element_id"),
        "work_stream_element",
        ["element_id"],
        unique=False,
    )
    with op.batch_alter_table("service") as batch_op:
        batch_op.add_column(sa.Column("work_stream_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_service_work_stream_id_work_stream"),
            "work_stream",
            ["work_stream_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("service") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_service_work_stream_id_work_stream"), type_="foreignkey"
        )
        batch_op.drop_column("work_stream_id")
    op.drop_index(op.f("ix_work_stream_element_element_id"), table_name="work_stream_element")
    op.drop_table("work_stream_element")

"""Workers, and what the assignment lifecycle needs: return time, worker and sweeper indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:42:37.756828
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker',
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_worker_token_sha256'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_time', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignment_status_auto_approval_time'), ['status', 'auto_approval_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_status_deadline'), ['status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_worker_id_seq'), ['worker_id', 'seq'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignment_worker_id_worker'), 'worker', ['worker_id'], ['worker_id'])


def downgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignment_worker_id_worker'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assignment_worker_id_seq'))
        batch_op.drop_index(batch_op.f('ix_assignment_status_deadline'))
        batch_op.drop_index(batch_op.f('ix_assignment_status_auto_approval_time'))
        batch_op.drop_column('return_time')

    op.drop_table('worker')

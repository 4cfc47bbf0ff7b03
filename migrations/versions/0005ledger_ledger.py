"""The ledger: funds put in by an admin, bonus payments, and the cost of one assignment on each HIT.

Revision ID: 0005ledger
Revises: 0004
Create Date: 2026-11-23 14:08:49.210929
"""
from alembic import op
import sqlalchemy as sa


revision = '0005ledger'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bonus_payment',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('assignment_id', sa.String(length=64), nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('fee_cents', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('grant_time', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_bonus_payment_requester_id_requester')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.worker_id'], name=op.f('fk_bonus_payment_worker_id_worker')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_bonus_payment'))
    )
    with op.batch_alter_table('bonus_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bonus_payment_assignment_id_seq'), ['assignment_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_bonus_payment_hit_id_seq'), ['hit_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_bonus_payment_requester_id_seq'), ['requester_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_bonus_payment_worker_id_seq'), ['worker_id', 'seq'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_ledger_entry_requester_id_requester')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_ledger_entry'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_requester_id_seq'), ['requester_id', 'seq'], unique=False)

    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment_cost_cents', sa.BigInteger(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_column('assignment_cost_cents')

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_requester_id_seq'))

    op.drop_table('ledger_entry')
    with op.batch_alter_table('bonus_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bonus_payment_worker_id_seq'))
        batch_op.drop_index(batch_op.f('ix_bonus_payment_requester_id_seq'))
        batch_op.drop_index(batch_op.f('ix_bonus_payment_hit_id_seq'))
        batch_op.drop_index(batch_op.f('ix_bonus_payment_assignment_id_seq'))

    op.drop_table('bonus_payment')

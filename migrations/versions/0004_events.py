"""The event outbox, and the HIT flags that make time-driven HIT events fire once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:01:11.690902
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('hit_type_id', sa.String(length=64), nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=False),
    sa.Column('assignment_id', sa.String(length=64), nullable=True),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_event_requester_id_requester')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_event'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_hit_type_id_seq'), ['hit_type_id', 'seq'], unique=False)

    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_announced', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('reviewable_announced', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_column('reviewable_announced')
        batch_op.drop_column('expired_announced')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_hit_type_id_seq'))

    op.drop_table('event')

"""A worker's optional email address, and NotifyWorkers mail in the delivery outbox (no event, no HIT type).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('notification_delivery', schema=None) as batch_op:
        batch_op.alter_column('event_seq', existing_type=SEQ, nullable=True)
        batch_op.alter_column('hit_type_id', existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM notification_delivery WHERE event_seq IS NULL")
    with op.batch_alter_table('notification_delivery', schema=None) as batch_op:
        batch_op.alter_column('hit_type_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('event_seq', existing_type=SEQ, nullable=False)
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_column('email')

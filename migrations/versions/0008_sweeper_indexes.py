"""Indexes for the sweeper's scans of expired HITs whose expiry or Reviewable status is not announced yet.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 14:45:00
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hit_expired_announced_expiration'), ['expired_announced', 'expiration'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_hit_reviewable_announced_expiration'),
                              ['reviewable_announced', 'expiration'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_reviewable_announced_expiration'))
        batch_op.drop_index(batch_op.f('ix_hit_expired_announced_expiration'))

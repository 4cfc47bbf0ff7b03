"""The websites: indexes for the HIT groups page, workers' passwords and auto-accept choice, sessions, one-time sign-in links, invite codes,
sign-in throttling.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('auto_accept', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('hit_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hit_type_reward_cents_hit_type_id'), ['reward_cents', 'hit_type_id'])
        batch_op.create_index(batch_op.f('ix_hit_type_created_at_hit_type_id'), ['created_at', 'hit_type_id'])
        batch_op.create_index(batch_op.f('ix_hit_type_hit_group_id'), ['hit_group_id'])
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.create_index('ix_hit_open_by_type', ['hit_type_id', 'expiration', 'max_assignments',
                                                      'assignments_done', 'reviewing', 'disposed_at',
                                                      'creation_time'])
    op.create_table('web_session',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('principal_kind', sa.String(length=16), nullable=False),
    sa.Column('principal_id', sa.String(length=254), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_web_session'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_principal_kind_principal_id'),
                              ['principal_kind', 'principal_id'], unique=False)
    op.create_table('sign_in_link',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('principal_kind', sa.String(length=16), nullable=False),
    sa.Column('principal_id', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_sign_in_link'))
    )
    op.create_table('worker_invite',
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('worker_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.worker_id'], name=op.f('fk_worker_invite_worker_id_worker')),
    sa.PrimaryKeyConstraint('code_sha256', name=op.f('pk_worker_invite'))
    )
    op.create_table('sign_in_throttle',
    sa.Column('throttle_key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('throttle_key', name=op.f('pk_sign_in_throttle'))
    )


def downgrade() -> None:
    op.drop_table('sign_in_throttle')
    op.drop_table('worker_invite')
    op.drop_table('sign_in_link')
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_principal_kind_principal_id'))
    op.drop_table('web_session')
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_column('auto_accept')
        batch_op.drop_column('password_hash')
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index('ix_hit_open_by_type')
    with op.batch_alter_table('hit_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_type_hit_group_id'))
        batch_op.drop_index(batch_op.f('ix_hit_type_created_at_hit_type_id'))
        batch_op.drop_index(batch_op.f('ix_hit_type_reward_cents_hit_type_id'))

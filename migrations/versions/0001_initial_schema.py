"""Initial schema: requesters, HIT types, HITs, assignments, spent request tokens.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 22:15:23.634138
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('requester',
    sa.Column('access_key_id', sa.String(length=32), nullable=False),
    sa.Column('secret_access_key', sa.String(length=128), nullable=False),
    sa.Column('customer_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_development', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('access_key_id', name=op.f('pk_requester')),
    sa.UniqueConstraint('customer_id', name=op.f('uq_requester_customer_id'))
    )
    op.create_table('hit_type',
    sa.Column('hit_type_id', sa.String(length=64), nullable=False),
    sa.Column('hit_group_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=True),
    sa.Column('reward_cents', sa.BigInteger(), nullable=False),
    sa.Column('assignment_duration', sa.BigInteger(), nullable=False),
    sa.Column('auto_approval_delay', sa.BigInteger(), nullable=False),
    sa.Column('qualification_requirements', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_hit_type_requester_id_requester')),
    sa.PrimaryKeyConstraint('hit_type_id', name=op.f('pk_hit_type')),
    sa.UniqueConstraint('requester_id', 'fingerprint', name=op.f('uq_hit_type_requester_id_fingerprint'))
    )
    op.create_table('request_token',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result_id', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_request_token_requester_id_requester')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_token')),
    sa.UniqueConstraint('requester_id', 'scope', 'token', name=op.f('uq_request_token_requester_id_scope_token'))
    )
    op.create_table('hit',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('hit_type_id', sa.String(length=64), nullable=False),
    sa.Column('creation_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expiration', sa.DateTime(timezone=True), nullable=False),
    sa.Column('max_assignments', sa.BigInteger(), nullable=False),
    sa.Column('initial_max_assignments', sa.BigInteger(), nullable=False),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('requester_annotation', sa.Text(), nullable=True),
    sa.Column('hit_layout_id', sa.String(length=64), nullable=True),
    sa.Column('hit_layout_parameters', sa.Text(), nullable=True),
    sa.Column('assignment_review_policy', sa.Text(), nullable=True),
    sa.Column('hit_review_policy', sa.Text(), nullable=True),
    sa.Column('reviewing', sa.Boolean(), nullable=False),
    sa.Column('disposed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignments_done', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['hit_type_id'], ['hit_type.hit_type_id'], name=op.f('fk_hit_hit_type_id_hit_type')),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_hit_requester_id_requester')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_hit')),
    sa.UniqueConstraint('hit_id', name=op.f('uq_hit_hit_id'))
    )
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hit_hit_type_id_seq'), ['hit_type_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_hit_requester_id_seq'), ['requester_id', 'seq'], unique=False)

    op.create_table('assignment',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('assignment_id', sa.String(length=64), nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('accept_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submit_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('auto_approval_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approval_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rejection_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('requester_feedback', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['hit_id'], ['hit.hit_id'], name=op.f('fk_assignment_hit_id_hit')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_assignment')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_assignment_assignment_id')),
    sa.UniqueConstraint('hit_id', 'worker_id', name=op.f('uq_assignment_hit_id_worker_id'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_hit_id_seq'), ['hit_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignment_hit_id_status_deadline'), ['hit_id', 'status', 'deadline'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_hit_id_status_deadline'))
        batch_op.drop_index(batch_op.f('ix_assignment_hit_id_seq'))

    op.drop_table('assignment')
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_requester_id_seq'))
        batch_op.drop_index(batch_op.f('ix_hit_hit_type_id_seq'))

    op.drop_table('hit')
    op.drop_table('request_token')
    op.drop_table('hit_type')
    op.drop_table('requester')

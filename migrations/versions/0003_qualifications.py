"""Qualifications: types, workers' scores, requests and tests, worker blocks, the worker inbox and profile.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:54:37.413113
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qualification_type',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('qualification_type_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('live_name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('test', sa.Text(), nullable=True),
    sa.Column('test_duration', sa.BigInteger(), nullable=True),
    sa.Column('answer_key', sa.Text(), nullable=True),
    sa.Column('retry_delay', sa.BigInteger(), nullable=True),
    sa.Column('auto_granted', sa.Boolean(), nullable=False),
    sa.Column('auto_granted_value', sa.BigInteger(), nullable=True),
    sa.Column('is_requestable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_qualification_type_requester_id_requester')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_qualification_type')),
    sa.UniqueConstraint('qualification_type_id', name=op.f('uq_qualification_type_qualification_type_id')),
    sa.UniqueConstraint('requester_id', 'live_name', name=op.f('uq_qualification_type_requester_id_live_name'))
    )
    with op.batch_alter_table('qualification_type', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualification_type_requester_id_seq'), ['requester_id', 'seq'], unique=False)

    op.create_table('worker_block',
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_worker_block_requester_id_requester')),
    sa.PrimaryKeyConstraint('requester_id', 'worker_id', name=op.f('pk_worker_block'))
    )
    op.create_table('worker_message',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'], name=op.f('fk_worker_message_requester_id_requester')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.worker_id'], name=op.f('fk_worker_message_worker_id_worker')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_worker_message'))
    )
    with op.batch_alter_table('worker_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_message_worker_id_seq'), ['worker_id', 'seq'], unique=False)

    op.create_table('qualification',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('qualification_type_id', sa.String(length=64), nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('integer_value', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('grant_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoke_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['qualification_type_id'], ['qualification_type.qualification_type_id'], name=op.f('fk_qualification_qualification_type_id_qualification_type')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.worker_id'], name=op.f('fk_qualification_worker_id_worker')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_qualification')),
    sa.UniqueConstraint('qualification_type_id', 'worker_id', name=op.f('uq_qualification_qualification_type_id_worker_id'))
    )
    with op.batch_alter_table('qualification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualification_worker_id'), ['worker_id'], unique=False)

    op.create_table('qualification_request',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('qualification_request_id', sa.String(length=64), nullable=False),
    sa.Column('qualification_type_id', sa.String(length=64), nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('request_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('test', sa.Text(), nullable=True),
    sa.Column('test_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('submit_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolve_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['qualification_type_id'], ['qualification_type.qualification_type_id'], name=op.f('fk_qualification_request_qualification_type_id_qualification_type')),
    sa.ForeignKeyConstraint(['worker_id'], ['worker.worker_id'], name=op.f('fk_qualification_request_worker_id_worker')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_qualification_request')),
    sa.UniqueConstraint('qualification_request_id', name=op.f('uq_qualification_request_qualification_request_id'))
    )
    with op.batch_alter_table('qualification_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qualification_request_qualification_type_id_status_seq'), ['qualification_type_id', 'status', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_qualification_request_worker_id_qualification_type_id_seq'), ['worker_id', 'qualification_type_id', 'seq'], unique=False)

    with op.batch_alter_table('hit_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discover_guarded', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale_country', sa.String(length=2), nullable=False, server_default='US'))
        batch_op.add_column(sa.Column('locale_subdivision', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('adult', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('masters', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_column('masters')
        batch_op.drop_column('adult')
        batch_op.drop_column('locale_subdivision')
        batch_op.drop_column('locale_country')

    with op.batch_alter_table('hit_type', schema=None) as batch_op:
        batch_op.drop_column('discover_guarded')

    with op.batch_alter_table('qualification_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualification_request_worker_id_qualification_type_id_seq'))
        batch_op.drop_index(batch_op.f('ix_qualification_request_qualification_type_id_status_seq'))

    op.drop_table('qualification_request')
    with op.batch_alter_table('qualification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualification_worker_id'))

    op.drop_table('qualification')
    with op.batch_alter_table('worker_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_message_worker_id_seq'))

    op.drop_table('worker_message')
    op.drop_table('worker_block')
    with op.batch_alter_table('qualification_type', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qualification_type_requester_id_seq'))

    op.drop_table('qualification_type')

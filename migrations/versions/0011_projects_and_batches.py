"""Requester-website projects (HIT layouts), batches and their CSV rows; a project's HITs by layout id.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('project',
    sa.Column('seq', SEQ, autoincrement=True, nullable=False),
    sa.Column('hit_layout_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('template', sa.Text(), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=True),
    sa.Column('reward_cents', sa.BigInteger(), nullable=False),
    sa.Column('max_assignments', sa.BigInteger(), nullable=False),
    sa.Column('assignment_duration', sa.BigInteger(), nullable=False),
    sa.Column('lifetime', sa.BigInteger(), nullable=False),
    sa.Column('auto_approval_delay', sa.BigInteger(), nullable=False),
    sa.Column('qualification_requirements', sa.Text(), nullable=False),
    sa.Column('requester_annotation', sa.Text(), nullable=True),
    sa.Column('frame_height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'],
                            name=op.f('fk_project_requester_id_requester')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_project')),
    sa.UniqueConstraint('hit_layout_id', name=op.f('uq_project_hit_layout_id'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_requester_id_seq'), ['requester_id', 'seq'], unique=False)

    op.create_table('batch',
    sa.Column('batch_id', SEQ, autoincrement=True, nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('hit_layout_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('input_columns', sa.Text(), nullable=False),
    sa.Column('properties', sa.Text(), nullable=False),
    sa.Column('row_count', sa.BigInteger(), nullable=False),
    sa.Column('published_count', sa.BigInteger(), nullable=False),
    sa.Column('hit_type_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['hit_layout_id'], ['project.hit_layout_id'],
                            name=op.f('fk_batch_hit_layout_id_project')),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'],
                            name=op.f('fk_batch_requester_id_requester')),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_batch'))
    )
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_requester_id_batch_id'), ['requester_id', 'batch_id'],
                              unique=False)

    op.create_table('batch_row',
    sa.Column('seq', SEQ, autoincrement=True, nullable=False),
    sa.Column('batch_id', SEQ, nullable=False),
    sa.Column('line_number', sa.BigInteger(), nullable=False),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.batch_id'], name=op.f('fk_batch_row_batch_id_batch')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_batch_row')),
    sa.UniqueConstraint('hit_id', name=op.f('uq_batch_row_hit_id'))
    )
    with op.batch_alter_table('batch_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_row_batch_id_seq'), ['batch_id', 'seq'], unique=False)

    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hit_hit_layout_id_seq'), ['hit_layout_id', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_hit_layout_id_seq'))
    with op.batch_alter_table('batch_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_row_batch_id_seq'))
    op.drop_table('batch_row')
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_requester_id_batch_id'))
    op.drop_table('batch')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_requester_id_seq'))
    op.drop_table('project')

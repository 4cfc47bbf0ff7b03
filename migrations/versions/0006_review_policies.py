"""Review policies: the actions they took and the results they computed (ListReviewPolicyResultsForHIT).
Also merges the two 0005 heads (notifications, ledger).

Revision ID: 0006
Revises: 0005, 0005ledger
Create Date: 2026-11-25 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = ('0005', '0005ledger')
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_policy_action',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('action_id', sa.String(length=64), nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=False),
    sa.Column('policy_level', sa.String(length=16), nullable=False),
    sa.Column('action_name', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('complete_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['hit_id'], ['hit.hit_id'], name=op.f('fk_review_policy_action_hit_id_hit')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_review_policy_action')),
    sa.UniqueConstraint('action_id', name=op.f('uq_review_policy_action_action_id'))
    )
    with op.batch_alter_table('review_policy_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_policy_action_hit_id_seq'), ['hit_id', 'seq'], unique=False)

    op.create_table('review_policy_result',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('hit_id', sa.String(length=64), nullable=False),
    sa.Column('policy_level', sa.String(length=16), nullable=False),
    sa.Column('action_id', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('question_id', sa.Text(), nullable=True),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['hit_id'], ['hit.hit_id'], name=op.f('fk_review_policy_result_hit_id_hit')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_review_policy_result'))
    )
    with op.batch_alter_table('review_policy_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_policy_result_hit_id_seq'), ['hit_id', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_policy_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_policy_result_hit_id_seq'))
    op.drop_table('review_policy_result')
    with op.batch_alter_table('review_policy_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_policy_action_hit_id_seq'))
    op.drop_table('review_policy_action')

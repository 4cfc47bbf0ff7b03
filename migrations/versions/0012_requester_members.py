"""Requester accounts with people in them: members who sign in to the requester website (email + argon2
hash), one-time invites, and access keys beyond the account's original one (the Developer page).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('requester_member',
    sa.Column('seq', SEQ, autoincrement=True, nullable=False),
    sa.Column('member_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'],
                            name=op.f('fk_requester_member_requester_id_requester')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_requester_member')),
    sa.UniqueConstraint('email', name=op.f('uq_requester_member_email')),
    sa.UniqueConstraint('member_id', name=op.f('uq_requester_member_member_id'))
    )
    with op.batch_alter_table('requester_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requester_member_requester_id'), ['requester_id'], unique=False)

    op.create_table('requester_invite',
    sa.Column('code_sha256', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'],
                            name=op.f('fk_requester_invite_requester_id_requester')),
    sa.PrimaryKeyConstraint('code_sha256', name=op.f('pk_requester_invite'))
    )

    op.create_table('requester_access_key',
    sa.Column('access_key_id', sa.String(length=32), nullable=False),
    sa.Column('requester_id', sa.String(length=32), nullable=False),
    sa.Column('secret_access_key', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requester_id'], ['requester.access_key_id'],
                            name=op.f('fk_requester_access_key_requester_id_requester')),
    sa.PrimaryKeyConstraint('access_key_id', name=op.f('pk_requester_access_key'))
    )
    with op.batch_alter_table('requester_access_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requester_access_key_requester_id'), ['requester_id'], unique=False)

    # The account's original key (requester.access_key_id) can be switched off on the Developer page once
    # another key exists; `active` stays the account's own switch.
    with op.batch_alter_table('requester', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('requester', schema=None) as batch_op:
        batch_op.drop_column('key_active')
    with op.batch_alter_table('requester_access_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requester_access_key_requester_id'))
    op.drop_table('requester_access_key')
    op.drop_table('requester_invite')
    with op.batch_alter_table('requester_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requester_member_requester_id'))
    op.drop_table('requester_member')

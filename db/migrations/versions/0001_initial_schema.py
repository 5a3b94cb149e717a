"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('extraction_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('abstract', sa.Text(), nullable=True),
    sa.Column('authors_json', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('journal', sa.Text(), nullable=True),
    sa.Column('volume', sa.String(length=100), nullable=True),
    sa.Column('issue', sa.String(length=100), nullable=True),
    sa.Column('pages', sa.String(length=100), nullable=True),
    sa.Column('doi', sa.String(length=300), nullable=True),
    sa.Column('pmid', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=100), nullable=True),
    sa.Column('keywords_json', sa.Text(), nullable=False),
    sa.Column('publication_type', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('issn', sa.String(length=100), nullable=True),
    sa.Column('accession', sa.String(length=200), nullable=True),
    sa.Column('translated_title', sa.Text(), nullable=True),
    sa.Column('raw_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_doi'), ['doi'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_pmid'), ['pmid'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_year'), ['year'], unique=False)

    op.create_table('review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('pico_json', sa.Text(), nullable=False),
    sa.Column('stages_json', sa.Text(), nullable=False),
    sa.Column('settings_json', sa.Text(), nullable=False),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('reviewer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reviewer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewer_name'), ['name'], unique=True)

    op.create_table('search_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('database', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('encoding', sa.String(length=40), nullable=False),
    sa.Column('searched_on', sa.Date(), nullable=True),
    sa.Column('query', sa.Text(), nullable=True),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('warning_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_import_file_sha256'), ['file_sha256'], unique=True)

    op.create_table('store_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('label')
    )
    op.create_table('conflict_resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['reviewer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conflict_resolution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_resolution_record_id'), ['record_id'], unique=False)

    op.create_table('dedup_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_a_id', sa.Integer(), nullable=False),
    sa.Column('record_b_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_a_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['record_b_id'], ['record.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_a_id', 'record_b_id', name='uq_dedup_pair')
    )
    with op.batch_alter_table('dedup_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dedup_pair_record_a_id'), ['record_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dedup_pair_record_b_id'), ['record_b_id'], unique=False)

    op.create_table('extraction_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('field_path', sa.String(length=300), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('is_consensus', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['extraction_form.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['reviewer.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('extraction_value', schema=None) as batch_op:
        batch_op.create_index('ix_extraction_study_field', ['study_id', 'field_path'], unique=False)

    op.create_table('record_provenance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['search_import.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('import_id', 'position', name='uq_provenance_pos')
    )
    with op.batch_alter_table('record_provenance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_provenance_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_provenance_record_id'), ['record_id'], unique=False)

    op.create_table('rob_judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('tool', sa.String(length=10), nullable=False),
    sa.Column('domain', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=True),
    sa.Column('judgement', sa.String(length=20), nullable=False),
    sa.Column('support', sa.Text(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('is_consensus', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewer_id'], ['reviewer.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rob_judgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rob_judgement_study_id'), ['study_id'], unique=False)

    op.create_table('screening_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('client_key', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['reviewer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_key')
    )
    with op.batch_alter_table('screening_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_decision_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_decision_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index('ix_screening_rec_stage', ['record_id', 'stage'], unique=False)

    op.create_table('study_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('study_id', 'record_id', name='uq_study_record')
    )
    with op.batch_alter_table('study_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_record_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_study_record_study_id'), ['study_id'], unique=False)

    op.create_table('dedup_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('kept_record_id', sa.Integer(), nullable=False),
    sa.Column('merged_record_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kept_record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['merged_record_id'], ['record.id'], ),
    sa.ForeignKeyConstraint(['pair_id'], ['dedup_pair.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['reviewer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dedup_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dedup_decision_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dedup_decision_kept_record_id'), ['kept_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dedup_decision_merged_record_id'), ['merged_record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dedup_decision_pair_id'), ['pair_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dedup_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dedup_decision_pair_id'))
        batch_op.drop_index(batch_op.f('ix_dedup_decision_merged_record_id'))
        batch_op.drop_index(batch_op.f('ix_dedup_decision_kept_record_id'))
        batch_op.drop_index(batch_op.f('ix_dedup_decision_at'))

    op.drop_table('dedup_decision')
    with op.batch_alter_table('study_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_record_study_id'))
        batch_op.drop_index(batch_op.f('ix_study_record_record_id'))

    op.drop_table('study_record')
    with op.batch_alter_table('screening_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_rec_stage')
        batch_op.drop_index(batch_op.f('ix_screening_decision_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_screening_decision_at'))

    op.drop_table('screening_decision')
    with op.batch_alter_table('rob_judgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rob_judgement_study_id'))

    op.drop_table('rob_judgement')
    with op.batch_alter_table('record_provenance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_provenance_record_id'))
        batch_op.drop_index(batch_op.f('ix_record_provenance_import_id'))

    op.drop_table('record_provenance')
    with op.batch_alter_table('extraction_value', schema=None) as batch_op:
        batch_op.drop_index('ix_extraction_study_field')

    op.drop_table('extraction_value')
    with op.batch_alter_table('dedup_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dedup_pair_record_b_id'))
        batch_op.drop_index(batch_op.f('ix_dedup_pair_record_a_id'))

    op.drop_table('dedup_pair')
    with op.batch_alter_table('conflict_resolution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_resolution_record_id'))

    op.drop_table('conflict_resolution')
    op.drop_table('study')
    op.drop_table('store_meta')
    with op.batch_alter_table('search_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_import_file_sha256'))

    op.drop_table('search_import')
    with op.batch_alter_table('reviewer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewer_name'))

    op.drop_table('reviewer')
    op.drop_table('review')
    with op.batch_alter_table('record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_year'))
        batch_op.drop_index(batch_op.f('ix_record_pmid'))
        batch_op.drop_index(batch_op.f('ix_record_doi'))

    op.drop_table('record')
    op.drop_table('extraction_form')

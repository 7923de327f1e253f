"""covering indexes for the case-statistics aggregates (index-only range scans per period)

Revision ID: 0003_cases_cover
Revises: 0002_cases
"""
from alembic import op

revision = '0003_cases_cover'
down_revision = '0002_cases'
branch_labels = None
depends_on = None

COVER = {
    'ix_case_cov_accepted': ['accepted_at', 'district_id', 'function', 'charge', 'stage'],
    'ix_case_cov_arrest_review': ['arrest_review_at', 'district_id', 'function', 'charge', 'stage'],
    'ix_case_cov_pros_review': ['prosecution_review_at', 'district_id', 'function', 'charge', 'stage',
                                'arrest_decision'],
    'ix_case_cov_arrest_decided': ['arrest_decided_at', 'district_id', 'function', 'charge', 'stage',
                                   'arrest_decision', 'suspects'],
    'ix_case_cov_pros_decided': ['prosecution_decided_at', 'district_id', 'function', 'charge', 'stage',
                                 'prosecution_decision', 'plea_leniency', 'arrest_decision', 'suspects'],
    'ix_case_cov_judgment': ['judgment_at', 'district_id', 'function', 'charge', 'stage',
                             'sentencing_rec_kind', 'rec_adopted'],
}


def upgrade() -> None:
    op.drop_index('ix_case_arrest_review', table_name='case')
    op.drop_index('ix_case_prosecution_review', table_name='case')
    for name, cols in COVER.items():
        op.create_index(name, 'case', cols)


def downgrade() -> None:
    for name in COVER:
        op.drop_index(name, table_name='case')
    op.create_index('ix_case_prosecution_review', 'case', ['prosecution_review_at'])
    op.create_index('ix_case_arrest_review', 'case', ['arrest_review_at'])

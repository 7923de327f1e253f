"""indexes for case statistics (queries/cases.py): review dates, closing date, procedural steps

Revision ID: 0002_cases
Revises: 0001
"""
from alembic import op

revision = '0002_cases'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_case_arrest_review', 'case', ['arrest_review_at'])
    op.create_index('ix_case_prosecution_review', 'case', ['prosecution_review_at'])
    op.create_index('ix_case_closed', 'case', ['closed_at'])
    op.create_index('ix_event_matter', 'case_event', ['counts_as_matter', 'occurred_at', 'district_id'])


def downgrade() -> None:
    op.drop_index('ix_event_matter', table_name='case_event')
    op.drop_index('ix_case_closed', table_name='case')
    op.drop_index('ix_case_prosecution_review', table_name='case')
    op.drop_index('ix_case_arrest_review', table_name='case')

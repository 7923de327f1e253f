"""covering indexes for the sentencing ruler's queries (queries/sentencing.py)

Revision ID: 0002_sentencing
Revises: 0001
"""
from alembic import op

revision = '0002_sentencing'
down_revision = '0001'
branch_labels = None
depends_on = None

FLAGS = ['c_surrender', 'c_confession', 'c_recidivist', 'c_prior_record', 'c_forgiveness', 'c_compensation',
         'c_attempt', 'c_accomplice', 'c_plea']


def upgrade() -> None:
    op.create_index('ix_sentencing_cover', 'sentencing_record',
                    ['charge', 'single_charge', 'source', 'months', 'life', 'death', 'judgment_year', *FLAGS])
    op.create_index('ix_sentencing_year_cover', 'sentencing_record',
                    ['charge', 'single_charge', 'judgment_year', 'months', 'source', *FLAGS])
    op.create_index('ix_sentencing_source', 'sentencing_record', ['source', 'single_charge', 'charge'])


def downgrade() -> None:
    op.drop_index('ix_sentencing_source', table_name='sentencing_record')
    op.drop_index('ix_sentencing_year_cover', table_name='sentencing_record')
    op.drop_index('ix_sentencing_cover', table_name='sentencing_record')

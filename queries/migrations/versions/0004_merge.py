"""Merge the parallel branches (cases indexes, sentencing indexes) into one head.

Revision ID: 0004_merge
Revises: 0003_cases_cover, 0002_sentencing
"""

revision = "0004_merge"
down_revision = ("0003_cases_cover", "0002_sentencing")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

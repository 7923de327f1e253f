"""The sentencing ruler's covering indexes also carry ``probation`` (issue 12): the real-sentence panel
counts 缓刑 as its own kind and leaves suspended sentences out of the custodial terms and their median,
so its queries read ``probation``; without it in the index they fall back to table lookups (about 2–7×
slower at city scale).

Revision ID: 0011_sentencing_probation
Revises: 0010_indicator_indexes
"""
from alembic import op

revision = "0011_sentencing_probation"
down_revision = "0010_indicator_indexes"
branch_labels = None
depends_on = None

FLAGS = ["c_surrender", "c_confession", "c_recidivist", "c_prior_record", "c_forgiveness", "c_compensation",
         "c_attempt", "c_accomplice", "c_plea"]
COVER = ["charge", "single_charge", "source", "months", "life", "death", "judgment_year", *FLAGS]
YEAR_COVER = ["charge", "single_charge", "judgment_year", "months", "source", *FLAGS]


def upgrade() -> None:
    op.drop_index("ix_sentencing_cover", table_name="sentencing_record")
    op.drop_index("ix_sentencing_year_cover", table_name="sentencing_record")
    op.create_index("ix_sentencing_cover", "sentencing_record", [*COVER, "probation"])
    op.create_index("ix_sentencing_year_cover", "sentencing_record", [*YEAR_COVER, "probation"])


def downgrade() -> None:
    op.drop_index("ix_sentencing_year_cover", table_name="sentencing_record")
    op.drop_index("ix_sentencing_cover", table_name="sentencing_record")
    op.create_index("ix_sentencing_cover", "sentencing_record", COVER)
    op.create_index("ix_sentencing_year_cover", "sentencing_record", YEAR_COVER)

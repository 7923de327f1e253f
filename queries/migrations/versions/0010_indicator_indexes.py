"""Covering indexes for the per-person case-quality indicators (issue 12, ``queries.cases``): each
period aggregate over ``suspect`` reads one index range and no table rows; 案件比's procedural steps
are found by event type (``domain.cases.MATTER_EVENTS``) and period; "a suspect already arrested"
is looked up by case.

Revision ID: 0010_indicator_indexes
Revises: 0009_per_suspect
"""
from alembic import op

revision = "0010_indicator_indexes"
down_revision = "0009_per_suspect"
branch_labels = None
depends_on = None

REPLACED = {
    "ix_suspect_arrest_decided": ["arrest_decided_at", "district_id"],
    "ix_suspect_pros_decided": ["prosecution_decided_at", "district_id"],
    "ix_suspect_judgment": ["judgment_at", "district_id"],
}
COVER = {
    "suspect": {
        "ix_suspect_cov_arrest_decided": ["arrest_decided_at", "district_id", "arrest_decision", "case_id"],
        "ix_suspect_cov_pros_decided": ["prosecution_decided_at", "district_id", "prosecution_decision", "plea",
                                        "arrest_decision", "case_id"],
        "ix_suspect_cov_judgment": ["judgment_at", "district_id", "plea", "rec_kind", "rec_adopted", "case_id"],
        "ix_suspect_case_arrest": ["case_id", "arrest_decision", "arrest_decided_at"],
    },
    "case_event": {
        "ix_event_type_occurred": ["event_type", "occurred_at", "district_id", "case_id"],
    },
}


def upgrade() -> None:
    for name in REPLACED:
        op.drop_index(name, table_name="suspect")
    for table, indexes in COVER.items():
        for name, cols in indexes.items():
            op.create_index(name, table, cols)


def downgrade() -> None:
    for table, indexes in COVER.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
    for name, cols in REPLACED.items():
        op.create_index(name, "suspect", cols)

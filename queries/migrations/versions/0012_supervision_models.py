"""Legal-supervision models (issue 13): ``model_run`` records each run of a model (version, times,
hits found, new hits); ``model_hit`` holds each hit once, unique by (model key, natural key), with the
version that found it and JSON evidence without clear personal data.

Revision ID: 0012_supervision_models
Revises: 0011_sentencing_probation
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_supervision_models"
down_revision = "0011_sentencing_probation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model_key", sa.String(40), nullable=False),
        sa.Column("version", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("hits_found", sa.Integer(), nullable=False),
        sa.Column("new_hits", sa.Integer(), nullable=False),
    )
    op.create_index("ix_model_run_model_started", "model_run", ["model_key", "started_at"])
    op.create_table(
        "model_hit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model_key", sa.String(40), nullable=False),
        sa.Column("hit_key", sa.String(120), nullable=False),
        sa.Column("version", sa.String(12), nullable=False),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("model_run.id"), nullable=True),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("district.id"), nullable=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=True),
        sa.Column("group_key", sa.String(80), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.UniqueConstraint("model_key", "hit_key", name="uq_model_hit_natural"),
    )
    op.create_index("ix_model_hit_model_found", "model_hit", ["model_key", "found_at"])
    op.create_index("ix_model_hit_district", "model_hit", ["district_id", "model_key"])


def downgrade() -> None:
    op.drop_index("ix_model_hit_district", table_name="model_hit")
    op.drop_index("ix_model_hit_model_found", table_name="model_hit")
    op.drop_table("model_hit")
    op.drop_index("ix_model_run_model_started", table_name="model_run")
    op.drop_table("model_run")

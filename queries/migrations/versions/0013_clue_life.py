"""Clues have a life (issue 13): a model hit becomes a clue with a state (待分流 → 核查中 → 成案 /
不成案 / 移送), an assignee, a decision deadline and a history; ``model_config`` holds parameters set
here or imported from another installation; ``quality_result`` the data-quality checks run with the
models; ``model_run.watermark`` lets a run over unchanged inputs write nothing. ``case.town`` and
``sentencing_record.suspect_id``/``amount_yuan`` give the 类案 and 量刑偏离 models their inputs.

Revision ID: 0013_clue_life
Revises: 0012_supervision_models
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_clue_life"
down_revision = "0012_supervision_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_hit") as b:
        b.add_column(sa.Column("state", sa.String(6), nullable=False, server_default="待分流"))
        b.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("state_changed_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("outcome_kind", sa.String(6), nullable=True))
        b.add_column(sa.Column("outcome_ref", sa.String(80), nullable=True))
        b.add_column(sa.Column("reason", sa.String(200), nullable=True))
        b.add_column(sa.Column("quality_note", sa.Text(), nullable=True))
        b.create_foreign_key("fk_model_hit_assignee", "app_user", ["assignee_id"], ["id"])
    op.create_index("ix_model_hit_state", "model_hit", ["state", "model_key", "due_at"])
    op.create_index("ix_model_hit_assignee", "model_hit", ["assignee_id", "state"])
    op.create_table(
        "clue_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hit_id", sa.Integer(), sa.ForeignKey("model_hit.id"), nullable=False),
        sa.Column("from_state", sa.String(6), nullable=True),
        sa.Column("to_state", sa.String(6), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("actor_name", sa.String(60), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
    )
    op.create_index("ix_clue_history_hit_id", "clue_history", ["hit_id"])
    op.create_table(
        "model_config",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model_key", sa.String(40), nullable=False),
        sa.Column("version", sa.String(12), nullable=False),
        sa.Column("param_values", sa.Text(), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_model_config_key", "model_config", ["model_key", "created_at"])
    op.create_table(
        "quality_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("dataset", sa.String(40), nullable=False),
        sa.Column("check_key", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(6), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
    )
    op.create_index("ix_quality_result_dataset", "quality_result", ["dataset", "run_at"])
    op.add_column("model_run", sa.Column("watermark", sa.Text(), nullable=True))
    op.add_column("case", sa.Column("town", sa.String(20), nullable=True))
    op.create_index("ix_case_charge_town", "case", ["charge", "district_id", "town", "accepted_at"])
    with op.batch_alter_table("sentencing_record") as b:
        b.add_column(sa.Column("suspect_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("amount_yuan", sa.Integer(), nullable=True))
        b.create_foreign_key("fk_sentencing_record_suspect", "suspect", ["suspect_id"], ["id"])
    op.create_index("ix_sentencing_record_suspect_id", "sentencing_record", ["suspect_id"])


def downgrade() -> None:
    op.drop_index("ix_sentencing_record_suspect_id", table_name="sentencing_record")
    with op.batch_alter_table("sentencing_record") as b:
        b.drop_constraint("fk_sentencing_record_suspect", type_="foreignkey")
        b.drop_column("amount_yuan")
        b.drop_column("suspect_id")
    op.drop_index("ix_case_charge_town", table_name="case")
    op.drop_column("case", "town")
    op.drop_column("model_run", "watermark")
    op.drop_index("ix_quality_result_dataset", table_name="quality_result")
    op.drop_table("quality_result")
    op.drop_index("ix_model_config_key", table_name="model_config")
    op.drop_table("model_config")
    op.drop_index("ix_clue_history_hit_id", table_name="clue_history")
    op.drop_table("clue_history")
    op.drop_index("ix_model_hit_assignee", table_name="model_hit")
    op.drop_index("ix_model_hit_state", table_name="model_hit")
    with op.batch_alter_table("model_hit") as b:
        b.drop_constraint("fk_model_hit_assignee", type_="foreignkey")
        for c in ("quality_note", "reason", "outcome_ref", "outcome_kind", "state_changed_at", "due_at",
                  "assignee_id", "state"):
            b.drop_column(c)

"""The database's identity: one row with a random id, written when the database is created.

Revision ID: 0005_identity
Revises: 0004_merge
"""
import uuid

import sqlalchemy as sa
from alembic import op

from domain import clock

revision = "0005_identity"
down_revision = "0004_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "db_identity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "instance_id": str(uuid.uuid4()), "created_at": clock.now()}])


def downgrade() -> None:
    op.drop_table("db_identity")

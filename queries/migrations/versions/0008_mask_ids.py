"""Re-mask the ID numbers already stored: keep only the area code (domain.masking.mask_id), as new
rows are written since issue 11. The old "first 6 + last 4" form gave the number back.

Revision ID: 0008_mask_ids
Revises: 0007_audit_chain
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_mask_ids"
down_revision = "0007_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Audit rows are left as written: they are evidence, chained by hashes (queries.audit).
    op.execute(sa.text("UPDATE person SET id_masked = substr(id_masked, 1, 6) || '************' "
                       "WHERE length(id_masked) = 18 AND substr(id_masked, 7) <> '************'"))


def downgrade() -> None:
    pass  # the removed digits are not stored anywhere: nothing to put back

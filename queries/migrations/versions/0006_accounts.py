"""Staff identity and least privilege (issue 11): roles per account, second factor, screen keys,
the case's handling prosecutor, an audit log that records who, from where, chained by hashes;
and the person's birth date is no longer stored (with the masked ID it gave the number back).

Revision ID: 0006_accounts
Revises: 0005_identity
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_accounts"
down_revision = "0005_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as b:
        b.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("totp_secret", sa.String(200), nullable=True))
        b.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        b.add_column(sa.Column("sso_subject", sa.String(120), nullable=True))
        b.create_unique_constraint("uq_app_user_sso_subject", ["sso_subject"])
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), primary_key=True),
        sa.Column("role", sa.String(20), primary_key=True),
    )
    # Existing staff keep their one role under its new name; the old shared accounts lose theirs.
    conn = op.get_bind()
    mapping = {"leader": "leader", "prosecutor": "prosecutor", "supervision": "supervision"}
    rows = conn.execute(sa.text("SELECT id, role FROM app_user")).all()
    for uid, role in rows:
        if role in mapping:
            conn.execute(sa.text("INSERT INTO user_role (user_id, role) VALUES (:u, :r)"),
                         {"u": uid, "r": mapping[role]})
    op.create_table(
        "screen_key",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("key_prefix", sa.String(12), nullable=False),
        sa.Column("procuratorate_id", sa.Integer(), sa.ForeignKey("procuratorate.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(60), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(), nullable=True),
    )
    with op.batch_alter_table("case") as b:
        b.add_column(sa.Column("handler_id", sa.Integer(), nullable=True))
        b.create_foreign_key("fk_case_handler", "app_user", ["handler_id"], ["id"])
        b.create_index("ix_case_handler_id", ["handler_id"])
    with op.batch_alter_table("person") as b:
        b.drop_column("birth_date")
    with op.batch_alter_table("supervised_person") as b:
        b.add_column(sa.Column("release_requested_by", sa.Integer(), nullable=True))
        b.add_column(sa.Column("release_requested_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("release_reason", sa.String(300), nullable=True))
        b.create_foreign_key("fk_sp_release_requested_by", "app_user", ["release_requested_by"], ["id"])
    with op.batch_alter_table("audit_log") as b:
        b.add_column(sa.Column("actor_procuratorate", sa.String(60), nullable=True))
        b.add_column(sa.Column("client_addr", sa.String(64), nullable=True))
        b.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        b.add_column(sa.Column("row_hash", sa.String(64), nullable=True))
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=False),
        sa.Column("base_hash", sa.String(64), nullable=False),
        sa.Column("exported_through", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_log") as b:
        for c in ("row_hash", "prev_hash", "client_addr", "actor_procuratorate"):
            b.drop_column(c)
    with op.batch_alter_table("supervised_person") as b:
        b.drop_constraint("fk_sp_release_requested_by", type_="foreignkey")
        for c in ("release_reason", "release_requested_at", "release_requested_by"):
            b.drop_column(c)
    with op.batch_alter_table("person") as b:
        b.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
    with op.batch_alter_table("case") as b:
        b.drop_index("ix_case_handler_id")
        b.drop_constraint("fk_case_handler", type_="foreignkey")
        b.drop_column("handler_id")
    op.drop_table("screen_key")
    op.drop_table("user_role")
    with op.batch_alter_table("app_user") as b:
        b.drop_constraint("uq_app_user_sso_subject", type_="unique")
        for c in ("sso_subject", "totp_last_step", "totp_secret", "password_changed_at", "must_change_password"):
            b.drop_column(c)

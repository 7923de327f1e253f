"""Decisions per suspect and procedure-aware time limits (issue 12): a ``suspect`` row per suspect
with their own arrest, plea, recommendation, prosecution and judgment; ``custody_period`` for their
custody over time; the case's procedure (普通/简易/速裁), origin, 重大复杂 and "likely over one year".

Existing cases are carried over as they were recorded: each of a case's ``suspects`` gets the case's
decisions (that was the old model's meaning), linked to the case's suspects in ``case_party`` in
order; procedure 普通 and origin 公安机关 (the old model knew no other), so fast-track cases must be
re-imported or edited to get their shorter limits. Their custody spells are what the old columns
tell: 拘留 from acceptance for a detained case, then 逮捕 or the case's 取保候审/监视居住, ending at the
decision not to prosecute (then 释放) or at judgment.

Revision ID: 0009_per_suspect
Revises: 0008_mask_ids
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_per_suspect"
down_revision = "0008_mask_ids"
branch_labels = None
depends_on = None

_COPY = ("arrest_review_at", "arrest_decided_at", "arrest_decision", "prosecution_decided_at",
         "prosecution_decision", "non_prosecution_type", "judgment_at", "rec_adopted", "juvenile")


def upgrade() -> None:
    # plain ADD COLUMN on both engines: a batch on SQLite would copy "case" and drop the original,
    # which the foreign keys of a database holding cases refuse (case_party, case_event, ...)
    op.add_column("case", sa.Column("procedure", sa.String(4), nullable=True))
    op.add_column("case", sa.Column("origin", sa.String(10), nullable=True))
    op.add_column("case", sa.Column("complex_case", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("case", sa.Column("over_one_year", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "suspect",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("district.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("juvenile", sa.Boolean(), nullable=False),
        sa.Column("arrest_review_at", sa.DateTime(), nullable=True),
        sa.Column("arrest_decided_at", sa.DateTime(), nullable=True),
        sa.Column("arrest_decision", sa.String(10), nullable=True),
        sa.Column("arrest_decided_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("plea", sa.Boolean(), nullable=False),
        sa.Column("rec_kind", sa.String(4), nullable=True),
        sa.Column("rec_months", sa.Integer(), nullable=True),
        sa.Column("rec_months_hi", sa.Integer(), nullable=True),
        sa.Column("prosecution_decided_at", sa.DateTime(), nullable=True),
        sa.Column("prosecution_decision", sa.String(4), nullable=True),
        sa.Column("non_prosecution_type", sa.String(10), nullable=True),
        sa.Column("judgment_at", sa.DateTime(), nullable=True),
        sa.Column("judgment_kind", sa.String(10), nullable=True),
        sa.Column("judgment_months", sa.Integer(), nullable=True),
        sa.Column("probation", sa.Boolean(), nullable=False),
        sa.Column("rec_adopted", sa.Boolean(), nullable=True),
        sa.UniqueConstraint("case_id", "seq", name="uq_suspect_case_seq"),
    )
    op.create_index("ix_suspect_case_id", "suspect", ["case_id"])
    op.create_index("ix_suspect_person_id", "suspect", ["person_id"])
    op.create_index("ix_suspect_arrest_decided", "suspect", ["arrest_decided_at", "district_id"])
    op.create_index("ix_suspect_pros_decided", "suspect", ["prosecution_decided_at", "district_id"])
    op.create_index("ix_suspect_judgment", "suspect", ["judgment_at", "district_id"])
    op.create_table(
        "custody_period",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("suspect_id", sa.Integer(), sa.ForeignKey("suspect.id"), nullable=False),
        sa.Column("measure", sa.String(6), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("suspect_id", "measure", "started_at", name="uq_custody_natural"),
    )
    op.create_index("ix_custody_period_suspect_id", "custody_period", ["suspect_id"])
    _carry_over(op.get_bind())


def _carry_over(conn) -> None:
    """Old cases: one suspect row per counted suspect, with the case's decisions."""
    conn.execute(sa.text("UPDATE \"case\" SET procedure = '普通', origin = '公安机关' WHERE function = '刑事'"))
    people: dict[int, list[int]] = {}
    for cid, pid in conn.execute(sa.text(
            "SELECT case_id, person_id FROM case_party WHERE role = '犯罪嫌疑人' ORDER BY case_id, id")):
        people.setdefault(cid, []).append(pid)
    cols = ", ".join(_COPY)
    rows = conn.execute(sa.text(
        f"SELECT id, district_id, suspects, plea_leniency, sentencing_rec_kind, sentencing_rec_months, "
        f"detained, accepted_at, compulsory_measure, {cols} FROM \"case\" WHERE function = '刑事' ORDER BY id"))
    suspects = []
    for r in rows.mappings():
        for seq in range(1, max(1, int(r["suspects"] or 1)) + 1):
            pid = people.get(r["id"], [])
            s = {c: r[c] for c in _COPY}
            s.update(case_id=r["id"], district_id=r["district_id"], seq=seq,
                     person_id=pid[seq - 1] if seq <= len(pid) else None, juvenile=bool(r["juvenile"]),
                     plea=bool(r["plea_leniency"]), rec_kind=r["sentencing_rec_kind"],
                     rec_months=r["sentencing_rec_months"], probation=False)
            suspects.append(s)
    if not suspects:
        return
    table = sa.table("suspect", *(sa.column(c) for c in suspects[0]))
    for i in range(0, len(suspects), 5000):
        conn.execute(sa.insert(table), suspects[i:i + 5000])
    # custody, as far as the old columns tell it: detained from acceptance until the arrest decision;
    # then arrested, or on the case's non-custodial measure (from acceptance when never detained);
    # the last spell ends at the decision not to prosecute (then released) or at judgment
    end = ("CASE WHEN s.prosecution_decision = '不起诉' THEN s.prosecution_decided_at ELSE s.judgment_at END")
    conn.execute(sa.text(
        "INSERT INTO custody_period (suspect_id, measure, started_at, ended_at) "
        "SELECT s.id, '拘留', c.accepted_at, s.arrest_decided_at FROM suspect s JOIN \"case\" c ON c.id = s.case_id "
        "WHERE c.detained = :t"), {"t": True})
    conn.execute(sa.text(
        "INSERT INTO custody_period (suspect_id, measure, started_at, ended_at) "
        f"SELECT s.id, '逮捕', s.arrest_decided_at, {end} FROM suspect s "
        "WHERE s.arrest_decision IN ('批准逮捕', '决定逮捕') AND s.arrest_decided_at IS NOT NULL"))
    conn.execute(sa.text(
        "INSERT INTO custody_period (suspect_id, measure, started_at, ended_at) "
        f"SELECT s.id, c.compulsory_measure, CASE WHEN c.detained = :t THEN s.arrest_decided_at ELSE c.accepted_at END, "
        f"{end} FROM suspect s JOIN \"case\" c ON c.id = s.case_id "
        "WHERE c.compulsory_measure IN ('取保候审', '监视居住') "
        "AND (s.arrest_decision IS NULL OR s.arrest_decision NOT IN ('批准逮捕', '决定逮捕')) "
        "AND (c.detained <> :t OR s.arrest_decided_at IS NOT NULL)"), {"t": True})
    conn.execute(sa.text(
        "INSERT INTO custody_period (suspect_id, measure, started_at, ended_at) "
        "SELECT s.id, '释放', s.prosecution_decided_at, NULL FROM suspect s "
        "WHERE s.prosecution_decision = '不起诉' AND s.prosecution_decided_at IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM custody_period p WHERE p.suspect_id = s.id)"))


def downgrade() -> None:
    op.drop_table("custody_period")
    op.drop_table("suspect")
    with op.batch_alter_table("case") as b:
        b.drop_column("over_one_year")
        b.drop_column("complex_case")
        b.drop_column("origin")
        b.drop_column("procedure")

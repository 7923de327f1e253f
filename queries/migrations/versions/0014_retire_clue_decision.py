"""Retire ``clue_decision`` (issue 13): the river pages' own clue decisions become clues of the water
model (``water_worse_than_v``) with their life already ended, so one clue pattern remains.

Each decision becomes a ``model_hit`` keyed ``river:{river_id}/{month}`` (the model does not raise a
river again while its episode holds that month), version ``carried``: 立案 → 成案 with outcome 立案
and the public-interest case's number, 驳回 → 不成案 with the reason; assignee and actor = who
decided; one ``clue_history`` row each. Then the table goes. The downgrade brings the table back
with the carried rows.

Revision ID: 0014_retire_clue_decision
Revises: 0013_clue_life
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0014_retire_clue_decision"
down_revision = "0013_clue_life"
branch_labels = None
depends_on = None

MODEL_KEY, CARRIED = "water_worse_than_v", "carried"

_meta = sa.MetaData()
clue_decision = sa.Table(
    "clue_decision", _meta,
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("river_id", sa.Integer),
    sa.Column("month", sa.String(7)), sa.Column("decision", sa.String(6)), sa.Column("reason", sa.String(200)),
    sa.Column("pil_case_id", sa.Integer), sa.Column("decided_by", sa.Integer), sa.Column("decided_at", sa.DateTime))
model_hit = sa.Table(
    "model_hit", _meta,
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("model_key", sa.String(40)),
    sa.Column("hit_key", sa.String(120)), sa.Column("version", sa.String(12)), sa.Column("run_id", sa.Integer),
    sa.Column("found_at", sa.DateTime), sa.Column("district_id", sa.Integer), sa.Column("case_id", sa.Integer),
    sa.Column("group_key", sa.String(80)), sa.Column("evidence", sa.Text), sa.Column("state", sa.String(6)),
    sa.Column("assignee_id", sa.Integer), sa.Column("due_at", sa.DateTime),
    sa.Column("state_changed_at", sa.DateTime), sa.Column("outcome_kind", sa.String(6)),
    sa.Column("outcome_ref", sa.String(80)), sa.Column("reason", sa.String(200)))
clue_history = sa.Table(
    "clue_history", _meta,
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("hit_id", sa.Integer),
    sa.Column("from_state", sa.String(6)), sa.Column("to_state", sa.String(6)), sa.Column("assignee_id", sa.Integer),
    sa.Column("actor_id", sa.Integer), sa.Column("actor_name", sa.String(60)), sa.Column("at", sa.DateTime),
    sa.Column("note", sa.String(200)))
river = sa.Table("river", _meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String(20)),
                 sa.Column("name", sa.String(60)), sa.Column("town", sa.String(30)),
                 sa.Column("district_id", sa.Integer))
pil_case = sa.Table("pil_case", _meta, sa.Column("id", sa.Integer), sa.Column("case_no", sa.String(40)))
app_user = sa.Table("app_user", _meta, sa.Column("id", sa.Integer), sa.Column("username", sa.String(40)))
water_sample = sa.Table("water_sample", _meta, sa.Column("river_id", sa.Integer), sa.Column("month", sa.String(7)),
                        sa.Column("water_class", sa.Integer))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(clue_decision, river.c.code, river.c.name, river.c.town, river.c.district_id,
                  pil_case.c.case_no, app_user.c.username)
        .join(river, river.c.id == clue_decision.c.river_id)
        .outerjoin(pil_case, pil_case.c.id == clue_decision.c.pil_case_id)
        .outerjoin(app_user, app_user.c.id == clue_decision.c.decided_by)
        .order_by(clue_decision.c.decided_at, clue_decision.c.id)).mappings().all()
    for r in rows:
        key = f"river:{r['river_id']}/{r['month']}"
        if conn.execute(sa.select(model_hit.c.id).where(model_hit.c.model_key == MODEL_KEY,
                                                        model_hit.c.hit_key == key)).first():
            continue  # the model already raised this river and month: keep the one clue
        cls = conn.execute(sa.select(sa.func.max(water_sample.c.water_class)).where(
            water_sample.c.river_id == r["river_id"], water_sample.c.month == r["month"])).scalar()
        case = r["decision"] == "立案"
        state = "成案" if case else "不成案"
        evidence = {"river_id": r["river_id"], "code": r["code"], "name": r["name"], "town": r["town"],
                    "months": [r["month"]], "classes": {r["month"]: cls} if cls else {},
                    "reasons": ["沿用原河道水质线索处理记录（clue_decision）"], "main_pollutants": [],
                    "carried_from": "clue_decision", "pil_case_id": r["pil_case_id"]}
        hit_id = conn.execute(sa.insert(model_hit).values(
            model_key=MODEL_KEY, hit_key=key, version=CARRIED, run_id=None, found_at=r["decided_at"],
            district_id=r["district_id"], case_id=None, group_key=r["town"],
            evidence=json.dumps(evidence, ensure_ascii=False, sort_keys=True), state=state,
            assignee_id=r["decided_by"], due_at=r["decided_at"], state_changed_at=r["decided_at"],
            outcome_kind="立案" if case else None, outcome_ref=r["case_no"] if case else None,
            reason=r["reason"]).returning(model_hit.c.id)).scalar_one()
        conn.execute(sa.insert(clue_history).values(
            hit_id=hit_id, from_state="待分流", to_state=state, assignee_id=r["decided_by"],
            actor_id=r["decided_by"], actor_name=r["username"] or "迁移（原水质线索）", at=r["decided_at"],
            note=(r["reason"] or ("立案 " + (r["case_no"] or "")).strip())[:200]))
    op.drop_index("ix_clue_decision_river_id", table_name="clue_decision")
    op.drop_table("clue_decision")


def downgrade() -> None:
    op.create_table(
        "clue_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("river_id", sa.Integer(), sa.ForeignKey("river.id"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("decision", sa.String(6), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("pil_case_id", sa.Integer(), sa.ForeignKey("pil_case.id"), nullable=True),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_clue_decision_river_id", "clue_decision", ["river_id"])
    conn = op.get_bind()
    carried = conn.execute(sa.select(model_hit).where(model_hit.c.model_key == MODEL_KEY,
                                                      model_hit.c.version == CARRIED)).mappings().all()
    for h in carried:
        ev = json.loads(h["evidence"])
        conn.execute(sa.insert(clue_decision).values(
            river_id=ev["river_id"], month=h["hit_key"].rsplit("/", 1)[1],
            decision="立案" if h["state"] == "成案" else "驳回", reason=h["reason"],
            pil_case_id=ev.get("pil_case_id"), decided_by=h["assignee_id"], decided_at=h["state_changed_at"]))
    ids = [h["id"] for h in carried]
    if ids:
        conn.execute(sa.delete(clue_history).where(clue_history.c.hit_id.in_(ids)))
        conn.execute(sa.delete(model_hit).where(model_hit.c.id.in_(ids)))

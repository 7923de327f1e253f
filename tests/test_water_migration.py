"""Migration 0014: the river clue list's decisions (``clue_decision``) carried into the water model's
clues, from a 0013 database holding decisions, on both engines; then the model does not raise the
carried rivers again."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text

from tests.water_world import FX, NOW, PIL_USER, plant


@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request, tmp_path):
    """A database migrated only to 0013_clue_life, on the engine asked for."""
    from tests.conftest import fresh_engine

    with fresh_engine(request.param, tmp_path, revision="0013_clue_life") as eng:
        yield eng


def test_decisions_become_water_clues_and_the_table_goes(old_engine):
    from domain.models import registry
    from queries import models as M
    from queries.db import current_revision, head_revision, upgrade
    from queries.schema import ClueHistory, ModelHit

    plant(old_engine)
    d1, d2 = dt.datetime(2026, 5, 20, 15, 30), dt.datetime(2026, 6, 2, 9, 0)
    with old_engine.begin() as c:
        c.execute(text("INSERT INTO pil_case (id, case_no, river_id, procuratorate_id, district_id, source, stage, "
                       "summary, clue_at, filed_at, stage_entered_at) VALUES (3, '沪奉检行公立〔2026〕水8-2026-05', "
                       "8, 1, :fx, '水质线索', '立案', '水质线索立案', :t, :t, :t)"), dict(fx=FX, t=d1))
        c.execute(text("INSERT INTO clue_decision (river_id, month, decision, reason, pil_case_id, decided_by, "
                       "decided_at) VALUES (8, '2026-05', '立案', NULL, 3, :u, :t)"), dict(u=PIL_USER, t=d1))
        c.execute(text("INSERT INTO clue_decision (river_id, month, decision, reason, pil_case_id, decided_by, "
                       "decided_at) VALUES (1, '2026-05', '驳回', '系上游来水，已另案处理', NULL, :u, :t)"),
                  dict(u=PIL_USER, t=d2))
    upgrade(old_engine)
    assert current_revision(old_engine) == head_revision()
    assert "clue_decision" not in sa_inspect(old_engine).get_table_names()
    with old_engine.connect() as c:
        hits = c.execute(select(ModelHit.__table__).order_by(ModelHit.id)).mappings().all()
        hist = c.execute(select(ClueHistory.__table__).order_by(ClueHistory.id)).mappings().all()
    got = [(h["model_key"], h["hit_key"], h["version"], h["state"], h["outcome_kind"], h["outcome_ref"],
            h["reason"], h["assignee_id"], h["district_id"], h["group_key"]) for h in hits]
    assert got == [
        ("water_worse_than_v", "river:8/2026-05", "carried", "成案", "立案", "沪奉检行公立〔2026〕水8-2026-05", None,
         PIL_USER, FX, "柘林镇"),
        ("water_worse_than_v", "river:1/2026-05", "carried", "不成案", None, None, "系上游来水，已另案处理",
         PIL_USER, FX, "南桥镇")]
    assert [(h["found_at"], h["state_changed_at"]) for h in hits] == [(d1, d1), (d2, d2)]
    ev = json.loads(hits[0]["evidence"])
    assert (ev["river_id"], ev["code"], ev["town"], ev["months"], ev["classes"]) == \
        (8, "R008", "柘林镇", ["2026-05"], {"2026-05": 6})
    assert [(h["hit_id"], h["from_state"], h["to_state"], h["actor_id"], h["actor_name"], h["at"]) for h in hist] == [
        (hits[0]["id"], "待分流", "成案", PIL_USER, "pil_fx", d1),
        (hits[1]["id"], "待分流", "不成案", PIL_USER, "pil_fx", d2)]
    # the model finds the carried river 1's episode (04–06) under its carried key, so it is not raised
    # again; river 8 has the public-interest case its 立案 opened
    water = registry()["water_worse_than_v"]
    assert {h.hit_key for h in M.QUERIES[water.query](old_engine, water, NOW)} == {
        "river:1/2026-05", "river:5/2026-06", "river:7/2026-05"}
    r = M.run_model(old_engine, water, NOW)
    assert r.new_hits == 2
    # the downgrade brings the table back with the carried decisions, and only those
    from alembic import command

    from queries.db import alembic_config

    cfg = alembic_config(old_engine.url.render_as_string(hide_password=False))
    with old_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013_clue_life")
    with old_engine.connect() as c:
        back = c.execute(text("SELECT river_id, month, decision, reason, pil_case_id, decided_by FROM clue_decision "
                              "ORDER BY id")).all()
        left = c.execute(select(ModelHit.hit_key).order_by(ModelHit.hit_key)).scalars().all()
        assert c.execute(select(ClueHistory.id)).first() is None
    assert [tuple(r) for r in back] == [(8, "2026-05", "立案", None, 3, PIL_USER),
                                        (1, "2026-05", "驳回", "系上游来水，已另案处理", None, PIL_USER)]
    assert left == ["river:5/2026-06", "river:7/2026-05"]

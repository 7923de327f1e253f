"""模型成效: planted clues in known states give exact figures on both engines; only the models whose
permission the account holds, in its districts; and the page runs for a signed-in account."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from domain.access import AccessDenied
from domain.models import registry
from domain.scope import ALL, Scope
from queries.model_efficacy import efficacy
from queries.schema import ClueHistory, ModelHit
from tests.water_world import FX, NOW, PD, PIL_USER, plant

ROOT = Path(__file__).resolve().parent.parent
W, OV = "water_worse_than_v", "overdue_cases"


def _t(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour)


# (id, model, district, found, state, outcome_kind, due, state_changed_at, end row in the history or None)
CLUES = [
    (1, W, FX, _t(4, 1), "成案", "立案", _t(4, 30), _t(4, 5), _t(4, 5)),  # 4 days
    (2, W, FX, _t(5, 1), "成案", "检察建议", _t(5, 31), _t(5, 11), _t(5, 11)),  # 10 days
    (3, W, FX, _t(5, 2), "不成案", None, _t(6, 1), _t(5, 4), None),  # no history: state_changed_at, 2 days
    (4, W, FX, _t(6, 1), "移送", None, _t(7, 1), _t(6, 3), _t(6, 2, 21)),  # the history wins: 1.5 days
    (5, W, FX, _t(6, 10), "待分流", None, _t(6, 15), None, None),  # overdue
    (6, W, FX, _t(6, 15), "核查中", None, _t(7, 15), _t(6, 16), None),  # open, in time
    (7, W, PD, _t(6, 1), "不成案", None, _t(7, 1), _t(6, 8), _t(6, 8)),  # Pudong: 7 days
    (8, OV, FX, _t(6, 10), "待分流", None, _t(6, 17), None, None),  # another model, overdue
]


def _plant_clues(engine) -> None:
    plant(engine)
    with engine.begin() as c:
        c.execute(insert(ModelHit), [dict(id=i, model_key=m, hit_key=f"k{i}", version="v1", found_at=f, district_id=d,
                                          evidence="{}", state=s, outcome_kind=o, outcome_ref="X" if o else None,
                                          due_at=due, state_changed_at=ch, assignee_id=PIL_USER)
                                     for i, m, d, f, s, o, due, ch, _ in CLUES])
        rows = [dict(hit_id=i, from_state="核查中", to_state=s, actor_id=PIL_USER, actor_name="pil_fx", at=end,
                     note=None) for i, _, _, _, s, _, _, _, end in CLUES if end is not None]
        # an earlier, non-final step does not count as the decision
        rows.append(dict(hit_id=2, from_state="待分流", to_state="核查中", actor_id=PIL_USER, actor_name="pil_fx",
                         at=_t(5, 2), note=None))
        c.execute(insert(ClueHistory), rows)


PIL_FX = Scope(district_ids=(FX,), role="pil", grants=frozenset({"home", "rivers", "rivers.clues", "clues"}))
LEADER_ALL = Scope(grants=frozenset({"home", "cases", "rivers", "clues"}))


def test_exact_figures_per_model_in_the_accounts_districts(any_engine):
    _plant_clues(any_engine)
    effs = efficacy(any_engine, PIL_FX, NOW)
    assert [e.key for e in effs] == [W]  # the PIL account reads the water model only
    e = effs[0]
    assert (e.hits, e.handled, e.cases, e.suggestions, e.no_case, e.referred, e.open, e.overdue) == \
        (6, 4, 1, 1, 1, 1, 2, 1)
    assert e.precision == 0.5 and e.became_case == 2
    assert e.median_days == 3.0  # of 4, 10, 2 and 1.5 days
    assert e.by_month == (("2026-04", 1), ("2026-05", 2), ("2026-06", 3))
    assert e.as_of == NOW
    # the operator's whole city: Pudong's 7-day 不成案 joins; every model listed, zeros where no hit
    allm = {x.key: x for x in efficacy(any_engine, ALL, NOW)}
    assert list(allm) == sorted(registry())
    w = allm[W]
    assert (w.hits, w.handled, w.no_case, w.median_days) == (7, 5, 2, 4.0)
    assert w.by_month[-1] == ("2026-06", 4)
    ov = allm[OV]
    assert (ov.hits, ov.handled, ov.open, ov.overdue, ov.precision, ov.median_days) == (1, 0, 1, 1, None, None)
    assert allm["recidivism_on_measure"].hits == 0 and allm["recidivism_on_measure"].by_month == ()
    # a leader: the models whose permission the account holds ("cases" here), never the water model
    leader = [x.key for x in efficacy(any_engine, LEADER_ALL, NOW)]
    assert leader == sorted(k for k, m in registry().items() if LEADER_ALL.grants_permission(m.permission))
    assert OV in leader and "non_prosecution_referral" in leader and W not in leader
    # a day later clue 6 is still in time; a month later it is overdue too
    assert efficacy(any_engine, PIL_FX, _t(7, 16))[0].overdue == 2


def test_refused_without_the_clues_permission(engine):
    with pytest.raises(AccessDenied):
        efficacy(engine, Scope(grants=frozenset({"rivers", "rivers.clues"})), NOW)


def test_page_runs_for_the_public_interest_prosecutor(page_db, sample_engine):
    from tests.staff import sign_in, staff_of

    at = sign_in(AppTest.from_file(str(ROOT / "pages" / "model_efficacy.py"), default_timeout=120),
                 staff_of(sample_engine, "pil_310120")).run()
    assert not at.exception, [x.message for x in at.exception]
    assert at.title[0].value == "法律监督 · 模型成效"
    table = at.dataframe[0].value
    assert list(table["模型"]) == ["水质持续劣Ⅴ类"]
    assert {m.label for m in at.metric} >= {"命中线索", "已处理", "成案", "待处理", "超期未决"}

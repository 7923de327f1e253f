"""Rivers: the sample network, the query module against pandas on SQLite and PostgreSQL, clue
decisions (audited), the live-feed hook and the map payload."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString
from sqlalchemy import func, select

from domain.access import OPERATOR, AccessDenied, Actor
from domain.periods import month_key, shift_month
from domain.scope import ALL, Scope
from domain.water import CLASS_LABELS, classify, clue_reasons, suggestion_status
from queries import rivers as q
from queries.db import make_engine, upgrade
from queries.frames import read_frame
from queries.schema import (
    AppUser, AuditLog, ClueDecision, MonitoringSite, PilCase, ProcuratorialSuggestion, River,
    WaterSample,
)

NOW = dt.datetime(2026, 6, 18, 10, 0)


def _table(engine, model) -> pd.DataFrame:
    return read_frame(engine, select(model))


def _build_rivers(path, now=NOW, scale="tiny"):
    """core + rivers only (fast), at a fixed 'now', in its own SQLite file."""
    from sample_data import core, rivers
    from sample_data.build import SCALES, BuildContext

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = BuildContext(now=now, seed=11, progress=False)
    core.build(engine, SCALES[scale], np.random.default_rng([11, 0]), ctx)
    rivers.build(engine, SCALES[scale], np.random.default_rng([11, 1]), ctx)
    return engine


@pytest.fixture
def rdb(tmp_path):
    e = _build_rivers(tmp_path / "rivers.sqlite3")
    yield e
    e.dispose()


# --------------------------------------------------------------------------- the sample network


def test_network_shape_and_geometry(sample_engine):
    from sample_data.build import SCALES
    from sample_data.rivers import DISTRICT_RIVERS, fengxian_polygon, level_counts

    rivers = _table(sample_engine, River)
    spec = SCALES["tiny"]
    assert len(rivers) == spec.rivers
    assert dict(rivers["level"].value_counts()) == dict(level_counts(spec.rivers))
    assert (rivers["district_id"] == 310120).all()
    assert rivers.loc[rivers["level"] == "市级", "name"].tolist() == ["金汇港"]
    real = {n for n, _, _, is_real in DISTRICT_RIVERS if is_real}
    assert real <= set(rivers.loc[rivers["level"] == "区级", "name"])
    poly = fengxian_polygon().buffer(1e-4)
    ns = ew = 0
    for g, level in zip(rivers["geojson"], rivers["level"]):
        geom = json.loads(g)
        assert geom["type"] == "LineString"
        line = LineString(geom["coordinates"])
        assert poly.contains(line)
        assert len(geom["coordinates"]) <= 40  # simplified
        if level in ("市级", "区级"):
            (x1, y1), (x2, y2) = geom["coordinates"][0], geom["coordinates"][-1]
            ns += abs(y2 - y1) > abs(x2 - x1)
            ew += abs(x2 - x1) > abs(y2 - y1)
    assert ns >= 8 and ew >= 4  # main channels run both north–south and east–west
    # every river has a chief, and its prosecutor is one of Fengxian's prosecutors
    pros = read_frame(sample_engine, select(AppUser.id, AppUser.username, AppUser.role))
    by_id = pros.set_index("id")
    assert rivers["river_chief"].str.len().gt(2).all()
    for pid in rivers["prosecutor_id"].unique():
        assert by_id.loc[pid, "role"] == "prosecutor"
        assert by_id.loc[pid, "username"].startswith("pros_310120_")


def test_samples_classified_by_the_domain_rule(sample_engine):
    s = _table(sample_engine, WaterSample)
    assert len(s) > 0
    for rec in s.sample(n=min(3000, len(s)), random_state=1).to_dict("records"):
        clean = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        c = classify(clean)
        assert c.water_class == rec["water_class"]
        assert (c.pollutants_text() or None) == (None if pd.isna(rec["main_pollutants"]) else rec["main_pollutants"])
    # realistic mix in the last full month: mostly III or better, a tail of IV, few V/劣V
    months = sorted(s["month"].unique())
    worst = s[s["month"] == months[-2]].groupby("river_id")["water_class"].max()
    share = worst.value_counts(normalize=True)
    assert share[share.index <= 3].sum() > 0.6
    assert share.get(6, 0) < 0.08
    assert 0 < share[share.index >= 4].sum() < 0.4
    # village channels are worse on average than the main rivers
    lv = read_frame(sample_engine, select(River.id, River.level)).set_index("id")["level"]
    per_sample = s.assign(level=s["river_id"].map(lv)).groupby("level")["water_class"].mean()
    assert per_sample["村级"] > per_sample["区级"]


def test_cases_and_suggestions_follow_the_flow(sample_engine):
    cases = _table(sample_engine, PilCase)
    sugg = _table(sample_engine, ProcuratorialSuggestion)
    assert len(cases) >= 10 and len(sugg) >= 3
    assert cases["river_id"].notna().all()
    assert set(cases["stage"]) <= {"线索", "立案", "调查", "磋商", "诉前建议", "跟进", "起诉", "结案"}
    assert (cases.loc[cases["stage"] == "结案", "closed_at"].notna()).all()
    assert (cases.loc[cases["stage"] != "结案", "closed_at"].isna()).all()
    filed = cases.dropna(subset=["filed_at"])
    assert (filed["filed_at"] >= filed["clue_at"]).all()
    from domain.water import reply_due

    for r in sugg.itertuples():
        assert r.reply_due == reply_due(r.issued_on, bool(r.emergency))
        if r.rectified_on is not None and not pd.isna(r.rectified_on):
            assert r.replied_on is not None and r.rectified_on >= r.replied_on
    assert sugg["pil_case_id"].isin(cases["id"]).all()


# --------------------------------------------------------------------------- queries vs pandas


def _pandas_latest(s: pd.DataFrame, month: str) -> pd.DataFrame:
    lo = shift_month(month, -q.LOOKBACK_MONTHS + 1)
    w = s[(s["month"] <= month) & (s["month"] >= lo)]
    last = w.groupby("river_id")["month"].max().rename("m")
    w = w.join(last, on="river_id")
    w = w[w["month"] == w["m"]].copy()
    w["_c"] = w["water_class"].fillna(0)
    w = w.sort_values(["river_id", "_c", "id"], ascending=[True, False, True])
    return w.groupby("river_id").head(1).set_index("river_id")


def test_river_classes_match_pandas(sample_any_engine):
    e = sample_any_engine
    s = _table(e, WaterSample)
    months = q.sample_months(e, ALL)
    assert months == sorted(s["month"].unique())
    for month in (months[-1], months[len(months) // 2], shift_month(months[0], -1)):
        got = q.river_classes(e, ALL, month).set_index("river_id")
        exp = _pandas_latest(s, month)
        assert sorted(got.index) == sorted(exp.index)
        if len(exp):
            assert (got["water_class"] == exp.loc[got.index, "water_class"]).all()
            assert (got["month"] == exp.loc[got.index, "month"]).all()
            mp = exp.loc[got.index, "main_pollutants"].fillna("")
            assert (got["main_pollutants"].fillna("") == mp).all()
    # whatever day the sample was built on, a river's class is of its latest month up to the one asked
    latest = q.river_classes(e, ALL, months[-1])
    assert (latest["month"] <= months[-1]).all() and (latest["month"] == months[-1]).any()


@pytest.mark.parametrize("now, newest, some_fall_back", [
    (dt.datetime(2026, 6, 18, 10, 0), "2026-06", True),  # sites report on the 5th–25th: June is partly in
    (dt.datetime(2026, 6, 2, 9, 0), "2026-05", False),  # nothing reported in June yet; May is complete
])
def test_current_month_is_partly_reported_on_the_stated_day(tmp_path, now, newest, some_fall_back):
    """The partial current month depends on the day of the build, so the day is stated here."""
    e = _build_rivers(tmp_path / "rivers.sqlite3", now=now)
    try:
        months = q.sample_months(e, ALL)
        assert months[-1] == newest
        latest = q.river_classes(e, ALL, f"{now:%Y-%m}")
        assert (latest["month"] == newest).any()
        assert (latest["month"] < newest).any() == some_fall_back
    finally:
        e.dispose()


def test_scope_limits_rivers(sample_any_engine):
    e = sample_any_engine
    m = q.sample_months(e, ALL)[-1]
    other = Scope(district_ids=(310101,))
    assert q.river_classes(e, other, m).empty
    assert q.map_rivers(e, other, m).empty
    assert q.pil_cases(e, other).empty
    assert q.clues(e, other, m).empty
    assert q.river_info(e, other, 1) is None
    assert q.river_history(e, other, 1).empty
    fx = Scope(district_ids=(310120,))
    assert len(q.map_rivers(e, fx, m)) == len(q.map_rivers(e, ALL, m))


def test_map_rivers_filters_and_open_cases(sample_any_engine):
    e = sample_any_engine
    m = q.sample_months(e, ALL)[-2]
    allr = q.map_rivers(e, ALL, m)
    rivers = _table(e, River)
    assert len(allr) == len(rivers)
    cases = _table(e, PilCase)
    open_by_river = cases[cases["closed_at"].isna()].groupby("river_id").size()
    exp_open = allr["river_id"].map(open_by_river).fillna(0).astype(int)
    assert (allr["open_cases"].values == exp_open.values).all()
    assert q.map_rivers(e, ALL, m, open_case_only=True)["river_id"].tolist() == \
        allr.loc[allr["open_cases"] > 0, "river_id"].tolist()
    sub = q.map_rivers(e, ALL, m, classes=(4, 5, 6), levels=("村级",))
    exp = allr[(allr["water_class"].isin([4, 5, 6])) & (allr["level"] == "村级")]
    assert sub["river_id"].tolist() == exp["river_id"].tolist()
    town = allr["town"].iloc[0]
    assert set(q.map_rivers(e, ALL, m, towns=(town,))["town"]) == {town}


def test_class_shares_and_screen_figures(sample_any_engine):
    e = sample_any_engine
    m = q.sample_months(e, ALL)[-2]
    cs = q.class_shares(e, ALL, m)
    exp = _pandas_latest(_table(e, WaterSample), m)["water_class"].value_counts()
    got = cs.dropna(subset=["water_class"]).set_index("water_class")["rivers"]
    assert {int(k): int(v) for k, v in got.items()} == {int(k): int(v) for k, v in exp.items()}
    assert cs["rivers"].sum() == len(_table(e, River))
    assert abs(cs["share"].sum() - 100) < 0.5
    f = q.screen_figures(e, ALL, m)
    n = int(exp.sum())
    assert f.share_good == round(exp[exp.index <= 3].sum() / n * 100, 1)
    assert f.share_worse_than_v == round(exp.get(6, 0) / n * 100, 1)
    cases = _table(e, PilCase)
    assert f.cases_open == int(cases["closed_at"].isna().sum())


def test_history_and_monthly_class(sample_any_engine):
    e = sample_any_engine
    s = _table(e, WaterSample)
    rid = int(s.groupby("river_id").size().idxmax())
    h = q.river_history(e, ALL, rid)
    assert len(h) == int((s["river_id"] == rid).sum())
    assert h["month"].is_monotonic_increasing
    mc = q.river_monthly_class(e, ALL, rid).set_index("month")["water_class"]
    exp = s[s["river_id"] == rid].groupby("month")["water_class"].max()
    assert mc.to_dict() == exp.to_dict()
    info = q.river_info(e, ALL, rid)
    sites = _table(e, MonitoringSite)
    assert info.sites == int((sites["river_id"] == rid).sum())


def test_suggestions_status_and_figures(sample_any_engine):
    e = sample_any_engine
    raw = _table(e, ProcuratorialSuggestion)
    today = max(raw["issued_on"]) + dt.timedelta(days=20)
    df = q.suggestions(e, ALL, today)
    assert len(df) == len(raw)
    for r in df.itertuples():
        assert r.status == suggestion_status(r.reply_due, r.replied_on, r.rectified_on, today)
    year = today.year
    f = q.pil_figures(e, ALL, year, today)
    iy = raw[[d.year == year for d in raw["issued_on"]]]
    assert f.suggestions_issued == len(iy)
    assert f.replied == int(iy["replied_on"].notna().sum())
    assert f.rectified == int(iy["rectified_on"].notna().sum())
    waiting = raw[raw["replied_on"].isna() & raw["rectified_on"].isna()]
    assert f.overdue == int((waiting["reply_due"] < today).sum())
    cases = _table(e, PilCase)
    assert f.cases_filed == int(cases["filed_at"].dropna().map(lambda t: t.year == year).sum())
    assert f.cases_open == int(cases["closed_at"].isna().sum())


def test_clues_match_the_domain_rule(sample_any_engine):
    e = sample_any_engine
    s = _table(e, WaterSample)
    cases = _table(e, PilCase)
    open_rivers = set(cases.loc[cases["closed_at"].isna(), "river_id"])
    monthly = s.groupby(["river_id", "month"])["water_class"].max()
    months = q.sample_months(e, ALL)
    total = 0
    for as_of in months[-4:]:
        exp = set()
        for rid, g in monthly.groupby(level=0):
            hist = [(m, int(c)) for (_, m), c in g.items() if shift_month(as_of, -5) <= m <= as_of]
            if clue_reasons(hist, as_of) and rid not in open_rivers:
                exp.add(int(rid))
        got = q.clues(e, ALL, as_of)
        assert set(got["river_id"]) == exp, as_of
        total += len(got)
        for r in got.itertuples():
            assert r.reasons and ("劣Ⅴ" in r.reasons or "下降" in r.reasons)
    assert total > 0  # the sample has clues to show


# --------------------------------------------------------------------------- decisions (audited)


def _first_clue(engine):
    for m in reversed(q.sample_months(engine, ALL)):
        c = q.clues(engine, ALL, m)
        if len(c):
            return m, c
    raise AssertionError("no clue in the sample")


def _audit(engine) -> pd.DataFrame:
    return _table(engine, AuditLog)


def test_turn_clue_into_case_audited(rdb):
    m, c = _first_clue(rdb)
    rid = int(c["river_id"].iloc[0])
    uid = int(read_frame(rdb, select(AppUser.id).where(AppUser.username == "pil_310120")).iloc[0, 0])
    me = Actor("pil_310120", "公益诉讼", "上海市奉贤区人民检察院", "10.0.0.5", uid)
    at = dt.datetime(2026, 6, 18, 11, 0)
    case_id = q.decide_clue(rdb, ALL, river_id=rid, month=m, decision="立案", reason="", actor=me, now=at)
    pc = _table(rdb, PilCase).set_index("id").loc[case_id]
    assert pc["river_id"] == rid and pc["stage"] == "立案" and pc["source"] == "水质线索"
    assert pd.isna(pc["closed_at"])
    d = _table(rdb, ClueDecision)
    assert d[["river_id", "month", "decision", "pil_case_id", "decided_by"]].values.tolist() == \
        [[rid, m, "立案", case_id, uid]]
    a = _audit(rdb)
    row = a[a["event"] == "河道线索立案"].iloc[-1]
    assert row["result"] == "成功" and row["target"] == f"river:{rid} {m}" and row["at"] == at
    assert (row["actor"], row["actor_role"], row["client_addr"]) == ("pil_310120", "公益诉讼", "10.0.0.5")
    # the river now has an open case: it leaves the clue list, and a second decision is refused
    assert rid not in set(q.clues(rdb, ALL, m)["river_id"])
    with pytest.raises(q.ClueError):
        q.decide_clue(rdb, ALL, river_id=rid, month=m, decision="驳回", reason="重复", actor=me, now=at)
    assert (_audit(rdb)["result"] == "拒绝").sum() == 1


def test_dismiss_clue_needs_a_reason_and_is_audited(rdb):
    m, c = _first_clue(rdb)
    rid = int(c["river_id"].iloc[0])
    n_cases = len(_table(rdb, PilCase))
    with pytest.raises(q.ClueError, match="理由"):
        q.decide_clue(rdb, ALL, river_id=rid, month=m, decision="驳回", reason="  ", actor=OPERATOR, now=NOW)
    a = _audit(rdb)
    assert a.iloc[-1]["event"] == "河道线索驳回" and a.iloc[-1]["result"] == "拒绝"
    assert _table(rdb, ClueDecision).empty
    assert q.decide_clue(rdb, ALL, river_id=rid, month=m, decision="驳回", reason="系上游来水，已另案处理",
                         actor=OPERATOR, now=NOW) is None
    assert len(_table(rdb, PilCase)) == n_cases
    d = _table(rdb, ClueDecision).iloc[0]
    assert d["decision"] == "驳回" and d["reason"] == "系上游来水，已另案处理"
    a = _audit(rdb)
    assert a.iloc[-1]["event"] == "河道线索驳回" and a.iloc[-1]["result"] == "成功"
    assert "上游来水" in a.iloc[-1]["detail"]
    assert rid not in set(q.clues(rdb, ALL, m)["river_id"])


def test_decision_refused_out_of_scope_or_wrong_role(rdb):
    m, c = _first_clue(rdb)
    rid = int(c["river_id"].iloc[0])
    with pytest.raises(q.ClueError, match="权限"):
        q.decide_clue(rdb, Scope(district_ids=(310101,)), river_id=rid, month=m, decision="立案", reason="",
                      actor=OPERATOR, now=NOW)
    with pytest.raises(AccessDenied):  # a scope without the permission (a screen's, a leader's)
        q.decide_clue(rdb, Scope(role="screen", grants=frozenset()), river_id=rid, month=m, decision="立案",
                      reason="", actor=Actor("大屏", "大屏"), now=NOW)
    with pytest.raises(q.ClueError):
        q.decide_clue(rdb, ALL, river_id=rid, month=m, decision="删除", reason="", actor=OPERATOR, now=NOW)
    with pytest.raises(TypeError):  # the signed-in account, not a typed name
        q.decide_clue(rdb, ALL, river_id=rid, month=m, decision="立案", reason="", actor="张三", now=NOW)
    assert _table(rdb, ClueDecision).empty
    assert (_audit(rdb)["result"] == "拒绝").sum() == 3


def test_decision_on_postgresql(pg_engine, tmp_path):
    """The same decision flow on PostgreSQL (RETURNING, sequences after explicit ids)."""
    from sample_data import core, rivers
    from sample_data.build import SCALES, BuildContext

    ctx = BuildContext(now=NOW, seed=11, progress=False)
    core.build(pg_engine, SCALES["tiny"], np.random.default_rng([11, 0]), ctx)
    rivers.build(pg_engine, SCALES["tiny"], np.random.default_rng([11, 1]), ctx)
    m, c = _first_clue(pg_engine)
    rid = int(c["river_id"].iloc[0])
    case_id = q.decide_clue(pg_engine, ALL, river_id=rid, month=m, decision="立案", reason="", actor=OPERATOR,
                            now=NOW)
    assert case_id == len(_table(pg_engine, PilCase))


# --------------------------------------------------------------------------- live feed & payload


def test_feed_tick_writes_classified_samples(rdb):
    from sample_data.rivers_feed import tick

    month = month_key(NOW)
    with rdb.connect() as c:
        sites = c.execute(select(func.count()).select_from(MonitoringSite)).scalar_one()
        before = c.execute(select(func.count()).select_from(WaterSample).where(WaterSample.month == month)).scalar_one()
    assert before < sites  # the build leaves part of the current month for the feed
    rng = np.random.default_rng(3)
    n = tick(rdb, NOW, rng)
    assert 1 <= n <= 5
    new = _table(rdb, WaterSample).query("month == @month").tail(n)
    for rec in new.to_dict("records"):
        clean = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        assert classify(clean).water_class == rec["water_class"]
    # keeps going until every site has reported, then writes nothing
    total = before + n
    while (k := tick(rdb, NOW, rng, per_tick=500)):
        total += k
    assert total == sites
    assert tick(rdb, NOW, rng) == 0


def test_map_payload_is_light(sample_engine):
    from components.deck import payload_bytes
    from components.river_map import river_deck

    m = q.sample_months(sample_engine, ALL)[-1]
    rivers = q.map_rivers(sample_engine, ALL, m)
    deck = river_deck(rivers, q.river_paths(sample_engine, ALL), q.base_districts(sample_engine, ALL))
    spec = json.loads(deck.to_json())
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")  # no basemap style to fetch
    layer = next(lay for lay in spec["layers"] if lay["id"] == "rivers")
    assert len(layer["data"]) == len(rivers)
    assert layer["widthUnits"] == "pixels"
    # colours follow the class; worse classes drawn last
    from domain.water import CLASS_COLORS

    by_id = rivers.set_index("river_id")["water_class"]
    for rec in layer["data"]:
        c = by_id[rec["id"]]
        if pd.notna(c):
            assert tuple(rec["c"]) == CLASS_COLORS[int(c)]
            assert rec["k"] == CLASS_LABELS[int(c)]
    classes = [int(by_id[r["id"]]) if pd.notna(by_id[r["id"]]) else 0 for r in layer["data"]]
    assert classes == sorted(classes)
    # about 1 kB per river at most (the 4,041-river budget is 3 MB; bench measures the real size)
    assert payload_bytes(deck) < 1000 * len(rivers) + 200_000

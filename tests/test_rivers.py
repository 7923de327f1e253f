"""Rivers: the sample network, the query module against pandas on SQLite and PostgreSQL, the water
model (水质持续劣V) that replaced the clue list, the live-feed hook and the map payload."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString
from sqlalchemy import func, select

from domain import clock
from domain.access import AccessDenied
from domain.periods import month_key, shift_month
from domain.scope import ALL, Scope
from domain.water import CLASS_LABELS, classify, clue_reasons, suggestion_status
from queries import rivers as q
from queries.db import make_engine, upgrade
from queries.frames import read_frame
from queries.schema import (
    AppUser, ModelHit, MonitoringSite, PilCase, ProcuratorialSuggestion, River,
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


def test_water_model_matches_the_domain_rule(sample_any_engine):
    """On the sample: the water model's hits are exactly the rivers (without an open case) whose
    latest month qualifies under ``domain.water.clue_reasons``, each keyed by its episode's first
    month, computed here from the samples with pandas."""
    from domain.models import registry
    from queries.models import QUERIES

    e = sample_any_engine
    water = registry()["water_worse_than_v"]
    now = clock.now()  # the sample is built around the product clock
    s = _table(e, WaterSample)
    s = s[s["water_class"].notna() & (s["month"] <= f"{now:%Y-%m}")]
    cases = _table(e, PilCase)
    open_rivers = set(cases.loc[cases["closed_at"].isna(), "river_id"].dropna().astype(int))
    monthly = s.groupby(["river_id", "month"])["water_class"].max()
    expected = {}
    for rid, g in monthly.groupby(level=0):
        hist = [(m, int(c)) for (_, m), c in g.items()]
        first = last = hist[-1][0]
        if int(rid) in open_rivers or not clue_reasons(hist, last):
            continue
        while shift_month(first, -1) >= shift_month(last, -11) and clue_reasons(hist, shift_month(first, -1)):
            first = shift_month(first, -1)
        expected[int(rid)] = f"river:{int(rid)}/{first}"
    got = QUERIES[water.query](e, water, now)
    # the sample's build already ran the models (sample_data.clues): an episode stored then is not
    # raised again, so the hits in effect are the stored ones and the new ones together
    stored = _table(e, ModelHit)
    stored = stored[stored["model_key"] == water.key]
    in_effect = {int(k.split("/")[0].removeprefix("river:")): k for k in stored["hit_key"]}
    in_effect.update({h.evidence["river_id"]: h.hit_key for h in got})  # a stored episode is found under its key
    assert in_effect == expected
    assert expected  # the sample has water clues to show
    for h in got:
        assert h.evidence["reasons"] and all("劣Ⅴ" in r or "下降" in r for r in h.evidence["reasons"])
        assert h.evidence["months"][0] == h.hit_key.rsplit("/", 1)[1]


# --------------------------------------------------------------------------- the water model, planted


def test_water_model_finds_exactly_the_planted_rivers(any_engine):
    from domain.models import registry
    from queries import models as M
    from tests.water_world import HITS, NOW as W_NOW, plant

    plant(any_engine)
    water = registry()["water_worse_than_v"]
    found = M.QUERIES[water.query](any_engine, water, W_NOW)
    assert {h.hit_key for h in found} == {f"river:{r}/{m}" for r, m in HITS.items()}
    one = next(h for h in found if h.evidence["river_id"] == 1)
    assert one.evidence["months"] == ["2026-04", "2026-05", "2026-06"]
    assert one.evidence["classes"] == {"2026-04": 6, "2026-05": 6, "2026-06": 6}
    assert one.evidence["main_pollutants"] == ["氨氮", "总磷"] and one.group_key == "南桥镇"
    assert (one.district_id, one.case_id, one.evidence["code"], one.evidence["town"]) == (310120, None, "R001", "南桥镇")
    assert set(one.evidence) == {"river_id", "code", "name", "town", "months", "classes", "class_labels",
                                 "reasons", "main_pollutants"}  # nothing personal: no river chief, no prosecutor
    # run it: stored once, a second run adds nothing, and a month later the episode is still one hit
    r1 = M.run_model(any_engine, water, W_NOW)
    assert (r1.hits_found, r1.new_hits) == (4, 4)
    assert M.run_model(any_engine, water, W_NOW).new_hits == 0
    with any_engine.begin() as c:
        c.execute(WaterSample.__table__.insert(), [dict(site_id=11, river_id=1, sampled_on=dt.date(2026, 7, 9),
                                                        month="2026-07", water_class=6)])
    assert M.run_model(any_engine, water, dt.datetime(2026, 7, 20)).new_hits == 0
    assert len(M.hits(any_engine, ALL, water.key)) == 4
    # the open case keeps river 2 out only while it is open
    with any_engine.begin() as c:
        c.execute(PilCase.__table__.update().where(PilCase.id == 1).values(closed_at=W_NOW))
    stored = set(M.hits(any_engine, ALL, water.key)["hit_key"])
    assert {h.hit_key for h in M.QUERIES[water.query](any_engine, water, W_NOW)} - stored == {"river:2/2026-05"}
    # scope: Pudong's account sees its one river; the permission is the model's own
    pd_hits = M.hits(any_engine, Scope(district_ids=(310115,), grants=frozenset({"rivers.clues"})), water.key)
    assert list(pd_hits["hit_key"]) == ["river:7/2026-05"]
    with pytest.raises(AccessDenied):
        M.hits(any_engine, Scope(district_ids=(310120,), grants=frozenset({"clues"})), water.key)


def test_water_model_does_not_raise_an_episode_holding_a_stored_hit(engine):
    """A decision carried over from the old clue list (any month of the current episode) covers the
    episode; a river whose earlier episode has a hit is raised again when a new episode starts."""
    from domain.models import registry
    from queries import models as M
    from queries.schema import ModelHit
    from tests.water_world import NOW as W_NOW, plant

    plant(engine)
    water = registry()["water_worse_than_v"]
    with engine.begin() as c:
        c.execute(ModelHit.__table__.insert(), [
            dict(model_key=water.key, hit_key="river:1/2026-05", version="carried", found_at=W_NOW,
                 evidence="{}", state="不成案"),
            dict(model_key=water.key, hit_key="river:5/2026-01", version="carried", found_at=W_NOW,
                 evidence="{}", state="不成案")])
    keys = {h.hit_key for h in M.QUERIES[water.query](engine, water, W_NOW)}
    # river 1's episode holds the carried 05: found under that key (so stored nothing new); river 5's
    # stored 01 belongs to an earlier episode
    assert keys == {"river:1/2026-05", "river:5/2026-06", "river:7/2026-05", "river:8/2026-02"}
    assert M.run_model(engine, water, W_NOW).new_hits == 3
    # parameters are the model's: three months at 劣V and no decline rule (5 classes) leave rivers 5 and
    # 7 out, start river 8 a month later, and give river 1 a new episode (06 only) its stored 05 misses
    strict = water.with_params(months_at_worst=3, decline_classes=5)
    assert strict.version != water.version
    assert {h.hit_key for h in M.QUERIES[water.query](engine, strict, W_NOW)} == {"river:1/2026-06",
                                                                                 "river:8/2026-03"}


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

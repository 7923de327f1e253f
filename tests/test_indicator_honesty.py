"""A test of honesty (issue 12): every case-quality indicator, computed with plain pandas straight from
its written definition (``domain.indicators``) over raw per-suspect rows read with ``SELECT *``,
equals what the dashboard and the smart screen show (``queries.cases.quality_indicators``,
``district_comparison``, the screen snapshot), on SQLite and PostgreSQL, for several scopes, periods
and filters.

The rows are built here with a seed, not taken from the sample: several districts, dates across
periods and on their boundaries, co-suspects of one case with different decisions, all four arrest
decisions, plea and no plea, 确定刑 and 幅度刑, adopted or not, and procedural steps of many kinds,
flagged ``counts_as_matter`` at random (the 16 kinds count by their type, whatever the flag says).
Nothing from ``queries.cases`` is reused for the expected figures.
"""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
from sqlalchemy import insert, text

from domain.cases import EVENT_TYPES, MATTER_EVENTS, NOFILTER, CaseFilter
from domain.indicators import CONFIRMED, DEFINITIONS, INDICATOR_ORDER, UNCONFIRMED
from domain.scope import ALL, Scope
from queries import cases as C
from queries.schema import Case, CaseEvent, District, Procuratorate, Suspect

PUDONG, MINHANG, FENGXIAN, XUHUI = 310115, 310112, 310120, 310104
DISTRICTS = {PUDONG: ("浦东新区", "Pudong"), MINHANG: ("闵行区", "Minhang"), FENGXIAN: ("奉贤区", "Fengxian"),
             XUHUI: ("徐汇区", "Xuhui")}
CHARGES = ("盗窃", "危险驾驶", "诈骗", "帮助信息网络犯罪活动")
STAGES = ("审查逮捕", "审查起诉", "提起公诉", "不起诉", "判决")
T0 = dt.datetime(2025, 1, 1)
# period boundaries some dates fall exactly on (half-open periods: the start is in, the end is out)
EDGES = (dt.datetime(2025, 7, 1), dt.datetime(2025, 10, 1), dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1))

PERIODS = {
    "2025": (dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1)),
    "q3-2025": (dt.datetime(2025, 7, 1), dt.datetime(2025, 10, 1)),
    "feb-2026": (dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1)),
    "empty": (dt.datetime(1990, 1, 1), dt.datetime(1990, 2, 1)),
}
SCOPES = {"city": ALL, "pudong": Scope((PUDONG,)), "two": Scope((PUDONG, MINHANG))}
FILTERS = {"none": NOFILTER, "theft": CaseFilter(charge="盗窃"), "crim-review": CaseFilter(function="刑事", stage="审查起诉")}


# --------------------------------------------------------------------------- the rows, built with a seed


def _when(rng: random.Random, base: dt.datetime, lo: int, hi: int) -> dt.datetime:
    """A time ``lo``–``hi`` days after ``base``; now and then exactly on a period boundary."""
    if rng.random() < 0.04:
        return rng.choice(EDGES)
    return base + dt.timedelta(days=rng.randint(lo, hi), minutes=rng.randint(0, 24 * 60 - 1))


def _build(engine, seed: int = 12) -> None:
    rng = random.Random(seed)
    cases, suspects, events = [], [], []
    for cid in range(1, 321):
        district = rng.choice(list(DISTRICTS))
        function = "刑事" if rng.random() < 0.9 else "民事"
        accepted = _when(rng, T0, 0, 540)
        c = dict(id=cid, case_no=f"T-{cid:04d}", procuratorate_id=district, district_id=district,
                 function=function, charge=rng.choice(CHARGES) if function == "刑事" else None,
                 cause=None if function == "刑事" else "民事执行监督", stage=rng.choice(STAGES),
                 stage_entered_at=accepted, accepted_at=accepted, suspects=0, procedure="普通", origin="公安机关")
        if function == "刑事":
            if rng.random() < 0.8:
                c["arrest_review_at"] = _when(rng, accepted, 0, 3)
            if rng.random() < 0.85:
                c["prosecution_review_at"] = _when(rng, c.get("arrest_review_at") or accepted, 5, 60)
            n = rng.choice((1, 1, 2, 3, 4))
            c["suspects"] = n
            for seq in range(1, n + 1):  # co-suspects decide their own way
                suspects.append(_suspect(rng, c, len(suspects) + 1, seq))
        cases.append(c)
        seen = set()
        for _ in range(rng.randint(0, 5)):
            kind = rng.choice(EVENT_TYPES + MATTER_EVENTS)  # matter events twice as likely
            at = _when(rng, accepted, 0, 200)
            if (kind, at) in seen:
                continue
            seen.add((kind, at))
            events.append(dict(case_id=cid, district_id=district, occurred_at=at, event_type=kind,
                               counts_as_matter=rng.random() < 0.5))  # the flag is noise: types count
    with engine.begin() as conn:
        conn.execute(insert(District), [dict(id=d, name_zh=zh, name_en=en, label_lon=121.5, label_lat=31.2,
                                             geojson="{}") for d, (zh, en) in DISTRICTS.items()])
        conn.execute(insert(Procuratorate), [dict(id=d, code=f"P{d}", name=f"{zh}人民检察院", level="区院",
                                                  district_id=d) for d, (zh, _) in DISTRICTS.items()])
        for c in cases:
            conn.execute(insert(Case).values(**c))
        cols = {k for row in suspects for k in row}
        conn.execute(insert(Suspect), [{k: row.get(k) for k in cols} for row in suspects])
        conn.execute(insert(CaseEvent), events)


def _suspect(rng: random.Random, c: dict, sid: int, seq: int) -> dict:
    s = dict(id=sid, case_id=c["id"], district_id=c["district_id"], seq=seq, juvenile=False,
             plea=rng.random() < 0.75, probation=False)
    if c.get("arrest_review_at") and rng.random() < 0.85:
        s["arrest_review_at"] = c["arrest_review_at"]
        s["arrest_decision"] = rng.choice(("批准逮捕", "批准逮捕", "决定逮捕", "不批准逮捕", "不予逮捕"))
        s["arrest_decided_at"] = _when(rng, c["arrest_review_at"], 0, 10)
    elif c.get("prosecution_review_at") and rng.random() < 0.15:
        # decided for arrest during prosecution review (Rules art. 289): not "already arrested"
        s["arrest_decision"] = "决定逮捕"
        s["arrest_decided_at"] = c["prosecution_review_at"] + dt.timedelta(days=rng.randint(1, 9))
    if c.get("prosecution_review_at") and rng.random() < 0.8:
        s["prosecution_decision"] = "起诉" if rng.random() < 0.78 else "不起诉"
        s["prosecution_decided_at"] = _when(rng, c["prosecution_review_at"], 1, 45)
        if s["prosecution_decision"] == "不起诉":
            s["non_prosecution_type"] = rng.choice(("酌定不起诉", "存疑不起诉", "法定不起诉"))
    if rng.random() < 0.85:
        s["rec_kind"] = rng.choice(("确定刑", "确定刑", "幅度刑"))
        s["rec_months"] = rng.randint(2, 36)
        if s["rec_kind"] == "幅度刑":
            s["rec_months_hi"] = s["rec_months"] + 6
    if s.get("prosecution_decision") == "起诉" and rng.random() < 0.75:
        s["judgment_at"] = _when(rng, s["prosecution_decided_at"], 10, 90)
        s["judgment_kind"] = rng.choice(("有期徒刑", "拘役", "单处罚金"))
        s["rec_adopted"] = rng.choice((True, True, True, False, None)) if s.get("rec_kind") else None
    return s


@pytest.fixture
def rows(any_engine):
    """The engine with the seeded rows, and those rows read back plainly (``SELECT *``)."""
    _build(any_engine)
    with any_engine.connect() as conn:
        raw = {t: pd.read_sql(text(f'SELECT * FROM "{t}"'), conn) for t in ("case", "suspect", "case_event")}
    for df in raw.values():
        for col in df.columns:
            if col.endswith("_at"):
                df[col] = pd.to_datetime(df[col])
    s = raw["suspect"]
    s["plea"] = s["plea"].astype(bool)
    s["rec_adopted"] = s["rec_adopted"].map(lambda v: None if pd.isna(v) else bool(v))
    return any_engine, raw


# --------------------------------------------------------------------------- the definitions, in pandas


def _in(s: pd.Series, start, end) -> pd.Series:
    return (s >= start) & (s < end)


def _kept_cases(cases: pd.DataFrame, flt: CaseFilter) -> pd.DataFrame:
    for col in ("function", "charge", "stage"):
        if getattr(flt, col):
            cases = cases[cases[col] == getattr(flt, col)]
    return cases


def _scoped(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    return df if scope.district_ids is None else df[df["district_id"].isin(scope.district_ids)]


def expected(raw, scope: Scope, flt: CaseFilter, start, end) -> dict[str, tuple[int, int]]:
    """Each indicator's (numerator, denominator), read off its definition in domain/indicators.py."""
    cases = _scoped(_kept_cases(raw["case"], flt), scope)
    s = _scoped(raw["suspect"], scope)
    s = s[s["case_id"].isin(_kept_cases(raw["case"], flt)["id"])]
    # 不捕率: 不批准逮捕 + 不予逮捕 ÷ all four decisions, by the date of the arrest decision
    arrest = s[_in(s["arrest_decided_at"], start, end)
               & s["arrest_decision"].isin(["批准逮捕", "决定逮捕", "不批准逮捕", "不予逮捕"])]
    arrested = arrest["arrest_decision"].isin(["批准逮捕", "决定逮捕"])
    # the prosecution review's decision (起诉 / 不起诉), by its date
    pros = s[_in(s["prosecution_decided_at"], start, end) & s["prosecution_decision"].isin(["起诉", "不起诉"])]
    not_pros = pros["prosecution_decision"] == "不起诉"
    was_arrested = pros["arrest_decision"].isin(["批准逮捕", "决定逮捕"])
    # judged persons who pleaded and had a 确定刑 recommendation, by the date of the judgment
    judged = s[_in(s["judgment_at"], start, end) & s["plea"] & (s["rec_kind"] == "确定刑")]
    # 案: arrest reviews accepted + prosecution reviews accepted − those with a suspect already arrested
    pr = cases[_in(cases["prosecution_review_at"], start, end)]
    everyone = raw["suspect"]
    arrested_before = [
        bool(((everyone["case_id"] == r.id) & everyone["arrest_decision"].isin(["批准逮捕", "决定逮捕"])
              & (everyone["arrest_decided_at"] <= r.prosecution_review_at)).any())
        for r in pr.itertuples()]
    an = int(_in(cases["arrest_review_at"], start, end).sum()) + len(pr) - sum(arrested_before)
    # 件: 案 + every procedural step of the 16 kinds in the period
    ev = _scoped(raw["case_event"], scope)
    ev = ev[ev["case_id"].isin(_kept_cases(raw["case"], flt)["id"])]
    steps = int((ev["event_type"].isin(MATTER_EVENTS) & _in(ev["occurred_at"], start, end)).sum())
    return {
        "non_arrest": (int((~arrested).sum()), len(arrest)),
        "detention": (int(arrested.sum()), len(pros)),
        "non_prosecution": (int(not_pros.sum()), len(pros)),
        "non_pros_after_arrest": (int((not_pros & was_arrested).sum()), int(was_arrested.sum())),
        "plea": (int(pros["plea"].sum()), len(pros)),
        "adoption": (int((judged["rec_adopted"] == True).sum()), len(judged)),  # noqa: E712
        "case_matter": (an + steps, an),
    }


# --------------------------------------------------------------------------- the comparisons


def test_the_seeded_rows_have_what_the_definitions_tell_apart(rows):
    """Guard against a vacuous comparison: the rows hold every case the definitions distinguish."""
    _, raw = rows
    s = raw["suspect"]
    assert set(s["arrest_decision"].dropna()) == {"批准逮捕", "决定逮捕", "不批准逮捕", "不予逮捕"}
    assert set(s["rec_kind"].dropna()) == {"确定刑", "幅度刑"} and s["plea"].any() and not s["plea"].all()
    assert set(s["rec_adopted"].dropna()) == {True, False}
    split = s.groupby("case_id")["prosecution_decision"].nunique()
    assert (split > 1).any(), "co-suspects of one case with different decisions"
    ev = raw["case_event"]
    assert ev["event_type"].isin(MATTER_EVENTS).sum() > 0 and (~ev["event_type"].isin(MATTER_EVENTS)).sum() > 0
    assert len(set(ev["event_type"]) & set(MATTER_EVENTS)) >= 12
    assert (ev["event_type"].isin(MATTER_EVENTS) & ~ev["counts_as_matter"].astype(bool)).any()
    assert set(s["district_id"]) == set(DISTRICTS)


def test_every_indicator_equals_its_written_definition(rows):
    engine, raw = rows
    seen_values = 0
    for (sname, scope) in SCOPES.items():
        for pname, (start, end) in PERIODS.items():
            for fname, flt in FILTERS.items():
                if fname != "none" and pname not in ("2025", "q3-2025"):
                    continue
                got = {i.key: i for i in C.quality_indicators(engine, scope, start, end, flt)}
                want = expected(raw, scope, flt, start, end)
                assert list(got) == list(INDICATOR_ORDER) and set(want) == set(got)
                for k, (num, den) in want.items():
                    where = (sname, pname, fname, k)
                    assert (got[k].numerator, got[k].denominator) == (num, den), where
                    assert got[k].value == (num / den if den else None), where
                    seen_values += bool(den)
                if pname == "empty":
                    assert all(i.value is None and i.formatted() == "—" for i in got.values())
    assert seen_values > 100


@pytest.mark.parametrize("pname", ["2025", "q3-2025"])
def test_district_comparison_rows_equal_their_definitions(rows, pname):
    engine, raw = rows
    start, end = PERIODS[pname]
    for scope in (ALL, Scope((PUDONG, MINHANG))):
        got = C.district_comparison(engine, scope, start, end).set_index("district_id")
        ids = sorted(DISTRICTS) if scope.district_ids is None else sorted(scope.district_ids)
        assert sorted(got.index) == ids
        for d in ids:
            want = expected(raw, Scope((d,)), NOFILTER, start, end)
            for k, (num, den) in want.items():
                assert (got.loc[d, f"{k}_num"], got.loc[d, f"{k}_den"]) == (num, den), (pname, d, k)
                v = got.loc[d, k]
                assert (pd.isna(v) and not den) or v == pytest.approx(num / den), (pname, d, k)
            assert got.loc[d, "concluded"] == want["plea"][1]
    theft = C.district_comparison(engine, ALL, start, end, CaseFilter(charge="盗窃")).set_index("district_id")
    for d in DISTRICTS:
        want = expected(raw, Scope((d,)), CaseFilter(charge="盗窃"), start, end)
        assert {k: (theft.loc[d, f"{k}_num"], theft.loc[d, f"{k}_den"]) for k in want} == want


def test_the_smart_screen_shows_the_same_figures(rows):
    from queries.screen_hub import screen_snapshot

    engine, raw = rows
    today = dt.date(2025, 9, 30)
    snap = screen_snapshot(engine, Scope((PUDONG, MINHANG)), today, now=dt.datetime(2025, 9, 30, 12))
    want = expected(raw, Scope((PUDONG, MINHANG)), NOFILTER, dt.datetime(2025, 1, 1), dt.datetime(2025, 10, 1))
    assert {i.key: (i.numerator, i.denominator) for i in snap.indicators} == want


def test_counted_per_person_not_per_case(rows):
    """Two co-suspects of one case with opposite decisions count once each, on their own side."""
    engine, raw = rows
    s = raw["suspect"]
    split = s[s["prosecution_decision"].notna()].groupby("case_id")["prosecution_decision"].nunique()
    cid = int(split[split > 1].index[0])
    mine = s[s["case_id"] == cid]
    day = mine["prosecution_decided_at"].dropna().min()
    start, end = day.to_pydatetime(), mine["prosecution_decided_at"].max().to_pydatetime() + dt.timedelta(seconds=1)
    d = int(mine["district_id"].iloc[0])
    got = {i.key: i for i in C.quality_indicators(engine, Scope((d,)), start, end)}
    assert got["non_prosecution"].numerator >= 1 and got["non_prosecution"].denominator >= 2
    assert (got["non_prosecution"].numerator, got["non_prosecution"].denominator) == \
        expected(raw, Scope((d,)), NOFILTER, start, end)["non_prosecution"]


# --------------------------------------------------------------------------- the definitions themselves


def test_each_definition_is_written_out_with_its_source():
    assert [d.key for d in DEFINITIONS] == list(INDICATOR_ORDER)
    for d in DEFINITIONS:
        assert d.numerator_zh and d.numerator_en and d.denominator_zh and d.denominator_en, d.key
        assert d.period_zh and d.period_en and d.unit in ("%", "1:x"), d.key
        assert d.source and all(s.strip() for s in d.source), d.key
        assert any("." in s and "/" in s for s in d.source), f"{d.key}: no page or document named"
        assert d.confidence in (CONFIRMED, UNCONFIRMED), d.key
        assert d.definition_zh.startswith(d.numerator_zh) and d.denominator_zh in d.definition_zh
        if d.confidence == UNCONFIRMED:
            assert d.note_zh and d.note_en, f"{d.key}: say which part is unconfirmed"
    by = {d.key: d for d in DEFINITIONS}
    # the words the pandas check above reads
    assert "不批准逮捕" in by["non_arrest"].numerator_zh and "不予逮捕" in by["non_arrest"].numerator_zh
    assert all(w in by["non_arrest"].denominator_zh for w in ("批准逮捕", "决定逮捕", "不批准逮捕", "不予逮捕"))
    assert "批准逮捕" in by["detention"].numerator_zh and "决定逮捕" in by["detention"].numerator_zh
    assert "起诉人数" in by["detention"].denominator_zh and "不起诉人数" in by["detention"].denominator_zh
    assert "确定刑" in by["adoption"].denominator_zh and "认罪认罚" in by["adoption"].denominator_zh
    assert all(kind in by["case_matter"].numerator_zh for kind in MATTER_EVENTS) and len(MATTER_EVENTS) == 16
    assert "重构" in by["case_matter"].note_zh and by["case_matter"].confidence == UNCONFIRMED
    assert any("未核实" in s or "UNCONFIRMED" in s for s in by["case_matter"].source)


def test_the_readme_lists_every_definition_and_its_source():
    from pathlib import Path

    from domain.indicators import markdown_table

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = markdown_table()
    assert table in readme, "README's indicator table differs from `python -m domain.indicators`"
    for d in DEFINITIONS:
        assert d.name_zh in table and d.source[0] in table and d.denominator_en in table


def test_decided_cases_without_suspect_rows_are_counted_and_shown_missing(rows):
    """A criminal case decided in the period with no suspect row (a case file imported without its
    suspects file) cannot be counted per person: the query says how many such cases there are."""
    engine, raw = rows
    start, end = PERIODS["2025"]
    assert C.cases_without_suspects(engine, ALL, start, end) == 0  # every seeded criminal case has suspects
    when = dt.datetime(2025, 5, 6, 10)
    with engine.begin() as conn:
        for cid, district, decided in ((9001, PUDONG, when), (9002, MINHANG, when),
                                       (9003, PUDONG, dt.datetime(2026, 5, 6))):
            conn.execute(insert(Case).values(
                id=cid, case_no=f"T-{cid}", procuratorate_id=district, district_id=district, function="刑事",
                charge="盗窃", stage="不起诉", stage_entered_at=decided, accepted_at=decided - dt.timedelta(days=30),
                suspects=1, prosecution_decided_at=decided, prosecution_decision="不起诉"))
    assert C.cases_without_suspects(engine, ALL, start, end) == 2
    assert C.cases_without_suspects(engine, Scope((PUDONG,)), start, end) == 1
    assert C.cases_without_suspects(engine, ALL, start, end, CaseFilter(charge="诈骗")) == 0
    # the rates still count persons on record only: the same as from the rows read before the insert
    got = {i.key: (i.numerator, i.denominator) for i in C.quality_indicators(engine, ALL, start, end)}
    assert got == expected(raw, ALL, NOFILTER, start, end)

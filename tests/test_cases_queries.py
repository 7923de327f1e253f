"""Every case-statistics query against an independent pandas computation from its documented
definition, on the ``tiny`` sample (SQLite and PostgreSQL), plus the period arithmetic."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from domain.cases import CLOSED_STAGES, NOFILTER, CaseFilter
from domain.periods import add_months, change, preset_range, previous_period, same_period_last_year
from domain.scope import ALL, SCREEN, Scope
from queries import cases as C
from queries.status import data_version

PUDONG, MINHANG, FENGXIAN = 310115, 310112, 310120


# --------------------------------------------------------------------------- raw data, read plainly


@pytest.fixture(scope="module")
def raw(sample_any_engine):
    """The raw tables loaded whole into pandas (the naive path the queries are checked against)."""
    e = sample_any_engine
    with e.connect() as conn:
        cases = pd.read_sql(text('SELECT * FROM "case"'), conn)
        events = pd.read_sql(text("SELECT * FROM case_event"), conn)
        parties = pd.read_sql(text("SELECT cp.case_id, cp.role, p.name_masked, p.full_name, cp.id "
                                   "FROM case_party cp JOIN person p ON p.id = cp.person_id"), conn)
        districts = pd.read_sql(text("SELECT id, name_zh FROM district"), conn)
    for c in cases.columns:
        if c.endswith("_at"):
            cases[c] = pd.to_datetime(cases[c])
    for c in ("plea_leniency", "detained"):
        cases[c] = cases[c].astype(bool)
    cases["rec_adopted"] = cases["rec_adopted"].map(lambda v: None if pd.isna(v) else bool(v))
    events["occurred_at"] = pd.to_datetime(events["occurred_at"])
    events["counts_as_matter"] = events["counts_as_matter"].astype(bool)
    now = data_version(e)[1]
    return dict(engine=e, cases=cases, events=events, parties=parties, districts=districts, now=now)


def _last_365(now):
    end = dt.datetime(now.year, now.month, now.day) + dt.timedelta(days=1)
    return end - dt.timedelta(days=365), end


def _in(s, start, end):
    return (s >= start) & (s < end)


def _apply(df, scope: Scope, flt: CaseFilter):
    if scope.district_ids is not None:
        df = df[df["district_id"].isin(scope.district_ids)]
    if flt.function:
        df = df[df["function"] == flt.function]
    if flt.charge:
        df = df[df["charge"] == flt.charge]
    if flt.stage:
        df = df[df["stage"] == flt.stage]
    return df


SCOPES = [ALL, Scope((PUDONG, MINHANG))]
FILTERS = [NOFILTER, CaseFilter(function="刑事"), CaseFilter(charge="盗窃"),
           CaseFilter(function="刑事", stage="审查起诉")]


# --------------------------------------------------------------------------- intake


@pytest.mark.parametrize("scope", SCOPES, ids=["all", "two"])
@pytest.mark.parametrize("flt", FILTERS, ids=["none", "crim", "theft", "crim-review"])
def test_intake_by_function(raw, scope, flt):
    start, end = _last_365(raw["now"])
    got = C.intake_by_function(raw["engine"], scope, start, end, flt)
    df = _apply(raw["cases"], scope, flt)
    want = df[_in(df["accepted_at"], start, end)].groupby("function").size()
    assert dict(zip(got["function"], got["cases"])) == want.to_dict()
    assert want.sum() > 0


def _mid_month_before_last(today: dt.date) -> dt.date:
    """The 15th of the month before last: inside the sample, with a year and a month already under way."""
    return (today.replace(day=1) - dt.timedelta(days=40)).replace(day=15)


@pytest.mark.parametrize("scope", SCOPES, ids=["all", "two"])
def test_intake_summary_today_month_year(raw, scope):
    now = raw["now"]
    df = _apply(raw["cases"], scope, NOFILTER)
    # the build's own day (on 1 January at nine the year may still be empty) and a stated earlier day
    for today in (now.date(), _mid_month_before_last(now.date())):
        got = C.intake_summary(raw["engine"], scope, today).set_index("function")
        t0 = dt.datetime(today.year, today.month, today.day)
        end = t0 + dt.timedelta(days=1)
        for col, start in (("today", t0), ("month", t0.replace(day=1)), ("year", t0.replace(month=1, day=1))):
            want = df[_in(df["accepted_at"], start, end)].groupby("function").size()
            for fn, n in want.items():
                assert got.loc[fn, col] == n, (today, fn, col)
            # functions with no case in the window are absent or zero, never invented
            for fn in set(got.index) - set(want.index):
                assert got.loc[fn, col] == 0
    assert got["year"].sum() > 0 and got["month"].sum() > 0  # the stated day, half a month in


@pytest.mark.parametrize("flt", FILTERS[:3], ids=["none", "crim", "theft"])
def test_stage_counts_open_cases(raw, flt):
    got = C.stage_counts(raw["engine"], ALL, flt)
    df = _apply(raw["cases"], ALL, flt)
    want = df[~df["stage"].isin(CLOSED_STAGES)].groupby("stage").size()
    assert dict(zip(got["stage"], got["cases"])) == want.to_dict()
    assert not set(got["stage"]) & set(CLOSED_STAGES)


def test_daily_trend_has_every_day_and_matches(raw):
    now = raw["now"]
    got = C.daily_trend(raw["engine"], ALL, now.date(), days=30)
    assert len(got) == 30 and got["day"].is_unique
    assert got["day"].iloc[-1] == now.strftime("%Y-%m-%d")
    df = raw["cases"]
    want = df["accepted_at"].dt.strftime("%Y-%m-%d").value_counts()
    for day, n in zip(got["day"], got["cases"]):
        assert n == want.get(day, 0), day
    assert got["cases"].sum() > 0


@pytest.mark.parametrize("scope", SCOPES, ids=["all", "two"])
def test_top_charges(raw, scope):
    start, end = _last_365(raw["now"])
    got = C.top_charges(raw["engine"], scope, start, end, n=5)
    df = _apply(raw["cases"], scope, NOFILTER)
    want = df[_in(df["accepted_at"], start, end)].dropna(subset=["charge"]).groupby("charge").size()
    want = want.sort_values(ascending=False)
    assert list(got["cases"]) == list(want.head(5))  # same counts in the same order
    for ch, n in zip(got["charge"], got["cases"]):
        assert want[ch] == n
    assert "危险驾驶" in set(got["charge"])  # the most common charge by the domain mix


@pytest.mark.parametrize("flt", FILTERS[:2], ids=["none", "crim"])
def test_district_intake_lists_every_district(raw, flt):
    start, end = _last_365(raw["now"])
    got = C.district_intake(raw["engine"], ALL, start, end, flt)
    assert len(got) == 16
    df = _apply(raw["cases"], ALL, flt)
    want = df[_in(df["accepted_at"], start, end)].groupby("district_id").size()
    for d, n in zip(got["district_id"], got["cases"]):
        assert n == want.get(d, 0)
    narrow = C.district_intake(raw["engine"], Scope((FENGXIAN,)), start, end, flt)
    assert list(narrow["district_id"]) == [FENGXIAN]


# --------------------------------------------------------------------------- quality indicators
# Counted per person from the ``suspect`` table: tests/test_indicator_honesty.py checks every one
# against its written definition on seeded rows (the sample's suspects come from its own builder).


# --------------------------------------------------------------------------- time limits


# The watch list's tests (day counting, procedures, the sample case by case) are in test_time_limits.py.


# --------------------------------------------------------------------------- ticker and drill-down


def test_latest_events_are_newest_and_impersonal(raw):
    got = C.latest_events(raw["engine"], SCREEN, limit=12)
    ev = raw["events"].sort_values(["occurred_at", "id"], ascending=False).head(12)
    assert list(got["event_id"]) == list(ev["id"])
    forbidden = {"full_name", "name_masked", "id_masked", "phone_masked", "case_no", "person_id"}
    assert not forbidden & set(got.columns)
    names = set(raw["parties"]["full_name"]) | set(raw["parties"]["name_masked"])
    flat = " ".join(got.astype(str).to_numpy().ravel())
    assert not any(n in flat for n in names if len(n) >= 2)


def test_drill_down_district_to_charges_to_cases_to_timeline(raw):
    start, end = _last_365(raw["now"])
    e, df = raw["engine"], raw["cases"]
    ch = C.charges_in_district(e, ALL, PUDONG, start, end)
    sub = df[(df["district_id"] == PUDONG) & _in(df["accepted_at"], start, end)]
    want = sub.assign(label=sub["charge"].fillna(sub["cause"])).groupby("label").size()
    assert dict(zip(ch["charge"], ch["cases"])) == want.to_dict()
    top = ch["charge"].iloc[0]
    lst = C.case_list(e, ALL, start, end, district_id=PUDONG, charge=top, now=raw["now"])
    want_ids = set(sub[sub["charge"].fillna(sub["cause"]) == top]["id"])
    assert set(lst["case_id"]) == want_ids and len(lst) == min(500, len(want_ids))
    # parties are the masked names, never the full ones
    p = raw["parties"]
    one = lst.iloc[0]
    mine = p[p["case_id"] == one["case_id"]].sort_values(["role", "id"])
    assert one["parties"] == "；".join(f"{r}:{n}" for r, n in zip(mine["role"], mine["name_masked"]))
    assert not any(fn in " ".join(lst["parties"]) for fn in p["full_name"] if len(fn) >= 2)
    # the screen's scope sees no parties at all
    assert set(C.case_list(e, SCREEN, start, end, district_id=PUDONG, charge=top)["parties"]) <= {""}
    tl = C.case_timeline(e, ALL, int(one["case_id"]))
    ev = raw["events"][raw["events"]["case_id"] == one["case_id"]].sort_values(["occurred_at", "id"])
    assert list(tl["event_type"]) == list(ev["event_type"]) and len(tl) >= 1
    # outside the caller's scope the timeline is empty
    assert C.case_timeline(e, Scope((FENGXIAN,)), int(one["case_id"])).empty


def test_a_prosecutor_sees_full_names_only_on_the_cases_they_handle(raw):
    from tests.staff import staff_of

    start, end = _last_365(raw["now"])
    e, df, p = raw["engine"], raw["cases"], raw["parties"]
    pros = staff_of(e, "pros_310115_1")
    lst = C.case_list(e, pros.scope("cases"), start, end, district_id=PUDONG, now=raw["now"])
    handler = df.set_index("id")["handler_id"]
    assert lst["own"].tolist() == [handler[c] == pros.user_id for c in lst["case_id"]]
    assert lst["own"].any() and not lst["own"].all()
    for r in lst.itertuples():
        mine = p[p["case_id"] == r.case_id].sort_values(["role", "id"])
        names = mine["full_name"] if r.own else mine["name_masked"]
        assert r.parties == "；".join(f"{a}:{n}" for a, n in zip(mine["role"], names))
    # leadership of the same procuratorate: everything masked, nothing is "theirs"
    lead = staff_of(e, "leader_310115")
    got = C.case_list(e, lead.scope("cases"), start, end, district_id=PUDONG, now=raw["now"])
    assert not got["own"].any()
    assert not any(fn in " ".join(got["parties"]) for fn in p["full_name"] if len(fn) >= 2)
    # another procuratorate's prosecutor: no case of Pudong at all
    other = staff_of(e, "pros_310112_1")
    assert C.case_list(e, other.scope("cases"), start, end, district_id=PUDONG).empty


def test_period_totals(raw):
    start, end = _last_365(raw["now"])
    got = C.period_totals(raw["engine"], Scope((MINHANG,)), start, end, CaseFilter(function="刑事"))
    df = raw["cases"]
    df = df[(df["district_id"] == MINHANG) & (df["function"] == "刑事")]
    assert got == {"accepted": int(_in(df["accepted_at"], start, end).sum()),
                   "closed": int(_in(df["closed_at"], start, end).sum())}


def test_charge_options_and_districts(raw):
    opts = C.charge_options(raw["engine"], ALL)
    want = raw["cases"]["charge"].dropna().value_counts()
    assert set(opts) == set(want.index) and opts[0] == want.index[0]
    assert len(C.districts(raw["engine"], ALL)) == 16
    geo = C.district_geometries(raw["engine"], Scope((FENGXIAN,)))
    assert list(geo["district_id"]) == [FENGXIAN] and geo["geojson"].iloc[0].startswith("{")


def test_live_form_returns_fresh(raw):
    from queries.cache import set_engine_for_tests

    set_engine_for_tests(raw["engine"])
    res = C.stage_counts_live(ALL)
    assert res.error is None and res.as_of is not None
    assert res.value.equals(C.stage_counts(raw["engine"], ALL))


# --------------------------------------------------------------------------- periods (pure)


def test_presets():
    d = dt.date(2024, 5, 15)  # a Wednesday
    assert preset_range("today", d) == (dt.datetime(2024, 5, 15), dt.datetime(2024, 5, 16))
    assert preset_range("week", d) == (dt.datetime(2024, 5, 13), dt.datetime(2024, 5, 16))
    assert preset_range("month", d) == (dt.datetime(2024, 5, 1), dt.datetime(2024, 5, 16))
    assert preset_range("quarter", d) == (dt.datetime(2024, 4, 1), dt.datetime(2024, 5, 16))
    assert preset_range("year", d) == (dt.datetime(2024, 1, 1), dt.datetime(2024, 5, 16))
    assert preset_range("custom", d, (dt.date(2024, 2, 1), dt.date(2024, 2, 29))) == (
        dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 1))
    with pytest.raises(ValueError):
        preset_range("custom", d, (dt.date(2024, 3, 2), dt.date(2024, 3, 1)))
    with pytest.raises(ValueError):
        preset_range("custom", d)
    with pytest.raises(ValueError):
        preset_range("fortnight", d)
    # Sunday belongs to the week that began on Monday
    assert preset_range("week", dt.date(2024, 5, 19))[0] == dt.datetime(2024, 5, 13)
    assert preset_range("quarter", dt.date(2024, 12, 31))[0] == dt.datetime(2024, 10, 1)


def test_previous_and_last_year_periods():
    s, e = preset_range("month", dt.date(2024, 3, 31))
    assert previous_period(s, e, "month") == (dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 1))
    s, e = preset_range("month", dt.date(2024, 3, 15))
    assert previous_period(s, e, "month") == (dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 16))
    s, e = preset_range("quarter", dt.date(2024, 5, 15))
    assert previous_period(s, e, "quarter") == (dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 16))
    s, e = preset_range("week", dt.date(2024, 5, 15))
    assert previous_period(s, e, "week") == (dt.datetime(2024, 5, 10), dt.datetime(2024, 5, 13))
    s, e = preset_range("today", dt.date(2024, 3, 1))
    assert previous_period(s, e, "today") == (dt.datetime(2024, 2, 29), dt.datetime(2024, 3, 1))
    assert same_period_last_year(dt.datetime(2024, 2, 29), dt.datetime(2024, 3, 1)) == (
        dt.datetime(2023, 2, 28), dt.datetime(2023, 3, 1))
    assert add_months(dt.datetime(2024, 1, 31, 9), 1) == dt.datetime(2024, 2, 29, 9)
    assert add_months(dt.datetime(2024, 1, 15), -13) == dt.datetime(2022, 12, 15)
    assert change(110, 100) == pytest.approx(0.10)
    assert change(5, 0) is None and change(None, 3) is None

"""One legal deadline per case, wherever it is shown, on both engines: the watch list, the drill-down and
the portal's case progress read the same columns (``queries.cases.deadline_columns``) and compute the
deadline through the same function (``with_deadlines`` → ``domain.cases.deadline``).

The rows are built here, in code, with the procedure fields set; the day counting itself is worked by
hand in test_legal_days.py.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert, text, update

from domain.cases import deadline, time_limit_status
from domain.scope import ALL
from queries import cases as C
from queries import portal as P
from queries.schema import Case, CaseEvent, CustodyPeriod, District, Procuratorate, Suspect
from queries.status import data_version
from tests.portal_fixtures import FX, NOW, seed

T0 = NOW - dt.timedelta(days=40)  # when the portal fixture's cases were accepted
PD = 310115
FRIDAY = dt.datetime(2026, 12, 4, 15, 0)  # "now" of the watch-list tests below


def _world(engine, cases: list[dict], custody: list[tuple[int, str, dt.datetime, dt.datetime | None]] = ()) -> None:
    """One district and procuratorate, the given cases (criminal, in review unless said), and for each
    case named in ``custody`` one suspect (id = the case's) with those spells (case_id, measure,
    started, ended)."""
    base = dict(procuratorate_id=1, district_id=PD, function="刑事", charge="盗窃", stage="审查起诉", suspects=1,
                detained=False, returns_count=0, extensions_count=0, plea_leniency=True, appealed=False,
                juvenile=False, procedure="普通", origin="公安机关", complex_case=False, over_one_year=False)
    with engine.begin() as c:
        c.execute(insert(District), [dict(id=PD, name_zh="浦东新区", name_en="Pudong", label_lon=121.5,
                                          label_lat=31.2, geojson="{}")])
        c.execute(insert(Procuratorate), [dict(id=1, code="SHPD", name="上海市浦东新区人民检察院", level="区院",
                                               district_id=PD)])
        rows = []
        for i, x in enumerate(cases, start=1):
            r = {**base, "id": i, "case_no": f"沪浦检刑诉〔2026〕{i}号", **x}
            r.setdefault("accepted_at", r["stage_entered_at"])
            rows.append(r)
        c.execute(insert(Case), rows)
        held = sorted({case_id for case_id, *_ in custody})
        if held:
            c.execute(insert(Suspect), [dict(id=i, case_id=i, district_id=PD, seq=1) for i in held])
            c.execute(insert(CustodyPeriod), [dict(suspect_id=i, measure=m, started_at=a, ended_at=b)
                                              for i, m, a, b in custody])


def _watch(engine, now: dt.datetime = FRIDAY) -> pd.DataFrame:
    return C.time_limit_watch(engine, ALL, now=now, warn_days=2).set_index("case_no")


# --------------------------------------------------------------------------- the done-when


def test_a_fast_track_case_received_11_days_ago_still_in_review_is_overdue(any_engine):
    """Received Monday 23 November at 10:00: 10 days end with Thursday 3 December, so on Friday it is
    overdue. Held to the ordinary month (as before this fix) it looked normal until 23 December; and
    the SQL pre-filter, which assumed 28 days for review, dropped it from the list altogether."""
    received = FRIDAY - dt.timedelta(days=11, hours=5)
    _world(any_engine, [dict(stage_entered_at=received, procedure="速裁"),
                        dict(stage_entered_at=received, procedure="普通"),
                        dict(stage_entered_at=received, procedure="速裁", over_one_year=True)])
    got = _watch(any_engine)
    row = got.loc["沪浦检刑诉〔2026〕1号"]
    assert row["status"] == "超期" and row["deadline"] == pd.Timestamp(2026, 12, 3)
    assert "速裁" in row["basis"] and row["procedure"] == "速裁" and row["days_left"] == -0.6
    assert set(got.index) == {"沪浦检刑诉〔2026〕1号"}  # the ordinary one has a month; over one year: 8 Dec
    drill = C.case_list(any_engine, ALL, received - dt.timedelta(days=1), FRIDAY, now=FRIDAY).set_index("case_no")
    assert drill.loc["沪浦检刑诉〔2026〕1号", "status"] == "超期"
    assert drill.loc["沪浦检刑诉〔2026〕2号", "status"] == "正常"
    assert drill.loc["沪浦检刑诉〔2026〕3号", "deadline"] == pd.Timestamp(2026, 12, 8)


def test_a_rest_day_extends_a_fast_track_limit_unless_a_suspect_is_in_custody(any_engine):
    """Received Thursday 26 November: 10 days end on Sunday 6 December. Free on bail, the limit runs
    to the end of Monday 7 December; with a suspect under arrest (custody record) it ends on Sunday."""
    received, monday = dt.datetime(2026, 11, 26, 10), dt.datetime(2026, 12, 7, 15)
    _world(any_engine, [dict(stage_entered_at=received, procedure="速裁"),
                        dict(stage_entered_at=received, procedure="速裁"),
                        dict(stage_entered_at=received, procedure="速裁", detained=True)],
           custody=[(1, "取保候审", received - dt.timedelta(days=20), None),
                    (2, "逮捕", received - dt.timedelta(days=20), None),
                    (3, "逮捕", received - dt.timedelta(days=20), received + dt.timedelta(days=2))])  # released
    got = _watch(any_engine, monday)
    assert got.loc["沪浦检刑诉〔2026〕1号", ["status", "deadline", "custody"]].tolist() == [
        "临期", pd.Timestamp(2026, 12, 7), False]
    assert "顺延" in got.loc["沪浦检刑诉〔2026〕1号", "basis"]
    assert got.loc["沪浦检刑诉〔2026〕2号", ["status", "deadline", "custody"]].tolist() == [
        "超期", pd.Timestamp(2026, 12, 6), True]
    assert "在押" in got.loc["沪浦检刑诉〔2026〕2号", "basis"]
    # detained when received, released since: the custody record, not the flag, decides
    assert got.loc["沪浦检刑诉〔2026〕3号", "status"] == "临期"


def test_arrest_reviews_and_supervisory_commission_cases_on_the_watch_list(any_engine):
    t = dt.datetime(2026, 11, 16, 10)  # Monday
    _world(any_engine, [
        dict(stage="审查逮捕", stage_entered_at=t, complex_case=False),  # 15 days: 1 December, overdue
        dict(stage="审查逮捕", stage_entered_at=t, complex_case=True),  # 20 days: 6 Dec (Sun) → Mon 7 Dec
        dict(stage="审查逮捕", stage_entered_at=t, extensions_count=1),  # the old wrong counter: still 15
        dict(stage_entered_at=t, origin="监察机关", detained=True),  # art. 170: 10 days, 26 Nov, overdue
        dict(stage_entered_at=t, origin="监察机关", detained=True),  # measure decided 24 Nov: month from then
    ], custody=[(4, "拘留", t, None), (5, "拘留", t, dt.datetime(2026, 11, 24, 15)),
                (5, "逮捕", dt.datetime(2026, 11, 24, 15), None)])
    got = _watch(any_engine)
    assert got.loc["沪浦检刑诉〔2026〕1号", "status"] == "超期" and "第282条" in got.loc["沪浦检刑诉〔2026〕1号", "basis"]
    assert got.loc["沪浦检刑诉〔2026〕3号", "status"] == "超期"
    assert "沪浦检刑诉〔2026〕2号" not in got.index  # 20 days for the complex one: not yet near
    later = _watch(any_engine, dt.datetime(2026, 12, 7, 15)).loc["沪浦检刑诉〔2026〕2号"]
    assert (later["status"], later["deadline"]) == ("临期", pd.Timestamp(2026, 12, 7))
    sup = got.loc["沪浦检刑诉〔2026〕4号"]
    assert (sup["status"], sup["deadline"], sup["custody"]) == ("超期", pd.Timestamp(2026, 11, 26), True)
    assert "第170条" in sup["basis"]
    assert "沪浦检刑诉〔2026〕5号" not in got.index  # review runs from 24 November to 24 December
    drill = C.case_list(any_engine, ALL, t - dt.timedelta(days=1), FRIDAY, now=FRIDAY).set_index("case_no")
    assert drill.loc["沪浦检刑诉〔2026〕5号", "deadline"] == pd.Timestamp(2026, 12, 24)


# --------------------------------------------------------------------------- one deadline everywhere


def test_watch_list_drill_down_and_portal_give_the_same_deadline(any_engine):
    """Case 1 was transferred, returned twice and resubmitted twice; its stored stage time is still
    the first transfer (as an import stores it). Case 2 is a fast-track case with no return."""
    w = seed(any_engine)
    transferred, resubmitted = T0 + dt.timedelta(days=5), T0 + dt.timedelta(days=30)
    steps = [(transferred, "移送审查起诉", "侦查", "审查起诉"),
             (T0 + dt.timedelta(days=8), "退回补充侦查", "审查起诉", "退回补充侦查"),
             (T0 + dt.timedelta(days=12), "重新移送审查起诉", "退回补充侦查", "审查起诉"),
             (T0 + dt.timedelta(days=20), "退回补充侦查", "审查起诉", "退回补充侦查"),
             (resubmitted, "重新移送审查起诉", "退回补充侦查", "审查起诉")]
    case2_in = dt.datetime(2026, 11, 30, 10)  # Monday; 速裁: 10 days, to Thursday 10 December
    with any_engine.begin() as c:
        c.execute(update(Case).where(Case.id == 1).values(stage_entered_at=transferred, returns_count=2))
        c.execute(update(Case).where(Case.id == 2).values(stage_entered_at=case2_in, procedure="速裁"))
        c.execute(insert(CaseEvent), [dict(case_id=1, district_id=FX, occurred_at=at, event_type=e, stage_from=a,
                                           stage_to=b, counts_as_matter=e == "退回补充侦查") for at, e, a, b in steps])
    last_day = dt.datetime(2026, 12, 10)  # case 1: one month from the second resubmission (10 November)
    now = dt.datetime(2026, 12, 9, 10)  # both near their limit: on the watch list

    watch = C.time_limit_watch(any_engine, ALL, now=now, warn_days=2)
    drill = C.case_list(any_engine, ALL, T0 - dt.timedelta(days=1), now, now=now)
    party = _by_case(P.party_cases(any_engine, w.person_a, now=now), "time_limit")
    party_c = _by_case(P.party_cases(any_engine, w.person_c, now=now), "time_limit")
    lawyer = _by_case(P.lawyer_cases(any_engine, w.lawyer_a, now=now), "time_limit")
    for case_no in (w.case1, w.case2):
        assert _by_case(watch, "deadline")[case_no] == last_day, case_no
        assert _by_case(drill, "deadline")[case_no] == last_day, case_no
    assert party == {w.case1: "2026-12-10"}  # person A is a party to case 1 only
    assert party_c == {w.case2: "2026-12-10"}  # person C to case 2, the fast-track one
    assert lawyer == {w.case1: "2026-12-10"}  # lawyer A is bound to case 1 only
    assert set(watch["status"]) == {"临期"} and set(drill["status"]) == {"临期"}
    row = watch.set_index("case_no").loc[w.case1]
    assert row["stage_entered_at"] == resubmitted and "不得再退" in row["basis"] and "第175条" in row["basis"]
    assert "速裁" in watch.set_index("case_no").loc[w.case2, "basis"]


def test_time_limit_watch_matches_the_law_case_by_case(sample_any_engine):
    """The sample, whatever its procedures: the watch list equals the domain's deadline computed from
    the raw tables in pandas (custody now from the custody record, the art. 170 decision from it)."""
    e = sample_any_engine
    with e.connect() as conn:
        cases = pd.read_sql(text('SELECT * FROM "case"'), conn)
        ev = pd.read_sql(text("SELECT case_id, event_type, occurred_at FROM case_event"), conn)
        cust = pd.read_sql(text("SELECT s.case_id, cp.measure, cp.started_at, cp.ended_at FROM custody_period cp "
                                "JOIN suspect s ON s.id = cp.suspect_id"), conn)
    for df, cols in ((cases, ("stage_entered_at", "arrest_decided_at")), (ev, ("occurred_at",)),
                     (cust, ("started_at", "ended_at"))):
        for col in cols:
            df[col] = pd.to_datetime(df[col])
    resub = ev[ev["event_type"] == "重新移送审查起诉"].groupby("case_id")["occurred_at"].max()
    now0 = data_version(e)[1]  # the build's own instant
    for now in (now0, now0 + dt.timedelta(days=20)):
        got = C.time_limit_watch(e, ALL, now=now, warn_days=2)
        want = {}
        for r in cases[cases["stage"].isin(["受理", "审查逮捕", "审查起诉", "退回补充侦查"])].itertuples():
            mine = cust[cust["case_id"] == r.id]
            if mine.empty:
                held = _b(r.detained)
            else:
                held = bool(((mine["measure"].isin(["拘留", "逮捕"])) & (mine["started_at"] <= now)
                             & (mine["ended_at"].isna() | (mine["ended_at"] > now))).any())
            decided = None
            if r.origin == "监察机关":
                after = mine[(mine["measure"] != "拘留") & (mine["started_at"] >= r.stage_entered_at)]["started_at"]
                if len(after):
                    decided = after.min().to_pydatetime()
                elif pd.notna(r.arrest_decided_at) and r.arrest_decided_at >= r.stage_entered_at:
                    decided = r.arrest_decided_at.to_pydatetime()
            rs = resub.get(r.id) if r.stage == "审查起诉" else None
            d = deadline(r.stage, r.stage_entered_at.to_pydatetime(), detained=_b(r.detained), in_custody=held,
                         procedure=r.procedure, origin=r.origin, complex_case=_b(r.complex_case),
                         over_one_year=_b(r.over_one_year), extended=_b(r.extensions_count),
                         resubmitted=None if rs is None or pd.isna(rs) else rs.to_pydatetime(), measure_decided=decided)
            st = time_limit_status(d.expires_at, now, 2)
            if st != "正常":
                want[r.id] = (st, dt.datetime.combine(d.last_day, dt.time()))
        assert set(got["case_id"]) == set(want), now
        for r in got.itertuples():
            assert (r.status, r.deadline.to_pydatetime()) == want[r.case_id]
        assert list(got["deadline"]) == sorted(got["deadline"])
        assert set(got["status"]) <= {"临期", "超期"}
        assert not {"full_name", "name_masked", "id_masked", "phone_masked", "parties"} & set(got.columns)
    assert want, "20 days on, the sample should have cases near or past their limits"


def _by_case(df, col: str) -> dict:
    """case_no → the column's value, Timestamps as plain datetimes."""
    return {k: (v.to_pydatetime() if hasattr(v, "to_pydatetime") else v) for k, v in zip(df["case_no"], df[col])}


def _b(v) -> bool:
    return False if v is None or pd.isna(v) else bool(v)

"""Case-statistics queries at city scale (issue 2): median per query function, the ratio to the same
SQL run directly on the engine (overhead; goal ≤ 1.3×) and the speed-up over the naive approach of
loading the tables into pandas and aggregating there (goal ≥ 10× for aggregations); plus the cost
of a dashboard filter change (goal < 300 ms of server time)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, event, text

from bench.harness import Row, median_ms, print_table
from domain import clock
from domain.cases import CLOSED_STAGES, MATTER_EVENTS, NOFILTER, CaseFilter, deadline, time_limit_status
from domain.scope import ALL, Scope
from queries import cases as C
from queries.status import data_version


def _capture(engine: Engine, fn) -> list[tuple[str, object]]:
    """The exact statements (and parameters) a function sends to the database."""
    seen: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def _raw(engine: Engine, stmts) -> callable:
    """Run captured statements straight on the DBAPI connection and fetch every row."""
    def run():
        with engine.connect() as conn:
            dbapi = conn.connection.driver_connection
            for sql, params in stmts:
                cur = dbapi.cursor()
                cur.execute(sql, params or ())
                cur.fetchall()
                cur.close()
    return run


def _load(engine: Engine, table: str) -> pd.DataFrame:
    with engine.connect() as conn:
        df = pd.read_sql(text(f'SELECT * FROM "{table}"'), conn)
    for c in df.columns:
        if c.endswith("_at"):
            df[c] = pd.to_datetime(df[c])
    return df


def _naive(engine: Engine, now: dt.datetime, start: dt.datetime, end: dt.datetime) -> dict[str, callable]:
    """The naive path for each query: load whole tables into pandas, then filter and aggregate."""
    today = now.date()

    def cases():
        return _load(engine, "case")

    def inp(s, a, b):
        return (s >= a) & (s < b)

    def intake_by_function():
        df = cases()
        return df[inp(df["accepted_at"], start, end)].groupby("function").size()

    def intake_summary():
        df = cases()
        t0 = dt.datetime(today.year, today.month, today.day)
        y = df[inp(df["accepted_at"], t0.replace(month=1, day=1), t0 + dt.timedelta(days=1))]
        return y.groupby("function").agg(today=("accepted_at", lambda s: (s >= t0).sum()),
                                          month=("accepted_at", lambda s: (s >= t0.replace(day=1)).sum()),
                                          year=("accepted_at", "size"))

    def stage_counts():
        df = cases()
        return df[~df["stage"].isin(CLOSED_STAGES)].groupby("stage").size()

    def daily_trend():
        df = cases()
        s = dt.datetime(today.year, today.month, today.day) - dt.timedelta(days=29)
        return df[df["accepted_at"] >= s]["accepted_at"].dt.strftime("%Y-%m-%d").value_counts()

    def top_charges():
        df = cases()
        return df[inp(df["accepted_at"], start, end)].groupby("charge").size().nlargest(10)

    def district_intake():
        df = cases()
        return df[inp(df["accepted_at"], start, end)].groupby("district_id").size()

    def indicators(by=None):
        s, ev = _load(engine, "suspect"), _load(engine, "case_event")
        pr = inp(s["prosecution_decided_at"], start, end) & s["prosecution_decision"].isin(["起诉", "不起诉"])
        ar = inp(s["arrest_decided_at"], start, end) & s["arrest_decision"].notna()
        arrested = s["arrest_decision"].isin(["批准逮捕", "决定逮捕"])
        parts = pd.DataFrame({"pros": pr, "nonpros": pr & (s["prosecution_decision"] == "不起诉"),
                              "plea": pr & s["plea"].astype(bool), "arr": ar, "arrested": ar & arrested,
                              "nonarr": ar & ~arrested, "after": pr & arrested, "d": s["district_id"]})
        m = ev[ev["event_type"].isin(MATTER_EVENTS) & inp(ev["occurred_at"], start, end)]
        return (parts.groupby("d").sum(), m.groupby("district_id").size()) if by else (parts.sum(), len(m))

    def watch():
        df, ev = cases(), _load(engine, "case_event")
        open_ = df[df["stage"].isin(["受理", "审查逮捕", "审查起诉", "退回补充侦查"])]
        resub = pd.to_datetime(ev[ev["event_type"] == "重新移送审查起诉"].groupby("case_id")["occurred_at"].max())
        out = []
        for r in open_.itertuples():
            rs = resub.get(r.id)
            d = deadline(r.stage, r.stage_entered_at.to_pydatetime(), detained=bool(r.detained),
                         procedure=r.procedure, origin=r.origin, complex_case=bool(r.complex_case),
                         over_one_year=bool(r.over_one_year), extended=bool(r.extensions_count),
                         resubmitted=None if rs is None else rs.to_pydatetime())
            out.append(time_limit_status(d.expires_at, now))
        return out

    def latest_events():
        ev = _load(engine, "case_event")
        return ev.sort_values(["occurred_at", "id"], ascending=False).head(12)

    def charges_in_district():
        df = cases()
        sub = df[(df["district_id"] == 310115) & inp(df["accepted_at"], start, end)]
        return sub.groupby(sub["charge"].fillna(sub["cause"])).size()

    def case_list():
        df = cases()
        return df[(df["district_id"] == 310115) & (df["charge"] == "盗窃") & inp(df["accepted_at"], start, end)].head(500)

    def case_timeline():
        ev = _load(engine, "case_event")
        return ev[ev["case_id"] == 1000].sort_values("occurred_at")

    def period_totals():
        df = cases()
        return inp(df["accepted_at"], start, end).sum(), inp(df["closed_at"], start, end).sum()

    def charge_options():
        return cases()["charge"].value_counts()

    return {
        "intake_by_function": intake_by_function, "intake_summary": intake_summary,
        "stage_counts": stage_counts, "daily_trend": daily_trend, "top_charges": top_charges,
        "district_intake": district_intake, "quality_indicators": lambda: indicators(),
        "district_comparison": lambda: indicators(by="district"), "time_limit_watch": watch,
        "latest_events": latest_events, "charges_in_district": charges_in_district, "case_list": case_list,
        "case_timeline": case_timeline, "period_totals": period_totals, "charge_options": charge_options,
    }


def run(engine: Engine) -> None:
    now = data_version(engine)[1] or clock.now()
    now = now.replace(microsecond=0)
    today = now.date()
    start, end = dt.datetime(today.year, 1, 1), dt.datetime(today.year, today.month, today.day) + dt.timedelta(days=1)
    funcs = {
        "intake_by_function": lambda: C.intake_by_function(engine, ALL, start, end),
        "intake_summary": lambda: C.intake_summary(engine, ALL, today),
        "stage_counts": lambda: C.stage_counts(engine, ALL),
        "daily_trend": lambda: C.daily_trend(engine, ALL, today, 30),
        "top_charges": lambda: C.top_charges(engine, ALL, start, end, 10),
        "district_intake": lambda: C.district_intake(engine, ALL, start, end),
        "quality_indicators": lambda: C.quality_indicators(engine, ALL, start, end),
        "district_comparison": lambda: C.district_comparison(engine, ALL, start, end),
        "time_limit_watch": lambda: C.time_limit_watch(engine, ALL, now=now),
        "latest_events": lambda: C.latest_events(engine, ALL, 12),
        "charges_in_district": lambda: C.charges_in_district(engine, ALL, 310115, start, end),
        "case_list": lambda: C.case_list(engine, ALL, start, end, district_id=310115, charge="盗窃", now=now),
        "case_timeline": lambda: C.case_timeline(engine, ALL, 1000),
        "period_totals": lambda: C.period_totals(engine, ALL, start, end),
        "charge_options": lambda: C.charge_options(engine, ALL),
    }
    naive = _naive(engine, now, start, end)
    rows = []
    for name, fn in funcs.items():
        med = median_ms(fn, repeat=7)
        raw = median_ms(_raw(engine, _capture(engine, fn)), repeat=7)
        nv = median_ms(naive[name], repeat=3, warmup=0)
        kind = "lookup" if name in ("latest_events", "case_timeline", "case_list") else "aggregation"
        rows.append(Row(f"cases.{name}", med, raw_ms=raw, naive_ms=nv, note=kind))
    print_table("Case statistics queries (year to date, all districts, city scale)", rows)

    # A dashboard filter change: every query the 案件统计 overview page runs for a new filter (cold).
    def filter_change(scope: Scope, flt: CaseFilter, s: dt.datetime, e: dt.datetime):
        from domain.periods import previous_period, same_period_last_year

        prev, yoy = previous_period(s, e, "month"), same_period_last_year(s, e)
        for a, b in ((s, e), prev, yoy):
            C.period_totals(engine, scope, a, b, flt)
            C.quality_indicators(engine, scope, a, b, flt)
        C.intake_by_function(engine, scope, s, e, flt)
        C.top_charges(engine, scope, s, e, 10, flt)
        C.daily_trend(engine, scope, (e - dt.timedelta(days=1)).date(), min(400, (e - s).days), flt)

    m0 = dt.datetime(today.year, today.month, 1)
    q0 = dt.datetime(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    cases_ = [
        ("month, all", ALL, NOFILTER, m0, end),
        ("year, all", ALL, NOFILTER, start, end),
        ("quarter, 刑事", ALL, CaseFilter(function="刑事"), q0, end),
        ("year, 盗窃", ALL, CaseFilter(charge="盗窃"), start, end),
        ("year, two districts", Scope((310115, 310120)), NOFILTER, start, end),
        ("year, 审查起诉", ALL, CaseFilter(stage="审查起诉"), start, end),
    ]
    frows = [Row(f"filter change: overview ({label})", median_ms(lambda: filter_change(*a), repeat=5), target_ms=300,
                 note="12 queries, uncached")
             for label, *a in cases_]
    frows.append(Row("filter change: district comparison (year)",
                     median_ms(lambda: C.district_comparison(engine, ALL, start, end), repeat=5), target_ms=300))
    frows.append(Row("filter change: watch list (刑事)",
                     median_ms(lambda: C.time_limit_watch(engine, ALL, flt=CaseFilter(function="刑事")), repeat=5),
                     target_ms=300))
    print_table("Dashboard filter change, server-side database time (city scale, cold)", frows)

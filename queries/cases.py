"""Case statistics for the smart screen and the leadership dashboard.

Every function takes the engine, then a ``Scope`` (applied in SQL), then small hashable arguments
(datetimes, a frozen ``CaseFilter``). Aggregation happens in SQL; the only Python-side arithmetic is
the legal deadline of each open case (``domain.cases.deadline``: calendar months do not fit SQL on
two dialects) and the division of an indicator's numerator by its denominator.

Periods are half-open ``[start, end)``. The person-based indicators count ``suspect`` rows, one per
person (the SPP counts persons; each suspect has their own decisions), as ``domain.indicators``
defines them.
"""
from __future__ import annotations

import datetime as dt
import functools

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, bindparam, case, func, or_, select, true

from domain import clock
from domain.cases import CLOSED_STAGES, MAX_RETURNS, NOFILTER, CaseFilter, deadline, time_limit_status
from domain.cases import MATTER_EVENTS, SHORTEST_LIMIT_DAYS
from domain.procedure import IN_CUSTODY
from domain.indicators import INDICATOR_DEFS, INDICATOR_ORDER, Indicator
from domain.procedure import ARREST_DECISIONS, ARRESTED, NOT_ARRESTED, NOT_PROSECUTE, PROSECUTION_DECISIONS, REC_FIXED
from domain.scope import Scope
from queries.cache import live
from queries.frames import read_frame, read_rows
from queries.schema import Case, CaseEvent, CaseParty, CustodyPeriod, District, Person, Suspect
from queries.scope import in_scope, require
from queries.sqlfn import day_of

CASES = "cases"  # the permission behind the case-level (person-bearing) reads: list and timeline


# --------------------------------------------------------------------------- filters


def filter_conditions(flt: CaseFilter) -> list[ColumnElement[bool]]:
    """``flt`` as SQL, written so that it never steers the planner away from the period's covering
    index (``col || ''`` is not indexable): the period is what keeps a scan short, the filter
    columns are read from the same index."""
    out: list[ColumnElement[bool]] = []
    if flt.function:
        out.append(Case.function + "" == flt.function)
    if flt.charge:
        out.append(Case.charge + "" == flt.charge)
    if flt.stage:
        out.append(Case.stage + "" == flt.stage)
    return out


def _where(scope: Scope, flt: CaseFilter, *extra: ColumnElement[bool]) -> ColumnElement[bool]:
    # "+ 0": the district list is checked inside the period's covering index rather than used to
    # pick the district index (which would visit every case of those districts)
    return and_(in_scope(scope, Case.district_id + 0), *filter_conditions(flt), *extra)


# Statements that run on every refresh are built once per (scope, filter) with the period as bound
# parameters: building a Core statement costs about as much as running a 1 ms aggregate.
_START, _END = bindparam("start"), bindparam("end")
_statement_cache = functools.lru_cache(maxsize=512)


def _int(v) -> int:
    return int(v) if v is not None and not pd.isna(v) else 0


# --------------------------------------------------------------------------- intake


def intake_by_function(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                       flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """Cases accepted in ``[start, end)`` per procuratorial function: columns function, cases."""
    stmt = (select(Case.function, func.count().label("cases"))
            .where(_where(scope, flt, Case.accepted_at >= start, Case.accepted_at < end))
            .group_by(Case.function).order_by(Case.function))
    return read_frame(engine, stmt)


def intake_summary(engine: Engine, scope: Scope, today: dt.date, flt: CaseFilter = NOFILTER
                   ) -> pd.DataFrame:
    """Cases accepted today, this month and this year (to now) per function, in one query.

    Columns: function, today, month, year. Functions with no case this year are absent (the page
    shows them as a true zero).
    """
    t0 = dt.datetime(today.year, today.month, today.day)
    m0 = t0.replace(day=1)
    y0 = t0.replace(month=1, day=1)
    stmt = (select(Case.function,
                   func.coalesce(func.sum(case((Case.accepted_at >= t0, 1), else_=0)), 0).label("today"),
                   func.coalesce(func.sum(case((Case.accepted_at >= m0, 1), else_=0)), 0).label("month"),
                   func.count().label("year"))
            .where(_where(scope, flt, Case.accepted_at >= y0,
                          Case.accepted_at < t0 + dt.timedelta(days=1)))
            .group_by(Case.function).order_by(Case.function))
    return read_frame(engine, stmt)


def stage_counts(engine: Engine, scope: Scope, flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """Cases now in each stage (closed stages 不起诉/判决/办结 excluded): columns stage, cases."""
    stmt = (select(Case.stage, func.count().label("cases"))
            .where(_where(scope, flt, Case.stage.not_in(CLOSED_STAGES)))
            .group_by(Case.stage).order_by(Case.stage))
    return read_frame(engine, stmt)


def daily_trend(engine: Engine, scope: Scope, last_day: dt.date, days: int = 30,
                flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """Cases accepted per day over ``days`` days ending ``last_day``; every day present (zeros
    included). Columns: day ('YYYY-MM-DD'), cases."""
    start = dt.datetime(last_day.year, last_day.month, last_day.day) - dt.timedelta(days=days - 1)
    end = dt.datetime(last_day.year, last_day.month, last_day.day) + dt.timedelta(days=1)
    counts = dict(read_rows(engine, _daily_trend_stmt(scope, flt), {"start": start, "end": end}))
    all_days = [(start + dt.timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]
    return pd.DataFrame({"day": all_days, "cases": [int(counts.get(x, 0)) for x in all_days]})


@_statement_cache
def _daily_trend_stmt(scope: Scope, flt: CaseFilter):
    d = day_of(Case.accepted_at)
    return (select(d.label("day"), func.count().label("cases"))
            .where(_where(scope, flt, Case.accepted_at >= _START, Case.accepted_at < _END))
            .group_by(d).order_by(d))


def top_charges(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime, n: int = 10,
                flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """The ``n`` most frequent charges among criminal cases accepted in the period (ties by name).
    Columns: charge, cases."""
    cnt = func.count().label("cases")
    stmt = (select(Case.charge, cnt)
            .where(_where(scope, flt, Case.accepted_at >= start, Case.accepted_at < end,
                          Case.charge.is_not(None)))
            .group_by(Case.charge).order_by(cnt.desc(), Case.charge).limit(n))
    return read_frame(engine, stmt)


def district_intake(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                    flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """Cases accepted per district in the period, every district in scope listed (zeros included).
    Columns: district_id, name_zh, name_en, label_lon, label_lat, cases."""
    return read_frame(engine, _district_intake_stmt(scope, flt), {"start": start, "end": end})


@_statement_cache
def _district_intake_stmt(scope: Scope, flt: CaseFilter):
    sub = (select(Case.district_id, func.count().label("cases"))
           .where(_where(scope, flt, Case.accepted_at >= _START, Case.accepted_at < _END))
           .group_by(Case.district_id).subquery())
    return (select(District.id.label("district_id"), District.name_zh, District.name_en,
                   District.label_lon, District.label_lat,
                   func.coalesce(sub.c.cases, 0).label("cases"))
            .select_from(District).outerjoin(sub, sub.c.district_id == District.id)
            .where(in_scope(scope, District.id)).order_by(District.id))


# --------------------------------------------------------------------------- quality indicators
#
# Counted per person from ``suspect`` (domain.indicators says what each count means and where the
# definition comes from); 案件比 from ``case`` (案) and ``case_event`` (件). Each statement is built once
# per (scope, filter, grouping) with the period as bound parameters.

PART_COLUMNS = (
    # arrest decisions (suspect.arrest_decided_at in the period)
    "arrest_concluded", "non_arrest", "arrested",
    # prosecution decisions (suspect.prosecution_decided_at in the period)
    "pros_concluded", "non_pros", "plea", "arrested_concluded", "arrested_non_pros",
    # judgments (suspect.judgment_at in the period) of persons who pleaded, with a 确定刑 recommendation
    "rec_fixed", "rec_adopted",
    # 案件比: cases accepted for arrest / prosecution review, minus those already arrested; steps (件)
    "an_arrest", "an_pros", "an_pros_arrested", "matters",
)


def _count_if(cond) -> ColumnElement:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _parts_overall(engine: Engine, queries, params: dict) -> dict[str, int]:
    row: dict[str, int] = {}
    with engine.connect() as conn:
        for q in queries:
            r = conn.execute(q, params).one()
            row.update({k: _int(v) for k, v in zip(r._fields, r)})
    return row


def indicator_parts(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                    flt: CaseFilter = NOFILTER, by_district: bool = False) -> pd.DataFrame:
    """Numerators and denominators of every indicator, overall or per district.

    Six aggregate queries, one per date that puts a person, a case or a step in the period (arrest
    decided, prosecution decided, judgment, arrest review accepted, prosecution review accepted,
    procedural step occurred). Columns: PART_COLUMNS, plus district_id when ``by_district``.
    """
    return _finish_parts(_part_queries(scope, flt, by_district), engine, by_district,
                         {"start": start, "end": end})


def _suspect_where(scope: Scope, flt: CaseFilter, date_col, *extra: ColumnElement[bool]) -> ColumnElement[bool]:
    # "+ 0": the district list is checked inside the period's (date, district) index
    return and_(date_col >= _START, date_col < _END, in_scope(scope, Suspect.district_id + 0),
                *filter_conditions(flt), *extra)


@_statement_cache
def _part_queries(scope: Scope, flt: CaseFilter, by_district: bool) -> tuple:
    key = [(Suspect.district_id + 0).label("district_id")] if by_district else []

    def from_suspect(*cols):
        q = select(*key, *cols).select_from(Suspect)
        return q.join(Case, Case.id == Suspect.case_id) if flt.active else q

    decision = Suspect.arrest_decision
    q_arrest = (from_suspect(func.count().label("arrest_concluded"),
                             _count_if(decision.in_(NOT_ARRESTED)).label("non_arrest"),
                             _count_if(decision.in_(ARRESTED)).label("arrested"))
                .where(_suspect_where(scope, flt, Suspect.arrest_decided_at, decision.in_(ARREST_DECISIONS))))
    not_pros = Suspect.prosecution_decision == NOT_PROSECUTE
    was_arrested = decision.in_(ARRESTED)
    q_pros = (from_suspect(func.count().label("pros_concluded"), _count_if(not_pros).label("non_pros"),
                           _count_if(Suspect.plea == true()).label("plea"),
                           _count_if(was_arrested).label("arrested_concluded"),
                           _count_if(and_(was_arrested, not_pros)).label("arrested_non_pros"))
              .where(_suspect_where(scope, flt, Suspect.prosecution_decided_at,
                                    Suspect.prosecution_decision.in_(PROSECUTION_DECISIONS))))
    q_judg = (from_suspect(func.count().label("rec_fixed"),
                           _count_if(Suspect.rec_adopted == true()).label("rec_adopted"))
              .where(_suspect_where(scope, flt, Suspect.judgment_at, Suspect.plea == true(),
                                    Suspect.rec_kind == REC_FIXED)))
    ckey = [(Case.district_id + 0).label("district_id")] if by_district else []
    q_an_a = (select(*ckey, func.count().label("an_arrest"))
              .where(_where(scope, flt, Case.arrest_review_at >= _START, Case.arrest_review_at < _END)))
    already = (select(Suspect.id).where(Suspect.case_id == Case.id, Suspect.arrest_decision.in_(ARRESTED),
                                        Suspect.arrest_decided_at <= Case.prosecution_review_at)
               .correlate(Case).exists())
    q_an_p = (select(*ckey, func.count().label("an_pros"), _count_if(already).label("an_pros_arrested"))
              .where(_where(scope, flt, Case.prosecution_review_at >= _START, Case.prosecution_review_at < _END)))
    ekey = [(CaseEvent.district_id + 0).label("district_id")] if by_district else []
    q_matter = (select(*ekey, func.count().label("matters")).select_from(CaseEvent)
                # "+ 0": the districts are checked inside the (event_type, occurred_at, district_id)
                # index; on the bare column SQLite walks each district's whole year of events instead
                .where(in_scope(scope, CaseEvent.district_id + 0), CaseEvent.event_type.in_(MATTER_EVENTS),
                       CaseEvent.occurred_at >= _START, CaseEvent.occurred_at < _END))
    if flt.active:
        q_matter = q_matter.join(Case, Case.id == CaseEvent.case_id).where(*filter_conditions(flt))
    queries = [(q_arrest, key), (q_pros, key), (q_judg, key), (q_an_a, ckey), (q_an_p, ckey), (q_matter, ekey)]
    return tuple(q.group_by(*k) if by_district else q for q, k in queries)


def _finish_parts(queries, engine: Engine, by_district: bool, params: dict) -> pd.DataFrame:
    if by_district:
        frames = []
        for q in queries:
            f = read_frame(engine, q, params)
            frames.append(f.set_index(f.columns[0]) if len(f) else pd.DataFrame(columns=f.columns[1:]))
        out = pd.concat(frames, axis=1).fillna(0)
        out.index.name = "district_id"
        out = out.reset_index()
    else:
        out = pd.DataFrame([_parts_overall(engine, queries, params)])
    for c in PART_COLUMNS:
        out[c] = out[c].astype("int64") if c in out else 0
    if by_district:
        out["district_id"] = out["district_id"].astype("int64")
        out = out.sort_values("district_id").reset_index(drop=True)
    return out


def indicators_from_parts(p) -> tuple[Indicator, ...]:
    """Every indicator of ``domain.indicators`` from one row of ``indicator_parts``."""
    an = _int(p["an_arrest"]) + _int(p["an_pros"]) - _int(p["an_pros_arrested"])
    nums = {
        "non_arrest": (p["non_arrest"], p["arrest_concluded"]),
        "detention": (p["arrested"], p["pros_concluded"]),
        "non_prosecution": (p["non_pros"], p["pros_concluded"]),
        "non_pros_after_arrest": (p["arrested_non_pros"], p["arrested_concluded"]),
        "plea": (p["plea"], p["pros_concluded"]),
        "adoption": (p["rec_adopted"], p["rec_fixed"]),
        "case_matter": (an + _int(p["matters"]), an),
    }
    return tuple(Indicator(INDICATOR_DEFS[k], _int(nums[k][0]), _int(nums[k][1])) for k in INDICATOR_ORDER)


def quality_indicators(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                       flt: CaseFilter = NOFILTER) -> tuple[Indicator, ...]:
    """The case-quality indicators for the period, in ``INDICATOR_ORDER`` (see ``domain.indicators``)."""
    return indicators_from_parts(_parts_overall(engine, _part_queries(scope, flt, False),
                                                {"start": start, "end": end}))


def district_comparison(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                        flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """One row per district in scope: intake, persons whose prosecution review concluded and every
    indicator's value, numerator and denominator. No ranking here: the page adds one only when asked."""
    intake = district_intake(engine, scope, start, end, flt)
    parts = indicator_parts(engine, scope, start, end, flt, by_district=True)
    df = intake.merge(parts, on="district_id", how="left").fillna({c: 0 for c in PART_COLUMNS})
    rows = []
    for _, r in df.iterrows():
        row = {"district_id": int(r["district_id"]), "name_zh": r["name_zh"], "name_en": r["name_en"],
               "cases": int(r["cases"]), "concluded": _int(r["pros_concluded"])}
        for ind in indicators_from_parts(r):
            row[ind.key] = ind.value
            row[f"{ind.key}_num"] = ind.numerator
            row[f"{ind.key}_den"] = ind.denominator
        rows.append(row)
    return pd.DataFrame(rows)


def cases_without_suspects(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                           flt: CaseFilter = NOFILTER) -> int:
    """Criminal cases with an arrest or prosecution decision in the period but no ``suspect`` row:
    the per-person indicators cannot count them (a case file imported without its suspects file), so
    the page says how many are missing rather than showing a rate that silently leaves them out."""
    in_p = lambda col: and_(col >= start, col < end)  # noqa: E731
    has_suspect = select(Suspect.id).where(Suspect.case_id == Case.id).exists()
    stmt = select(func.count()).where(_where(scope, flt, Case.function == "刑事", ~has_suspect,
                                             or_(in_p(Case.arrest_decided_at), in_p(Case.prosecution_decided_at))))
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


# --------------------------------------------------------------------------- time limits


def resubmitted_at() -> ColumnElement:
    """For a case in review for prosecution, its latest resubmission after a return (else NULL):
    the review clock restarts there (CPL art. 175(3)). Correlated to ``Case``; labelled."""
    latest = (select(func.max(CaseEvent.occurred_at))
              .where(CaseEvent.case_id == Case.id, CaseEvent.event_type == "重新移送审查起诉")
              .correlate(Case).scalar_subquery())
    return case((Case.stage == "审查起诉", latest), else_=None).label("resubmitted_at")


def _held(now: dt.datetime) -> ColumnElement[bool]:
    """A suspect of the case is in custody (拘留 or 逮捕) at ``now``, by the per-suspect custody record."""
    return (select(CustodyPeriod.id).join(Suspect, Suspect.id == CustodyPeriod.suspect_id)
            .where(Suspect.case_id == Case.id, CustodyPeriod.measure.in_(IN_CUSTODY),
                   CustodyPeriod.started_at <= now,
                   or_(CustodyPeriod.ended_at.is_(None), CustodyPeriod.ended_at > now))
            .correlate(Case).exists())


def in_custody_at(now: dt.datetime) -> ColumnElement:
    """Whether the case has a suspect in custody at ``now`` (CPL art. 105: such a period is not extended
    past a rest day). From the per-suspect custody record; a case without one (older imports) falls
    back to ``Case.detained``. Labelled ``in_custody``."""
    recorded = (select(CustodyPeriod.id).join(Suspect, Suspect.id == CustodyPeriod.suspect_id)
                .where(Suspect.case_id == Case.id).correlate(Case).exists())
    return case((recorded, _held(now)), else_=Case.detained).label("in_custody")


def measure_decided_at() -> ColumnElement:
    """For a case a supervisory commission sent (CPL art. 170), when the procuratorate decided on a
    coercive measure after the 先行拘留 at the transfer: the first measure other than 拘留 that a
    suspect of the case entered on or after the stage time, else the case's own arrest decision if
    taken then; NULL while undecided and for every other case. Labelled ``measure_decided_at``."""
    first = (select(func.min(CustodyPeriod.started_at)).join(Suspect, Suspect.id == CustodyPeriod.suspect_id)
             .where(Suspect.case_id == Case.id, CustodyPeriod.measure != "拘留",
                    CustodyPeriod.started_at >= Case.stage_entered_at)
             .correlate(Case).scalar_subquery())
    own = case((Case.arrest_decided_at >= Case.stage_entered_at, Case.arrest_decided_at), else_=None)
    return case((Case.origin == "监察机关", func.coalesce(first, own)), else_=None).label("measure_decided_at")


def deadline_columns(now: dt.datetime) -> tuple[ColumnElement, ...]:
    """Everything ``with_deadlines`` reads, for a select over ``Case``: the watch list, the drill-down
    and the portal select these same columns, so a case cannot get two deadlines."""
    return (Case.stage, Case.stage_entered_at, Case.detained, in_custody_at(now), Case.procedure, Case.origin,
            Case.complex_case, Case.over_one_year, Case.extensions_count, resubmitted_at(), measure_decided_at())


def _opt_time(v) -> dt.datetime | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def _flag(v) -> bool:
    """A boolean column's value; NULL (None, or NaN in a numeric frame column) is false."""
    return False if v is None or pd.isna(v) else bool(v)


def with_deadlines(df: pd.DataFrame, now: dt.datetime, warn_days: float = 2.0) -> pd.DataFrame:
    """``df`` (selected with ``deadline_columns``) plus clock_start, deadline (the last day, at 00:00;
    NaT when no clock runs), expires_at (00:00 after it: overdue from then), basis (with the rest-day
    and custody notes), custody and status ('' when no clock runs).

    Why here: the watch list, the drill-down and the portal must give a case the same deadline, so
    all three pass the same columns to ``domain.cases.deadline`` through this one loop.
    """
    starts, dues, expiries, bases, custody, status = [], [], [], [], [], []
    for r in df.itertuples(index=False):
        entered = pd.Timestamp(r.stage_entered_at).to_pydatetime()
        held = None if r.in_custody is None or pd.isna(r.in_custody) else bool(r.in_custody)
        d = deadline(r.stage, entered, detained=_flag(r.detained), in_custody=held,
                     procedure=r.procedure, origin=r.origin, complex_case=_flag(r.complex_case),
                     over_one_year=_flag(r.over_one_year), extended=_flag(r.extensions_count),
                     resubmitted=_opt_time(r.resubmitted_at), measure_decided=_opt_time(r.measure_decided_at))
        starts.append(d.clock_start if d else entered)
        dues.append(dt.datetime.combine(d.last_day, dt.time()) if d else pd.NaT)
        expiries.append(d.expires_at if d else pd.NaT)
        bases.append(d.note if d else "")
        custody.append(d.custody if d else None)
        status.append(time_limit_status(d.expires_at, now, warn_days) if d else "")

    def col(values: list) -> pd.Series:
        return pd.to_datetime(pd.Series(values, index=df.index, dtype="object"))

    return df.assign(clock_start=col(starts), deadline=col(dues), expires_at=col(expiries), basis=bases,
                     custody=pd.Series(custody, index=df.index, dtype="object"), status=status)


# Shortest legal limit per stage, in days (a case entered later than now − (limit − warn) cannot be
# near its deadline yet, so SQL leaves it out before Python computes the calendar deadline). From the
# domain, so that a shorter limit there (速裁, CPL art. 170: 10 days) cannot be dropped here.
_MIN_LIMIT_DAYS = SHORTEST_LIMIT_DAYS


def time_limit_watch(engine: Engine, scope: Scope, now: dt.datetime | None = None,
                     warn_days: float = 2.0, flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """Open cases near (临期, within ``warn_days``) or past (超期) their legal time limit.

    Limits from ``domain.cases.deadline`` (CPL arts. 91, 170, 172, 175; Rules art. 282), days counted
    by CPL art. 105 (``domain.legal_days``); a case returned twice is flagged because a third return is
    not allowed (CPL art. 175). Nothing personal: case number, district, charge, stage, procedure,
    dates. Sorted by deadline, most overdue first. ``deadline`` is the last day; ``days_left`` counts
    to the end of it.
    """
    now = now or clock.now()
    conds = [and_(Case.stage == s, Case.stage_entered_at <= now - dt.timedelta(days=d - warn_days))
             for s, d in _MIN_LIMIT_DAYS.items()]
    stmt = (select(Case.id.label("case_id"), Case.case_no, Case.district_id, District.name_zh,
                   District.name_en, Case.function, Case.charge, Case.cause, Case.returns_count,
                   *deadline_columns(now))
            .join(District, District.id == Case.district_id)
            .where(_where(scope, flt, or_(*conds))))
    df = read_frame(engine, stmt)
    cols = ["case_id", "case_no", "district_id", "name_zh", "name_en", "function", "charge", "stage",
            "procedure", "stage_entered_at", "days_in_stage", "deadline", "days_left", "status", "custody",
            "basis", "returns_count"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = with_deadlines(df, now, warn_days)
    df["stage_entered_at"] = df["clock_start"]  # after a return: since the resubmission
    df["days_in_stage"] = ((pd.Timestamp(now) - df["stage_entered_at"]).dt.total_seconds() / 86400).round(1)
    df["days_left"] = ((df["expires_at"] - pd.Timestamp(now)).dt.total_seconds() / 86400).round(1)
    df["charge"] = df["charge"].fillna(df["cause"])
    returns_note = df["returns_count"] >= MAX_RETURNS
    df.loc[returns_note, "basis"] = df.loc[returns_note, "basis"] + "；已退回补充侦查2次，不得再退"
    df = df[df["status"] != "正常"].sort_values(["expires_at", "case_no"]).reset_index(drop=True)
    return df[cols]


# --------------------------------------------------------------------------- live ticker


def latest_events(engine: Engine, scope: Scope, limit: int = 12) -> pd.DataFrame:
    """The newest case events with nothing personal in them: time, district, function, charge or
    cause, event type and the stage entered. No names, no ID or phone numbers, no case number."""
    stmt = (select(CaseEvent.id.label("event_id"), CaseEvent.occurred_at, District.name_zh,
                   District.name_en, Case.function, func.coalesce(Case.charge, Case.cause).label("charge"),
                   CaseEvent.event_type, CaseEvent.stage_to)
            .join(Case, Case.id == CaseEvent.case_id)
            .join(District, District.id == CaseEvent.district_id)
            .where(in_scope(scope, CaseEvent.district_id))
            .order_by(CaseEvent.occurred_at.desc(), CaseEvent.id.desc()).limit(limit))
    return read_frame(engine, stmt)


# --------------------------------------------------------------------------- dashboard support


def districts(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Districts in scope (no geometry): district_id, name_zh, name_en."""
    stmt = (select(District.id.label("district_id"), District.name_zh, District.name_en)
            .where(in_scope(scope, District.id)).order_by(District.id))
    return read_frame(engine, stmt)


def district_geometries(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Real district boundaries (GeoJSON geometry text) for the map: district_id, name_zh, name_en,
    label_lon, label_lat, geojson."""
    stmt = (select(District.id.label("district_id"), District.name_zh, District.name_en,
                   District.label_lon, District.label_lat, District.geojson)
            .where(in_scope(scope, District.id)).order_by(District.id))
    return read_frame(engine, stmt)


def charge_options(engine: Engine, scope: Scope) -> tuple[str, ...]:
    """Charges present in the data, most frequent first (for the filter bar)."""
    cnt = func.count()
    stmt = (select(Case.charge).where(in_scope(scope, Case.district_id), Case.charge.is_not(None))
            .group_by(Case.charge).order_by(cnt.desc(), Case.charge))
    return tuple(read_frame(engine, stmt)["charge"])


def charges_in_district(engine: Engine, scope: Scope, district_id: int, start: dt.datetime,
                        end: dt.datetime, flt: CaseFilter = NOFILTER) -> pd.DataFrame:
    """Drill-down step 1: a district's charges (non-criminal causes included) in the period.
    Columns: charge, cases (all of them, most frequent first)."""
    return read_frame(engine, _charges_in_district_stmt(scope, flt),
                      {"district": district_id, "start": start, "end": end})


@_statement_cache
def _charges_in_district_stmt(scope: Scope, flt: CaseFilter):
    label = func.coalesce(Case.charge, Case.cause)
    cnt = func.count().label("cases")
    return (select(label.label("charge"), cnt)
            .where(_where(scope, flt, Case.district_id == bindparam("district"), Case.accepted_at >= _START,
                          Case.accepted_at < _END))
            .group_by(label).order_by(cnt.desc(), label))


def case_list(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
              flt: CaseFilter = NOFILTER, district_id: int | None = None, charge: str | None = None,
              now: dt.datetime | None = None, limit: int = 500) -> pd.DataFrame:
    """Drill-down step 2: cases accepted in the period (newest first, at most ``limit``) with
    stage, days in stage, legal time limit and the parties' names: in clear only on the cases the
    viewing prosecutor handles (``own``: ``Case.handler_id`` is the scope's account), masked on every
    other case and always for leadership; none at all for a scope that may not see personal data.
    Full names of other cases never leave the database."""
    require(scope, CASES)
    now = now or clock.now()
    conds = [Case.accepted_at >= start, Case.accepted_at < end]
    if district_id is not None:
        conds.append(Case.district_id == district_id)
    if charge is not None:
        conds.append(func.coalesce(Case.charge, Case.cause) == charge)
    stmt = (select(Case.id.label("case_id"), Case.case_no, District.name_zh.label("district"),
                   Case.function, func.coalesce(Case.charge, Case.cause).label("charge"), Case.accepted_at,
                   Case.suspects, Case.handler_id, *deadline_columns(now))
            .join(District, District.id == Case.district_id)
            .where(_where(scope, flt, *conds))
            .order_by(Case.accepted_at.desc(), Case.id.desc()).limit(limit))
    df = read_frame(engine, stmt)
    if df.empty:
        return pd.DataFrame(columns=list(_CASE_LIST_COLUMNS))
    df["stage_entered_at"] = pd.to_datetime(df["stage_entered_at"])
    df["days_in_stage"] = ((pd.Timestamp(now) - df["stage_entered_at"]).dt.total_seconds() / 86400).round(1)
    df = with_deadlines(df, now)
    mine = scope.role == "prosecutor" and scope.user_id is not None
    df["own"] = (df["handler_id"] == scope.user_id) if mine else False
    parties = {}
    if scope.sees_personal_data:
        name = (case((Case.handler_id == scope.user_id, Person.full_name), else_=Person.name_masked)
                if mine else Person.name_masked)
        pstmt = (select(CaseParty.case_id, CaseParty.role, name.label("name"))
                 .join(Person, Person.id == CaseParty.person_id)
                 .join(Case, Case.id == CaseParty.case_id)
                 .where(CaseParty.case_id.in_([int(x) for x in df["case_id"]]))
                 .order_by(CaseParty.case_id, CaseParty.role, CaseParty.id))
        for cid, role, name in read_frame(engine, pstmt).itertuples(index=False):
            parties.setdefault(cid, []).append(f"{role}:{name}")
    df["parties"] = [("；".join(parties.get(c, []))) for c in df["case_id"]]
    return df[list(_CASE_LIST_COLUMNS)]


# The drill-down's columns; deadline (the last day), status and basis come from ``with_deadlines``.
_CASE_LIST_COLUMNS = ("case_id", "case_no", "district", "function", "charge", "stage", "procedure",
                      "stage_entered_at", "days_in_stage", "deadline", "status", "basis", "suspects", "own",
                      "parties")


def case_timeline(engine: Engine, scope: Scope, case_id: int) -> pd.DataFrame:
    """Drill-down step 3: one case's events in order (empty if the case is outside the scope)."""
    require(scope, CASES)
    stmt = (select(CaseEvent.occurred_at, CaseEvent.event_type, CaseEvent.stage_from,
                   CaseEvent.stage_to, CaseEvent.counts_as_matter, CaseEvent.note)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.id == case_id, in_scope(scope, Case.district_id))
            .order_by(CaseEvent.occurred_at, CaseEvent.id))
    return read_frame(engine, stmt)


def period_totals(engine: Engine, scope: Scope, start: dt.datetime, end: dt.datetime,
                  flt: CaseFilter = NOFILTER) -> dict[str, int]:
    """Headline counts for the period: cases accepted, prosecution reviews concluded (people) and
    cases judged."""
    accepted, closed = _period_totals_stmts(scope, flt)
    params = {"start": start, "end": end}
    with engine.connect() as conn:
        n_accepted = conn.execute(accepted, params).scalar_one()
        n_closed = conn.execute(closed, params).scalar_one()
    return {"accepted": int(n_accepted), "closed": int(n_closed)}


@_statement_cache
def _period_totals_stmts(scope: Scope, flt: CaseFilter):
    return (select(func.count()).where(_where(scope, flt, Case.accepted_at >= _START, Case.accepted_at < _END)),
            select(func.count()).where(_where(scope, flt, Case.closed_at >= _START, Case.closed_at < _END)))


# --------------------------------------------------------------------------- cached forms

intake_by_function_live = live(ttl=10)(intake_by_function)
intake_summary_live = live(ttl=10)(intake_summary)
stage_counts_live = live(ttl=10)(stage_counts)
daily_trend_live = live(ttl=10)(daily_trend)
top_charges_live = live(ttl=10)(top_charges)
district_intake_live = live(ttl=10)(district_intake)
quality_indicators_live = live(ttl=10)(quality_indicators)
cases_without_suspects_live = live(ttl=10)(cases_without_suspects)
district_comparison_live = live(ttl=10)(district_comparison)
time_limit_watch_live = live(ttl=10)(time_limit_watch)
latest_events_live = live(ttl=5)(latest_events)
districts_live = live(ttl=3600)(districts)
district_geometries_live = live(ttl=3600)(district_geometries)
charge_options_live = live(ttl=600)(charge_options)
charges_in_district_live = live(ttl=10)(charges_in_district)
case_list_live = live(ttl=10)(case_list)
case_timeline_live = live(ttl=10)(case_timeline)
period_totals_live = live(ttl=10)(period_totals)

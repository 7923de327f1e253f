"""Rivers: water classes per river and month, the map payload, one river's history, public-interest
cases and suggestions, figures for the smart screen. (Water-quality clues are the water model's hits
now: ``domain.models.water``, ``queries.models.water_hits``.)

A river's class in a month is the worst class of its monitoring sites that month (single-factor
rule, computed per sample by ``domain.water`` on write). "Latest" means: the most recent month at or
before the one asked for, within the twelve months before it.

Functions that name people (river chiefs, the prosecutor of a river, public-interest cases) check the
scope's permission too (``queries.scope.require``: "rivers"); the aggregate figures the smart screen
shows do not.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select

from domain.periods import shift_month
from domain.scope import Scope
from domain.water import suggestion_status
from queries.cache import live
from queries.schema import (
    AppUser, District, MonitoringSite, PilCase, ProcuratorialSuggestion, River, WaterSample,
)
from queries.scope import in_scope, require

LOOKBACK_MONTHS = 12
RIVERS = "rivers"  # permission


def read_frame(engine: Engine, stmt) -> pd.DataFrame:
    """``queries.frames.read_frame`` with rows turned into plain tuples first: pandas'
    ``from_records`` on SQLAlchemy ``Row`` objects probes each row with ``hasattr`` and costs
    ~60 ms for 4,041 rows, more than the SQL itself."""
    with engine.connect() as conn:
        res = conn.execute(stmt)
        cols = list(res.keys())
        rows = [tuple(r) for r in res]
    df = pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame({c: [] for c in cols})
    for c in df.columns:
        if df[c].dtype == object and len(df) and df[c].map(lambda v: type(v).__name__ == "Decimal").any():
            df[c] = pd.to_numeric(df[c])
    return df
OPEN_SUGGESTION = ("待回复", "临期", "超期未回复")


# --------------------------------------------------------------------------- months & classes


def sample_months(engine: Engine, scope: Scope) -> list[str]:
    """Months that have samples on rivers in scope, oldest first."""
    stmt = (select(WaterSample.month).distinct().join(River, River.id == WaterSample.river_id)
            .where(in_scope(scope, River.district_id)).order_by(WaterSample.month))
    with engine.connect() as conn:
        return [m for (m,) in conn.execute(stmt)]


def _latest_subquery(scope: Scope, month: str):
    """Per river in scope: the latest month ≤ ``month`` (within the look-back) that has samples.

    A correlated MAX per river, answered by an index seek on ``ix_sample_river_month`` (river_id,
    month) on both engines, instead of grouping a year of samples."""
    lo = shift_month(month, -LOOKBACK_MONTHS + 1)
    last = (select(func.max(WaterSample.month))
            .where(WaterSample.river_id == River.id, WaterSample.month <= month, WaterSample.month >= lo)
            .correlate(River).scalar_subquery())
    # MATERIALIZED (SQLite ≥ 3.35, PostgreSQL ≥ 12): compute the 4,041 maxima once, first, rather
    # than letting the planner flatten this into a scan of every sample.
    return (select(River.id.label("river_id"), last.label("m"))
            .where(in_scope(scope, River.district_id)).cte("lm").prefix_with("MATERIALIZED"))


def _class_subquery(scope: Scope, month: str):
    """Per river: class and main pollutants of the worst site in its latest month."""
    lm = _latest_subquery(scope, month)
    rn = func.row_number().over(
        partition_by=WaterSample.river_id,
        order_by=(func.coalesce(WaterSample.water_class, 0).desc(), WaterSample.id))
    lo = shift_month(month, -LOOKBACK_MONTHS + 1)
    ranked = (select(WaterSample.river_id, WaterSample.month, WaterSample.water_class,
                     WaterSample.main_pollutants, rn.label("rn"))
              .join(lm, and_(WaterSample.river_id == lm.c.river_id, WaterSample.month == lm.c.m))
              # redundant with the join, but lets PostgreSQL read one year of samples, not all
              .where(WaterSample.month >= lo, WaterSample.month <= month)
              .subquery("ranked"))
    return (select(ranked.c.river_id, ranked.c.month, ranked.c.water_class, ranked.c.main_pollutants)
            .where(ranked.c.rn == 1).subquery("rc"))


def river_classes(engine: Engine, scope: Scope, month: str) -> pd.DataFrame:
    """Latest class of every river in scope as of ``month``: river_id, month, water_class,
    main_pollutants. Rivers with no sample in the look-back window are absent."""
    rc = _class_subquery(scope, month)
    stmt = (select(rc.c.river_id, rc.c.month, rc.c.water_class, rc.c.main_pollutants)
            .join(River, River.id == rc.c.river_id).where(in_scope(scope, River.district_id))
            .order_by(rc.c.river_id))
    return read_frame(engine, stmt)


def _open_cases_subquery(scope: Scope):
    return (select(PilCase.river_id.label("river_id"), func.count().label("open_cases"))
            .where(PilCase.closed_at.is_(None), PilCase.river_id.is_not(None), in_scope(scope, PilCase.district_id))
            .group_by(PilCase.river_id).subquery("oc"))


def map_rivers(engine: Engine, scope: Scope, month: str, classes: tuple[int, ...] = (),
               levels: tuple[str, ...] = (), towns: tuple[str, ...] = (),
               open_case_only: bool = False) -> pd.DataFrame:
    """What the map shows per river (no geometry): attributes, class as of ``month``, main
    pollutants, river chief, prosecutor and open cases; filtered in SQL."""
    require(scope, RIVERS)
    rc = _class_subquery(scope, month)
    oc = _open_cases_subquery(scope)
    stmt = (select(River.id.label("river_id"), River.code, River.name, River.level, River.town,
                   River.length_km, River.river_chief, AppUser.display_name.label("prosecutor"),
                   rc.c.month.label("class_month"), rc.c.water_class, rc.c.main_pollutants,
                   func.coalesce(oc.c.open_cases, 0).label("open_cases"))
            .outerjoin(rc, rc.c.river_id == River.id)
            .outerjoin(oc, oc.c.river_id == River.id)
            .outerjoin(AppUser, AppUser.id == River.prosecutor_id)
            .where(in_scope(scope, River.district_id)))
    if classes:
        stmt = stmt.where(rc.c.water_class.in_(classes))
    if levels:
        stmt = stmt.where(River.level.in_(levels))
    if towns:
        stmt = stmt.where(River.town.in_(towns))
    if open_case_only:
        stmt = stmt.where(oc.c.open_cases > 0)
    df = read_frame(engine, stmt.order_by(River.id))
    if len(df):
        df["water_class"] = df["water_class"].astype("Int64")
        df["open_cases"] = df["open_cases"].astype(int)
    return df


def river_paths(engine: Engine, scope: Scope) -> dict[int, list[list[float]]]:
    """Simplified geometry of every river in scope (it does not change with the month)."""
    import json

    stmt = select(River.id, River.geojson).where(in_scope(scope, River.district_id))
    with engine.connect() as conn:
        return {int(i): json.loads(g)["coordinates"] for i, g in conn.execute(stmt)}


def river_filters(engine: Engine, scope: Scope) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Levels and towns present, for the filter widgets."""
    with engine.connect() as conn:
        levels = tuple(r for (r,) in conn.execute(select(River.level).distinct().where(in_scope(scope, River.district_id))))
        towns = tuple(r for (r,) in conn.execute(select(River.town).distinct().where(in_scope(scope, River.district_id))
                                                  .order_by(River.town)))
    order = ("市级", "区级", "镇级", "农场级", "村级")
    return tuple(sorted(levels, key=lambda x: order.index(x) if x in order else 99)), towns


def base_districts(engine: Engine, scope: Scope) -> pd.DataFrame:
    """District boundaries for the map's base layer: the districts holding rivers in scope, and
    their neighbours for context (boundaries are public geography, not scoped data)."""
    stmt = select(District.id, District.name_zh, District.name_en, District.label_lon, District.label_lat,
                  District.geojson).order_by(District.id)
    return read_frame(engine, stmt)


def class_shares(engine: Engine, scope: Scope, month: str) -> pd.DataFrame:
    """Smart-screen figure: rivers per class as of ``month`` (water_class NA = no data), share % of
    all rivers in scope."""
    rc = _class_subquery(scope, month)
    stmt = (select(rc.c.water_class, func.count().label("rivers"))
            .join(River, River.id == rc.c.river_id)
            .where(in_scope(scope, River.district_id)).group_by(rc.c.water_class).order_by(rc.c.water_class))
    df = read_frame(engine, stmt)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(River).where(in_scope(scope, River.district_id))).scalar_one()
    missing = int(total) - (int(df["rivers"].sum()) if len(df) else 0)
    if missing:
        df = pd.concat([df, pd.DataFrame({"water_class": [None], "rivers": [missing]})], ignore_index=True)
    df["water_class"] = df["water_class"].astype("Int64")
    df["rivers"] = df["rivers"].astype(int)
    df["share"] = (df["rivers"] / total * 100).round(1) if total else 0.0
    return df


# --------------------------------------------------------------------------- one river


@dataclass(frozen=True)
class RiverInfo:
    id: int
    code: str
    name: str
    level: str
    town: str
    length_km: float
    river_chief: str
    prosecutor: str | None
    sites: int


def river_info(engine: Engine, scope: Scope, river_id: int) -> RiverInfo | None:
    """One river's attributes with its chief and prosecutor (None outside the scope)."""
    require(scope, RIVERS)
    sites = (select(func.count()).select_from(MonitoringSite).where(MonitoringSite.river_id == River.id)
             .correlate(River).scalar_subquery())
    stmt = (select(River.id, River.code, River.name, River.level, River.town, River.length_km,
                   River.river_chief, AppUser.display_name, sites)
            .outerjoin(AppUser, AppUser.id == River.prosecutor_id)
            .where(River.id == river_id, in_scope(scope, River.district_id)))
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return RiverInfo(*row) if row else None


def search_rivers(engine: Engine, scope: Scope, text: str, limit: int = 50) -> pd.DataFrame:
    """Rivers whose name or code contains ``text`` (bound parameter, LIKE wildcards escaped)."""
    t = (text or "").strip()[:40]
    esc = t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = (select(River.id.label("river_id"), River.code, River.name, River.level, River.town)
            .where(in_scope(scope, River.district_id),
                   or_(River.name.like(f"%{esc}%", escape="\\"), River.code.like(f"%{esc}%", escape="\\")))
            .order_by(River.id).limit(limit))
    return read_frame(engine, stmt)


def river_history(engine: Engine, scope: Scope, river_id: int) -> pd.DataFrame:
    """Every sample of one river: month, site, the indicators, class and main pollutants."""
    stmt = (select(WaterSample.month, WaterSample.sampled_on, MonitoringSite.name.label("site"),
                   WaterSample.do_mg, WaterSample.codmn, WaterSample.cod, WaterSample.bod5,
                   WaterSample.nh3n, WaterSample.tp, WaterSample.tn, WaterSample.ph,
                   WaterSample.water_class, WaterSample.main_pollutants)
            .join(MonitoringSite, MonitoringSite.id == WaterSample.site_id)
            .join(River, River.id == WaterSample.river_id)
            .where(WaterSample.river_id == river_id, in_scope(scope, River.district_id))
            .order_by(WaterSample.month, MonitoringSite.id))
    return read_frame(engine, stmt)


def river_monthly_class(engine: Engine, scope: Scope, river_id: int) -> pd.DataFrame:
    """One river's class per month (its worst site)."""
    stmt = (select(WaterSample.month, func.max(WaterSample.water_class).label("water_class"),
                   func.count().label("samples"))
            .join(River, River.id == WaterSample.river_id)
            .where(WaterSample.river_id == river_id, in_scope(scope, River.district_id))
            .group_by(WaterSample.month).order_by(WaterSample.month))
    return read_frame(engine, stmt)


# --------------------------------------------------------------------------- cases & suggestions


def pil_cases(engine: Engine, scope: Scope, river_id: int | None = None, open_only: bool = False) -> pd.DataFrame:
    """Public-interest cases on rivers, newest clue first."""
    require(scope, RIVERS)
    stmt = (select(PilCase.id, PilCase.case_no, River.name.label("river"), River.town, PilCase.river_id,
                   PilCase.source, PilCase.stage, PilCase.clue_at, PilCase.filed_at, PilCase.stage_entered_at,
                   PilCase.closed_at, PilCase.outcome, PilCase.summary)
            .outerjoin(River, River.id == PilCase.river_id)
            .where(in_scope(scope, PilCase.district_id), PilCase.river_id.is_not(None)))
    if river_id is not None:
        stmt = stmt.where(PilCase.river_id == river_id)
    if open_only:
        stmt = stmt.where(PilCase.closed_at.is_(None))
    return read_frame(engine, stmt.order_by(PilCase.clue_at.desc(), PilCase.id.desc()))


def suggestions(engine: Engine, scope: Scope, today: dt.date, river_id: int | None = None) -> pd.DataFrame:
    """Procuratorial suggestions on rivers with the reply deadline and a status as of ``today``:
    已整改 / 已回复 / 逾期回复 / 超期未回复 / 临期 / 待回复; ``days_left`` until the reply is due."""
    require(scope, RIVERS)
    stmt = (select(ProcuratorialSuggestion.id, ProcuratorialSuggestion.doc_no, River.name.label("river"),
                   ProcuratorialSuggestion.river_id, PilCase.case_no, ProcuratorialSuggestion.recipient,
                   ProcuratorialSuggestion.emergency, ProcuratorialSuggestion.issued_on,
                   ProcuratorialSuggestion.reply_due, ProcuratorialSuggestion.replied_on,
                   ProcuratorialSuggestion.rectified_on, ProcuratorialSuggestion.content)
            .join(River, River.id == ProcuratorialSuggestion.river_id)
            .outerjoin(PilCase, PilCase.id == ProcuratorialSuggestion.pil_case_id)
            .where(in_scope(scope, River.district_id)))
    if river_id is not None:
        stmt = stmt.where(ProcuratorialSuggestion.river_id == river_id)
    df = read_frame(engine, stmt.order_by(ProcuratorialSuggestion.issued_on.desc(), ProcuratorialSuggestion.id.desc()))
    for c in ("issued_on", "reply_due", "replied_on", "rectified_on"):
        df[c] = [None if pd.isna(v) else (v.date() if isinstance(v, (pd.Timestamp, dt.datetime)) else v)
                 for v in df[c]] if len(df) else df[c]
    df["status"] = [suggestion_status(d, r, f, today) for d, r, f in
                    zip(df["reply_due"], df["replied_on"], df["rectified_on"])] if len(df) else []
    df["days_left"] = pd.array([(d - today).days if r is None and f is None else None for d, r, f in
                                zip(df["reply_due"], df["replied_on"], df["rectified_on"])], dtype="Int64")
    return df


@dataclass(frozen=True)
class PilFigures:
    year: int
    cases_filed: int  # cases filed in the year
    cases_open: int  # open now (not closed)
    suggestions_issued: int  # issued in the year
    replied: int  # of those, replied
    rectified: int  # of those, rectified
    overdue: int  # any year: not replied and past the reply deadline
    suggestions_open: int  # any year: not yet rectified

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.suggestions_issued * 100 if self.suggestions_issued else None

    @property
    def rectification_rate(self) -> float | None:
        return self.rectified / self.suggestions_issued * 100 if self.suggestions_issued else None


def pil_figures(engine: Engine, scope: Scope, year: int, today: dt.date) -> PilFigures:
    """Cases this year, suggestions issued / replied / rectified, overdue and open — one SQL each."""
    y0, y1 = dt.datetime(year, 1, 1), dt.datetime(year + 1, 1, 1)
    d0, d1 = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    S = ProcuratorialSuggestion
    in_scope_s = S.river_id.in_(select(River.id).where(in_scope(scope, River.district_id)))
    with engine.connect() as conn:
        c = conn.execute(select(
            func.count().filter(and_(PilCase.filed_at >= y0, PilCase.filed_at < y1)),
            func.count().filter(PilCase.closed_at.is_(None)))
            .where(in_scope(scope, PilCase.district_id), PilCase.river_id.is_not(None))).one()
        s = conn.execute(select(
            func.count().filter(and_(S.issued_on >= d0, S.issued_on < d1)),
            func.count().filter(and_(S.issued_on >= d0, S.issued_on < d1, S.replied_on.is_not(None))),
            func.count().filter(and_(S.issued_on >= d0, S.issued_on < d1, S.rectified_on.is_not(None))),
            func.count().filter(and_(S.replied_on.is_(None), S.rectified_on.is_(None), S.reply_due < today)),
            func.count().filter(S.rectified_on.is_(None)))
            .where(in_scope_s)).one()
    return PilFigures(year, int(c[0]), int(c[1]), *(int(v) for v in s))


def river_prosecutors(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Prosecutors assigned to rivers in scope (user_id, display_name, rivers)."""
    require(scope, RIVERS)
    stmt = (select(AppUser.id.label("user_id"), AppUser.display_name, func.count(River.id).label("rivers"))
            .join(River, River.prosecutor_id == AppUser.id).where(in_scope(scope, River.district_id))
            .group_by(AppUser.id, AppUser.display_name).order_by(AppUser.id))
    return read_frame(engine, stmt)


# --------------------------------------------------------------------------- smart screen


@dataclass(frozen=True)
class ScreenRiverFigures:
    month: str | None
    rivers: int
    share_good: float | None  # Class I–III, % of rivers with data
    share_iv: float | None
    share_v: float | None
    share_worse_than_v: float | None
    cases_open: int
    suggestions_open: int


def screen_figures(engine: Engine, scope: Scope, month: str | None = None) -> ScreenRiverFigures:
    """Summary for the smart screen: share of rivers by class, open cases and suggestions."""
    months = sample_months(engine, scope)
    month = month or (months[-1] if months else None)
    cs = class_shares(engine, scope, month) if month else pd.DataFrame(columns=["water_class", "rivers"])
    with_data = cs[cs["water_class"].notna()] if len(cs) else cs
    n = int(with_data["rivers"].sum()) if len(with_data) else 0

    def share(mask) -> float | None:
        return round(float(with_data.loc[mask, "rivers"].sum()) / n * 100, 1) if n else None

    cls = with_data["water_class"] if len(with_data) else pd.Series(dtype="Int64")
    S = ProcuratorialSuggestion
    with engine.connect() as conn:
        open_cases = conn.execute(select(func.count()).select_from(PilCase).where(
            PilCase.closed_at.is_(None), PilCase.river_id.is_not(None), in_scope(scope, PilCase.district_id))).scalar_one()
        open_s = conn.execute(select(func.count()).select_from(S).where(
            S.rectified_on.is_(None), S.river_id.in_(select(River.id).where(in_scope(scope, River.district_id))))).scalar_one()
    return ScreenRiverFigures(month, int(cs["rivers"].sum()) if len(cs) else 0,
                              share(cls <= 3), share(cls == 4), share(cls == 5), share(cls == 6),
                              int(open_cases), int(open_s))


# --------------------------------------------------------------------------- cached forms

sample_months_live = live(ttl=60)(sample_months)
river_classes_live = live(ttl=30)(river_classes)
map_rivers_live = live(ttl=30)(map_rivers)
river_paths_live = live(ttl=3600)(river_paths)
river_filters_live = live(ttl=3600)(river_filters)
base_districts_live = live(ttl=3600)(base_districts)
class_shares_live = live(ttl=30)(class_shares)
river_info_live = live(ttl=60)(river_info)
river_history_live = live(ttl=30)(river_history)
river_monthly_class_live = live(ttl=30)(river_monthly_class)
pil_cases_live = live(ttl=10)(pil_cases)
suggestions_live = live(ttl=10)(suggestions)
pil_figures_live = live(ttl=10)(pil_figures)
screen_figures_live = live(ttl=30)(screen_figures)
search_rivers_live = live(ttl=60)(search_rivers)
river_prosecutors_live = live(ttl=300)(river_prosecutors)

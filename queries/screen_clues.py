"""The smart screen's 法律监督线索 scene: the city's supervision clues in aggregate (issue 13).

Counts only: new this week and this month, open by model, overdue, turned into cases or
suggestions, and by district. No evidence, no case number, no person, so no permission beyond
the screen's own scope (its districts) is needed, as for the other screen figures.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from domain.clues import CASE, OPEN_CASE, OPEN_STATES, SUGGESTION
from domain.periods import month_keys
from queries.model_library import effective_models
from domain.scope import Scope
from queries.frames import read_frame
from queries.schema import District, ModelHit
from queries.scope import in_scope
from queries.sqlfn import month_of

MONTHS = 6


@dataclass(frozen=True)
class ScreenClues:
    """The scene's figures as of ``as_of``."""

    new_week: int  # found since Monday 00:00
    new_month: int  # found since the 1st
    open: int  # 待分流 / 核查中
    overdue: int  # open and past the decision deadline
    cases: int  # 成案 立案
    suggestions: int  # 成案 检察建议
    total: int
    by_model: pd.DataFrame  # model_zh, model_en, open, hits (every model, most open first)
    by_district: pd.DataFrame  # name_zh, name_en, hits, open (districts with a clue, most first)
    by_month: pd.DataFrame  # month 'YYYY-MM', hits (the last MONTHS months, zeros included)
    as_of: dt.datetime


def screen_clues(engine: Engine, scope: Scope, now: dt.datetime) -> ScreenClues:
    """One grouped read of the clues in the scope's districts (by model, district, state, outcome and
    month, with the week's and the overdue counts beside), so a refresh reads a few hundred rows
    whatever the number of clues."""
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time())
    first = dt.datetime(now.year, now.month, 1)
    month = month_of(ModelHit.found_at)
    open_ = ModelHit.state.in_(sorted(OPEN_STATES))
    df = read_frame(engine, select(
        ModelHit.model_key, ModelHit.district_id, ModelHit.state, ModelHit.outcome_kind, month.label("month"),
        func.count().label("n"), func.count().filter(ModelHit.found_at >= monday).label("week"),
        func.count().filter(and_(open_, ModelHit.due_at <= now)).label("overdue"))
        .where(in_scope(scope, ModelHit.district_id))
        .group_by(ModelHit.model_key, ModelHit.district_id, ModelHit.state, ModelHit.outcome_kind, month))
    for c in ("n", "week", "overdue"):
        df[c] = df[c].astype(int)
    is_open = df["state"].isin(OPEN_STATES)
    models = effective_models(engine)
    by_model = pd.DataFrame([{"model_zh": m.name_zh, "model_en": m.name_en,
                              "open": int(df.loc[is_open & (df["model_key"] == k), "n"].sum()),
                              "hits": int(df.loc[df["model_key"] == k, "n"].sum())} for k, m in sorted(models.items())],
                            columns=["model_zh", "model_en", "open", "hits"])
    by_model = by_model.sort_values(["open", "hits"], ascending=False, kind="stable").reset_index(drop=True)
    names = read_frame(engine, select(District.id.label("district_id"), District.name_zh, District.name_en))
    g = (df.assign(open=df["n"].where(is_open, 0), hits=df["n"]).groupby("district_id", as_index=False)[["hits", "open"]]
         .sum() if len(df) else pd.DataFrame(columns=["district_id", "hits", "open"]))
    by_district = (g.merge(names, on="district_id").sort_values(["hits", "name_zh"], ascending=[False, True])
                   [["name_zh", "name_en", "hits", "open"]].reset_index(drop=True))
    months = month_keys(now, MONTHS)
    counts = df.groupby("month")["n"].sum() if len(df) else pd.Series(dtype=int)
    by_month = pd.DataFrame({"month": months, "hits": [int(counts.get(m, 0)) for m in months]})
    case = df["state"] == CASE
    return ScreenClues(
        new_week=int(df["week"].sum()), new_month=int(df.loc[df["month"] == f"{first:%Y-%m}", "n"].sum()),
        open=int(df.loc[is_open, "n"].sum()), overdue=int(df["overdue"].sum()),
        cases=int(df.loc[case & (df["outcome_kind"] == OPEN_CASE), "n"].sum()),
        suggestions=int(df.loc[case & (df["outcome_kind"] == SUGGESTION), "n"].sum()),
        total=int(df["n"].sum()), by_model=by_model, by_district=by_district, by_month=by_month, as_of=now)

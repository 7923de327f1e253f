"""模型成效: what each legal-supervision model's clues came to (issue 13).

Why: a model earns its place by the clues that became cases or suggestions, not by the number of
hits. Per model, in the account's districts and only for the models whose own permission it holds:
hits, handled (an end state), 成案 立案 / 成案 检察建议, 不成案, 移送, precision (成案 ÷ handled, with
n), median days from found to the end state (the clue history's end row, else ``state_changed_at``),
open and overdue, and hits per month. Aggregates only: no evidence, no person.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from domain import clock
from domain.clues import CASE, FINAL_STATES, NO_CASE, OPEN_CASE, OPEN_STATES, REFERRED, SUGGESTION, is_overdue
from queries.model_library import effective_models
from domain.scope import Scope
from queries.cache import live
from queries.frames import read_frame
from queries.schema import ClueHistory, ModelHit
from queries.scope import in_scope, require

PERMISSION = "clues"


@dataclass(frozen=True)
class Efficacy:
    """One model's figures as of ``as_of`` (the contract the page and its component read)."""

    key: str
    name_zh: str
    name_en: str
    hits: int
    handled: int  # reached an end state (成案 / 不成案 / 移送)
    cases: int  # 成案, opened a case (立案)
    suggestions: int  # 成案, a procuratorial suggestion (检察建议)
    no_case: int  # 不成案
    referred: int  # 移送
    open: int  # 待分流 / 核查中
    overdue: int  # open and past the decision deadline
    median_days: float | None  # found → end state, handled clues only
    by_month: tuple[tuple[str, int], ...]  # ('YYYY-MM', hits found that month), oldest first
    as_of: dt.datetime

    @property
    def became_case(self) -> int:
        return self.cases + self.suggestions

    @property
    def precision(self) -> float | None:
        """成案 ÷ handled (None before anything is handled); n is ``handled``."""
        return self.became_case / self.handled if self.handled else None


def efficacy(engine: Engine, scope: Scope, now: dt.datetime | None = None) -> list[Efficacy]:
    """Every model the scope may read (its own permission), in registry key order, with its figures
    over the hits in the scope's districts."""
    require(scope, PERMISSION)
    now = now or clock.now()
    models = [m for k, m in sorted(effective_models(engine).items()) if scope.grants_permission(m.permission)]
    if not models:
        return []
    ended = (select(ClueHistory.hit_id, func.max(ClueHistory.at).label("ended_at"))
             .where(ClueHistory.to_state.in_(sorted(FINAL_STATES))).group_by(ClueHistory.hit_id).subquery("ended"))
    stmt = (select(ModelHit.model_key, ModelHit.state, ModelHit.outcome_kind, ModelHit.found_at, ModelHit.due_at,
                   func.coalesce(ended.c.ended_at, ModelHit.state_changed_at).label("ended_at"))
            .outerjoin(ended, ended.c.hit_id == ModelHit.id)
            .where(ModelHit.model_key.in_([m.key for m in models]), in_scope(scope, ModelHit.district_id)))
    df = read_frame(engine, stmt)
    out = []
    for m in models:
        g = df[df["model_key"] == m.key]
        state = g["state"]
        final = g[state.isin(FINAL_STATES)]
        days = ((pd.to_datetime(final["ended_at"]) - pd.to_datetime(final["found_at"])).dt.total_seconds()
                / 86400).dropna()
        months = pd.to_datetime(g["found_at"]).dt.strftime("%Y-%m").value_counts().sort_index()
        out.append(Efficacy(
            key=m.key, name_zh=m.name_zh, name_en=m.name_en, hits=len(g), handled=len(final),
            cases=int(((state == CASE) & (g["outcome_kind"] == OPEN_CASE)).sum()),
            suggestions=int(((state == CASE) & (g["outcome_kind"] == SUGGESTION)).sum()),
            no_case=int((state == NO_CASE).sum()), referred=int((state == REFERRED).sum()),
            open=int(state.isin(OPEN_STATES).sum()),
            overdue=sum(is_overdue(s, None if pd.isna(d) else pd.Timestamp(d).to_pydatetime(), now)
                        for s, d in zip(g["state"], g["due_at"])),
            median_days=round(float(days.median()), 1) if len(days) else None,
            by_month=tuple((str(k), int(v)) for k, v in months.items()), as_of=now))
    return out


efficacy_live = live(ttl=30)(efficacy)

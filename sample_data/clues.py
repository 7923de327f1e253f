"""Demo clues with a life: the models run once over the built data, the hits are spread over the
weeks before "now", and a few are moved along (triaged to a handler, checked, closed as a case, a
suggestion, no case with its reason, or referred) through ``queries.clues.transition`` itself, so
the 法律监督线索 page shows every state with its history and audit rows.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select, update

from domain.access import Actor
from domain.clues import CASE, CHECKING, NO_CASE, OPEN_CASE, REFERRED, SUGGESTION, decision_due
from domain.scope import ALL
from queries.clues import assignee_choices, models_in_effect, transition
from queries.models import run_all
from queries.schema import ModelHit

DEMO = Actor("演示数据", "样例生成")
NO_CASE_REASONS = ("经核查，相关行为已由行政机关处理完毕", "核查发现数据录入有误，实际未超期", "当事人已依法另案处理，无需监督")
MOVED_PER_MODEL = 60  # a few handled per model: enough to show every state and its history
REFER_TO = ("区市场监督管理局", "区生态环境局", "区公安分局法制支队")


def build(engine: Engine, spec, rng, ctx) -> int:
    models = models_in_effect(engine)
    run_all(engine, ctx.now, models)
    with engine.connect() as conn:
        hits = conn.execute(select(ModelHit.id, ModelHit.model_key, ModelHit.district_id)
                            .order_by(ModelHit.id)).all()
    # found over the last six weeks (the first run of a model finds the backlog)
    found = {}
    with engine.begin() as conn:
        for h in hits:
            at = ctx.now - dt.timedelta(days=int(rng.integers(0, 42)), hours=int(rng.integers(0, 9)))
            found[h.id] = at
            conn.execute(update(ModelHit).where(ModelHit.id == h.id).values(
                found_at=at, due_at=decision_due(at, models[h.model_key].decision_days)))
    moved: dict[str, int] = {}
    for h in hits:
        fate = rng.random()
        if fate < 0.45 or moved.get(h.model_key, 0) >= MOVED_PER_MODEL:  # left in triage (some overdue)
            continue
        moved[h.model_key] = moved.get(h.model_key, 0) + 1
        choices = assignee_choices(engine, ALL, h.id)
        if choices.empty:
            continue
        at = found[h.id]
        step = lambda days: min(ctx.now, at + dt.timedelta(days=days, hours=int(rng.integers(1, 8))))  # noqa: E731
        if fate > 0.92:  # plainly someone else's: referred from triage
            transition(engine, ALL, h.id, REFERRED, outcome_ref=str(rng.choice(REFER_TO)), actor=DEMO, now=step(0))
            continue
        transition(engine, ALL, h.id, CHECKING, assignee_id=int(choices['user_id'].iloc[0]), reason="分流至承办人核查",
                   actor=DEMO, now=step(0))
        if fate < 0.65:
            continue
        if fate < 0.75:
            kind = SUGGESTION if rng.random() < 0.6 else OPEN_CASE
            ref = f"沪检{'建' if kind == SUGGESTION else '立'}〔{ctx.now.year}〕{h.id}号"
            if h.model_key == "water_worse_than_v":
                kind, ref = SUGGESTION, f"沪奉检行公建〔{ctx.now.year}〕{h.id}号"
            transition(engine, ALL, h.id, CASE, outcome_kind=kind, outcome_ref=ref,
                       reason="核查属实", actor=DEMO, now=step(2))
        else:
            transition(engine, ALL, h.id, NO_CASE, reason=str(rng.choice(NO_CASE_REASONS)), actor=DEMO,
                       now=step(1))
    return len(hits)

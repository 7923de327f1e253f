"""The 法律监督线索 list with 10,000 clues (issue 13: must load within 200 ms). The clues are added
once to the benchmark database by a seeded generator (``bench:`` natural keys, so a second run adds
nothing), spread over the registered models, districts, states and assignees like real ones."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy import Engine, func, insert, select

from bench.harness import Row, median_ms, print_table
from domain import clock
from domain.clues import STATES, decision_due
from domain.scope import ALL, Scope
from queries import clues as q
from queries.schema import AppUser, Case, District, ModelHit

N = 10_000
TARGET_MS = 200.0


def seed_clues(engine: Engine, n: int = N, seed: int = 13) -> int:
    """Add ``n`` generated clues unless they are there already; returns how many were added."""
    with engine.connect() as c:
        if c.execute(select(func.count()).select_from(ModelHit).where(ModelHit.hit_key.like("bench:%"))).scalar_one():
            return 0
        districts = list(c.execute(select(District.id)).scalars())
        cases = list(c.execute(select(Case.id).limit(50_000)).scalars())
        users = list(c.execute(select(AppUser.id).where(AppUser.role.in_(("prosecutor", "supervision", "leader"))))
                     .scalars())
    models = q.models_in_effect(engine)
    keys = sorted(models)
    rng = np.random.default_rng(seed)
    now = clock.now()
    rows = []
    for i in range(n):
        key = keys[int(rng.integers(len(keys)))]
        found = now - dt.timedelta(days=int(rng.integers(0, 365)), minutes=int(rng.integers(0, 1440)))
        state = STATES[int(rng.choice(len(STATES), p=[0.4, 0.25, 0.15, 0.15, 0.05]))]
        case_id = int(cases[int(rng.integers(len(cases)))]) if cases else None
        rows.append(dict(model_key=key, hit_key=f"bench:{i}", version="bench", found_at=found, state=state,
                         due_at=decision_due(found, models[key].decision_days),
                         assignee_id=None if state == STATES[0] else int(users[int(rng.integers(len(users)))]),
                         district_id=int(districts[int(rng.integers(len(districts)))]), case_id=case_id,
                         group_key="bench", evidence=json.dumps(
                             {"case_id": case_id, "case_no": f"沪检〔2026〕{i}号", "stage": "审查起诉",
                              "days_overdue": round(float(rng.random() * 30), 1), "department": "第一检察部",
                              "suspect_seq": 1, "days_since": int(rng.integers(30, 400))}, ensure_ascii=False)))
    with engine.begin() as c:
        c.execute(insert(ModelHit), rows)
    return n


def run(engine: Engine) -> None:
    added = seed_clues(engine)
    with engine.connect() as c:
        total = c.execute(select(func.count()).select_from(ModelHit)).scalar_one()
        district = c.execute(select(ModelHit.district_id).where(ModelHit.hit_key.like("bench:%"))
                             .group_by(ModelHit.district_id).order_by(func.count().desc()).limit(1)).scalar_one()
    n = len(q.clue_list(engine, ALL, limit=None))
    shown = len(q.clue_list(engine, ALL))  # what the page loads: its limit is 10,000 rows
    rows = [Row(f"clue list as the page loads it, {shown:,} clues", median_ms(lambda: q.clue_list(engine, ALL)),
                target_ms=TARGET_MS, note=f"{total:,} hits stored, {added:,} added now"),
            Row(f"clue list, all {n:,} clues (no limit)", median_ms(lambda: q.clue_list(engine, ALL, limit=None)))]
    one = Scope((district,), grants=frozenset({"clues", "cases", "supervision"}))
    rows.append(Row("clue list, one district", median_ms(lambda: q.clue_list(engine, one, limit=None)),
                    note=f"{len(q.clue_list(engine, one, limit=None)):,} clues"))
    rows.append(Row("clue list, overdue only", median_ms(lambda: q.clue_list(engine, ALL, due="overdue", limit=None)),
                    note=f"{len(q.clue_list(engine, ALL, due='overdue', limit=None)):,} clues"))
    print_table("Legal-supervision clues (法律监督线索)", rows)
    print(f"\nclue list of {shown:,}: {rows[0].median_ms:.1f} ms, {rows[0].median_ms / TARGET_MS:.2f}× the "
          f"{TARGET_MS:g} ms target")

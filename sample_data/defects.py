"""A few realistic data defects in the sample, so the data-quality checks (``domain.quality``) have
something to show: real feeds carry them, and a demo where every check passes proves nothing.

- 完整性: ``CHARGELESS`` closed criminal cases imported with no charge (the export left 罪名 empty);
- 一致性: ``SKIPPING`` trial events recorded as coming from 审查起诉, skipping 提起公诉 (a wrong
  stage_from in the feed).
The case dates are left alone, so the timelines stay consistent (tests/test_foundation.py).
Deterministic for a seed; the same few at every scale.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import Engine, select, update

from queries.schema import Case, CaseEvent

CHARGELESS = 4
SKIPPING = 2
TRIAL = "开庭审理"


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    with engine.begin() as conn:
        closed = conn.execute(select(Case.id).where(Case.function == "刑事", Case.stage == "判决")
                              .order_by(Case.id)).scalars().all()
        chosen = sorted(int(i) for i in rng.choice(closed, size=min(CHARGELESS, len(closed)), replace=False))
        conn.execute(update(Case).where(Case.id.in_(chosen)).values(charge=None))
        trials = conn.execute(select(CaseEvent.id).where(CaseEvent.event_type == TRIAL,
                                                         CaseEvent.stage_from == "提起公诉")
                              .order_by(CaseEvent.id)).scalars().all()
        skipped = sorted(int(i) for i in rng.choice(trials, size=min(SKIPPING, len(trials)), replace=False))
        conn.execute(update(CaseEvent).where(CaseEvent.id.in_(skipped)).values(stage_from="审查起诉"))
    ctx.ids["defects"] = {"chargeless_cases": chosen, "skipping_events": skipped}
    return len(chosen) + len(skipped)

"""Live-feed hook for rivers: a few monitoring sites report this month's sample.

``tick(engine, now, rng)`` picks up to a handful of sites that have no sample for ``now``'s month,
derives each new sample from the site's previous one (a small random walk, now and then a pollution
spike), classifies it with ``domain.water`` and writes it. Returns the rows written (0 when every
site has already reported this month).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Engine, func, insert, select

from domain.periods import month_key
from domain.water import ASSESSED, classify
from queries.schema import MonitoringSite, WaterSample

PER_TICK = 5


def tick(engine: Engine, now: dt.datetime, rng: np.random.Generator, per_tick: int = PER_TICK) -> int:
    month = month_key(now)
    done = select(WaterSample.site_id).where(WaterSample.month == month)
    with engine.begin() as conn:
        waiting = conn.execute(select(func.count()).select_from(MonitoringSite)
                               .where(MonitoringSite.id.not_in(done))).scalar_one()
        if waiting == 0:
            return 0
        offset = int(rng.integers(max(1, waiting - per_tick + 1)))
        sites = conn.execute(select(MonitoringSite.id, MonitoringSite.river_id)
                             .where(MonitoringSite.id.not_in(done)).order_by(MonitoringSite.id)
                             .offset(offset).limit(per_tick)).all()
        rows = []
        for site_id, river_id in sites:
            prev = conn.execute(select(*[getattr(WaterSample, k) for k in (*ASSESSED, "tn", "ph")])
                                .where(WaterSample.site_id == site_id, WaterSample.month < month)
                                .order_by(WaterSample.month.desc()).limit(1)).first()
            base = dict(prev._mapping) if prev else {"do_mg": 6.5, "codmn": 4.5, "cod": 17.0, "bod5": 3.2,
                                                     "nh3n": 0.6, "tp": 0.15, "tn": 1.8, "ph": 7.4}
            spike = rng.random() < 0.03
            rec = {}
            for k in (*ASSESSED, "tn"):
                v = base.get(k)
                if v is None:
                    v = {"bod5": 3.2}.get(k, 1.0)
                f = float(rng.lognormal(0, 0.12))
                if spike and k in ("nh3n", "tp", "cod"):
                    f *= rng.uniform(1.8, 3.0)
                if k == "do_mg":
                    f = 1 / f if not spike else 0.5
                rec[k] = round(float(v) * f, 3 if k in ("nh3n", "tp") else 2)
            rec["ph"] = round(float(np.clip((base.get("ph") or 7.4) + rng.normal(0, 0.1), 6.3, 8.7)), 2)
            c = classify(rec)
            rows.append(dict(site_id=site_id, river_id=river_id, sampled_on=now.date(), month=month,
                             water_class=c.water_class, main_pollutants=c.pollutants_text() or None, **rec))
        if rows:
            conn.execute(insert(WaterSample), rows)
            try:
                from sample_data.build import bump_version

                bump_version(conn, now)
            except ImportError:  # pragma: no cover - build module always present in this repo
                pass
    return len(rows)

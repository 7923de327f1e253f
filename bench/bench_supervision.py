"""Supervision benchmarks (issue 5): latest positions of everyone, one person's track for a day,
the alert engine's throughput on one core, and the map payload for everyone's latest position."""
from __future__ import annotations

import datetime as dt
import time

import pandas as pd
from sqlalchemy import Engine, func, select, text

from bench.harness import Row, median_ms, print_table
from components.deck import payload_bytes
from components.supervision_map import base_layer, make_deck, positions_layers, zones_layer
from domain.access import OPERATOR
from domain.scope import SUPERVISION
from domain.supervision import engine as E
from queries import supervision as Q
from queries.schema import LocationPing, SupervisedPerson


def _latest_raw(engine: Engine) -> None:
    with engine.connect() as c:
        c.execute(text("SELECT id, last_lon, last_lat, last_ping_at, risk_code FROM supervised_person "
                       "WHERE status = '在管' AND last_lon IS NOT NULL")).fetchall()


def _latest_naive(engine: Engine) -> None:
    df = pd.read_sql(text("SELECT supervised_id, ts, lon, lat FROM location_ping"), engine)
    df.sort_values(["supervised_id", "ts"]).groupby("supervised_id").tail(1)


def run(engine: Engine) -> None:
    rows: list[Row] = []
    with engine.connect() as c:
        n_pings = c.execute(select(func.count()).select_from(LocationPing)).scalar_one()
        n_people = c.execute(select(func.count()).select_from(SupervisedPerson)
                             .where(SupervisedPerson.status == "在管")).scalar_one()
        sid, last = c.execute(select(SupervisedPerson.id, SupervisedPerson.last_ping_at)
                              .where(SupervisedPerson.last_ping_at.is_not(None))
                              .order_by(SupervisedPerson.id).limit(1)).one()
    if not n_pings:
        print("\n## Supervision\n\n(no supervision data in this database)")
        return
    note = f"{n_people:,} active, {n_pings:,} pings"

    ms = median_ms(lambda: Q.latest_positions(engine, SUPERVISION))
    raw = median_ms(lambda: _latest_raw(engine))
    naive = median_ms(lambda: _latest_naive(engine), repeat=1, warmup=0)
    rows.append(Row("latest positions of everyone (with alerts)", ms, 100, raw, naive, note))

    start = dt.datetime.combine(last.date() - dt.timedelta(days=1), dt.time())  # a full day
    end = start + dt.timedelta(days=1)
    ms = median_ms(lambda: Q.person_track(engine, SUPERVISION, int(sid), start, end, actor=OPERATOR,
                                          purpose="基准测试"))

    def track_raw() -> None:
        with engine.connect() as c:
            c.execute(select(LocationPing.ts, LocationPing.lon, LocationPing.lat).where(
                LocationPing.supervised_id == int(sid), LocationPing.ts >= start, LocationPing.ts <= end)).fetchall()

    with engine.connect() as c:
        n_day = c.execute(select(func.count()).select_from(LocationPing).where(
            LocationPing.supervised_id == int(sid), LocationPing.ts >= start, LocationPing.ts <= end)).scalar_one()
    rows.append(Row("one person's track for a day (audited)", ms, 50, median_ms(track_raw), None,
                    f"{n_day} pings; includes the audit-log write"))

    # the engine over a batch: the newest 4 hours of everyone's pings
    with engine.connect() as c:
        t_end = c.execute(select(func.max(LocationPing.ts))).scalar_one()
        batch = Q.read_ping_window(c, t_end - dt.timedelta(hours=4))
        fences = Q.load_fencebook(c)
        leaves = Q.load_leaves(c, t_end - dt.timedelta(days=7))
    E.evaluate(batch.take(slice(0, 1000)), fences, leaves)  # warm the geometry
    t0 = time.perf_counter()
    res = E.evaluate(batch, fences, leaves)
    secs = time.perf_counter() - t0
    ms = median_ms(lambda: E.evaluate(batch, fences, leaves), repeat=3)
    rate = len(batch) / (ms / 1000)
    rows.append(Row(f"alert engine, {len(batch):,} pings", ms, len(batch) / 20_000 * 1000, None, None,
                    f"{rate:,.0f} pings/s on one core (target ≥ 20,000); {len(res.events)} events; "
                    f"first run {secs * 1000:.0f} ms"))

    def build_map() -> int:
        pos = Q.latest_positions(engine, SUPERVISION)
        layers = [base_layer(Q.district_shapes(engine), pos["home_district_id"].unique().tolist()),
                  zones_layer(Q.banned_zones(engine, SUPERVISION)), *positions_layers(pos, True)]
        return payload_bytes(make_deck(layers))

    size = build_map()
    ms = median_ms(build_map, repeat=3)
    rows.append(Row("map payload for everyone (KB, not ms)", size / 1024, 1024, None, None,
                    f"{size:,} bytes of deck JSON; built in {ms:.0f} ms"))
    print_table("Supervision (issue 5)", rows)

"""Legal-supervision models at city scale (issue 13): a full run of every model (target < 10 s in
all), a run over unchanged inputs (writes nothing), and an incremental run after 1,000 new case events
from the live feed (target < 1 s), each model's time printed, with the ratio to the target.

Runs on a copy of the cached benchmark database (runs write hits and the feed writes events; the
cached one stays as built). With ``BENCH_DATABASE_URL`` it runs in that database itself.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from domain import clock
from queries.models import run_all

FULL_TARGET_S = 10.0
INCREMENTAL_TARGET_S = 1.0
NEW_EVENTS = 1000


def _copy(engine: Engine) -> tuple[Engine, Path | None]:
    if engine.dialect.name != "sqlite":
        return engine, None
    src = Path(engine.url.database)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    tmp = Path(tempfile.mkdtemp(prefix="bench_models_"))
    dst = tmp / src.name
    shutil.copyfile(src, dst)
    from queries.db import create_database

    return create_database(f"sqlite:///{dst}"), tmp


def _timed(engine: Engine, now, full: bool = False):
    t0 = time.perf_counter()
    results = run_all(engine, now, full=full)
    return results, time.perf_counter() - t0


def _print(title: str, results, total: float, target: float | None) -> None:
    print(f"\n## {title}\n")
    print(f"| {'model':<28} | {'mode':<11} | {'hits':>7} | {'new':>6} | {'seconds':>8} |")
    print(f"|{'-' * 30}|{'-' * 13}|{'-' * 9}|{'-' * 8}|{'-' * 10}|")
    for r in results:
        print(f"| {r.key:<28} | {r.mode:<11} | {r.hits_found:>7} | {r.new_hits:>6} | {r.seconds:>8.3f} |")
    ratio = f", {total / target:.2f}× the target of {target:g} s {'✓' if total <= target else '✗'}" if target else ""
    print(f"\nall models: {total:.3f} s{ratio}")


def run(engine: Engine) -> None:
    from sample_data.live_feed import tick

    work, tmp = _copy(engine)
    try:
        now = clock.now()
        results, total = _timed(work, now, full=True)
        _print("Models: full run of every model (city scale)", results, total, FULL_TARGET_S)
        results, total = _timed(work, now)
        _print("Models: second run over unchanged inputs (writes nothing)", results, total, None)
        t0 = time.perf_counter()
        tick(work, now, np.random.default_rng(13), NEW_EVENTS)
        feed_s = time.perf_counter() - t0
        results, total = _timed(work, now)
        _print(f"Models: incremental run after {NEW_EVENTS:,} new live-feed case events "
               f"(written in {feed_s:.1f} s; same clock hour)", results, total, INCREMENTAL_TARGET_S)
    finally:
        if tmp is not None:
            work.dispose()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    from bench.harness import city_engine

    run(city_engine())

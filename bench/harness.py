"""Shared benchmark plumbing: the cached city-scale database, medians, and the printed table."""
from __future__ import annotations

import fcntl
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from domain.settings import ROOT
from queries.db import create_database, is_empty

BENCH_DB = Path(os.environ.get("BENCH_DB", ROOT / "data" / "bench_city.sqlite3"))


def _marker(scale: str) -> str:
    from sample_data.build import STEPS

    return json.dumps({"scale": scale, "steps": STEPS})


def city_engine(scale: str = "city") -> Engine:
    """The benchmark database, built once and reused; rebuilt when the sample steps change.

    Built into a temporary file under an exclusive lock and moved into place, so two benchmark
    runs never build at the same time or see a half-built database.
    """
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:  # an external database (e.g. PostgreSQL) that the operator filled
        engine = create_database(url)
        if is_empty(engine):
            from sample_data.build import build

            build(engine, scale=scale, seed=20240601)
        return engine
    path = BENCH_DB if scale == "city" else BENCH_DB.with_name(f"bench_{scale}.sqlite3")
    marker = path.with_suffix(".built")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path.exists() and marker.exists() and marker.read_text() == _marker(scale)):
            from sample_data.build import build

            tmp = path.with_name(path.name + ".building")
            for f in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                f.unlink(missing_ok=True)
            print(f"building the {scale} benchmark database once at {path} ...", file=sys.stderr)
            t0 = time.perf_counter()
            engine = create_database(f"sqlite:///{tmp}")
            build(engine, scale=scale, seed=20240601)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.exec_driver_sql("ANALYZE")
            engine.dispose()
            for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                f.unlink(missing_ok=True)
            os.replace(tmp, path)
            marker.write_text(_marker(scale))
            print(f"built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return create_database(f"sqlite:///{path}")


def median_ms(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


@dataclass
class Row:
    name: str
    median_ms: float
    target_ms: float | None = None  # the goal, if any
    raw_ms: float | None = None  # the same SQL run directly on the engine
    naive_ms: float | None = None  # load the table into pandas and aggregate there
    note: str = ""

    @property
    def overhead(self) -> float | None:
        return self.median_ms / self.raw_ms if self.raw_ms else None

    @property
    def speedup(self) -> float | None:
        return self.naive_ms / self.median_ms if self.naive_ms else None


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n## {title}\n")
    print(f"| {'measure':<44} | {'median ms':>10} | {'target':>8} | {'vs raw SQL':>10} | {'vs naive pandas':>15} | note")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 10}|{'-' * 12}|{'-' * 17}|------")
    for r in rows:
        tgt = f"{r.target_ms:g}" if r.target_ms is not None else ""
        ok = "" if r.target_ms is None else (" ✓" if r.median_ms <= r.target_ms else " ✗")
        ov = f"{r.overhead:.2f}×" if r.overhead else ""
        sp = f"{r.speedup:.1f}× faster" if r.speedup else ""
        print(f"| {r.name:<44} | {r.median_ms:>10.2f} | {tgt:>8} | {ov:>10} | {sp:>15} | {r.note}{ok}")
    sys.stdout.flush()

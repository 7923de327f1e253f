"""Shared benchmark plumbing: the cached city-scale database, medians, and the printed table."""
from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine

from queries.db import ROOT, is_empty, make_engine, upgrade

BENCH_DB = Path(os.environ.get("BENCH_DB", ROOT / "data" / "bench_city.sqlite3"))


def city_engine(scale: str = "city") -> Engine:
    """The benchmark database, built once and reused (delete the file to rebuild)."""
    path = BENCH_DB if scale == "city" else BENCH_DB.with_name(f"bench_{scale}.sqlite3")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    if is_empty(engine):
        from sample_data.build import build

        print(f"building the {scale} benchmark database once at {url} ...", file=sys.stderr)
        t0 = time.perf_counter()
        build(engine, scale=scale, seed=20240601)
        print(f"built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return engine


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

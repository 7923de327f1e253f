"""Build the embedded database from code with a fixed seed, at one of four scales.

``tiny`` is for tests, ``demo`` (default) for ``make run``, ``city`` for benchmarks at Shanghai
magnitudes (procuratorate.md §7), ``stress`` about ten times city. Each step is a module of this
package with ``build(engine, spec, rng, ctx) -> rows``; the orchestrator times them and reports rows
per second.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, delete, insert, update

from domain import clock
from queries.schema import DataVersion


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    years: int  # span of case history ending "now"
    cases: int  # cases accepted over that span, all districts
    supervised: int  # supervised persons (non-custodial)
    ping_days: int  # days of location pings
    ping_every_min: int
    rivers: int  # Fengxian river network size
    sample_months: int  # months of water samples
    synthetic_sentencing: int  # dated synthetic sentencing records


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec("tiny", 2, 3_000, 60, 1, 30, 300, 12, 4_000),
    "demo": ScaleSpec("demo", 2, 20_000, 300, 2, 10, 4_041, 24, 40_000),
    "city": ScaleSpec("city", 3, 150_000, 5_000, 7, 10, 4_041, 36, 500_000),
    "stress": ScaleSpec("stress", 3, 1_500_000, 50_000, 7, 10, 4_041, 36, 5_000_000),
}

# Order matters: later steps use what earlier ones created (districts, users, cases, persons).
STEPS: list[str] = [
    "sample_data.core",
    "sample_data.sentencing",
    "sample_data.rivers",
    "sample_data.documents",
    "sample_data.supervision",
    "sample_data.screens",
    "sample_data.model_plants",
    "sample_data.defects",  # a few planted data-quality defects (issue 13)
    "sample_data.clues",  # issue 13: run the models over the built data and move a few clues along
]


@dataclass
class BuildContext:
    now: dt.datetime
    seed: int
    progress: bool = True
    ids: dict[str, object] = field(default_factory=dict)  # shared between steps
    timings: list[tuple[str, int, float]] = field(default_factory=list)

    def bar(self, total: int, desc: str):
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="rows", disable=not self.progress, file=sys.stderr,
                    dynamic_ncols=True, leave=False)


def build(engine: Engine, scale: str = "demo", seed: int = 20240601, progress: bool = True,
          now: dt.datetime | None = None) -> BuildContext:
    """Fill an empty, migrated database. Deterministic for a given (scale, seed, now)."""
    spec = SCALES[scale]
    ctx = BuildContext(now=(now or clock.now()).replace(second=0, microsecond=0), seed=seed,
                       progress=progress)
    for i, modname in enumerate(STEPS):
        mod = importlib.import_module(modname)
        rng = np.random.default_rng([seed, i])
        t0 = time.perf_counter()
        rows = mod.build(engine, spec, rng, ctx)
        secs = time.perf_counter() - t0
        ctx.timings.append((modname.rsplit(".", 1)[-1], rows, secs))
        if progress:
            print(f"  {modname.rsplit('.', 1)[-1]:<12} {rows:>10,} rows  {secs:6.1f} s  "
                  f"{rows / max(secs, 1e-9):>10,.0f} rows/s", file=sys.stderr)
    with engine.begin() as conn:
        conn.execute(delete(DataVersion))
        conn.execute(insert(DataVersion).values(id=1, version=1, updated_at=ctx.now, scale=scale))
    return ctx


def bump_version(conn, at: dt.datetime) -> None:
    """Mark that new data arrived (the live feed calls this in the same transaction)."""
    conn.execute(update(DataVersion).where(DataVersion.id == 1)
                 .values(version=DataVersion.version + 1, updated_at=at))


def main(argv: list[str] | None = None) -> int:
    from queries.db import create_database, is_empty

    p = argparse.ArgumentParser(description="Build the sample database")
    p.add_argument("--scale", choices=list(SCALES), default="demo")
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--url", default=None, help="database URL (default: DATABASE_URL or data/jcy.sqlite3)")
    p.add_argument("--if-empty", action="store_true", help="do nothing when data is already there")
    args = p.parse_args(argv)
    engine = create_database(args.url)  # the explicit creation step (make run's first)
    if args.if_empty and not is_empty(engine):
        print("database already has data; not rebuilding", file=sys.stderr)
        return 0
    if not is_empty(engine):
        print("database is not empty; use a fresh file or drop it first", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    ctx = build(engine, args.scale, args.seed)
    total = sum(r for _, r, _ in ctx.timings)
    secs = time.perf_counter() - t0
    print(f"built scale={args.scale}: {total:,} rows in {secs:.1f} s ({total / secs:,.0f} rows/s)",
          file=sys.stderr)
    if args.scale == "demo":
        from sample_data import demo_accounts

        path = demo_accounts.write(engine, ctx.ids["passwords"], ctx.ids.get("screen_keys"))
        print("\n".join(demo_accounts.lines(engine, ctx.ids["passwords"], ctx.ids.get("screen_keys"))))
        print(f"\n以上账号与初始密码已写入 {path}（仅本机当前用户可读，权限 600）；首次登录须修改密码并绑定动态验证码。\n"
              f"The accounts above are in {path} (mode 600, readable by you only).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

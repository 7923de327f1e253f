"""`make bench`: every area's benchmarks at city scale, printed as tables with ratios."""
from __future__ import annotations

import argparse
import importlib
import logging
import time

from bench.harness import city_engine

# One module per area; each has run(engine) that prints its own table(s).
MODULES: list[str] = [
    "bench.bench_auth",
    "bench.bench_supervision",
    "bench.bench_portal",
    "bench.bench_rivers",
    "bench.bench_sentencing",
    "bench.bench_cases",
    "bench.bench_screen",
    "bench.bench_models",
    "bench.bench_quality",  # data-quality checks and catalogue (issue 13)
    "bench.bench_clues",
]


def main(argv: list[str] | None = None) -> int:
    # Components built outside a Streamlit server warn on every call ("bare mode"); not news here.
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    p = argparse.ArgumentParser()
    p.add_argument("--only", help="run only modules whose name contains this")
    p.add_argument("--scale", default="city")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    engine = city_engine(args.scale)
    print(f"# Benchmarks (scale={args.scale}, database {engine.url.render_as_string(hide_password=True)})")
    for name in MODULES:
        if args.only and args.only not in name:
            continue
        importlib.import_module(name).run(engine)
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

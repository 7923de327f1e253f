"""Data-quality checks and the data catalogue at city scale (issue 13): one full run of every check
(what ``jcy models run`` adds before the models) and the catalogue page's query."""
from __future__ import annotations

from sqlalchemy import Engine

from bench.harness import Row, median_ms, print_table
from domain.scope import ALL
from queries import catalogue, quality


def run(engine: Engine) -> None:
    n = len(quality.all_checks())
    print_table("Data quality and catalogue", [
        Row(f"run_checks: all {n} checks, results stored", median_ms(lambda: quality.run_checks(engine), 3, 1)),
        Row("dataset_scores (latest run)", median_ms(lambda: quality.dataset_scores(engine, ALL), 5, 1)),
        Row("catalogue: every table, rows and last update", median_ms(lambda: catalogue.catalogue(engine, ALL), 3, 1)),
        Row("failing_rows: case_charge_present, 100 rows",
            median_ms(lambda: quality.failing_rows(engine, ALL, "case_charge_present"), 5, 1)),
    ])

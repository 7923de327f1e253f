"""Run a Core statement and return a DataFrame with the same dtypes on SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, Executable


def read_frame(engine: Engine, stmt: Executable, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Execute and build a frame; numeric SQL results (Decimal on PostgreSQL) become floats/ints."""
    with engine.connect() as conn:
        res = conn.execute(stmt, params or {})
        cols = list(res.keys())
        # plain tuples: pandas probes each Row for array attributes, and every probe of a
        # SQLAlchemy Row raises and catches an exception (a third of the time on small results)
        rows = [tuple(r) for r in res.fetchall()]
    df = pd.DataFrame.from_records(rows, columns=cols)
    # PostgreSQL returns NUMERIC aggregates as Decimal; SQLite never does. One value per column tells.
    for i, col in enumerate(cols):
        first = next((r[i] for r in rows if r[i] is not None), None)
        if type(first).__name__ == "Decimal":
            df[col] = pd.to_numeric(df[col])
    return df


def read_rows(engine: Engine, stmt: Executable, params: dict[str, Any] | None = None) -> list[tuple]:
    """Plain row tuples, for queries whose rows are reshaped in Python before a frame is built."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt, params or {}).fetchall()]


def scalar(engine: Engine, stmt: Executable, params: dict[str, Any] | None = None) -> Any:
    with engine.connect() as conn:
        v = conn.execute(stmt, params or {}).scalar()
    return float(v) if type(v).__name__ == "Decimal" else v

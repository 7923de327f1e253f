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
        rows = res.fetchall()
    df = pd.DataFrame.from_records(rows, columns=cols)
    for c in df.columns:
        if df[c].dtype == object and len(df):
            first = df[c].first_valid_index()
            if first is not None and type(df[c].iat[df.index.get_loc(first)]).__name__ == "Decimal":
                df[c] = pd.to_numeric(df[c])
    return df


def scalar(engine: Engine, stmt: Executable, params: dict[str, Any] | None = None) -> Any:
    with engine.connect() as conn:
        v = conn.execute(stmt, params or {}).scalar()
    return float(v) if type(v).__name__ == "Decimal" else v

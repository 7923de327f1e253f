"""Bulk writes used by the sample-data builder, the importer and the live feed."""
from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd
from sqlalchemy import Connection, Table, insert

CHUNK = 5000


def _records(rows: pd.DataFrame | Sequence[dict]) -> list[dict]:
    if isinstance(rows, pd.DataFrame):
        df = rows.astype(object).where(rows.notna(), None)
        return df.to_dict("records")
    return list(rows)


def bulk_insert(conn: Connection, table: Table, rows: pd.DataFrame | Iterable[dict]) -> int:
    """Insert rows in chunks with bound parameters (executemany / insertmanyvalues)."""
    recs = _records(rows if isinstance(rows, pd.DataFrame) else list(rows))
    for i in range(0, len(recs), CHUNK):
        conn.execute(insert(table), recs[i : i + CHUNK])
    return len(recs)

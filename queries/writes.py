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


def add_person(conn: Connection, *, full_name: str, id_number: str, phone: str | None,
               district_id: int | None, public_id: str, birth_date=None) -> int:
    """Store one person: the identity number and phone go in only as keyed hash plus mask."""
    from domain.identity import birth_date as id_birth_date, gender
    from domain.masking import mask_id, mask_name, mask_phone
    from queries.crypto import hash_id_number, hash_phone
    from queries.schema import Person

    return conn.execute(insert(Person).values(
        public_id=public_id, full_name=full_name, name_masked=mask_name(full_name),
        gender=gender(id_number), birth_date=birth_date or id_birth_date(id_number),
        id_hash=hash_id_number(id_number), id_masked=mask_id(id_number),
        phone_hash=hash_phone(phone) if phone else None, phone_masked=mask_phone(phone) if phone else None,
        district_id=district_id).returning(Person.id)).scalar_one()

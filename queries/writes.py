"""Bulk writes used by the sample-data builder, the importer and the live feed, and the one rule for
what a stored person (or phone number) looks like."""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import pandas as pd
from sqlalchemy import Connection, Engine, Table, func, insert, select

from domain.identity import gender
from domain.masking import mask_id, mask_name, mask_phone
from queries.crypto import hash_id_number, hash_phone
from queries.schema import Person

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


def fix_pg_sequences(engine: Engine, *models: type) -> None:
    """After inserts with explicit ids, move PostgreSQL's id sequences past them (the next insert
    without an id would collide otherwise). SQLite needs nothing. Names are bound, not formatted."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for m in models:
            table = m.__table__
            top = conn.execute(select(func.max(table.c.id))).scalar() or 0
            conn.execute(select(func.setval(func.pg_get_serial_sequence(f'"{table.name}"', "id"), top + 1, False)))


def phone_columns(phone: str | None) -> dict[str, str | None]:
    """A phone number as stored: keyed hash (to match a login) plus mask (to show); never clear."""
    if not phone:
        return {"phone_hash": None, "phone_masked": None}
    return {"phone_hash": hash_phone(phone), "phone_masked": mask_phone(phone)}


def person_columns(full_name: str, id_number: str, phone: str | None) -> dict[str, Any]:
    """The identity columns of a person row, from the clear name, ID number and phone.

    Why one function: every writer (builder, importer, live feed) must store the ID number and
    phone only as keyed hash plus mask, with the same masks; gender comes from the ID. The birth date
    is not stored: with the masked number it gave the whole number back.
    """
    return {"full_name": full_name, "name_masked": mask_name(full_name), "gender": gender(id_number),
            "id_hash": hash_id_number(id_number),
            "id_masked": mask_id(id_number), **phone_columns(phone)}


def add_person(conn: Connection, *, full_name: str, id_number: str, phone: str | None,
               district_id: int | None, public_id: str) -> int:
    """Store one person (``person_columns``) and return its id."""
    return conn.execute(insert(Person).values(
        public_id=public_id, district_id=district_id, **person_columns(full_name, id_number, phone)
    ).returning(Person.id)).scalar_one()

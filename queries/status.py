"""What is in the database: row counts, the sample scale and the live feed's heartbeat."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from queries.cache import live
from queries.schema import (
    AuditLog, Case, CaseEvent, DataVersion, District, Document, LocationPing, River,
    SentencingRecord, SupervisedPerson, WaterSample,
)

_COUNTED = {
    "district": District, "case": Case, "case_event": CaseEvent,
    "sentencing_record": SentencingRecord, "supervised_person": SupervisedPerson,
    "location_ping": LocationPing, "river": River, "water_sample": WaterSample,
    "document": Document, "audit_log": AuditLog,
}


@dataclass(frozen=True)
class DataStatus:
    counts: tuple[tuple[str, int], ...]
    version: int
    updated_at: dt.datetime | None
    scale: str | None


def data_status(engine: Engine) -> DataStatus:
    with engine.connect() as conn:
        counts = tuple((name, conn.execute(select(func.count()).select_from(model)).scalar_one())
                       for name, model in _COUNTED.items())
        row = conn.execute(select(DataVersion.version, DataVersion.updated_at, DataVersion.scale)
                           .where(DataVersion.id == 1)).first()
    if row is None:
        return DataStatus(counts, 0, None, None)
    return DataStatus(counts, row.version, row.updated_at, row.scale)


def data_version(engine: Engine) -> tuple[int, dt.datetime | None]:
    """The live feed's heartbeat: a cheap "has anything changed?" read."""
    with engine.connect() as conn:
        row = conn.execute(select(DataVersion.version, DataVersion.updated_at)
                           .where(DataVersion.id == 1)).first()
    return (row.version, row.updated_at) if row else (0, None)


data_status_live = live(ttl=30)(data_status)

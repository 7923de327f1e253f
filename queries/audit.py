"""The audit log (等保 level 3 安全审计): date-time, user, event, target, result, detail."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from domain import clock
from domain.masking import scrub_text
from queries.frames import read_frame
from queries.schema import AuditLog


def record(conn: Connection, *, actor: str, role: str, event: str, result: str,
           target: str | None = None, detail: str | None = None,
           at: dt.datetime | None = None) -> None:
    """Write one audit row in the caller's transaction; ID and phone numbers are masked."""
    conn.execute(insert(AuditLog).values(
        at=at or clock.now_precise(), actor=scrub_text(actor)[:60], actor_role=role[:20],
        event=event[:40], target=scrub_text(target)[:80] if target else None,
        result=result[:20], detail=scrub_text(detail)[:300] if detail else None,
    ))


def recent(engine: Engine, limit: int = 200, event: str | None = None) -> pd.DataFrame:
    stmt = select(AuditLog.at, AuditLog.actor, AuditLog.actor_role, AuditLog.event,
                  AuditLog.target, AuditLog.result, AuditLog.detail)
    if event:
        stmt = stmt.where(AuditLog.event == event)
    return read_frame(engine, stmt.order_by(AuditLog.id.desc()).limit(limit))

"""The audit log (等保 level 3 安全审计): date-time, user, event, target, result, detail."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from domain import clock
from domain.access import Actor
from domain.masking import scrub_text
from queries.frames import read_frame
from queries.schema import AuditLog


def record(conn: Connection, *, actor: str | Actor, event: str, result: str, role: str | None = None,
           target: str | None = None, detail: str | None = None,
           at: dt.datetime | None = None) -> None:
    """Write one audit row in the caller's transaction; ID and phone numbers are masked.

    ``actor`` is an ``Actor`` (the signed-in account, with role, procuratorate and client address)
    or, for the portal's anonymous steps, a masked name with its ``role``."""
    who = actor if isinstance(actor, Actor) else Actor(actor, role or "-")
    conn.execute(insert(AuditLog).values(
        at=at or clock.now_precise(), actor=scrub_text(who.name)[:60], actor_role=(role or who.role)[:20],
        event=event[:40], target=scrub_text(target)[:80] if target else None,
        result=result[:20], detail=scrub_text(detail)[:300] if detail else None,
        actor_procuratorate=who.procuratorate[:60] if who.procuratorate else None,
        client_addr=who.client_addr[:64] if who.client_addr else None,
    ))


def recent(engine: Engine, limit: int = 200, event: str | None = None) -> pd.DataFrame:
    stmt = select(AuditLog.at, AuditLog.actor, AuditLog.actor_role, AuditLog.event,
                  AuditLog.target, AuditLog.result, AuditLog.detail)
    if event:
        stmt = stmt.where(AuditLog.event == event)
    return read_frame(engine, stmt.order_by(AuditLog.id.desc()).limit(limit))

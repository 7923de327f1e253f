"""The audit log (等保 level 3 安全审计): who (account, role, procuratorate, client address), when,
what, on what, with what result; chained by keyed hashes so that it stands as evidence.

- ``record`` writes one entry in the caller's transaction and links it to the chain's head
  (``domain.audit_chain``). It first touches the one ``audit_chain`` row, which takes that row's
  write lock (PostgreSQL) or the database's (SQLite) until the caller commits, so concurrent writers
  form one linear chain. Call it late in a transaction: the lock is held until the commit.
- ``verify`` walks the chain; ``export`` writes it out as CSV with its hashes and notes how far it
  has been exported; ``purge`` removes entries older than the retention period (180 days,
  Cybersecurity Law art. 21) that have been exported, moves the chain's base, and is audited.
- Only the security auditor (permission ``audit``) reads, checks, exports or purges the log: every
  function here that returns entries takes the account (``Staff``) or a ``Scope`` and refuses
  (``AccessDenied``) without that permission. The operator's scopes (``domain.scope.ALL``: CLI,
  tests) hold every permission.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, CursorResult, Engine, bindparam, delete, func, insert, select, true, update

from domain import clock
from domain.access import OPERATOR, AccessDenied, Actor, Staff
from domain.audit_chain import (CHECK_EVENT, EXPORT_EVENT, PURGE_EVENT, ChainCheck, Entry, Head, base_note,
                                canonical, check)
from domain.masking import scrub_text
from domain.scope import Scope
from queries.crypto import keyed_hash
from queries.frames import read_frame
from queries.schema import AuditChain, AuditLog

RETENTION_DAYS = 180  # Cybersecurity Law art. 21: network logs kept at least six months
PERMISSION = "audit"
_CHAIN = AuditChain.id == 1
_COLUMNS = (AuditLog.id, AuditLog.at, AuditLog.actor, AuditLog.actor_role, AuditLog.actor_procuratorate,
            AuditLog.client_addr, AuditLog.event, AuditLog.target, AuditLog.result, AuditLog.detail)
_ENTRY = (*_COLUMNS, AuditLog.prev_hash, AuditLog.row_hash)

Principal = Staff | Scope


class PurgeRefused(ValueError):
    """A purge the retention rules do not allow; ``zh`` says why, for the auditor."""

    def __init__(self, zh: str) -> None:
        super().__init__(zh)
        self.zh = zh


def _sign(text: str) -> str:
    return keyed_hash(text, "audit")


def _shanghai(at: dt.datetime) -> dt.datetime:
    """Stored times are naive Shanghai times; an aware time is converted, not mislabelled."""
    if at.tzinfo is not None:
        at = at.astimezone(clock.SHANGHAI).replace(tzinfo=None)
    return at


def record(conn: Connection, *, actor: str | Actor, event: str, result: str, role: str | None = None,
           target: str | None = None, detail: str | None = None,
           at: dt.datetime | None = None) -> None:
    """Write one audit row in the caller's transaction, chained to the previous one; ID and phone
    numbers are masked.

    ``actor`` is an ``Actor`` (the signed-in account, with role, procuratorate and client address)
    or, for the portal's anonymous steps, a masked name with its ``role``."""
    who = actor if isinstance(actor, Actor) else Actor(actor, role or "-")
    values = dict(
        at=_shanghai(at or clock.now_precise()), actor=scrub_text(who.name)[:60],
        actor_role=(role or who.role)[:20],
        actor_procuratorate=who.procuratorate[:60] if who.procuratorate else None,
        client_addr=who.client_addr[:64] if who.client_addr else None,
        event=event[:40], target=scrub_text(target)[:80] if target else None,
        result=result[:20], detail=scrub_text(detail)[:300] if detail else None,
    )
    # The lock first: a no-op update holds the chain row (PostgreSQL) or the database (SQLite)
    # until the caller commits; after it the head read here is the newest committed one, and the
    # next id is taken under the lock, so ids grow along the chain. Three statements in all.
    head = conn.execute(_LOCK_PG if conn.dialect.name == "postgresql" else _LOCK_SQLITE).first()
    if head is None:
        raise RuntimeError("the audit_chain row is missing: migrate the database (`jcy db upgrade`)")
    prev, new_id = head[0], int(head[1])
    row_hash = _sign(canonical(Entry(id=new_id, prev_hash=prev, **values)))
    conn.execute(_INSERT, {**values, "id": new_id, "prev_hash": prev, "row_hash": row_hash})
    conn.execute(_ADVANCE, {"new_id": new_id, "new_hash": row_hash})


# record()'s statements, built once (building them per call cost more than running them on SQLite).
# The new id: PostgreSQL's own sequence; on SQLite what it would pick itself (one past the
# largest), never below the head, so the ids of deleted newest entries are not reused.
_LOG, _HEAD = AuditLog.__table__, AuditChain.__table__
_LOCK = update(_HEAD).where(_HEAD.c.id == 1).values(last_id=_HEAD.c.last_id)
_LOCK_PG = _LOCK.returning(_HEAD.c.last_hash, func.nextval(func.pg_get_serial_sequence("audit_log", "id")))
_LOCK_SQLITE = _LOCK.returning(_HEAD.c.last_hash, func.max(
    _HEAD.c.last_id, select(func.coalesce(func.max(_LOG.c.id), 0)).scalar_subquery()) + 1)
_INSERT = insert(_LOG)
_ADVANCE = update(_HEAD).where(_HEAD.c.id == 1).values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))


# ----------------------------------------------------------------------------- who may read it


def _require(who: Principal) -> None:
    """The security auditor only (the query layer's own check, behind the page's)."""
    if isinstance(who, Staff):
        allowed = who.may(PERMISSION)
    elif isinstance(who, Scope):
        allowed = who.grants_permission(PERMISSION)
    else:
        raise TypeError(f"an account or a scope is needed, not {type(who).__name__}")
    if not allowed:
        raise AccessDenied("只有安全审计员可以查阅、导出或清理审计日志")


def _actor(who: Principal, client_addr: str | None) -> Actor:
    return Actor.of(who, client_addr) if isinstance(who, Staff) else OPERATOR


def _refuse(engine: Engine, who: Principal, client_addr: str | None, event: str, why: str) -> None:
    """A refused export or purge is evidence too (someone tried to take or remove the log)."""
    with engine.begin() as conn:
        record(conn, actor=_actor(who, client_addr), event=event, target="audit_log", result="拒绝",
               detail=why)


def _guarded(engine: Engine, who: Principal, client_addr: str | None, event: str) -> None:
    try:
        _require(who)
    except AccessDenied:
        if isinstance(who, Staff):
            _refuse(engine, who, client_addr, event, "无权操作审计日志")
        raise


# ----------------------------------------------------------------------------- reading


def search(engine: Engine, who: Principal, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
           event: str | None = None, actor: str | None = None, result: str | None = None,
           limit: int = 500) -> pd.DataFrame:
    """The newest entries first, filtered: ``start <= at < end``, exact event and result, the actor's
    name containing ``actor``."""
    _require(who)
    stmt = select(*_COLUMNS)
    if start is not None:
        stmt = stmt.where(AuditLog.at >= start)
    if end is not None:
        stmt = stmt.where(AuditLog.at < end)
    if event:
        stmt = stmt.where(AuditLog.event == event)
    if result:
        stmt = stmt.where(AuditLog.result == result)
    if actor:
        stmt = stmt.where(AuditLog.actor.contains(actor.strip(), autoescape=True))
    return read_frame(engine, stmt.order_by(AuditLog.id.desc()).limit(max(1, min(int(limit), 10_000))))


def recent(engine: Engine, who: Principal, limit: int = 200, event: str | None = None) -> pd.DataFrame:
    """The newest ``limit`` entries (of one event)."""
    return search(engine, who, event=event, limit=limit)


def _distinct(engine: Engine, who: Principal, col) -> list[str]:
    _require(who)
    with engine.connect() as conn:
        return list(conn.execute(select(col).distinct().order_by(col)).scalars())


def events(engine: Engine, who: Principal) -> list[str]:
    """The event names present, for the page's filter."""
    return _distinct(engine, who, AuditLog.event)


def results(engine: Engine, who: Principal) -> list[str]:
    """The results present (成功, 失败, 拒绝 …), for the page's filter."""
    return _distinct(engine, who, AuditLog.result)


@dataclass(frozen=True)
class ChainState:
    """Where the chain stands: for the page's retention section."""

    entries: int
    first_id: int | None
    last_id: int
    base_id: int
    exported_through: int
    oldest_at: dt.datetime | None
    purgeable_before: dt.datetime  # entries older than this may be purged once exported


def _head(conn: Connection) -> Head:
    r = conn.execute(select(AuditChain.last_id, AuditChain.last_hash, AuditChain.base_id, AuditChain.base_hash,
                            AuditChain.exported_through).where(_CHAIN)).one()
    return Head(int(r.last_id), r.last_hash, int(r.base_id), r.base_hash, int(r.exported_through))


def retention_limit(now: dt.datetime | None = None) -> dt.datetime:
    """Entries at or after this time must be kept."""
    return (now or clock.now()) - dt.timedelta(days=RETENTION_DAYS)


def state(engine: Engine, who: Principal) -> ChainState:
    _require(who)
    with engine.connect() as conn:
        head = _head(conn)
        n, first, oldest = conn.execute(select(func.count(), func.min(AuditLog.id), func.min(AuditLog.at))).one()
    return ChainState(int(n), first, head.last_id, head.base_id, head.exported_through, oldest, retention_limit())


# ----------------------------------------------------------------------------- verifying


def _walk(conn: Connection) -> CursorResult:
    """One statement for the head and every entry, so both come from one snapshot (a writer or a
    purge running meanwhile cannot make a sound chain look broken)."""
    stmt = (select(AuditChain.last_id, AuditChain.last_hash, AuditChain.base_id, AuditChain.base_hash,
                   AuditChain.exported_through, *_ENTRY)
            .select_from(AuditChain).outerjoin(AuditLog, true()).where(_CHAIN).order_by(AuditLog.id))
    return conn.execution_options(stream_results=True, yield_per=5000).execute(stmt)


def _check(engine: Engine) -> tuple[ChainCheck, Head]:
    with engine.connect() as conn:
        res = _walk(conn)
        first = res.fetchone()
        if first is None:
            raise RuntimeError("the audit_chain row is missing: migrate the database (`jcy db upgrade`)")
        head = Head(int(first[0]), first[1], int(first[2]), first[3], int(first[4]))

        def entries():
            row = first
            while row is not None:
                if row[5] is not None:  # the outer join's one row for an empty log
                    yield Entry(*row[5:])
                row = res.fetchone()

        result = check(entries(), head, _sign)
        res.close()
    return result, head


def verify(engine: Engine, who: Principal, *, client_addr: str | None = None) -> ChainCheck:
    """Check the whole chain (edited, deleted or inserted rows, the head, the base); the check is
    itself recorded, with its outcome."""
    _require(who)
    result, _ = _check(engine)
    with engine.begin() as conn:
        record(conn, actor=_actor(who, client_addr), event=CHECK_EVENT, target="audit_log",
               result="通过" if result.ok else "未通过", detail=result.reason)
    return result


# ----------------------------------------------------------------------------- export and purge


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\0")  # the rule of components.export (ASVS 5.0 1.2.10)


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, str) and v.startswith(_DANGEROUS):
        return "'" + v  # a spreadsheet would run it as a formula
    return v


@dataclass(frozen=True)
class AuditExport:
    data: bytes  # UTF-8 CSV with BOM, one line per entry with its hashes
    rows: int
    first_id: int | None
    last_id: int | None
    filename: str


EXPORT_HEADER = ("id", "at", "actor", "actor_role", "actor_procuratorate", "client_addr", "event", "target",
                 "result", "detail", "prev_hash", "row_hash")


def export(engine: Engine, who: Principal, *, client_addr: str | None = None) -> AuditExport:
    """Every entry from the base to the head as CSV (cells a spreadsheet would run as formulas get a
    leading apostrophe), with the hashes so an archive can be checked later. Notes the last id in
    ``audit_chain.exported_through`` (a purge may remove only exported entries) and is audited.

    Read without holding the chain's lock (a long read must not stall every audited action): the
    head and the rows come from one statement's snapshot."""
    _guarded(engine, who, client_addr, EXPORT_EVENT)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_HEADER)
    n, first_id, last_id = 0, None, None
    with engine.connect() as conn:
        res = _walk(conn)
        for row in res:
            if row[5] is None:
                continue
            w.writerow([_cell(v) for v in row[5:]])
            n += 1
            first_id = row[5] if first_id is None else first_id
            last_id = row[5]
        res.close()
    now = clock.now()
    with engine.begin() as conn:
        if last_id is not None:
            conn.execute(update(AuditChain).where(_CHAIN, AuditChain.exported_through < last_id)
                         .values(exported_through=last_id))
        span = f"第 {first_id}–{last_id} 号" if n else "（空）"
        record(conn, actor=_actor(who, client_addr), event=EXPORT_EVENT, target="audit_log", result="成功",
               detail=f"导出 {n} 条记录（{span}）")
    return AuditExport(buf.getvalue().encode("utf-8-sig"), n, first_id, last_id,
                       f"audit_log_{first_id or 0}-{last_id or 0}_{now:%Y%m%d_%H%M}.csv")


@dataclass(frozen=True)
class Purged:
    rows: int
    base_id: int  # the chain's new base: entries up to here are gone
    kept_unexported: int  # old enough, but not exported yet: kept


def purge(engine: Engine, who: Principal, before: dt.datetime | dt.date, *,
          client_addr: str | None = None) -> Purged:
    """Remove the oldest entries, those before ``before``, that have been exported; ``before`` may
    be no later than 180 days ago. The chain's base moves to the last entry removed and a purge entry
    notes it, so ``verify`` still passes and a base moved by hand does not. Refusals raise
    ``PurgeRefused`` (``AccessDenied`` for a non-auditor) and are audited too."""
    _guarded(engine, who, client_addr, PURGE_EVENT)
    if not isinstance(before, dt.datetime):
        before = dt.datetime.combine(before, dt.time())
    before = _shanghai(before)
    limit = retention_limit()

    def refuse(zh: str) -> PurgeRefused:
        _refuse(engine, who, client_addr, PURGE_EVENT, zh)
        return PurgeRefused(zh)

    if before > limit:
        raise refuse(f"审计日志至少保留{RETENTION_DAYS}天（《网络安全法》第二十一条）：只能清理 "
                     f"{limit:%Y-%m-%d %H:%M} 之前的记录。")
    sound, _ = _check(engine)
    if not sound.ok:
        raise refuse("完整性校验未通过，不能清理（以免销毁篡改的痕迹）：" + sound.reason)
    actor = _actor(who, client_addr)
    why = None
    with engine.begin() as conn:
        conn.execute(update(AuditChain).where(_CHAIN).values(last_id=AuditChain.last_id))  # the lock
        head = _head(conn)
        # The chain is cut at a prefix: up to the first entry that must stay (too young or not exported).
        first_young = conn.execute(select(func.min(AuditLog.id)).where(AuditLog.id > head.base_id,
                                                                       AuditLog.at >= before)).scalar()
        old = select(func.count()).where(AuditLog.id > head.base_id, AuditLog.at < before)
        if first_young is not None:
            old = old.where(AuditLog.id < first_young)
        n_old = conn.execute(old).scalar_one()
        cut = min(head.exported_through, first_young - 1 if first_young is not None else head.last_id)
        last = conn.execute(select(func.count(), func.max(AuditLog.id))
                            .where(AuditLog.id > head.base_id, AuditLog.id <= cut)).one()
        n, cut = int(last[0]), last[1]  # the cut moves back onto a stored entry (ids may have gaps)
        if n == 0:
            why = ("没有需要清理的记录：该日期之前没有尚未清理的记录。" if n_old == 0 else
                   f"该日期之前的 {n_old} 条记录尚未导出：请先导出审计日志，再清理。")
        else:
            base_hash = conn.execute(select(AuditLog.row_hash).where(AuditLog.id == cut)).scalar_one()
            conn.execute(delete(AuditLog).where(AuditLog.id > head.base_id, AuditLog.id <= cut))
            conn.execute(update(AuditChain).where(_CHAIN).values(base_id=cut, base_hash=base_hash))
            kept = n_old - n
            record(conn, actor=actor, event=PURGE_EVENT, target="audit_log", result="成功",
                   detail=f"清理 {before:%Y-%m-%d} 之前的 {n} 条记录；{base_note(cut, base_hash)}"
                          + (f"；另有 {kept} 条未导出，保留" if kept > 0 else ""))
    if why is not None:  # audited outside the transaction above, which held the chain's lock
        raise refuse(why)
    return Purged(n, cut, max(0, kept))

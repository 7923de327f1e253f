"""Non-custodial supervision: every read and write of the platform's five modules.

Reads take ``scope`` (applied to the supervised person's home district) and return DataFrames.
Every function that returns person-level rows also checks the scope's permission
(``queries.scope.require``: "supervision"; the aggregates "supervision" or "supervision.stats"), so a
page that forgets its own check still gets nothing. Individual location tracks are sensitive
personal information (PIPL art. 28): only a supervision scope may read them, and every read is
written to the audit log in the same transaction with its purpose. Other roles get the map
aggregated to grid cells with no person codes.

Writes take the signed-in ``Actor`` (``domain.access``) and record it: its name, role,
procuratorate and address in the audit log, its account id in the decided_by/closed_by columns. A
release (解除) needs two people: one officer requests it, a different account approves it.

The alert engine is ``domain.supervision.engine``; ``run_engine`` loads its inputs (a window of
pings, fences, approved leave, open alerts) and writes what it decides, for the live feed and any
device gateway alike.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection, Engine, and_, case, func, insert, or_, select, update,
)

from domain.access import AccessDenied, Actor
from domain.scope import Scope
from domain.supervision import engine as E
from domain.supervision.risk import DEFAULT_RULE, FALSE_ALARM_TAG, RiskRule, risk_code
from queries.audit import record
from queries.cache import invalidates, live
from queries.frames import read_frame
from queries.schema import (
    Alert, AppUser, Case, CheckinTask, Device, DeviceAssignment, District, Fence, LeaveRequest,
    LocationPing, Person, Procuratorate, SupervisedPerson, UserRole,
)
from queries.scope import in_scope, require
from queries.sqlfn import day_of, month_of

SP = SupervisedPerson
ACTIVE = "在管"
OPEN_STATUSES = ("新", "已确认")
GRID_DEG = 0.01  # aggregation cell for the map (about 1 km)
PERSONS = "supervision"  # the permission behind every person-level read and every write
FIGURES = "supervision|supervision.stats"  # aggregates: the officers and the leadership's statistics


class TrackAccessDenied(AccessDenied):
    """The scope may not see this person's location track (role, permission or district)."""


def _signed(actor: Actor) -> Actor:
    """Writes record who did them: an ``Actor`` (the signed-in account), never a typed name."""
    if not isinstance(actor, Actor):
        raise TypeError("actor must be a domain.access.Actor (the signed-in account)")
    return actor


# =============================================================================== personnel


def supervised_list(engine: Engine, scope: Scope, status: str | None = None,
                    risk: str | None = None, search: str | None = None) -> pd.DataFrame:
    """Personnel module: one row per supervised person, identities masked."""
    require(scope, PERSONS)
    pros = AppUser.__table__.alias("pros")
    devs = (select(Device.supervised_id, func.count().label("devices"),
                   func.min(Device.battery_pct).label("min_battery"))
            .where(Device.status == "在用").group_by(Device.supervised_id).subquery())
    stmt = (select(SP.id, SP.person_code, Person.name_masked, Person.id_masked, Case.case_no,
                   Case.charge, SP.measure, SP.start_date, SP.end_date, SP.status,
                   District.name_zh.label("district"), pros.c.display_name.label("prosecutor"),
                   func.coalesce(devs.c.devices, 0).label("devices"), devs.c.min_battery,
                   SP.risk_code, SP.risk_reasons, SP.first_offender, SP.confessed, SP.absconded,
                   SP.last_ping_at, SP.home_district_id, SP.release_requested_at)
            .join(Person, Person.id == SP.person_id)
            .outerjoin(Case, Case.id == SP.case_id)
            .join(District, District.id == SP.home_district_id)
            .outerjoin(pros, pros.c.id == SP.prosecutor_id)
            .outerjoin(devs, devs.c.supervised_id == SP.id)
            .where(in_scope(scope, SP.home_district_id)))
    if status:
        stmt = stmt.where(SP.status == status)
    if risk:
        stmt = stmt.where(SP.risk_code == risk)
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(or_(SP.person_code.like(like), Case.case_no.like(like)))
    return read_frame(engine, stmt.order_by(SP.status, SP.risk_code.desc(), SP.person_code))


def find_supervised(engine: Engine, scope: Scope, query: str, limit: int = 20) -> pd.DataFrame:
    """Locate-one-person search: exact or partial person code or case number."""
    require(scope, PERSONS)
    q = (query or "").strip()
    if not q:
        return pd.DataFrame(columns=["id", "person_code", "name_masked", "case_no", "status"])
    like = f"%{q}%"
    stmt = (select(SP.id, SP.person_code, Person.name_masked, Case.case_no, SP.status,
                   SP.home_district_id, SP.last_ping_at)
            .join(Person, Person.id == SP.person_id).outerjoin(Case, Case.id == SP.case_id)
            .where(in_scope(scope, SP.home_district_id),
                   or_(SP.person_code.like(like), Case.case_no.like(like)))
            .order_by(SP.person_code).limit(limit))
    return read_frame(engine, stmt)


def supervision_summary(engine: Engine, scope: Scope) -> dict[str, int]:
    """Headline counts of the personnel page (no person in them)."""
    require(scope, FIGURES)
    with engine.connect() as conn:
        row = conn.execute(select(
            func.count().label("total"),
            func.sum(case((SP.status == ACTIVE, 1), else_=0)).label("active"),
            func.sum(case((and_(SP.status == ACTIVE, SP.risk_code == "red"), 1), else_=0)).label("red"),
            func.sum(case((and_(SP.status == ACTIVE, SP.risk_code == "yellow"), 1), else_=0)).label("yellow"),
            func.sum(case((SP.absconded.is_(True), 1), else_=0)).label("absconded"),
        ).where(in_scope(scope, SP.home_district_id))).one()
        open_alerts = conn.execute(select(func.count()).select_from(Alert).join(SP, SP.id == Alert.supervised_id)
                                   .where(Alert.status.in_(OPEN_STATUSES),
                                          in_scope(scope, SP.home_district_id))).scalar_one()
    return {k: int(v or 0) for k, v in row._mapping.items()} | {"open_alerts": int(open_alerts)}


def _next_code(conn: Connection, district_id: int) -> str:
    prefix = f"JG{district_id}-"
    last = conn.execute(select(func.max(SP.person_code)).where(SP.person_code.like(prefix + "%"))).scalar()
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def _prosecutor_of(conn: Connection, user_id: int, district_id: int) -> bool:
    """Whether ``user_id`` is a prosecutor of the district procuratorate of ``district_id``."""
    return conn.execute(select(AppUser.id).join(UserRole, UserRole.user_id == AppUser.id)
                        .join(Procuratorate, Procuratorate.id == AppUser.procuratorate_id)
                        .where(AppUser.id == user_id, AppUser.active.is_(True), UserRole.role == "prosecutor",
                               Procuratorate.district_id == district_id)).first() is not None


@invalidates
def enrol(engine: Engine, scope: Scope, *, case_id: int, person_id: int, measure: str,
          start: dt.date, end: dt.date, home_district_id: int, prosecutor_id: int | None,
          actor: Actor, now: dt.datetime, first_offender: bool = True, confessed: bool = True) -> str:
    """Enrol a person (加入): supervised row, home fence; audited. Returns the person code."""
    require(scope, PERSONS)
    _signed(actor)
    if measure not in ("取保候审", "监视居住"):
        raise ValueError("强制措施应为取保候审或监视居住")
    if end <= start:
        raise ValueError("解除日期应晚于开始日期")
    if scope.district_ids is not None and home_district_id not in scope.district_ids:
        raise PermissionError("无权在该区登记")
    with engine.begin() as conn:
        ok_case = conn.execute(select(Case.id).where(Case.id == case_id, in_scope(scope, Case.district_id))).first()
        if ok_case is None:
            raise PermissionError("无此案件或无权访问")
        if prosecutor_id is not None and not _prosecutor_of(conn, prosecutor_id, home_district_id):
            raise ValueError("承办检察官须为该区检察院的检察官")
        code = _next_code(conn, home_district_id)
        sid = conn.execute(insert(SP).values(
            person_code=code, person_id=person_id, case_id=case_id, measure=measure,
            start_date=start, end_date=end, status=ACTIVE, home_district_id=home_district_id,
            prosecutor_id=prosecutor_id, risk_code="green", risk_reasons="新登记",
            first_offender=first_offender, confessed=confessed, absconded=False,
        ).returning(SP.id)).scalar_one()
        conn.execute(insert(Fence).values(supervised_id=sid, kind="home", name="居住地区界",
                                          district_id=home_district_id, geojson=None))
        record(conn, actor=actor, event="监管人员登记", target=code, result="成功",
               detail=f"{measure} {start}–{end}", at=now)
    return code


@invalidates
def transfer(engine: Engine, scope: Scope, supervised_id: int, *, to_district_id: int | None,
             to_prosecutor_id: int | None, actor: Actor, now: dt.datetime, note: str = "") -> None:
    """Transfer (流转): a new home district (the home fence follows) and/or prosecutor; audited.
    A transfer to another district hands the person over: they leave this officer's scope."""
    require(scope, PERSONS)
    _signed(actor)
    with engine.begin() as conn:
        row = _scoped_person(conn, scope, supervised_id)
        values: dict[str, Any] = {}
        if to_district_id and to_district_id != row.home_district_id:
            values["home_district_id"] = to_district_id
            conn.execute(update(Fence).where(Fence.supervised_id == supervised_id, Fence.kind == "home",
                                             Fence.geojson.is_(None)).values(district_id=to_district_id))
        if to_prosecutor_id:
            if not _prosecutor_of(conn, to_prosecutor_id, values.get("home_district_id", row.home_district_id)):
                raise ValueError("新承办检察官须为居住区检察院的检察官")
            values["prosecutor_id"] = to_prosecutor_id
        if not values:
            raise ValueError("请选择新的居住区或承办检察官")
        conn.execute(update(SP).where(SP.id == supervised_id).values(**values))
        record(conn, actor=actor, event="监管人员流转", target=row.person_code,
               result="成功", detail=f"{values} {note}"[:300], at=now)


@invalidates
def request_release(engine: Engine, scope: Scope, supervised_id: int, *, actor: Actor, now: dt.datetime,
                    reason: str) -> None:
    """Ask for a release (解除申请): nothing changes until a second account approves it; audited."""
    require(scope, PERSONS)
    _signed(actor)
    if not (reason or "").strip():
        raise ValueError("请填写解除原因")
    with engine.begin() as conn:
        row = _scoped_person(conn, scope, supervised_id)
        if row.status != ACTIVE:
            raise ValueError("该人员不在管，无法解除")
        if row.release_requested_at is not None:
            raise ValueError("该人员已有待审批的解除申请")
        conn.execute(update(SP).where(SP.id == supervised_id, SP.release_requested_at.is_(None))
                     .values(release_requested_by=actor.user_id, release_requested_at=now,
                             release_reason=reason.strip()[:300]))
        record(conn, actor=actor, event="解除申请", target=row.person_code, result="成功",
               detail=reason.strip()[:300], at=now)


def release_requests(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Pending release requests in scope: who asked, when and why (for the second officer)."""
    require(scope, PERSONS)
    req = AppUser.__table__.alias("req")
    stmt = (select(SP.id, SP.person_code, Person.name_masked, Case.case_no, SP.measure, SP.end_date,
                   SP.release_requested_at, SP.release_reason, SP.release_requested_by,
                   req.c.display_name.label("requested_by"), req.c.username.label("requested_by_username"))
            .join(Person, Person.id == SP.person_id).outerjoin(Case, Case.id == SP.case_id)
            .outerjoin(req, req.c.id == SP.release_requested_by)
            .where(SP.status == ACTIVE, SP.release_requested_at.is_not(None),
                   in_scope(scope, SP.home_district_id))
            .order_by(SP.release_requested_at))
    return read_frame(engine, stmt)


@invalidates
def decide_release(engine: Engine, scope: Scope, supervised_id: int, *, approve: bool, actor: Actor,
                   now: dt.datetime, note: str = "") -> None:
    """Approve (the release happens: status, devices back to stock, open alerts closed) or reject
    (withdraw) a pending release request. Four eyes: only a signed-in account other than the one who
    asked may approve; a refused approval is audited too."""
    require(scope, PERSONS)
    _signed(actor)
    refused = None
    with engine.begin() as conn:
        row = _scoped_person(conn, scope, supervised_id)
        if row.status != ACTIVE or row.release_requested_at is None:
            raise ValueError("该人员没有待审批的解除申请")
        if approve and (actor.user_id is None or actor.user_id == row.release_requested_by):
            refused = "解除须由申请人以外的另一名工作人员审批"
            record(conn, actor=actor, event="解除审批", target=row.person_code, result="拒绝", detail=refused,
                   at=now)
    if refused:
        raise PermissionError(refused)
    with engine.begin() as conn:
        row = _scoped_person(conn, scope, supervised_id)
        if row.release_requested_at is None:
            raise ValueError("该申请已被处理")
        if not approve:
            if not (note or "").strip():
                raise ValueError("驳回时请填写理由")
            conn.execute(update(SP).where(SP.id == supervised_id)
                         .values(release_requested_by=None, release_requested_at=None, release_reason=None))
            record(conn, actor=actor, event="解除审批", target=row.person_code, result="已驳回",
                   detail=f"申请：{row.release_reason}；驳回：{note.strip()}"[:300], at=now)
            return
        done = conn.execute(update(SP).where(SP.id == supervised_id, SP.status == ACTIVE,
                                             SP.release_requested_at == row.release_requested_at)
                            .values(status="已解除", released_at=now)).rowcount
        if not done:  # decided by someone else meanwhile
            raise ValueError("该申请已被处理")
        conn.execute(update(DeviceAssignment).where(DeviceAssignment.supervised_id == supervised_id,
                                                    DeviceAssignment.returned_at.is_(None))
                     .values(returned_at=now))
        conn.execute(update(Device).where(Device.supervised_id == supervised_id)
                     .values(supervised_id=None, status="库存"))
        conn.execute(update(Alert).where(Alert.supervised_id == supervised_id,
                                         Alert.status.in_(OPEN_STATUSES))
                     .values(status="已关闭", open_key=None, closed_at=now, close_note="解除监管"))
        record(conn, actor=actor, event="监管人员解除", target=row.person_code, result="成功",
               detail=f"申请人#{row.release_requested_by}：{row.release_reason}"[:300], at=now)


def _scoped_person(conn: Connection, scope: Scope, supervised_id: int):
    row = conn.execute(select(SP.id, SP.person_code, SP.home_district_id, SP.status, SP.release_requested_by,
                              SP.release_requested_at, SP.release_reason)
                       .where(SP.id == supervised_id, in_scope(scope, SP.home_district_id))).first()
    if row is None:
        raise PermissionError("无此人员或无权访问")
    return row


def staff_choices(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The prosecutors of the procuratorates in scope (id, display name, district) for pickers."""
    require(scope, PERSONS)
    stmt = (select(AppUser.id, AppUser.display_name, Procuratorate.district_id)
            .join(UserRole, UserRole.user_id == AppUser.id)
            .join(Procuratorate, Procuratorate.id == AppUser.procuratorate_id)
            .where(UserRole.role == "prosecutor", AppUser.active.is_(True), Procuratorate.district_id.is_not(None),
                   in_scope(scope, Procuratorate.district_id)).order_by(AppUser.id))
    return read_frame(engine, stmt)


def enrolment_candidates(engine: Engine, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """Suspects of criminal cases on bail / residential surveillance not yet enrolled."""
    from queries.schema import CaseParty

    require(scope, PERSONS)
    enrolled = select(SP.person_id)
    stmt = (select(Case.id.label("case_id"), Case.case_no, Case.charge, Case.compulsory_measure,
                   Case.district_id, Person.id.label("person_id"), Person.name_masked)
            .join(CaseParty, CaseParty.case_id == Case.id).join(Person, Person.id == CaseParty.person_id)
            .where(Case.function == "刑事", Case.compulsory_measure.in_(("取保候审", "监视居住")),
                   CaseParty.role == "犯罪嫌疑人", Person.id.not_in(enrolled),
                   in_scope(scope, Case.district_id))
            .order_by(Case.accepted_at.desc()).limit(limit))
    return read_frame(engine, stmt)


# =============================================================================== map and tracks


def _columns_frame(engine: Engine, stmt) -> pd.DataFrame:
    """Like ``read_frame`` but built column-wise: ~4× faster for thousands of rows (hot map path)."""
    with engine.connect() as conn:
        res = conn.execute(stmt)
        cols = list(res.keys())
        rows = res.fetchall()
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame({c: list(v) for c, v in zip(cols, zip(*rows))})


def district_shapes(engine: Engine) -> pd.DataFrame:
    return read_frame(engine, select(District.id, District.name_zh, District.name_en,
                                     District.label_lon, District.label_lat, District.geojson)
                      .order_by(District.id))


def latest_positions(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Everyone's latest position (the last_* columns, one indexed read) with risk and open alerts.

    For roles without track rights the result is aggregated to ~1 km grid cells (count, worst risk)
    and carries no person codes.
    """
    if scope.sees_individual_tracks:
        require(scope, PERSONS)
        # two indexed reads merged here: faster than a join on the grouped subquery (city: 5,000 rows)
        pos = _columns_frame(engine, select(SP.id, SP.person_code, SP.last_lon.label("lon"), SP.last_lat.label("lat"),
                                        SP.last_ping_at, SP.last_accuracy_m, SP.risk_code, SP.home_district_id)
                         .where(SP.status == ACTIVE, SP.last_lon.is_not(None), in_scope(scope, SP.home_district_id))
                         .order_by(SP.id))
        sev = case((Alert.severity == "高", 3), (Alert.severity == "中", 2), else_=1)
        opn = read_frame(engine, select(Alert.supervised_id.label("id"), func.count().label("open_alerts"),
                                        func.max(sev).label("worst"))
                         .where(Alert.status.in_(OPEN_STATUSES)).group_by(Alert.supervised_id))
        out = pos.merge(opn, on="id", how="left")
        out["open_alerts"] = out["open_alerts"].fillna(0).astype(int)
        out["worst"] = out["worst"].fillna(0).astype(int)
        return out
    require(scope, FIGURES)
    open_a = (select(Alert.supervised_id, func.count().label("open_alerts"))
              .where(Alert.status.in_(OPEN_STATUSES)).group_by(Alert.supervised_id).subquery())
    risk_n = case((SP.risk_code == "red", 2), (SP.risk_code == "yellow", 1), else_=0)
    gx = func.round(SP.last_lon / GRID_DEG)
    gy = func.round(SP.last_lat / GRID_DEG)
    stmt = (select((gx * GRID_DEG).label("lon"), (gy * GRID_DEG).label("lat"),
                   func.count().label("n"), func.max(risk_n).label("risk_n"),
                   func.sum(case((open_a.c.open_alerts > 0, 1), else_=0)).label("with_alerts"))
            .select_from(SP).outerjoin(open_a, open_a.c.supervised_id == SP.id)
            .where(SP.status == ACTIVE, SP.last_lon.is_not(None), in_scope(scope, SP.home_district_id))
            .group_by(gx, gy).order_by(gx, gy))
    return read_frame(engine, stmt)


def fences(engine: Engine, scope: Scope, supervised_id: int | None = None,
           kind: str | None = None) -> pd.DataFrame:
    """Fence rows. ``geojson`` is NULL for a home fence that is its district's own boundary (the
    map draws those from ``district_shapes``); district-wide banned zones have no person."""
    require(scope, PERSONS)
    stmt = (select(Fence.id, Fence.supervised_id, Fence.kind, Fence.name, Fence.district_id, Fence.geojson)
            .outerjoin(SP, SP.id == Fence.supervised_id)
            .where(or_(and_(Fence.supervised_id.is_(None), in_scope(scope, Fence.district_id)),
                       in_scope(scope, SP.home_district_id))))
    if supervised_id is not None:
        stmt = stmt.where(or_(Fence.supervised_id == supervised_id,
                              and_(Fence.supervised_id.is_(None),
                                   Fence.district_id == select(SP.home_district_id)
                                   .where(SP.id == supervised_id).scalar_subquery())))
    if kind:
        stmt = stmt.where(Fence.kind == kind)
    return read_frame(engine, stmt.order_by(Fence.id))


def banned_zones(engine: Engine, scope: Scope) -> pd.DataFrame:
    return fences(engine, scope, kind="banned")


def person_track(engine: Engine, scope: Scope, supervised_id: int, start: dt.datetime,
                 end: dt.datetime, *, actor: Actor, now: dt.datetime | None = None,
                 purpose: str = "定位查询") -> pd.DataFrame:
    """One person's pings in [start, end]: a supervision scope, a person in it, a stated purpose.
    Every call is audited with its purpose, a refusal too (TrackAccessDenied)."""
    _signed(actor)
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValueError("请选择查询事由")
    with engine.begin() as conn:
        who = conn.execute(select(SP.person_code).where(SP.id == supervised_id,
                                                        in_scope(scope, SP.home_district_id))).scalar()
        allowed = scope.grants_permission(PERSONS) and scope.sees_individual_tracks and who is not None
        if not allowed:  # the refusal is audited too
            record(conn, actor=actor, event="查看轨迹", target=who or f"#{supervised_id}",
                   result="拒绝", detail=purpose[:100], at=now)
    if not allowed:
        raise TrackAccessDenied("只有本院监管人员可以查看本院监管对象的个人轨迹")
    with engine.begin() as conn:
        rows = conn.execute(
            select(LocationPing.id, LocationPing.ts, LocationPing.lon, LocationPing.lat,
                   LocationPing.accuracy_m, LocationPing.battery_pct, LocationPing.band_separated)
            .where(LocationPing.supervised_id == supervised_id, LocationPing.ts >= start,
                   LocationPing.ts <= end).order_by(LocationPing.ts)).all()
        record(conn, actor=actor, event="查看轨迹", target=who, result="成功",
               detail=f"{purpose[:100]} {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} {len(rows)}点", at=now)
    return pd.DataFrame.from_records(rows, columns=["id", "ts", "lon", "lat", "accuracy_m",
                                                    "battery_pct", "band_separated"])


def track_bounds(engine: Engine, scope: Scope, supervised_id: int) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First and last ping time of a person (no positions: not audited)."""
    require(scope, PERSONS)
    with engine.connect() as conn:
        row = conn.execute(select(func.min(LocationPing.ts), func.max(LocationPing.ts))
                           .join(SP, SP.id == LocationPing.supervised_id)
                           .where(LocationPing.supervised_id == supervised_id,
                                  in_scope(scope, SP.home_district_id))).one()
    return row[0], row[1]


# =============================================================================== leave requests


def leave_requests(engine: Engine, scope: Scope, status: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Leave requests of the persons in scope, newest first."""
    require(scope, PERSONS)
    dest = District.__table__.alias("dest")
    stmt = (select(LeaveRequest.id, SP.person_code, LeaveRequest.destination,
                   dest.c.name_zh.label("dest_district"), LeaveRequest.start_at, LeaveRequest.end_at,
                   LeaveRequest.reason, LeaveRequest.status, LeaveRequest.requested_at,
                   LeaveRequest.decided_at, LeaveRequest.decision_note, LeaveRequest.returned_at,
                   LeaveRequest.supervised_id)
            .join(SP, SP.id == LeaveRequest.supervised_id)
            .outerjoin(dest, dest.c.id == LeaveRequest.dest_district_id)
            .where(in_scope(scope, SP.home_district_id)))
    if status:
        stmt = stmt.where(LeaveRequest.status == status)
    return read_frame(engine, stmt.order_by(LeaveRequest.requested_at.desc()).limit(limit))


@invalidates
def request_leave(engine: Engine, scope: Scope, supervised_id: int, *, destination: str,
                  dest_district_id: int | None, start: dt.datetime, end: dt.datetime, reason: str,
                  now: dt.datetime, actor: Actor) -> int:
    """Register a leave request on the person's behalf (they phoned or texted); audited."""
    require(scope, PERSONS)
    _signed(actor)
    if end <= start:
        raise ValueError("返回时间应晚于出发时间")
    if not destination.strip() or not reason.strip():
        raise ValueError("请填写目的地和事由")
    with engine.begin() as conn:
        row = _scoped_person(conn, scope, supervised_id)
        lid = conn.execute(insert(LeaveRequest).values(
            supervised_id=supervised_id, destination=destination.strip()[:80],
            dest_district_id=dest_district_id, start_at=start, end_at=end, reason=reason.strip()[:200],
            status="待审批", requested_at=now).returning(LeaveRequest.id)).scalar_one()
        record(conn, actor=actor, event="外出申请登记", target=row.person_code,
               result="成功", detail=f"{destination} {start:%m-%d %H:%M}–{end:%m-%d %H:%M}", at=now)
    return lid


@invalidates
def decide_leave(engine: Engine, scope: Scope, leave_id: int, *, approve: bool, note: str,
                 actor: Actor, now: dt.datetime) -> None:
    """Approve or reject a pending request; audited, decided_by = the signed-in account. Approval
    suspends fence alerts in its window."""
    require(scope, PERSONS)
    _signed(actor)
    with engine.begin() as conn:
        row = conn.execute(select(LeaveRequest.id, LeaveRequest.status, SP.person_code)
                           .join(SP, SP.id == LeaveRequest.supervised_id)
                           .where(LeaveRequest.id == leave_id, in_scope(scope, SP.home_district_id))).first()
        if row is None:
            raise PermissionError("无此申请或无权审批")
        if row.status != "待审批":
            raise ValueError(f"该申请已是“{row.status}”，不能再次审批")
        if not approve and not (note or "").strip():
            raise ValueError("驳回时请填写理由")
        status = "已批准" if approve else "已驳回"
        conn.execute(update(LeaveRequest).where(LeaveRequest.id == leave_id, LeaveRequest.status == "待审批")
                     .values(status=status, decided_by=actor.user_id, decided_at=now,
                             decision_note=(note or "").strip()[:200] or None))
        record(conn, actor=actor, event="外出审批", target=row.person_code,
               result=status, detail=(note or "")[:300] or None, at=now)


# =============================================================================== roll call


def checkin_tasks(engine: Engine, scope: Scope, since: dt.datetime, status: str | None = None,
                  limit: int = 1000) -> pd.DataFrame:
    """Check-in tasks of the persons in scope since ``since``, with the answer's position."""
    require(scope, PERSONS)
    stmt = (select(CheckinTask.id, SP.person_code, CheckinTask.kind, CheckinTask.scheduled_at,
                   CheckinTask.due_at, CheckinTask.answered_at, CheckinTask.verify_result,
                   CheckinTask.status, CheckinTask.lon, CheckinTask.lat, CheckinTask.supervised_id)
            .join(SP, SP.id == CheckinTask.supervised_id)
            .where(CheckinTask.scheduled_at >= since, in_scope(scope, SP.home_district_id)))
    if status:
        stmt = stmt.where(CheckinTask.status == status)
    return read_frame(engine, stmt.order_by(CheckinTask.scheduled_at.desc()).limit(limit))


@invalidates
def roll_call(engine: Engine, scope: Scope, supervised_ids: Sequence[int] | None, *, now: dt.datetime,
              window_minutes: int = 30, actor: Actor, kind: str = "随机") -> int:
    """Start a roll call: one check-in task per person (all active in scope when ids is None)."""
    require(scope, PERSONS)
    _signed(actor)
    if not 5 <= window_minutes <= 240:
        raise ValueError("签到时限应在5至240分钟之间")
    with engine.begin() as conn:
        stmt = select(SP.id).where(SP.status == ACTIVE, in_scope(scope, SP.home_district_id))
        if supervised_ids is not None:
            stmt = stmt.where(SP.id.in_([int(i) for i in supervised_ids]))
        ids = [r[0] for r in conn.execute(stmt)]
        if supervised_ids is not None and len(ids) != len({int(i) for i in supervised_ids}):
            raise PermissionError("无此人员、不在管或无权访问")
        if ids:
            conn.execute(insert(CheckinTask), [
                {"supervised_id": i, "kind": kind, "scheduled_at": now,
                 "due_at": now + dt.timedelta(minutes=window_minutes), "status": "待签到"} for i in ids])
        record(conn, actor=actor, event="发起点名", target=f"{len(ids)}人",
               result="成功", detail=f"{kind} 时限{window_minutes}分钟", at=now)
    return len(ids)


# =============================================================================== alerts


def alerts(engine: Engine, scope: Scope, statuses: tuple[str, ...] = OPEN_STATUSES,
           kind: str | None = None, since: dt.datetime | None = None, limit: int = 500) -> pd.DataFrame:
    """The alert queue of the persons in scope: escalated first, then by severity and time."""
    require(scope, PERSONS)
    ack = AppUser.__table__.alias("ack")
    clo = AppUser.__table__.alias("clo")
    stmt = (select(Alert.id, Alert.raised_at, Alert.kind, Alert.severity, Alert.status, SP.person_code,
                   District.name_zh.label("district"), Alert.escalated_at, Alert.acknowledged_at,
                   ack.c.display_name.label("acknowledged_by"), Alert.closed_at,
                   clo.c.display_name.label("closed_by"), Alert.close_note, Alert.supervised_id)
            .join(SP, SP.id == Alert.supervised_id).join(District, District.id == SP.home_district_id)
            .outerjoin(ack, ack.c.id == Alert.acknowledged_by)
            .outerjoin(clo, clo.c.id == Alert.closed_by)
            .where(Alert.status.in_(statuses), in_scope(scope, SP.home_district_id)))
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    if since:
        stmt = stmt.where(Alert.raised_at >= since)
    sev = case((Alert.severity == "高", 0), (Alert.severity == "中", 1), else_=2)
    esc = case((Alert.escalated_at.is_not(None), 0), else_=1)
    return read_frame(engine, stmt.order_by(esc, sev, Alert.raised_at.desc()).limit(limit))


def alert_counts(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Open alerts by kind and status (the queue's header)."""
    require(scope, FIGURES)
    stmt = (select(Alert.kind, Alert.status, func.count().label("n"),
                   func.sum(case((Alert.escalated_at.is_not(None), 1), else_=0)).label("escalated"))
            .join(SP, SP.id == Alert.supervised_id)
            .where(Alert.status.in_(OPEN_STATUSES), in_scope(scope, SP.home_district_id))
            .group_by(Alert.kind, Alert.status).order_by(Alert.kind, Alert.status))
    return read_frame(engine, stmt)


def alert_evidence(engine: Engine, scope: Scope, alert_id: int, *, actor: Actor,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    """The evidence JSON of an alert. It holds positions, so it is a track view: role + audit."""
    require(scope, PERSONS)
    _signed(actor)
    with engine.begin() as conn:
        row = conn.execute(select(Alert.evidence, SP.person_code).join(SP, SP.id == Alert.supervised_id)
                           .where(Alert.id == alert_id, in_scope(scope, SP.home_district_id))).first()
        if row is None:
            raise PermissionError("无此告警或无权访问")
        ev = json.loads(row.evidence or "{}")
        if not scope.sees_individual_tracks:
            for k in ("pings",):
                ev.pop(k, None)
            return ev
        if "pings" in ev:
            record(conn, actor=actor, event="查看轨迹", target=row.person_code,
                   result="成功", detail=f"核查告警：告警证据 #{alert_id}", at=now)
    return ev


@invalidates
def act_on_alert(engine: Engine, scope: Scope, alert_id: int, action: str, *, actor: Actor,
                 now: dt.datetime, note: str = "", false_alarm: bool = False) -> None:
    """new → acknowledged → closed (with a note). Audited, with the signed-in account as
    acknowledged_by/closed_by; refuses out-of-order transitions."""
    require(scope, PERSONS)
    _signed(actor)
    user_id = actor.user_id
    with engine.begin() as conn:
        row = conn.execute(select(Alert.id, Alert.status, Alert.kind, SP.person_code)
                           .join(SP, SP.id == Alert.supervised_id)
                           .where(Alert.id == alert_id, in_scope(scope, SP.home_district_id))).first()
        if row is None:
            raise PermissionError("无此告警或无权处置")
        if action == "ack":
            if row.status != "新":
                raise ValueError(f"告警当前为“{row.status}”，无需确认")
            conn.execute(update(Alert).where(Alert.id == alert_id, Alert.status == "新")
                         .values(status="已确认", acknowledged_by=user_id, acknowledged_at=now))
            event = "告警确认"
        elif action == "close":
            if row.status == "已关闭":
                raise ValueError("告警已关闭")
            note = (note or "").strip()
            if not note:
                raise ValueError("关闭告警须填写处置说明")
            if false_alarm:
                note = f"{FALSE_ALARM_TAG}{note}"
            values: dict[str, Any] = dict(status="已关闭", open_key=None, closed_by=user_id,
                                          closed_at=now, close_note=note[:200])
            if row.status == "新":  # closing straight away also acknowledges
                values.update(acknowledged_by=user_id, acknowledged_at=now)
            conn.execute(update(Alert).where(Alert.id == alert_id).values(**values))
            event = "告警关闭"
        else:
            raise ValueError(f"unknown action {action!r}")
        record(conn, actor=actor, event=event, target=f"{row.person_code} {row.kind}",
               result="成功", detail=note[:300] or None, at=now)


def escalate_due(engine_or_conn, now: dt.datetime, cfg: E.EngineConfig = E.DEFAULT) -> int:
    """Escalate unacknowledged alerts older than the configured time (severity → 高)."""
    stmt = (update(Alert).where(Alert.status == "新", Alert.escalated_at.is_(None),
                                Alert.raised_at < E.escalation_cutoff(now, cfg))
            .values(escalated_at=now, severity="高"))
    if isinstance(engine_or_conn, Connection):
        return engine_or_conn.execute(stmt).rowcount or 0
    with engine_or_conn.begin() as conn:
        return conn.execute(stmt).rowcount or 0


# =============================================================================== devices


def devices(engine: Engine, scope: Scope, now: dt.datetime, offline_after_minutes: float = 60) -> pd.DataFrame:
    """Devices worn by persons in scope, and the stock (unassigned, no person)."""
    require(scope, PERSONS)
    cutoff = now - dt.timedelta(minutes=offline_after_minutes)
    online = case((Device.last_seen_at >= cutoff, "在线"), else_="离线")
    stmt = (select(Device.id, Device.serial, Device.kind, Device.status, SP.person_code,
                   Device.battery_pct, Device.last_seen_at,
                   case((Device.supervised_id.is_(None), "—"), else_=online).label("online"))
            .outerjoin(SP, SP.id == Device.supervised_id)
            .where(or_(Device.supervised_id.is_(None), in_scope(scope, SP.home_district_id))))
    return read_frame(engine, stmt.order_by(Device.status, Device.serial))


def device_history(engine: Engine, scope: Scope, device_id: int) -> pd.DataFrame:
    """Who wore a device and when (persons in scope only)."""
    require(scope, PERSONS)
    stmt = (select(DeviceAssignment.assigned_at, DeviceAssignment.returned_at, SP.person_code)
            .join(SP, SP.id == DeviceAssignment.supervised_id)
            .where(DeviceAssignment.device_id == device_id, in_scope(scope, SP.home_district_id))
            .order_by(DeviceAssignment.assigned_at.desc()))
    return read_frame(engine, stmt)


# =============================================================================== statistics


def enrolment_by_month(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Enrolled and released per month; ``active`` = running total at the month's end."""
    require(scope, FIGURES)
    with engine.connect() as conn:
        enr = conn.execute(select(month_of(SP.start_date).label("month"), func.count().label("n"))
                           .where(in_scope(scope, SP.home_district_id)).group_by(month_of(SP.start_date))).all()
        rel = conn.execute(select(month_of(SP.released_at).label("month"), func.count().label("n"))
                           .where(SP.released_at.is_not(None), in_scope(scope, SP.home_district_id))
                           .group_by(month_of(SP.released_at))).all()
    df = pd.DataFrame({"enrolled": pd.Series(dict(enr), dtype="int64"),
                       "released": pd.Series(dict(rel), dtype="int64")}).fillna(0).astype(int)
    df = df.sort_index()
    df["active"] = (df["enrolled"].cumsum() - df["released"].cumsum()).astype(int)
    return df.rename_axis("month").reset_index()


def alerts_by_day(engine: Engine, scope: Scope, since: dt.datetime) -> pd.DataFrame:
    """Alerts per day and kind (no person)."""
    require(scope, FIGURES)
    stmt = (select(day_of(Alert.raised_at).label("day"), Alert.kind, func.count().label("n"))
            .join(SP, SP.id == Alert.supervised_id)
            .where(Alert.raised_at >= since, in_scope(scope, SP.home_district_id))
            .group_by(day_of(Alert.raised_at), Alert.kind).order_by(day_of(Alert.raised_at), Alert.kind))
    return read_frame(engine, stmt)


def alerts_by_week(engine: Engine, scope: Scope, since: dt.datetime) -> pd.DataFrame:
    """Alerts per ISO week (Monday) and kind, summed from the per-day SQL aggregate."""
    d = alerts_by_day(engine, scope, since)
    if d.empty:
        return pd.DataFrame(columns=["week", "kind", "n"])
    day = pd.to_datetime(d["day"])
    d["week"] = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    return d.groupby(["week", "kind"], as_index=False)["n"].sum()


def checkin_compliance(engine: Engine, scope: Scope, since: dt.datetime) -> pd.DataFrame:
    """Per day: tasks, answered, missed, failed verification; compliance = answered & passed / due."""
    require(scope, FIGURES)
    stmt = (select(day_of(CheckinTask.due_at).label("day"), func.count().label("tasks"),
                   func.sum(case((CheckinTask.status == "已签到", 1), else_=0)).label("answered"),
                   func.sum(case((CheckinTask.status == "未签到", 1), else_=0)).label("missed"),
                   func.sum(case((CheckinTask.verify_result == "未通过", 1), else_=0)).label("failed"))
            .join(SP, SP.id == CheckinTask.supervised_id)
            .where(CheckinTask.due_at >= since, in_scope(scope, SP.home_district_id))
            .group_by(day_of(CheckinTask.due_at)).order_by(day_of(CheckinTask.due_at)))
    df = read_frame(engine, stmt)
    if not df.empty:
        for c in ("tasks", "answered", "missed", "failed"):
            df[c] = df[c].astype(int)
        decided = df["answered"] + df["missed"]
        df["compliance"] = ((df["answered"] - df["failed"]) / decided.where(decided > 0)).round(4)
    return df


def profile(engine: Engine, scope: Scope) -> dict[str, float]:
    """The platform's headline profile: shares of first-time offenders and confessions, absconded."""
    require(scope, FIGURES)
    with engine.connect() as conn:
        r = conn.execute(select(
            func.count().label("total"),
            func.sum(case((SP.first_offender.is_(True), 1), else_=0)).label("first"),
            func.sum(case((SP.confessed.is_(True), 1), else_=0)).label("confessed"),
            func.sum(case((SP.absconded.is_(True), 1), else_=0)).label("absconded"),
            func.sum(case((SP.status == "已解除", 1), else_=0)).label("released"),
            func.sum(case((SP.measure == "监视居住", 1), else_=0)).label("rs"),
        ).where(in_scope(scope, SP.home_district_id))).one()
    total = int(r.total or 0)
    share = lambda v: round(int(v or 0) / total, 4) if total else 0.0  # noqa: E731
    return {"total": total, "first_offender_share": share(r.first), "confessed_share": share(r.confessed),
            "absconded": int(r.absconded or 0), "released": int(r.released or 0),
            "residential_share": share(r.rs)}


# cached forms for pages (keyed by the scope, which carries the account for person-level areas;
# none returns one person's track)
supervised_list_live = live(ttl=15)(supervised_list)
release_requests_live = live(ttl=10)(release_requests)
supervision_summary_live = live(ttl=10)(supervision_summary)
latest_positions_live = live(ttl=5)(latest_positions)
fences_live = live(ttl=300)(fences)
district_shapes_live = live(ttl=3600)(district_shapes)
alerts_live = live(ttl=5)(alerts)
alert_counts_live = live(ttl=5)(alert_counts)
leave_requests_live = live(ttl=10)(leave_requests)
checkin_tasks_live = live(ttl=10)(checkin_tasks)
devices_live = live(ttl=15)(devices)
enrolment_by_month_live = live(ttl=300)(enrolment_by_month)
alerts_by_week_live = live(ttl=60)(alerts_by_week)
checkin_compliance_live = live(ttl=60)(checkin_compliance)
profile_live = live(ttl=300)(profile)


# =============================================================================== ingest + engine


PING_COLS = ("id", "supervised_id", "device_id", "ts", "lon", "lat", "accuracy_m", "battery_pct",
             "band_separated")


def next_ping_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(LocationPing.id), 0))).scalar_one()) + 1


def _nullable_ints(a: np.ndarray) -> list:
    nan = np.isnan(a)
    out = np.where(nan, 0, a).astype(np.int64).astype(object)
    out[nan] = None
    return out.tolist()


PING_INDEXES = ("ix_ping_person_ts", "ix_ping_ts")


def drop_ping_indexes(conn: Connection) -> None:
    """For a bulk load into an empty table: indexes are rebuilt once afterwards (much faster)."""
    for idx in LocationPing.__table__.indexes:
        if idx.name in PING_INDEXES:
            idx.drop(conn, checkfirst=True)


def create_ping_indexes(conn: Connection) -> None:
    for idx in LocationPing.__table__.indexes:
        if idx.name in PING_INDEXES:
            idx.create(conn, checkfirst=True)


def insert_pings(conn: Connection, cols: dict[str, np.ndarray]) -> int:
    """Bulk-insert pings given as columns (explicit ids). SQLite: executemany on the raw cursor;
    PostgreSQL: COPY. Timestamps are datetime64 (naive Shanghai wall clock)."""
    n = len(cols["id"])
    if n == 0:
        return 0
    ts = np.asarray(cols["ts"]).astype("datetime64[s]")
    battery = np.asarray(cols["battery_pct"], dtype=float)
    dev = np.asarray(cols["device_id"], dtype=float)
    dialect = conn.dialect.name
    raw = conn.connection.driver_connection
    ids = np.asarray(cols["id"], dtype=np.int64).tolist()
    sids = np.asarray(cols["supervised_id"], dtype=np.int64).tolist()
    devs = _nullable_ints(dev)
    lon = np.round(np.asarray(cols["lon"], dtype=float), 6).tolist()
    lat = np.round(np.asarray(cols["lat"], dtype=float), 6).tolist()
    acc = np.round(np.asarray(cols["accuracy_m"], dtype=float), 1).tolist()
    bat = _nullable_ints(battery)
    sep = np.asarray(cols["band_separated"], dtype=bool).tolist()
    if dialect == "sqlite":
        # SQLAlchemy's SQLite DateTime storage format, so bound-parameter comparisons match
        ts_txt = np.char.add(np.char.replace(np.datetime_as_string(ts, unit="s"), "T", " "), ".000000")
        rows = zip(ids, sids, devs, ts_txt.tolist(), lon, lat, acc, bat, [int(s) for s in sep])
        cur = raw.cursor()
        cur.executemany("INSERT INTO location_ping (id, supervised_id, device_id, ts, lon, lat, "
                        "accuracy_m, battery_pct, band_separated) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        cur.close()
    elif dialect == "postgresql":
        tsl = ts.astype(dt.datetime).tolist()
        with raw.cursor() as cur:
            with cur.copy("COPY location_ping (id, supervised_id, device_id, ts, lon, lat, accuracy_m, "
                          "battery_pct, band_separated) FROM STDIN") as cp:
                for row in zip(ids, sids, devs, tsl, lon, lat, acc, bat, sep):
                    cp.write_row(row)
            cur.execute("SELECT setval(pg_get_serial_sequence('location_ping', 'id'), "
                        "(SELECT max(id) FROM location_ping))")
    else:  # any other engine: plain Core executemany
        conn.execute(insert(LocationPing), [dict(zip(PING_COLS, r)) for r in zip(
            ids, sids, devs, ts.astype(dt.datetime).tolist(), lon, lat, acc, bat, sep)])
    return n


def update_last_positions(conn: Connection, cols: dict[str, np.ndarray]) -> int:
    """Keep supervised_person.last_* and device.last_seen_at/battery at each one's newest ping."""
    n = len(cols["id"])
    if n == 0:
        return 0
    sid = np.asarray(cols["supervised_id"], dtype=np.int64)
    ts = np.asarray(cols["ts"]).astype("datetime64[s]")
    order = np.lexsort((ts, sid))
    last = order[np.r_[sid[order][1:] != sid[order][:-1], True]]
    params = [{"b_id": int(sid[i]), "b_ts": ts[i].astype(dt.datetime), "b_lon": float(cols["lon"][i]),
               "b_lat": float(cols["lat"][i]), "b_acc": float(cols["accuracy_m"][i])} for i in last]
    from sqlalchemy import bindparam

    conn.execute(update(SP).where(SP.id == bindparam("b_id"),
                                  or_(SP.last_ping_at.is_(None), SP.last_ping_at <= bindparam("b_ts")))
                 .values(last_ping_at=bindparam("b_ts"), last_lon=bindparam("b_lon"),
                         last_lat=bindparam("b_lat"), last_accuracy_m=bindparam("b_acc")), params)
    dev = np.asarray(cols["device_id"], dtype=float)
    bat = np.asarray(cols["battery_pct"], dtype=float)
    has = ~np.isnan(dev)
    if has.any():
        d = dev[has].astype(np.int64)
        t = ts[has]
        b = bat[has]
        o = np.lexsort((t, d))
        lastd = o[np.r_[d[o][1:] != d[o][:-1], True]]
        dparams = [{"b_id": int(d[i]), "b_ts": t[i].astype(dt.datetime),
                    "b_bat": None if np.isnan(b[i]) else int(b[i])} for i in lastd]
        conn.execute(update(Device).where(Device.id == bindparam("b_id"),
                                          or_(Device.last_seen_at.is_(None),
                                              Device.last_seen_at <= bindparam("b_ts")))
                     .values(last_seen_at=bindparam("b_ts"),
                             battery_pct=func.coalesce(bindparam("b_bat"), Device.battery_pct)), dparams)
    return len(params)


def load_fencebook(conn: Connection, person_ids: Iterable[int] | None = None) -> E.FenceBook:
    """Home fences and banned zones of active persons (district-wide banned zones apply to all).

    District boundaries are read once (16 rows) and shared, not joined onto every fence row."""
    dist = dict(conn.execute(select(District.id, District.geojson)).all())
    stmt = select(Fence.supervised_id, Fence.kind, Fence.name, Fence.district_id, Fence.geojson)
    people_stmt = select(SP.id, SP.home_district_id).where(SP.status == ACTIVE)
    wanted = None if person_ids is None else sorted({int(i) for i in person_ids})
    if wanted is not None and len(wanted) <= 900:
        stmt = stmt.where(or_(Fence.supervised_id.is_(None), Fence.supervised_id.in_(wanted)))
        people_stmt = people_stmt.where(SP.id.in_(wanted))
    wanted_set = None if wanted is None else set(wanted)
    home: dict[int, str] = {}
    banned: dict[int, list[tuple[str, str]]] = {}
    shared_banned: dict[int, list[tuple[str, str]]] = {}
    for r in conn.execute(stmt):
        g = r.geojson or dist.get(r.district_id)
        if g is None:
            continue
        if r.supervised_id is None:
            if r.kind == "banned" and r.district_id is not None:
                shared_banned.setdefault(r.district_id, []).append((r.name, g))
            continue
        if wanted_set is not None and r.supervised_id not in wanted_set:
            continue
        if r.kind == "home":
            home[r.supervised_id] = g
        else:
            banned.setdefault(r.supervised_id, []).append((r.name, g))
    for sid, d in conn.execute(people_stmt):
        if (wanted_set is None or sid in wanted_set) and d in shared_banned:
            banned.setdefault(sid, []).extend(shared_banned[d])
    return E.FenceBook(home, banned)


def load_leaves(conn: Connection, since: dt.datetime) -> list[E.Leave]:
    rows = conn.execute(
        select(LeaveRequest.id, LeaveRequest.supervised_id, LeaveRequest.start_at, LeaveRequest.end_at,
               func.coalesce(LeaveRequest.dest_geojson, District.geojson).label("g"))
        .outerjoin(District, District.id == LeaveRequest.dest_district_id)
        .where(LeaveRequest.status.in_(("已批准", "已返回")),
               LeaveRequest.end_at >= since - dt.timedelta(hours=E.DEFAULT.late_return_horizon_hours))).all()
    return [E.Leave(r.id, r.supervised_id, r.start_at, r.end_at, r.g) for r in rows]


def open_alert_keys(conn: Connection) -> set[str]:
    return {k for (k,) in conn.execute(select(Alert.open_key).where(Alert.open_key.is_not(None)))}


def write_events(conn: Connection, events: Sequence[E.AlertEvent]) -> int:
    """Open/close alerts decided by the engine (system closures carry a note, no user)."""
    opens = [{"supervised_id": e.person_id, "kind": e.kind, "severity": e.severity, "status": "新",
              "raised_at": e.at, "evidence": e.evidence_json(), "open_key": e.key}
             for e in events if e.action == "open"]
    if opens:
        conn.execute(insert(Alert), opens)
    for e in events:
        if e.action == "close":
            conn.execute(update(Alert).where(Alert.open_key == e.key)
                         .values(status="已关闭", open_key=None, closed_at=e.at, close_note=e.note[:200]))
    return len(opens)


def read_ping_window(conn: Connection, start: dt.datetime, person_ids: Sequence[int] | None = None) -> E.Pings:
    stmt = select(LocationPing.id, LocationPing.supervised_id, LocationPing.ts, LocationPing.lon,
                  LocationPing.lat, LocationPing.accuracy_m, LocationPing.battery_pct,
                  LocationPing.band_separated).where(LocationPing.ts >= start)
    if person_ids is not None and len(person_ids) <= 900:
        stmt = stmt.where(LocationPing.supervised_id.in_([int(i) for i in person_ids]))
    rows = conn.execute(stmt).all()
    if not rows:
        return E.Pings([], [], np.array([], dtype="datetime64[s]"), [], [], [])
    ids, sid, ts, lon, lat, acc, bat, sep = zip(*rows)
    p = E.Pings(ids, sid, np.array(ts, dtype="datetime64[s]"), lon, lat, acc, bat, sep)
    if person_ids is not None and len(person_ids) > 900:
        p = p.take(np.flatnonzero(np.isin(p.person, np.asarray(person_ids, dtype=np.int64))))
    return p


@dataclass(frozen=True)
class EngineRun:
    pings: int
    opened: int
    closed: int
    missed_tasks: int
    escalated: int
    risk_updated: int


def run_engine(conn: Connection, now: dt.datetime, new_ping_ids: Sequence[int] | np.ndarray,
               person_ids: Sequence[int] | None = None, cfg: E.EngineConfig = E.DEFAULT,
               rule: RiskRule = DEFAULT_RULE, lookback_minutes: float = 180) -> EngineRun:
    """Run every alert rule for the newly written pings and the clock, inside ``conn``'s transaction."""
    new_ids = np.asarray(new_ping_ids, dtype=np.int64)
    opened = closed = 0
    keys = open_alert_keys(conn)
    touched: set[int] = set()
    if len(new_ids):
        window = read_ping_window(conn, now - dt.timedelta(minutes=lookback_minutes), person_ids)
        res = E.evaluate(window, load_fencebook(conn, person_ids), load_leaves(conn, now), cfg,
                         open_keys=keys, new_ids=new_ids)
        opened += write_events(conn, res.events)
        closed += len(res.closed())
        keys = open_alert_keys(conn)
        touched |= {e.person_id for e in res.events}
        for lid, back in res.returns:
            conn.execute(update(LeaveRequest).where(LeaveRequest.id == lid, LeaveRequest.status == "已批准",
                                                    LeaveRequest.end_at <= back + dt.timedelta(days=1),
                                                    LeaveRequest.start_at <= back)
                         .values(status="已返回", returned_at=back))
    # devices
    devs = conn.execute(select(Device.id, Device.supervised_id, Device.last_seen_at)
                        .join(SP, SP.id == Device.supervised_id)
                        .where(Device.status == "在用", SP.status == ACTIVE)).all()
    ev = E.device_checks(devs, now, cfg, keys)
    opened += write_events(conn, ev)
    closed += sum(1 for e in ev if e.action == "close")
    touched |= {e.person_id for e in ev}
    # check-ins
    pending = conn.execute(select(CheckinTask.id, CheckinTask.supervised_id, CheckinTask.due_at,
                                  CheckinTask.answered_at, CheckinTask.verify_result)
                           .where(CheckinTask.status == "待签到", CheckinTask.due_at < now)).all()
    missed, cev = E.checkin_checks([E.Task(*r) for r in pending], now, open_alert_keys(conn))
    if missed:
        conn.execute(update(CheckinTask).where(CheckinTask.id.in_(missed)).values(status="未签到"))
    opened += write_events(conn, cev)
    touched |= {e.person_id for e in cev}
    escalated = escalate_due(conn, now, cfg)
    risk = recompute_risk(conn, now, sorted(touched), rule) if touched else 0
    return EngineRun(len(new_ids), opened, closed, len(missed), escalated, risk)


def recompute_risk(conn: Connection, now: dt.datetime, person_ids: Sequence[int] | None = None,
                   rule: RiskRule = DEFAULT_RULE) -> int:
    """Risk code of each person (or of all active persons) from the last ``rule.window_days``."""
    since = now - dt.timedelta(days=rule.window_days)
    not_false = or_(Alert.close_note.is_(None), ~Alert.close_note.like(FALSE_ALARM_TAG + "%"))
    a = select(Alert.supervised_id, Alert.kind, func.count().label("n")).where(
        Alert.raised_at >= since, not_false, Alert.kind != E.MISSED_CHECKIN)
    t = select(CheckinTask.supervised_id, func.count().label("n")).where(
        CheckinTask.due_at >= since, or_(CheckinTask.status == "未签到", CheckinTask.verify_result == "未通过"))
    p = select(SP.id, SP.absconded).where(SP.status == ACTIVE)
    if person_ids is not None:
        ids = [int(i) for i in person_ids]
        a = a.where(Alert.supervised_id.in_(ids))
        t = t.where(CheckinTask.supervised_id.in_(ids))
        p = p.where(SP.id.in_(ids))
    counts: dict[int, dict[str, int]] = {}
    for sid, kind, n in conn.execute(a.group_by(Alert.supervised_id, Alert.kind)):
        counts.setdefault(sid, {})[kind] = int(n)
    for sid, n in conn.execute(t.group_by(CheckinTask.supervised_id)):
        counts.setdefault(sid, {})[E.MISSED_CHECKIN] = int(n)
    params = []
    for sid, absconded in conn.execute(p):
        code, score, reasons = risk_code(counts.get(sid, {}), rule, bool(absconded))
        params.append({"b_id": sid, "b_code": code, "b_reasons": f"{score}分：" + "；".join(reasons)})
    if params:
        from sqlalchemy import bindparam

        conn.execute(update(SP).where(SP.id == bindparam("b_id"))
                     .values(risk_code=bindparam("b_code"), risk_reasons=bindparam("b_reasons")), params)
    return len(params)

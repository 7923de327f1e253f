"""Legal-supervision clues (法律监督线索, issue 13): the list, the detail with the evidence rows that
raised a clue, and the clue's life (``domain.clues``) written in one transaction with its history
and audit row.

Why a clue is held by its hit id and changed with ``update … where state = expected``: two people
may have the same clue open; the second to act must be told, not overwrite the first.
A clue is visible only to an account holding the permission its model names, within its districts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Connection, Engine, and_, insert, or_, select, update
from sqlalchemy.orm import aliased

from domain import clock
from domain.access import AccessDenied, Actor
from domain.clues import (CASE, CHECKING, OPEN_CASE, OPEN_STATES, REFERRED, ClueRuleError, check_transition,
                          clue_summary, is_overdue, reveals_identity)
from domain.models import Model
from domain.scope import Scope
from queries.audit import record
from queries.frames import read_rows
from queries.model_library import effective_models
from queries.schema import (AppUser, Case, CaseEvent, ClueHistory, District, ModelHit, Person, PilCase, Procuratorate,
                            River, SupervisedPerson, Suspect, UserRole, WaterSample)
from queries.scope import in_scope, require

PERMISSION = "clues"
WATER = "water_worse_than_v"
TAKEN = "线索已被他人处理"
UNSEEN = "线索不存在或不在您的权限范围内"


class ClueError(ClueRuleError):
    """A change refused for a reason outside the pure rules (taken by someone else, bad assignee)."""


def models_in_effect(engine: Engine) -> dict[str, Model]:
    """The models whose clues this installation shows, by key: the shipped definitions with this
    installation's parameters, and models imported from another installation."""
    return effective_models(engine)


def _visible_keys(engine: Engine, scope: Scope) -> list[str]:
    return sorted(k for k, m in models_in_effect(engine).items() if scope.grants_permission(m.permission))


def visible_models(engine: Engine, scope: Scope) -> dict[str, tuple[str, str]]:
    """The models whose clues the scope may read: key -> (Chinese name, English name)."""
    require(scope, PERMISSION)
    models = models_in_effect(engine)
    return {k: (models[k].name_zh, models[k].name_en) for k in _visible_keys(engine, scope)}


# --------------------------------------------------------------------------- the list

_DUE = re.compile(r"^\s*(?:within\s*)?(\d{1,4})\s*(?:days?|天)?\s*$")


def _due_days(due: str | int | None) -> int | None | str:
    """``None``, ``"overdue"`` or a number of days (``7``, ``"within 7 days"``, ``"7天"``)."""
    if due is None or due == "overdue":
        return due
    if isinstance(due, int) and not isinstance(due, bool) and due >= 0:
        return due
    m = _DUE.match(str(due))
    if not m:
        raise ClueError(f"期限筛选只能是“已超期”或“N天内到期”，收到：{due}")
    return int(m.group(1))


def clue_list(engine: Engine, scope: Scope, *, model: str | None = None, state: str | None = None,
              assignee: int | None = None, due: str | int | None = None, district: int | None = None,
              limit: int | None = 10_000, now: dt.datetime | None = None) -> pd.DataFrame:
    """Clues in scope, nearest deadline first: hit_id, model_key, model, state, assignee_id, assignee,
    found_at, due_at, overdue, district_id, district, case_no, summary, version, quality_note. ``due`` is
    ``"overdue"`` or N (due within N days, overdue ones included); ``assignee`` 0 means nobody."""
    require(scope, PERMISSION)
    now = now or clock.now()
    models = models_in_effect(engine)
    keys = _visible_keys(engine, scope)
    who = aliased(AppUser)
    conds = [ModelHit.model_key.in_(keys), in_scope(scope, ModelHit.district_id)]
    if model:
        conds.append(ModelHit.model_key == model)
    if state:
        conds.append(ModelHit.state == state)
    if assignee is not None:
        conds.append(ModelHit.assignee_id.is_(None) if assignee == 0 else ModelHit.assignee_id == assignee)
    if district is not None:
        conds.append(ModelHit.district_id == district)
    days = _due_days(due)
    if days is not None:
        conds.append(ModelHit.state.in_(sorted(OPEN_STATES)))
        conds.append(ModelHit.due_at <= (now if days == "overdue" else now + dt.timedelta(days=days)))
    stmt = (select(ModelHit.id.label("hit_id"), ModelHit.model_key, ModelHit.state, ModelHit.assignee_id,
                   who.display_name.label("assignee"), ModelHit.found_at, ModelHit.due_at,
                   ModelHit.district_id, District.name_zh.label("district"), Case.case_no, ModelHit.evidence,
                   ModelHit.version, ModelHit.quality_note)
            .outerjoin(who, who.id == ModelHit.assignee_id)
            .outerjoin(Case, Case.id == ModelHit.case_id)
            .outerjoin(District, District.id == ModelHit.district_id)
            .where(and_(*conds))
            .order_by(ModelHit.due_at, ModelHit.id))
    if limit:
        stmt = stmt.limit(limit)
    names = {k: m.name_zh for k, m in models.items()}
    out = []
    # the per-row work is done on plain tuples: iterating pandas' string columns costs ten times more
    for hid, key, state_, aid, aname, found, due_at, did, dname, case_no, ev, version, qnote in read_rows(engine,
                                                                                                         stmt):
        e = json.loads(ev) if ev else {}
        out.append((hid, key, names.get(key, key), state_, aid, aname, found, due_at, did, dname,
                    case_no or e.get("case_no"), clue_summary(key, e), version, qnote))
    cols = ["hit_id", "model_key", "model", "state", "assignee_id", "assignee", "found_at", "due_at",
            "district_id", "district", "case_no", "summary", "version", "quality_note"]
    df = pd.DataFrame.from_records(out, columns=cols)
    df["found_at"] = pd.to_datetime(df["found_at"])
    df["due_at"] = pd.to_datetime(df["due_at"])
    df["overdue"] = df["state"].isin(list(OPEN_STATES)) & df["due_at"].notna() & (df["due_at"] <= now)
    return df[cols[:8] + ["overdue"] + cols[8:]]


# --------------------------------------------------------------------------- the detail


@dataclass(frozen=True)
class ClueDetail:
    """One clue with its history and the rows that raised it; ``full_names`` says whether people
    are shown unmasked (``domain.clues.reveals_identity``)."""

    clue: dict[str, Any]
    evidence: dict[str, Any]
    history: pd.DataFrame
    rows: dict[str, pd.DataFrame]  # title -> the evidence rows
    full_names: bool


def _people(full: bool):
    """The columns naming a person: the full name only where the rule allows it."""
    name = (Person.full_name if full else Person.name_masked).label("name")
    return name, Person.id_masked.label("id_masked")


def _case_rows(conn: Connection, case_id: int | None) -> pd.DataFrame:
    if case_id is None:
        return pd.DataFrame()
    stmt = select(Case.case_no, Case.charge, Case.stage, Case.procedure, Case.accepted_at, Case.stage_entered_at,
                  Case.handling_department).where(Case.id == case_id)
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=[
        "case_no", "charge", "stage", "procedure", "accepted_at", "stage_entered_at", "department"])


def _suspect_rows(conn: Connection, case_id: int | None, full: bool, seq: int | None = None) -> pd.DataFrame:
    if case_id is None:
        return pd.DataFrame()
    name, idm = _people(full)
    stmt = (select(Suspect.seq, name, idm, Suspect.arrest_decision, Suspect.prosecution_decision,
                   Suspect.non_prosecution_type, Suspect.prosecution_decided_at)
            .outerjoin(Person, Person.id == Suspect.person_id).where(Suspect.case_id == case_id)
            .order_by(Suspect.seq))
    if seq is not None:
        stmt = stmt.where(Suspect.seq == seq)
    res = conn.execute(stmt)
    return pd.DataFrame([tuple(r) for r in res], columns=list(res.keys()))


def _frame(conn: Connection, stmt) -> pd.DataFrame:
    res = conn.execute(stmt)
    return pd.DataFrame([tuple(r) for r in res], columns=list(res.keys()))


def _drill_case(conn, hit, ev, full) -> dict[str, pd.DataFrame]:
    return {"案件": _case_rows(conn, hit.case_id), "犯罪嫌疑人": _suspect_rows(conn, hit.case_id, full)}


def _drill_recidivism(conn, hit, ev, full) -> dict[str, pd.DataFrame]:
    name, idm = _people(full)
    sp = _frame(conn, select(SupervisedPerson.person_code, name, idm, SupervisedPerson.measure,
                             SupervisedPerson.start_date, SupervisedPerson.end_date, SupervisedPerson.status)
                .join(Person, Person.id == SupervisedPerson.person_id)
                .where(SupervisedPerson.id == ev.get("supervised_id")))
    return {"被监管人": sp, "新案件": _case_rows(conn, hit.case_id),
            "新案件犯罪嫌疑人": _suspect_rows(conn, hit.case_id, full)}


def _drill_referral(conn, hit, ev, full) -> dict[str, pd.DataFrame]:
    events = _frame(conn, select(CaseEvent.occurred_at, CaseEvent.event_type, CaseEvent.note)
                    .where(CaseEvent.case_id == hit.case_id).order_by(CaseEvent.occurred_at))
    return {"案件": _case_rows(conn, hit.case_id),
            "不起诉的犯罪嫌疑人": _suspect_rows(conn, hit.case_id, full, ev.get("suspect_seq")),
            "案件事件": events}


def _drill_water(conn, hit, ev, full) -> dict[str, pd.DataFrame]:
    rid = ev.get("river_id")
    river = _frame(conn, select(River.code, River.name, River.level, River.town, River.length_km)
                   .where(River.id == rid))
    samples = _frame(conn, select(WaterSample.month, WaterSample.sampled_on, WaterSample.water_class,
                                  WaterSample.main_pollutants, WaterSample.do_mg, WaterSample.nh3n, WaterSample.tp)
                     .where(WaterSample.river_id == rid).order_by(WaterSample.month.desc(), WaterSample.site_id)
                     .limit(60))
    return {"河道": river, "逐月监测": samples}


# model key -> the rows behind its hits; any other model: its case (if any) and the evidence itself
DRILL: dict[str, Callable[[Connection, Any, dict, bool], dict[str, pd.DataFrame]]] = {
    "recidivism_on_measure": _drill_recidivism,
    "overdue_cases": _drill_case,
    "non_prosecution_referral": _drill_referral,
    WATER: _drill_water,
}


def _visible_hit(conn: Connection, engine: Engine, scope: Scope, hit_id: int):
    """The hit row if the scope may see it (its model's permission, its district), else None."""
    return conn.execute(select(ModelHit.__table__).where(
        ModelHit.id == hit_id, ModelHit.model_key.in_(_visible_keys(engine, scope)),
        in_scope(scope, ModelHit.district_id))).first()


def _roles(conn: Connection, user_id: int | None) -> frozenset[str]:
    if user_id is None:
        return frozenset()
    return frozenset(conn.execute(select(UserRole.role).where(UserRole.user_id == user_id)).scalars())


def clue_history(engine: Engine, scope: Scope, hit_id: int) -> pd.DataFrame:
    """A visible clue's changes, oldest first: at, from_state, to_state, assignee, actor_name, note."""
    require(scope, PERMISSION)
    who = aliased(AppUser)
    with engine.connect() as conn:
        if _visible_hit(conn, engine, scope, hit_id) is None:
            return pd.DataFrame(columns=["at", "from_state", "to_state", "assignee", "actor_name", "note"])
        return _frame(conn, select(ClueHistory.at, ClueHistory.from_state, ClueHistory.to_state,
                                   who.display_name.label("assignee"), ClueHistory.actor_name, ClueHistory.note)
                      .outerjoin(who, who.id == ClueHistory.assignee_id)
                      .where(ClueHistory.hit_id == hit_id).order_by(ClueHistory.at, ClueHistory.id))


def clue_detail(engine: Engine, scope: Scope, hit_id: int, actor: Actor) -> ClueDetail | None:
    """The clue, its history and its evidence rows, or None when the scope may not see it. People
    are masked unless ``reveals_identity`` allows the actor; every view is audited as the actor."""
    if not isinstance(actor, Actor):
        raise TypeError("actor must be a domain.access.Actor (the signed-in account)")
    require(scope, PERMISSION)
    models = models_in_effect(engine)
    with engine.connect() as conn:
        hit = _visible_hit(conn, engine, scope, hit_id)
        if hit is None:
            found = None
        else:
            m = models[hit.model_key]
            full = reveals_identity(handler_role=m.role, viewer_roles=_roles(conn, actor.user_id),
                                    viewer_id=actor.user_id, assignee_id=hit.assignee_id)
            ev = json.loads(hit.evidence or "{}")
            rows = DRILL.get(hit.model_key, _drill_case)(conn, hit, ev, full)
            assignee = conn.execute(select(AppUser.display_name).where(AppUser.id == hit.assignee_id)).scalar() \
                if hit.assignee_id else None
            clue = dict(hit._mapping) | {"model": m.name_zh, "handler_role": m.role, "assignee": assignee,
                                         "summary": clue_summary(hit.model_key, ev),
                                         "overdue": is_overdue(hit.state, hit.due_at, clock.now())}
            found = ClueDetail(clue, ev, pd.DataFrame(), {k: v for k, v in rows.items() if not v.empty}, full)
    with engine.begin() as conn:
        record(conn, actor=actor, event="查看线索", result="成功" if found else "拒绝", target=f"hit:{hit_id}",
               detail=None if found is None else ("显示全名" if found.full_names else "脱敏显示"))
    if found is None:
        return None
    return ClueDetail(found.clue, found.evidence, clue_history(engine, scope, hit_id), found.rows, found.full_names)


def assignee_choices(engine: Engine, scope: Scope, hit_id: int) -> pd.DataFrame:
    """Active accounts who may handle this clue (user_id, display_name): holding the model's
    handling role, at a procuratorate of the clue's district or at city level."""
    require(scope, PERMISSION)
    with engine.connect() as conn:
        hit = _visible_hit(conn, engine, scope, hit_id)
        if hit is None:
            return pd.DataFrame(columns=["user_id", "display_name"])
        return _frame(conn, _candidates(models_in_effect(engine)[hit.model_key], hit.district_id))


def _candidates(model: Model, district_id: int | None):
    return (select(AppUser.id.label("user_id"), AppUser.display_name)
            .join(UserRole, UserRole.user_id == AppUser.id).join(Procuratorate,
                                                                Procuratorate.id == AppUser.procuratorate_id)
            .where(UserRole.role == model.role, AppUser.active.is_(True),
                   or_(Procuratorate.district_id.is_(None), Procuratorate.district_id == district_id))
            .order_by(AppUser.id))


# --------------------------------------------------------------------------- the life


def _open_water_case(conn: Connection, hit, ev: dict, reason: str, now: dt.datetime) -> str:
    """成案/立案 on a water clue opens a public-interest case on its river (the logic of the river
    page's old ``decide_clue``) and returns its number."""
    rid = ev.get("river_id")
    river = conn.execute(select(River.id, River.name, River.town, River.district_id)
                         .where(River.id == rid)).first()
    if river is None:
        raise ClueError("线索所指河道不存在")
    if conn.execute(select(PilCase.id).where(PilCase.river_id == rid, PilCase.closed_at.is_(None))).first():
        raise ClueError("该河道已有在办案件")
    proc_id = conn.execute(select(Procuratorate.id).where(
        Procuratorate.district_id == river.district_id, Procuratorate.level == "区院")).scalar()
    if proc_id is None:
        raise ClueError("找不到该河道所属的检察院")
    month = str(hit.hit_key).rsplit("/", 1)[-1]
    case_no = f"沪奉检行公立〔{now.year}〕水{rid}-{month}"
    conn.execute(insert(PilCase).values(
        case_no=case_no, river_id=rid, procuratorate_id=proc_id, district_id=river.district_id,
        source="水质线索", stage="立案", summary=f"{river.name}（{river.town}）水质线索{month}：{reason or '经审查决定立案'}"[:200],
        clue_at=now, filed_at=now, stage_entered_at=now))
    return case_no


def _check_assignee(conn: Connection, model: Model, district_id: int | None, assignee_id: int) -> None:
    ok = conn.execute(_candidates(model, district_id).where(AppUser.id == assignee_id)).first()
    if ok is None:
        raise ClueError("承办人须为本辖区持有该模型处理角色的在职人员")


def _change(engine: Engine, scope: Scope, hit_id: int, *, actor: Actor, now: dt.datetime, event: str,
            write: Any, apply: Callable[[Connection, Any, Model], tuple[dict, str, str | None]]) -> dict:
    """Hold the clue by id, let ``apply`` check and compute the new values, write them guarded by
    the state read (0 rows: someone else changed it), the history row and the audit row in one
    transaction; a refusal is audited in its own transaction and raised."""
    if not isinstance(actor, Actor):
        raise TypeError("actor must be a domain.access.Actor (the signed-in account)")
    try:
        require(scope, PERMISSION)
        with engine.begin() as conn:
            hit = _visible_hit(conn, engine, scope, hit_id)
            if hit is None:
                raise AccessDenied(UNSEEN)
            model = models_in_effect(engine)[hit.model_key]
            values, note, expected = apply(conn, hit, model)
            guard = [ModelHit.id == hit_id, ModelHit.state == (expected or hit.state)]
            guard.append(ModelHit.assignee_id.is_(None) if hit.assignee_id is None
                         else ModelHit.assignee_id == hit.assignee_id)
            if conn.execute(write.where(*guard).values(**values, state_changed_at=now)).rowcount != 1:
                raise ClueError(TAKEN)
            conn.execute(insert(ClueHistory).values(
                hit_id=hit_id, from_state=hit.state, to_state=values.get("state", hit.state),
                assignee_id=values.get("assignee_id", hit.assignee_id), actor_id=actor.user_id,
                actor_name=actor.name[:60], at=now, note=note[:200] if note else None))
            record(conn, actor=actor, event=event, result="成功", target=f"hit:{hit_id}", detail=note, at=now)
        return values
    except (ClueRuleError, AccessDenied) as exc:
        with engine.begin() as conn:
            record(conn, actor=actor, event=event, result="拒绝", target=f"hit:{hit_id}", detail=str(exc), at=now)
        raise


def transition(engine: Engine, scope: Scope, hit_id: int, target: str, *, assignee_id: int | None = None,
               reason: str | None = None, outcome_kind: str | None = None, outcome_ref: str | None = None,
               actor: Actor, now: dt.datetime | None = None, expected_state: str | None = None) -> dict:
    """Move clue ``hit_id`` to ``target`` under ``domain.clues`` rules; returns the values written.
    ``expected_state`` is the state the user saw (default: the state read now). A water clue made
    成案/立案 opens a ``pil_case`` and its number becomes ``outcome_ref``."""
    now = now or clock.now()

    def apply(conn, hit, model):
        if expected_state and expected_state != hit.state:
            raise ClueError(TAKEN)
        who = hit.assignee_id if assignee_id is None else assignee_id
        water_case = target == CASE and outcome_kind == OPEN_CASE and hit.model_key == WATER
        ref = "（立案时生成）" if water_case else outcome_ref
        check_transition(hit.state, target, assignee_id=who, reason=reason, outcome_kind=outcome_kind,
                         outcome_ref=ref)
        if target == CHECKING or (assignee_id is not None and assignee_id != hit.assignee_id):
            _check_assignee(conn, model, hit.district_id, who)
        values = dict(state=target, assignee_id=who, reason=(reason or "").strip() or None)
        if target == CASE:
            ref = _open_water_case(conn, hit, json.loads(hit.evidence or "{}"), values["reason"] or "", now) \
                if water_case else (outcome_ref or "").strip()
            values |= dict(outcome_kind=outcome_kind, outcome_ref=ref)
        elif target == REFERRED:
            values |= dict(outcome_ref=(outcome_ref or "").strip())
        note = "；".join(x for x in (f"{hit.state}→{target}", values.get("outcome_kind"), values.get("outcome_ref"),
                                     values["reason"]) if x)
        return values, note, hit.state

    return _change(engine, scope, hit_id, actor=actor, now=now, event="线索流转", write=update(ModelHit), apply=apply)


def assign(engine: Engine, scope: Scope, hit_id: int, assignee_id: int, *, actor: Actor,
           now: dt.datetime | None = None, expected_state: str | None = None, note: str | None = None) -> dict:
    """Give an open clue to another handler without changing its state (history and audit kept)."""
    now = now or clock.now()

    def apply(conn, hit, model):
        if expected_state and expected_state != hit.state:
            raise ClueError(TAKEN)
        if hit.state not in OPEN_STATES:
            raise ClueRuleError(f"线索已{hit.state}，不能再变更")
        if len((note or "").strip()) > 200:
            raise ClueRuleError("说明不能超过200字")
        _check_assignee(conn, model, hit.district_id, assignee_id)
        text = "；".join(x for x in (f"分派给用户{assignee_id}", (note or "").strip()) if x)
        return dict(assignee_id=assignee_id), text, hit.state

    return _change(engine, scope, hit_id, actor=actor, now=now, event="线索分派", write=update(ModelHit), apply=apply)

"""Running the legal-supervision models of ``domain.models`` (issue 13): each model's hit query is
built here with SQLAlchemy Core from its definition's parameters, and its hits are written once.

Why a hit table keyed by (model, natural key): a model runs again and again (the operator's
``jcy models run``, later a schedule); the same supervised person in the same new case, or the same
case overdue in the same stage, must be raised once, whichever version of the model finds it first.
A second run over unchanged data finds the same hits and writes none (only its ``model_run`` row).
Evidence is JSON of ids, codes and dates: no name, no identity number.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Engine, Insert, Select, and_, func, insert, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain import clock
from domain.cases import ADMIN_REFERRAL
from domain.clues import PENDING, decision_due
from domain.models import Model, ModelError, registry
from domain.procedure import NOT_PROSECUTE
from domain.scope import ALL, Scope
from queries.cases import time_limit_watch
from queries.frames import read_frame
from queries.schema import Case, CaseEvent, CaseParty, Department, ModelHit, ModelRun, SupervisedPerson, Suspect
from queries.scope import in_scope, require

SUSPECT_ROLE = "犯罪嫌疑人"
SUPERVISED = "在管"
NO_DEPARTMENT = "未分配部门"


@dataclass(frozen=True)
class Hit:
    """One hit before it is stored: its natural key, where it belongs (district, case), the group it
    counts in, and evidence without clear personal data."""

    hit_key: str
    district_id: int | None
    case_id: int | None
    group_key: str | None
    evidence: dict[str, Any]


@dataclass(frozen=True)
class RunResult:
    """What one run of one model did (what ``jcy models run`` prints)."""

    key: str
    version: str
    hits_found: int
    new_hits: int
    seconds: float


def _iso(v: Any) -> str | None:
    """A date or time as ISO text for the JSON evidence (None for a missing one)."""
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v.isoformat()
    return pd.Timestamp(v).isoformat()


def _day(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(v).date()


# --------------------------------------------------------------------------- the hit queries


def recidivism_stmt(model: Model) -> Select:
    """Supervised persons named as a suspect (``suspect`` or ``case_party``) in another case accepted
    on or after their measure's first day and before its release; the day bounds that need date
    arithmetic (end date, days after start) are applied in ``recidivism_hits``."""
    p = model.parameters
    sp = SupervisedPerson
    suspects = union(
        select(Suspect.case_id.label("case_id"), Suspect.person_id.label("person_id"))
        .where(Suspect.person_id.is_not(None)),
        select(CaseParty.case_id, CaseParty.person_id).where(CaseParty.role == SUSPECT_ROLE),
    ).subquery("named")
    conds = [sp.measure.in_(p["measures"]),
             or_(sp.case_id.is_(None), Case.id != sp.case_id),
             Case.accepted_at >= sp.start_date,
             or_(sp.released_at.is_(None), Case.accepted_at < sp.released_at)]
    if p["active_only"]:
        conds.append(sp.status == SUPERVISED)
    return (select(sp.id.label("supervised_id"), sp.person_code, sp.measure, sp.start_date, sp.end_date,
                   sp.home_district_id, Case.id.label("case_id"), Case.case_no, Case.accepted_at,
                   Case.district_id.label("case_district_id"), Case.charge)
            .select_from(sp)
            .join(suspects, suspects.c.person_id == sp.person_id)
            .join(Case, Case.id == suspects.c.case_id)
            .where(and_(*conds))
            .order_by(sp.id, Case.id))


def recidivism_hits(engine: Engine, model: Model, now: dt.datetime) -> list[Hit]:
    """再犯 hits: one per (supervised person, new case); nothing personal beyond the 监管编号."""
    p = model.parameters
    hits = []
    for r in read_frame(engine, recidivism_stmt(model)).itertuples(index=False):
        accepted, start, end = _day(r.accepted_at), _day(r.start_date), _day(r.end_date)
        if accepted > end or (accepted - start).days < p["min_days_after_start"]:
            continue
        hits.append(Hit(
            hit_key=f"sp:{int(r.supervised_id)}/case:{int(r.case_id)}",
            district_id=int(r.home_district_id), case_id=int(r.case_id), group_key=r.measure,
            evidence={"supervised_id": int(r.supervised_id), "person_code": r.person_code,
                      "measure": r.measure, "measure_start": start.isoformat(), "measure_end": end.isoformat(),
                      "case_id": int(r.case_id), "case_no": r.case_no, "accepted_at": _iso(r.accepted_at),
                      "case_district_id": int(r.case_district_id), "charge": r.charge}))
    return hits


def overdue_hits(engine: Engine, model: Model, now: dt.datetime) -> list[Hit]:
    """超期 hits from ``queries.cases.time_limit_watch`` (the one deadline function), with the
    handling department, grouped by stage and department."""
    p = model.parameters
    watch = time_limit_watch(engine, ALL, now, warn_days=0.0)
    watch = watch[(watch["status"] == "超期") & watch["stage"].isin(p["stages"])
                  & (-watch["days_left"] >= p["min_days_overdue"])]
    if watch.empty:
        return []
    ids = [int(i) for i in watch["case_id"]]
    dept = read_frame(engine, select(Case.id.label("case_id"),
                                     func.coalesce(Department.name, Case.handling_department).label("department"))
                      .outerjoin(Department, Department.id == Case.department_id)
                      .where(Case.id.in_(ids)))
    dept_of = {int(c): d for c, d in zip(dept["case_id"], dept["department"])}
    hits = []
    for r in watch.itertuples(index=False):
        department = dept_of.get(int(r.case_id)) or NO_DEPARTMENT
        started = pd.Timestamp(r.stage_entered_at)
        hits.append(Hit(
            hit_key=f"case:{int(r.case_id)}/{r.stage}/{started:%Y%m%d%H%M}",
            district_id=int(r.district_id), case_id=int(r.case_id), group_key=f"{r.stage}/{department}",
            evidence={"case_id": int(r.case_id), "case_no": r.case_no, "stage": r.stage,
                      "procedure": r.procedure, "department": department, "clock_start": _iso(r.stage_entered_at),
                      "deadline": _iso(r.deadline), "days_overdue": round(float(-r.days_left), 1),
                      "basis": r.basis}))
    return hits


def referral_stmt(model: Model, now: dt.datetime) -> Select:
    """Decisions not to prosecute of the counted kinds whose referral window has closed, each with the
    case's 移送行政处罚 events after the decision (none: NULL); ``referral_hits`` checks the window."""
    p = model.parameters
    closed = now - dt.timedelta(days=p["within_days"])
    return (select(Suspect.case_id, Suspect.seq, Suspect.district_id, Suspect.non_prosecution_type,
                   Suspect.prosecution_decided_at, Case.case_no, CaseEvent.occurred_at.label("referred_at"))
            .join(Case, Case.id == Suspect.case_id)
            .outerjoin(CaseEvent, and_(CaseEvent.case_id == Suspect.case_id, CaseEvent.event_type == ADMIN_REFERRAL,
                                       CaseEvent.occurred_at >= Suspect.prosecution_decided_at))
            .where(Suspect.prosecution_decision == NOT_PROSECUTE, Suspect.non_prosecution_type.in_(p["types"]),
                   Suspect.prosecution_decided_at <= closed)
            .order_by(Suspect.case_id, Suspect.seq))


def referral_hits(engine: Engine, model: Model, now: dt.datetime) -> list[Hit]:
    """不起诉后反向衔接 hits: one per suspect not prosecuted with no referral within the window."""
    window = dt.timedelta(days=model.parameters["within_days"])
    df = read_frame(engine, referral_stmt(model, now))
    if df.empty:
        return []
    decided = pd.to_datetime(df["prosecution_decided_at"])
    referred = pd.to_datetime(df["referred_at"])
    df["in_time"] = referred.notna() & (referred <= decided + window)
    df["decided"] = decided
    referred_in_time = df.groupby(["case_id", "seq"])["in_time"].transform("any")
    missing = df[~referred_in_time].drop_duplicates(["case_id", "seq"])
    return [Hit(hit_key=f"case:{int(r.case_id)}/suspect:{int(r.seq)}", district_id=int(r.district_id),
                case_id=int(r.case_id), group_key=r.non_prosecution_type,
                evidence={"case_id": int(r.case_id), "case_no": r.case_no, "suspect_seq": int(r.seq),
                          "non_prosecution_type": r.non_prosecution_type, "decided_at": _iso(r.decided),
                          "days_since": int((pd.Timestamp(now) - r.decided).days)})
            for r in missing.itertuples(index=False)]


# ---- water model (水质持续劣V, domain.models.water)


def water_monthly_stmt(model: Model, now: dt.datetime) -> Select:
    """Per river and month in the look-back (plus the decline window before it): the river's class
    (its worst site), with the river's code, name, town and district; rivers under an open
    ``pil_case`` are left out when the model says so."""
    from domain.periods import month_key, shift_month
    from queries.schema import PilCase, River, WaterSample

    p = model.parameters
    last = month_key(now.date())
    first = shift_month(last, -(p["lookback_months"] + max(p["window_months"], p["months_at_worst"]) - 1))
    monthly = (select(WaterSample.river_id.label("river_id"), WaterSample.month.label("month"),
                      func.max(WaterSample.water_class).label("water_class"))
               .where(WaterSample.month >= first, WaterSample.month <= last, WaterSample.water_class.is_not(None))
               .group_by(WaterSample.river_id, WaterSample.month).subquery("wm"))
    stmt = (select(monthly.c.river_id, monthly.c.month, monthly.c.water_class, River.code, River.name,
                   River.town, River.district_id)
            .join(River, River.id == monthly.c.river_id))
    if p["skip_open_case"]:
        open_case = (select(PilCase.id).where(PilCase.river_id == River.id, PilCase.closed_at.is_(None))
                     .correlate(River).exists())
        stmt = stmt.where(~open_case)
    return stmt.order_by(monthly.c.river_id, monthly.c.month)


def water_episode(history: list[tuple[str, int]], model: Model) -> tuple[list[str], list[str]]:
    """The current episode of one river: the months in a row (ending at its latest month with a
    class) that qualify under ``domain.water.clue_reasons``, oldest first, within the look-back; and
    the reasons as of the latest month. Empty when the latest month does not qualify."""
    from domain.periods import shift_month
    from domain.water import clue_reasons

    p = model.parameters
    if not history:
        return [], []
    kw = dict(months_at_worst=p["months_at_worst"], decline_classes=p["decline_classes"],
              window_months=p["window_months"])
    latest = history[-1][0]
    reasons = clue_reasons(history, latest, **kw)
    if not reasons:
        return [], []
    months = [latest]
    for _ in range(p["lookback_months"] - 1):
        m = shift_month(months[0], -1)
        if not clue_reasons(history, m, **kw):
            break
        months.insert(0, m)
    return months, reasons


def water_hits(engine: Engine, model: Model, now: dt.datetime, since: dict | None = None) -> list[Hit]:
    """水质持续劣V hits: one per river and episode, keyed by the episode's first month; a river whose
    episode already has a stored hit (any of its months) is not raised again. Always a whole pass
    (``since`` is accepted and not used): one grouped read of the window, ~0.1 s on the sample."""
    from domain.water import CLASS_LABELS
    from queries.schema import WaterSample

    df = read_frame(engine, water_monthly_stmt(model, now))
    if df.empty:
        return []
    with engine.connect() as conn:
        stored: dict[int, set[str]] = {}
        for (k,) in conn.execute(select(ModelHit.hit_key).where(ModelHit.model_key == model.key)):
            rid, _, month = k.removeprefix("river:").partition("/")
            if rid.isdigit():
                stored.setdefault(int(rid), set()).add(month)
    found = []
    for rid, g in df.groupby("river_id", sort=True):
        history = [(m, int(c)) for m, c in zip(g["month"], g["water_class"])]
        months, reasons = water_episode(history, model)
        if not months or stored.get(int(rid), set()) & set(months):
            continue
        found.append((int(rid), g.iloc[0].to_dict(), months, reasons, dict(history)))
    if not found:
        return []
    latest = {rid: months[-1] for rid, _, months, _, _ in found}
    polluted: dict[int, str | None] = {}
    ranked = read_frame(engine, select(WaterSample.river_id, WaterSample.month, WaterSample.water_class,
                                       WaterSample.main_pollutants)
                        .where(WaterSample.river_id.in_(list(latest)),
                               WaterSample.month.in_(sorted(set(latest.values()))),
                               WaterSample.water_class.is_not(None))
                        .order_by(WaterSample.river_id, WaterSample.water_class.desc(), WaterSample.id))
    for r in ranked.itertuples(index=False):
        if r.month == latest[int(r.river_id)] and int(r.river_id) not in polluted:
            polluted[int(r.river_id)] = r.main_pollutants
    hits = []
    for rid, row, months, reasons, by_month in found:
        hits.append(Hit(
            hit_key=f"river:{rid}/{months[0]}", district_id=int(row["district_id"]), case_id=None,
            group_key=row["town"],
            evidence={"river_id": rid, "code": row["code"], "name": row["name"], "town": row["town"],
                      "months": months, "classes": {m: by_month[m] for m in months},
                      "class_labels": [CLASS_LABELS[by_month[m]] for m in months],
                      "reasons": reasons,
                      "main_pollutants": [c for c in (polluted.get(rid) or "").split("、") if c]}))
    return hits


QUERIES: dict[str, Callable[[Engine, Model, dt.datetime], list[Hit]]] = {
    "recidivism_on_measure": recidivism_hits,
    "overdue_cases": overdue_hits,
    "non_prosecution_referral": referral_hits,
    "water_worse_than_v": water_hits,
}


# --------------------------------------------------------------------------- running


def _insert_ignoring_duplicates(engine: Engine) -> Insert:
    """INSERT that skips a row whose (model_key, hit_key) is already there (both engines)."""
    make = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    return make(ModelHit).on_conflict_do_nothing(index_elements=["model_key", "hit_key"])


def run_model(engine: Engine, model: Model, now: dt.datetime | None = None) -> RunResult:
    """Run one model and store the hits not stored before (by natural key), with its version."""
    if model.query not in QUERIES:
        raise ModelError(f"{model.key}: no query of kind {model.query!r}")
    now = now or clock.now()
    t0 = time.perf_counter()
    version = model.version
    with engine.begin() as conn:
        run_id = conn.execute(insert(ModelRun).values(model_key=model.key, version=version, started_at=now,
                                                      hits_found=0, new_hits=0)).inserted_primary_key[0]
    found = QUERIES[model.query](engine, model, now)
    new = 0
    with engine.begin() as conn:
        known = set(conn.execute(select(ModelHit.hit_key).where(ModelHit.model_key == model.key)).scalars())
        due = decision_due(now, model.decision_days)
        rows = [dict(model_key=model.key, hit_key=h.hit_key, version=version, run_id=run_id, found_at=now,
                     state=PENDING, due_at=due,
                     district_id=h.district_id, case_id=h.case_id, group_key=h.group_key,
                     evidence=json.dumps(h.evidence, ensure_ascii=False, sort_keys=True))
                for h in {h.hit_key: h for h in found}.values() if h.hit_key not in known]
        if rows:
            conn.execute(_insert_ignoring_duplicates(engine), rows)
            new = int(conn.execute(select(func.count()).select_from(ModelHit)
                                   .where(ModelHit.run_id == run_id)).scalar_one())
        conn.execute(update(ModelRun).where(ModelRun.id == run_id)
                     .values(finished_at=clock.now(), hits_found=len(found), new_hits=new))
    return RunResult(model.key, version, len(found), new, round(time.perf_counter() - t0, 3))


def run_all(engine: Engine, now: dt.datetime | None = None,
            models: dict[str, Model] | None = None) -> list[RunResult]:
    """Run every model (the registry's unless given), in key order: the operator's batch."""
    models = registry() if models is None else models
    return [run_model(engine, models[k], now) for k in sorted(models)]


# --------------------------------------------------------------------------- reading hits


def _model(key: str) -> Model:
    try:
        return registry()[key]
    except KeyError:
        raise ModelError(f"unknown model {key!r}") from None


def hits(engine: Engine, scope: Scope, model_key: str) -> pd.DataFrame:
    """A model's stored hits in scope, oldest first: hit_key, version, found_at, district_id,
    case_id, group_key, evidence (parsed). Needs the permission the model's definition names."""
    require(scope, _model(model_key).permission)
    stmt = (select(ModelHit.id.label("hit_id"), ModelHit.hit_key, ModelHit.version, ModelHit.found_at,
                   ModelHit.district_id, ModelHit.case_id, ModelHit.group_key, ModelHit.evidence)
            .where(ModelHit.model_key == model_key, in_scope(scope, ModelHit.district_id))
            .order_by(ModelHit.found_at, ModelHit.id))
    df = read_frame(engine, stmt)
    df["evidence"] = [json.loads(e) for e in df["evidence"]]
    return df


def hits_by_group(engine: Engine, scope: Scope, model_key: str) -> pd.DataFrame:
    """How many of a model's hits in scope fall in each group (超期: stage/department), most first:
    the pattern above the single hits."""
    require(scope, _model(model_key).permission)
    n = func.count().label("hits")
    stmt = (select(ModelHit.group_key, n)
            .where(ModelHit.model_key == model_key, in_scope(scope, ModelHit.district_id))
            .group_by(ModelHit.group_key).order_by(n.desc(), ModelHit.group_key))
    return read_frame(engine, stmt)

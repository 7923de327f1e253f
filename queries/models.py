"""Running the legal-supervision models of ``domain.models`` (issue 13): each model's hit query is
built here with SQLAlchemy Core from its definition's parameters, and its hits are written once.

Why a hit table keyed by (model, natural key): a model runs again and again (the operator's
``jcy models run``, later a schedule); the same supervised person in the same new case, or the same
case overdue in the same stage, must be raised once, whichever version of the model finds it first.
A run over unchanged inputs writes nothing at all (``run_model``: the watermark of the last run), and
a run after new rows looks only at the cases they belong to.
Evidence is JSON of ids, codes and dates: no name, no identity number.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Engine, Insert, Select, and_, false, func, insert, literal, or_, select, union, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain import clock
from domain.cases import ADMIN_REFERRAL
from domain.clues import PENDING, decision_due
from domain.models import Model, ModelError, registry
from domain.models import cluster as CL, release as RL, sentencing_deviation as SD
from domain.periods import add_months, month_key, month_keys, shift_month
from domain.procedure import NOT_PROSECUTE
from domain.scope import ALL, Scope
from domain.sentencing.extract import tier_from_amount
from domain.water import CLASS_LABELS, clue_reasons
from queries.cases import time_limit_watch
from queries.frames import read_frame
from queries.model_library import effective_models
from queries.quality import last_checked, quality_note, run_checks  # data quality runs with the models
from queries.schema import (
    SENTENCING_FLAGS, Case, CaseEvent, CaseParty, CustodyPeriod, DataVersion, Department, ModelHit, ModelRun, PilCase,
    River, SentencingRecord, SupervisedPerson, Suspect, WaterSample, metadata,
)
from queries.scope import in_scope, require
from queries.sqlfn import month_of

DETENTION = "拘留"

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
    mode: str = "full"  # full / incremental / skipped (skipped: nothing written, hits_found is the last run's)


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


def recidivism_stmt(model: Model, changed: list[int] | None = None, enrolled: list[int] | None = None) -> Select:
    """Supervised persons named as a suspect (``suspect`` or ``case_party``) in another case accepted
    on or after their measure's first day and before its release; the day bounds that need date
    arithmetic (end date, days after start) are applied in ``recidivism_hits``. With ``changed`` (case
    ids) only those cases, or the persons ``enrolled`` (person ids), are looked at."""
    p = model.parameters
    sp = SupervisedPerson
    s_only, p_only = [], []
    if changed is not None:  # inside the union, so that only the few changed rows are joined
        enrolled = enrolled or []
        s_only = [or_(Suspect.case_id.in_(changed), Suspect.person_id.in_(enrolled))]
        p_only = [or_(CaseParty.case_id.in_(changed), CaseParty.person_id.in_(enrolled))]
    suspects = union(
        select(Suspect.case_id.label("case_id"), Suspect.person_id.label("person_id"))
        .where(Suspect.person_id.is_not(None), *s_only),
        select(CaseParty.case_id, CaseParty.person_id).where(CaseParty.role == SUSPECT_ROLE, *p_only),
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


def recidivism_hits(engine: Engine, model: Model, now: dt.datetime, since: dict | None = None) -> list[Hit]:
    """再犯 hits: one per (supervised person, new case); nothing personal beyond the 监管编号."""
    p = model.parameters
    changed = enrolled = None
    if since is not None:
        changed = changed_case_ids(engine, since)
        enrolled = [int(i) for i in read_frame(engine, select(SupervisedPerson.person_id).where(
            SupervisedPerson.id > _max_id(since, "supervised_person")))["person_id"].dropna()]
        if changed is None:
            enrolled = None  # too many changes to list: a full run
        elif not changed and not enrolled:
            return []
    hits = []
    for r in read_frame(engine, recidivism_stmt(model, changed, enrolled)).itertuples(index=False):
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


def overdue_hits(engine: Engine, model: Model, now: dt.datetime, since: dict | None = None) -> list[Hit]:
    """超期 hits from ``queries.cases.time_limit_watch`` (the one deadline function), with the
    handling department, grouped by stage and department. With ``since`` (same clock bucket as the
    last run) only cases changed since then can be new, and nothing at all when none changed."""
    p = model.parameters
    changed: set[int] | None = None
    if since is not None:
        ids = changed_case_ids(engine, since)
        changed = None if ids is None else set(ids)
        if changed is not None and not changed:
            return []
    watch = time_limit_watch(engine, ALL, now, warn_days=0.0)
    if changed is not None:
        watch = watch[watch["case_id"].astype(int).isin(changed)]
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


def referral_stmt(model: Model, now: dt.datetime, since: dict | None = None) -> Select:
    """Decisions not to prosecute of the counted kinds whose referral window has closed, each with the
    case's 移送行政处罚 events after the decision (none: NULL); ``referral_hits`` checks the window.
    With ``since``: only the cases changed since that watermark."""
    p = model.parameters
    closed = now - dt.timedelta(days=p["within_days"])
    only = [] if since is None else [Suspect.case_id.in_(changed_cases(since))]  # a subquery: see referral_hits
    return (select(Suspect.case_id, Suspect.seq, Suspect.district_id, Suspect.non_prosecution_type,
                   Suspect.prosecution_decided_at, Case.case_no, CaseEvent.occurred_at.label("referred_at"))
            .join(Case, Case.id == Suspect.case_id)
            .outerjoin(CaseEvent, and_(CaseEvent.case_id == Suspect.case_id, CaseEvent.event_type == ADMIN_REFERRAL,
                                       CaseEvent.occurred_at >= Suspect.prosecution_decided_at))
            .where(Suspect.prosecution_decision == NOT_PROSECUTE, Suspect.non_prosecution_type.in_(p["types"]),
                   Suspect.prosecution_decided_at <= closed, *only)
            .order_by(Suspect.case_id, Suspect.seq))


def referral_hits(engine: Engine, model: Model, now: dt.datetime, since: dict | None = None) -> list[Hit]:
    """不起诉后反向衔接 hits: one per suspect not prosecuted with no referral within the window."""
    window = dt.timedelta(days=model.parameters["within_days"])
    df = read_frame(engine, referral_stmt(model, now, since))
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


# ---- case models: sentencing deviation, clusters, detention after arrest refusal


def sentencing_stmt(after_id: int | None = None) -> Select:
    """Judgments in this procuratorate's own cases (sentencing records linked to a defendant): the facts
    the ruler needs, and the term. The case and judgment details are read for the hits only.
    ``after_id``: only records added after that id (an incremental run)."""
    SR = SentencingRecord
    stmt = (select(SR.id.label("record_id"), SR.charge, SR.tier, SR.amount_yuan, SR.months, SR.life, SR.death,
                   *[getattr(SR, f) for f in SENTENCING_FLAGS])
            .where(SR.suspect_id.is_not(None))
            .order_by(SR.id))
    return stmt if after_id is None else stmt.where(SR.id > after_id)


def sentencing_details_stmt(record_ids: list[int]) -> Select:
    """The case, defendant and judgment of some sentencing records (the hits' evidence)."""
    SR = SentencingRecord
    return (select(SR.id.label("record_id"), SR.source, SR.probation, Suspect.seq, Suspect.judgment_at,
                   Case.id.label("case_id"), Case.case_no, Case.district_id)
            .join(Suspect, Suspect.id == SR.suspect_id)
            .join(Case, Case.id == Suspect.case_id)
            .where(SR.id.in_(record_ids)))


def sentencing_assessment(engine: Engine, model: Model,
                          after_id: int | None = None) -> tuple[list[Hit], dict[str, int]]:
    """量刑偏离 hits, and how many judgments could not be assessed, by reason (never dropped silently).
    Judgments with the same facts (charge, tier or amount tier, circumstances) share one ruler range;
    each term is then only compared with it."""
    p = model.parameters
    df = read_frame(engine, sentencing_stmt(after_id))
    hits: list[Hit] = []
    not_assessable: dict[str, int] = {}
    if df.empty:
        return hits, not_assessable
    no_term = (df["months"].isna() | df["life"].astype(bool) | df["death"].astype(bool)).to_numpy()
    tiers = [None if pd.isna(t) else int(t) for t in df["tier"]]
    amounts = [None if pd.isna(a) else float(a) for a in df["amount_yuan"]]
    flag_rows = list(zip(*(df[f].astype(bool).tolist() for f in SENTENCING_FLAGS)))
    months_of = df["months"].tolist()
    ranges: dict[tuple, SD.Assessment] = {}
    found: list[tuple[int, str, float | None, float, SD.Assessment]] = []
    for i, (charge, tier, amount, flags) in enumerate(zip(df["charge"], tiers, amounts, flag_rows)):
        if no_term[i]:
            not_assessable[SD.NO_TERM] = not_assessable.get(SD.NO_TERM, 0) + 1
            continue
        key = (charge, tier, tier_from_amount(charge, amount) if tier is None else None, flags)
        ranged = ranges.get(key)
        if ranged is None:
            ranged = ranges[key] = SD.ruler_range(charge, tier, amount, dict(zip(SENTENCING_FLAGS, flags)), p)
        if not ranged.assessable:
            not_assessable[ranged.reason] = not_assessable.get(ranged.reason, 0) + 1
            continue
        months = float(months_of[i])
        direction, d, pct = SD.deviation(months, *ranged.compared)
        if direction is not None and SD.is_deviation(d, pct, p["min_months"], p["min_pct"]):
            found.append((int(df["record_id"].iat[i]), charge, amount, months, SD.place(ranged, months, p)))
    if not found:
        return hits, not_assessable
    details = read_frame(engine, sentencing_details_stmt([f[0] for f in found])).set_index("record_id")
    for record_id, charge, amount, months, a in found:
        r = details.loc[record_id]
        hits.append(Hit(
            hit_key=f"sentencing:{record_id}", district_id=int(r.district_id), case_id=int(r.case_id),
            group_key=a.direction,
            evidence={"record_id": record_id, "source": r.source, "case_id": int(r.case_id),
                      "case_no": r.case_no, "suspect_seq": int(r.seq), "judgment_at": _iso(r.judgment_at),
                      "charge": charge, "tier": a.tier, "tier_from": a.tier_from,
                      "amount_yuan": None if amount is None else int(amount), "circumstances": list(a.circumstances),
                      "actual_months": months, "probation": None if pd.isna(r.probation) else bool(r.probation),
                      "range": list(a.range), "band": list(a.band), "compared_to": p["compare_to"],
                      "compared": list(a.compared), "direction": a.direction,
                      "deviation_months": a.deviation_months, "deviation_pct": a.deviation_pct,
                      "steps": list(a.steps), "ruleset": a.ruleset}))
    return hits, not_assessable


def sentencing_deviation_hits(engine: Engine, model: Model, now: dt.datetime,
                               since: dict | None = None) -> list[Hit]:
    """量刑偏离 hits: one per judgment (sentencing record) outside the ruler's range by more than the
    thresholds. A hit needs a judgment, so an incremental run looks at the records added since."""
    after = None if since is None or "sentencing_record" not in since else _max_id(since, "sentencing_record")
    return sentencing_assessment(engine, model, after)[0]


def sentencing_not_assessable(engine: Engine, scope: Scope, model: Model | None = None) -> pd.DataFrame:
    """How many judgments the 量刑偏离 model could not assess, by reason (reason, judgments), most first:
    the figure beside its hits that says what the model did not look at."""
    model = model or _model("sentencing_deviation")
    require(scope, model.permission)
    counts = sentencing_assessment(engine, model)[1]
    df = pd.DataFrame(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["reason", "judgments"])
    return df


def _month_start(now: dt.datetime, back: int) -> dt.datetime:
    """The first instant of the month ``back`` months before ``now``'s month."""
    return add_months(dt.datetime(now.year, now.month, 1), -back)


def cluster_stmt(model: Model, now: dt.datetime, since: dict | None = None) -> Select:
    """Monthly counts of criminal cases by (district, town, charge) over the checked months and their
    baselines: GROUP BY in SQL, months as 'YYYY-MM'. With ``since``: only the (district, charge) cells
    of cases added since that watermark (a count moves only when a case is added)."""
    p = model.parameters
    start = _month_start(now, p["recent_months"] + p["baseline_months"])
    end = _month_start(now, 0)
    month = month_of(Case.accepted_at)
    stmt = (select(Case.district_id, Case.town, Case.charge, month.label("month"), func.count().label("n"))
            .where(Case.function == p["function"], Case.town.is_not(None), Case.charge.is_not(None),
                   Case.accepted_at >= start, Case.accepted_at < end)
            .group_by(Case.district_id, Case.town, Case.charge, month))
    if since is not None:
        new = select(Case.district_id, Case.charge).where(Case.id > _max_id(since, "case")).distinct().subquery()
        stmt = stmt.where(Case.district_id.in_(select(new.c.district_id)), Case.charge.in_(select(new.c.charge)))
    return stmt


def cluster_hits(engine: Engine, model: Model, now: dt.datetime, since: dict | None = None) -> list[Hit]:
    """类案 hits: one per (district, town, charge, month) whose count rises above its Poisson baseline."""
    p = model.parameters
    df = read_frame(engine, cluster_stmt(model, now, since))
    if df.empty:
        return []
    months = month_keys(_month_start(now, 1), p["recent_months"] + p["baseline_months"])
    counts: dict[tuple, dict[str, int]] = {}
    for r in df.itertuples(index=False):
        counts.setdefault((int(r.district_id), r.town, r.charge), {})[r.month] = int(r.n)
    hits = []
    checked = months[p["baseline_months"]:]
    for (district, town, charge), series in sorted(counts.items()):
        for i, month in enumerate(checked):
            observed = series.get(month, 0)
            if observed < p["min_count"]:
                continue
            base_months = months[i:i + p["baseline_months"]]
            cell = CL.assess_cell(observed, [series.get(m, 0) for m in base_months], p["alpha"], p["min_count"],
                                  p["floor"])
            if not cell.hit:
                continue
            hits.append(Hit(
                hit_key=f"cluster:{district}/{town}/{charge}/{month}", district_id=district, case_id=None,
                group_key=charge,
                evidence={"district_id": district, "town": town, "charge": charge, "month": month,
                          "observed": cell.observed, "baseline_months": base_months, "baseline": list(cell.baseline),
                          "baseline_mean": cell.mean, "lambda": cell.lam, "p_value": cell.p,
                          "alpha": p["alpha"], "min_count": p["min_count"],
                          "suggestion": "社会治理检察建议", "agency": CL.agency_for(charge)}))
    return hits


def release_stmt(model: Model, since: dict | None = None) -> Select:
    """Suspects refused arrest with a 拘留 spell that began before the decision and did not end at it.
    With ``since``: only the cases changed since that watermark."""
    p = model.parameters
    CP = CustodyPeriod
    only = [] if since is None else [Suspect.case_id.in_(changed_cases(since))]
    return (select(Suspect.id.label("suspect_id"), Suspect.seq, Suspect.arrest_decision, Suspect.arrest_decided_at,
                   CP.id.label("spell_id"), CP.started_at, CP.ended_at, Case.id.label("case_id"), Case.case_no,
                   Case.district_id)
            .join(CP, CP.suspect_id == Suspect.id)
            .join(Case, Case.id == Suspect.case_id)
            .where(Suspect.arrest_decision.in_(p["decisions"]), Suspect.arrest_decided_at.is_not(None),
                   CP.measure == DETENTION, CP.started_at < Suspect.arrest_decided_at,
                   or_(CP.ended_at.is_(None), CP.ended_at > Suspect.arrest_decided_at), *only)
            .order_by(Suspect.id, CP.id))


def release_hits(engine: Engine, model: Model, now: dt.datetime, since: dict | None = None) -> list[Hit]:
    """不批准逮捕后未及时释放 hits: one per (suspect, decision) held in 拘留 beyond the grace hours."""
    grace = model.parameters["grace_hours"]
    hits = []
    for r in read_frame(engine, release_stmt(model, since)).itertuples(index=False):
        decided = pd.Timestamp(r.arrest_decided_at).to_pydatetime()
        ended = None if pd.isna(r.ended_at) else pd.Timestamp(r.ended_at).to_pydatetime()
        if not RL.is_late_release(decided, ended, now, grace):
            continue
        hits.append(Hit(
            hit_key=f"suspect:{int(r.suspect_id)}/refused:{decided:%Y-%m-%dT%H:%M}", district_id=int(r.district_id),
            case_id=int(r.case_id), group_key="仍在拘留" if ended is None else "超时释放",
            evidence={"case_id": int(r.case_id), "case_no": r.case_no, "suspect_seq": int(r.seq),
                      "decision": r.arrest_decision, "decided_at": _iso(decided), "detention_from": _iso(r.started_at),
                      "detention_until": _iso(ended), "still_detained": ended is None,
                      "hours_after_decision": round(RL.hours_held_after(decided, ended, now), 1),
                      "grace_hours": grace}))
    return hits


# ---- water model (水质持续劣V, domain.models.water)


def water_monthly_stmt(model: Model, now: dt.datetime) -> Select:
    """Per river and month in the look-back (plus the decline window before it): the river's class
    (its worst site), with the river's code, name, town and district; rivers under an open
    ``pil_case`` are left out when the model says so."""
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
    """水质持续劣V hits: one per river and episode, keyed by the episode's first month; an episode that
    already holds a stored hit (any of its months, e.g. a decision carried over) is found under that
    hit's key, so it is counted and never raised again. Always a whole pass
    (``since`` is accepted and not used): one grouped read of the window, ~0.1 s on the sample."""
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
        if not months:
            continue
        # an episode already holding a stored hit (any of its months) is that hit: found under its
        # key, so the run counts it and stores nothing new
        held = sorted(stored.get(int(rid), set()) & set(months))
        found.append((int(rid), g.iloc[0].to_dict(), months, reasons, dict(history), held[0] if held else months[0]))
    if not found:
        return []
    latest = {rid: months[-1] for rid, _, months, _, _, _ in found}
    polluted: dict[int, str | None] = {}
    ranked = read_frame(engine, select(WaterSample.river_id, WaterSample.month, WaterSample.water_class,
                                       WaterSample.main_pollutants)
                        .where(WaterSample.river_id.in_(list(latest)),
                               WaterSample.month.in_(sorted(set(latest.values()))),
                               WaterSample.water_class.is_not(None))
                        .order_by(WaterSample.river_id, WaterSample.water_class.desc(), WaterSample.id))
    for r in ranked.itertuples(index=False):
        if r.month == latest[int(r.river_id)] and int(r.river_id) not in polluted:
            polluted[int(r.river_id)] = r.main_pollutants if isinstance(r.main_pollutants, str) else None
    hits = []
    for rid, row, months, reasons, by_month, key_month in found:
        hits.append(Hit(
            hit_key=f"river:{rid}/{key_month}", district_id=int(row["district_id"]), case_id=None,
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
    # case models: sentencing deviation, clusters, detention after arrest refusal
    "sentencing_deviation": sentencing_deviation_hits,
    "similar_case_cluster": cluster_hits,
    "detention_after_arrest_refusal": release_hits,
    "water_worse_than_v": water_hits,
}

# Query kinds whose function also takes ``since`` (the last run's watermark tables) and then looks
# only at what changed since: sound when a new hit needs a new or changed row of its inputs (a
# clock-dependent kind is run incrementally only inside the same clock bucket). Others run in full.
INCREMENTAL: frozenset[str] = frozenset({"recidivism_on_measure", "overdue_cases", "non_prosecution_referral",
                                         "sentencing_deviation", "similar_case_cluster",
                                         "detention_after_arrest_refusal"})


# --------------------------------------------------------------------------- running


def _insert_ignoring_duplicates(engine: Engine) -> Insert:
    """INSERT that skips a row whose (model_key, hit_key) is already there (both engines)."""
    make = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    return make(ModelHit).on_conflict_do_nothing(index_elements=["model_key", "hit_key"])


CLOCK_BUCKET = dt.timedelta(hours=1)  # a clock-dependent model reruns at least once per bucket
# (table, its column naming the case): rows added to these since a watermark mark a case as changed
_CASE_ROWS = (("case", "id"), ("case_event", "case_id"), ("suspect", "case_id"), ("case_party", "case_id"))


def _max_id(since: dict, table: str) -> int:
    """The highest id ``table`` had at the watermark (absent: everything counts as old)."""
    mark = since.get(table)
    return int(mark[1]) if mark else 2**62


MAX_LISTED = 20_000  # more changed cases than this: an incremental run is a full one


def changed_case_ids(engine: Engine, since: dict) -> list[int] | None:
    """``changed_cases`` as a list of ids (None when more than ``MAX_LISTED``): an id list lets each
    engine use its index on the case column, where an IN over a union subquery may not."""
    ids = read_frame(engine, select(changed_cases(since).subquery().c.case_id).distinct()
                     .limit(MAX_LISTED + 1))["case_id"]
    return None if len(ids) > MAX_LISTED else sorted(int(i) for i in ids)


def changed_cases(since: dict) -> Select:
    """Ids of cases with a row added since the watermark (the case itself, an event, a suspect or a
    party): what an incremental run looks at. Rows changed in place are not seen (README)."""
    parts = [select(metadata.tables[t].c[col].label("case_id")).where(metadata.tables[t].c.id > _max_id(since, t))
             for t, col in _CASE_ROWS if t in since]
    return union(*parts) if len(parts) > 1 else parts[0] if parts else select(Case.id.label("case_id")).where(false())


def _table_mark(conn, name: str) -> list[int]:
    """[rows, highest id] of one input table: a new or deleted row changes it."""
    t = metadata.tables[name]
    key = t.c.id if "id" in t.c else None
    n, top = conn.execute(select(func.count(), func.max(key) if key is not None else literal(0))
                          .select_from(t)).one()
    return [int(n), int(top or 0)]


def input_mark(engine: Engine, model: Model, now: dt.datetime,
               cache: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the model's inputs look like now: version, ``data_version``, each table it reads (rows,
    highest id) and, for a clock-dependent model, the clock bucket. ``cache`` shares table marks
    between the models of one batch."""
    cache = {} if cache is None else cache
    with engine.connect() as conn:
        if "data_version" not in cache:
            cache["data_version"] = int(conn.execute(select(DataVersion.version).where(DataVersion.id == 1))
                                        .scalar_one_or_none() or 0)
        for t in model.reads:
            if t not in cache:
                cache[t] = _table_mark(conn, t)
    bucket = None
    if model.clock_dependent:
        n = int((now - dt.datetime(2000, 1, 1)) / CLOCK_BUCKET)
        bucket = (dt.datetime(2000, 1, 1) + n * CLOCK_BUCKET).isoformat(timespec="minutes")
    return {"version": model.version, "data_version": cache["data_version"],
            "tables": {t: cache[t] for t in sorted(model.reads)}, "clock": bucket}


def last_mark(engine: Engine, key: str) -> dict[str, Any] | None:
    """The watermark of the model's newest finished run (None: never run, or run before watermarks)."""
    with engine.connect() as conn:
        row = conn.execute(select(ModelRun.watermark, ModelRun.hits_found).where(
            ModelRun.model_key == key, ModelRun.finished_at.is_not(None))
            .order_by(ModelRun.id.desc()).limit(1)).first()
    if row is None or not row.watermark:
        return None
    return {**json.loads(row.watermark), "hits_found": int(row.hits_found)}


def checks_due(engine: Engine, now: dt.datetime) -> bool:
    """The data-quality checks are due with this batch: never run, or last run a clock bucket ago."""
    last = last_checked(engine)
    return last is None or now - last >= CLOCK_BUCKET or now < last


def _same_inputs(a: dict, b: dict) -> bool:
    """Nothing a run could see has moved: version, clock bucket and the marks of the tables the model
    reads. ``data_version`` is recorded but not compared: it moves with a write to any table, and
    would rerun the water model for every new case event."""
    return all(a.get(k) == b.get(k) for k in ("version", "tables", "clock"))


def run_model(engine: Engine, model: Model, now: dt.datetime | None = None, *, full: bool = False,
              marks: dict[str, Any] | None = None) -> RunResult:
    """Run one model and store the hits not stored before (by natural key), with its version.

    Incremental unless ``full``: inputs and version unchanged since the last run (and, for a
    clock-dependent model, the same clock bucket) → nothing runs and nothing is written; the same
    version and bucket with new rows → only the changed cases are looked at (``INCREMENTAL``);
    otherwise a full run. Each run stores its watermark."""
    if model.query not in QUERIES:
        raise ModelError(f"{model.key}: no query of kind {model.query!r}")
    now = now or clock.now()
    t0 = time.perf_counter()
    version = model.version
    mark = input_mark(engine, model, now, marks)
    last = None if full else last_mark(engine, model.key)
    if last is not None and _same_inputs(last, mark):
        return RunResult(model.key, version, last["hits_found"], 0, round(time.perf_counter() - t0, 3), "skipped")
    incremental = (last is not None and model.query in INCREMENTAL and last["version"] == version
                   and last.get("clock") == mark["clock"])
    mode = "incremental" if incremental else "full"
    with engine.begin() as conn:
        run_id = conn.execute(insert(ModelRun).values(
            model_key=model.key, version=version, started_at=now, hits_found=0, new_hits=0,
            watermark=json.dumps({**mark, "mode": mode}, sort_keys=True))).inserted_primary_key[0]
    if incremental:
        found = QUERIES[model.query](engine, model, now, since=last["tables"])
    else:
        found = QUERIES[model.query](engine, model, now)
    # data quality: the failing input checks go on each new hit (read only when there is a hit to carry them)
    note = quality_note(engine, model.reads) if found else None
    new = 0
    with engine.begin() as conn:
        known = set(conn.execute(select(ModelHit.hit_key).where(ModelHit.model_key == model.key)).scalars())
        due = decision_due(now, model.decision_days)
        rows = [dict(model_key=model.key, hit_key=h.hit_key, version=version, run_id=run_id, found_at=now,
                     state=PENDING, due_at=due, quality_note=note,  # data quality (issue 13)
                     district_id=h.district_id, case_id=h.case_id, group_key=h.group_key,
                     evidence=json.dumps(h.evidence, ensure_ascii=False, sort_keys=True))
                for h in {h.hit_key: h for h in found}.values() if h.hit_key not in known]
        if rows:
            conn.execute(_insert_ignoring_duplicates(engine), rows)
            new = int(conn.execute(select(func.count()).select_from(ModelHit)
                                   .where(ModelHit.run_id == run_id)).scalar_one())
        # an incremental run sees only the changed part: the hits in effect are the last run's plus the new
        total = last["hits_found"] + new if incremental else len(found)
        conn.execute(update(ModelRun).where(ModelRun.id == run_id)
                     .values(finished_at=clock.now(), hits_found=total, new_hits=new))
    return RunResult(model.key, version, total, new, round(time.perf_counter() - t0, 3), mode)


def run_all(engine: Engine, now: dt.datetime | None = None,
            models: dict[str, Model] | None = None, *, full: bool = False) -> list[RunResult]:
    """Run every model in key order (the operator's batch, the schedule): the installation's
    models (``queries.model_library.effective_models``: shipped definitions with this
    installation's parameters and imported models) unless ``models`` is given. The data-quality
    checks run first on a full run and otherwise once per clock bucket (``checks_due``): they read
    whole tables, and an incremental run must stay cheap; hits carry the latest checks' result."""
    if models is None:
        models = effective_models(engine)
    now = now or clock.now()
    if full or checks_due(engine, now):  # data quality (issue 13): the checks run with the models, before them
        run_checks(engine, now)
    marks: dict[str, Any] = {}
    return [run_model(engine, models[k], now, full=full, marks=marks) for k in sorted(models)]


# --------------------------------------------------------------------------- reading hits


def _model(key: str, engine: Engine | None = None) -> Model:
    """A shipped model, or (given the engine) one imported into this installation."""
    models = registry()
    if key not in models and engine is not None:
        models = effective_models(engine)
    try:
        return models[key]
    except KeyError:
        raise ModelError(f"unknown model {key!r}") from None


def hits(engine: Engine, scope: Scope, model_key: str) -> pd.DataFrame:
    """A model's stored hits in scope, oldest first: hit_key, version, found_at, district_id,
    case_id, group_key, evidence (parsed). Needs the permission the model's definition names."""
    require(scope, _model(model_key, engine).permission)
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
    require(scope, _model(model_key, engine).permission)
    n = func.count().label("hits")
    stmt = (select(ModelHit.group_key, n)
            .where(ModelHit.model_key == model_key, in_scope(scope, ModelHit.district_id))
            .group_by(ModelHit.group_key).order_by(n.desc(), ModelHit.group_key))
    return read_frame(engine, stmt)

"""Running the data-quality checks of ``domain.quality`` (issue 13): each check's SQL is built here
with SQLAlchemy Core from its key, the counts of every run are stored in ``quality_result``, and a
model's run notes the checks failing on the data sets it reads (``input_warnings``).

Why counts are stored and rows are not: a run costs one aggregate per check; the failing rows are read
again on demand (``failing_rows``), in the reader's scope, when someone clicks a check. Counts are
over the whole database (data quality is the data owner's concern, not one district's).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, case, delete, func, insert, not_, or_, select, true

from domain import clock
from domain.access import Actor
from domain.cases import CLOSED_STAGES, CRIMINAL_STAGES, EVENT_TYPES, OTHER_STAGES
from domain.catalogue import FREQUENCIES, is_late, score
from domain.procedure import ARREST_DECISIONS, NON_PROSECUTION_TYPES, PROSECUTION_DECISIONS
from domain.quality import BEFORE_DECISION, CHECKS, STAGE_MOVES, TIMELINESS, Check, by_key, timeliness_check
from domain.scope import Scope
from queries import audit
from queries.frames import read_frame
from queries.schema import Base, Case, CaseEvent, Person, QualityResult, SupervisedPerson, Suspect, WaterSample
from queries.scope import in_scope, require

PERMISSION = "catalogue"
CRIMINAL = "刑事"
DIGITS = tuple("0123456789")


@dataclass(frozen=True)
class Rule:
    """A check's SQL: the rows it looks at (``source`` filtered by ``population``), the condition a
    row fails, what a failing row shows, and the district column the reader's scope limits."""

    source: Any
    population: tuple[ColumnElement[bool], ...]
    failing: ColumnElement[bool]
    show: tuple[Any, ...]
    district: Any = None
    order: Any = None
    personal: bool = False  # the shown columns include (masked) personal data: the view is audited
    counted: Any = None  # what the run counts over, when ``source`` joins only to show more (default: source)


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome in one run."""

    key: str
    dataset: str
    kind: str
    zh: str
    checked: int
    failed: int


def _mask_format_ok(col) -> ColumnElement[bool]:
    """``domain.masking.mask_id``'s form: six digits of area code, then twelve asterisks."""
    return and_(func.length(col) == 18, func.substr(col, 7, 12) == "*" * 12,
                *[func.substr(col, i, 1).in_(DIGITS) for i in range(1, 7)])


def _rules() -> dict[str, Rule]:
    c, e, s, p, w, sp = Case, CaseEvent, Suspect, Person, WaterSample, SupervisedPerson
    case_cols = (c.id.label("case_id"), c.case_no, c.function, c.stage, c.district_id)
    # one string comparison per row ("from>to" not in the allowed moves), not an OR of pairs: 4× faster
    skip = and_(e.stage_from != e.stage_to,
                (e.stage_from + ">" + e.stage_to).not_in(sorted(f"{a}>{b}" for a, b in STAGE_MOVES)))
    suspect_cols = (s.id.label("suspect_id"), s.case_id, Case.case_no, s.seq, s.district_id)
    return {
        "case_charge_present": Rule(c, (c.function == CRIMINAL,), c.charge.is_(None), case_cols, c.district_id, c.id),
        "case_cause_present": Rule(c, (c.function != CRIMINAL,), c.cause.is_(None), case_cols, c.district_id, c.id),
        "suspect_person_present": Rule(s.__table__.join(Case, Case.id == s.case_id), (), s.person_id.is_(None),
                                       suspect_cols, s.district_id, s.id, counted=s.__table__),
        "water_class_present": Rule(w, (), w.water_class.is_(None),
                                    (w.id.label("sample_id"), w.river_id, w.site_id, w.month), None, w.id),
        "case_stage_code": Rule(c, (), or_(and_(c.function == CRIMINAL, c.stage.not_in(CRIMINAL_STAGES)),
                                           and_(c.function != CRIMINAL, c.stage.not_in(OTHER_STAGES))),
                                case_cols, c.district_id, c.id),
        "case_dates_order": Rule(c, (), or_(c.accepted_at > c.stage_entered_at, c.accepted_at > c.closed_at,
                                            c.arrest_review_at > c.arrest_decided_at,
                                            c.prosecution_review_at > c.prosecution_decided_at),
                                 (*case_cols, c.accepted_at, c.stage_entered_at, c.closed_at), c.district_id, c.id),
        "event_type_code": Rule(e.__table__.join(Case, Case.id == e.case_id), (), e.event_type.not_in(EVENT_TYPES),
                                (e.id.label("event_id"), e.case_id, Case.case_no, e.event_type, e.occurred_at,
                                 e.district_id), e.district_id, e.id, counted=e.__table__),
        "suspect_decision_codes": Rule(s.__table__.join(Case, Case.id == s.case_id), (),
                                       or_(s.arrest_decision.not_in(ARREST_DECISIONS),
                                           s.prosecution_decision.not_in(PROSECUTION_DECISIONS),
                                           s.non_prosecution_type.not_in(NON_PROSECUTION_TYPES)),
                                       (*suspect_cols, s.arrest_decision, s.prosecution_decision,
                                        s.non_prosecution_type), s.district_id, s.id, counted=s.__table__),
        "suspect_arrest_after_review": Rule(s.__table__.join(Case, Case.id == s.case_id),
                                            (s.arrest_decided_at.is_not(None),),
                                            s.arrest_review_at > s.arrest_decided_at,
                                            (*suspect_cols, s.arrest_review_at, s.arrest_decided_at),
                                            s.district_id, s.id, counted=s.__table__),
        "person_id_mask_format": Rule(p, (), not_(_mask_format_ok(p.id_masked)),
                                      (p.public_id, p.name_masked, p.id_masked, p.district_id), p.district_id, p.id,
                                      personal=True),
        "water_class_range": Rule(w, (w.water_class.is_not(None),), not_(w.water_class.between(1, 6)),
                                  (w.id.label("sample_id"), w.river_id, w.month, w.water_class), None, w.id),
        "measure_dates_order": Rule(sp, (), sp.end_date < sp.start_date,
                                    (sp.id.label("supervised_id"), sp.person_code, sp.measure, sp.start_date,
                                     sp.end_date, sp.home_district_id), sp.home_district_id, sp.id),
        "event_stage_skip": Rule(e.__table__.join(Case, Case.id == e.case_id),
                                 (e.stage_from.is_not(None), e.stage_to.is_not(None)), skip,
                                 (e.id.label("event_id"), e.case_id, Case.case_no, e.event_type, e.stage_from,
                                  e.stage_to, e.occurred_at, e.district_id), e.district_id, e.id,
                                 counted=e.__table__),
        "suspect_decision_vs_stage": Rule(s.__table__.join(Case, Case.id == s.case_id),
                                          (s.prosecution_decision.is_not(None),), Case.stage.in_(BEFORE_DECISION),
                                          (*suspect_cols, s.prosecution_decision, Case.stage),
                                          s.district_id, s.id),
        "closed_stage_without_date": Rule(c, (c.stage.in_(CLOSED_STAGES),), c.closed_at.is_(None),
                                          (*case_cols, c.stage_entered_at), c.district_id, c.id),
    }


RULES = _rules()
assert set(RULES) == {c.key for c in CHECKS}, "every declared check has its SQL, and no SQL is undeclared"


def undeclared(base: Any = Base) -> list[str]:
    """Tables of ``base``'s schema whose class declares no ``__catalogue__`` (a test holds this empty)."""
    mapped = {m.local_table.name for m in base.registry.mappers if "__catalogue__" in m.class_.__dict__}
    return sorted(set(base.metadata.tables) - mapped)


def _declared() -> dict[str, tuple[Any, Any]]:
    """Each table's class and catalogue declaration, by table name (undeclared tables are left out
    here and named by ``undeclared``)."""
    return {m.local_table.name: (m.class_, m.class_.__dict__["__catalogue__"]) for m in Base.registry.mappers
            if "__catalogue__" in m.class_.__dict__}


def timeliness_checks() -> list[Check]:
    """One 及时性 check per data set that declares a frequency with a limit and a last-update column."""
    return [timeliness_check(t, d.zh, d.frequency) for t, (_, d) in sorted(_declared().items())
            if d.updated and FREQUENCIES[d.frequency] is not None]


def all_checks() -> dict[str, Check]:
    """Every check, declared and derived, by key."""
    return by_key([*CHECKS, *timeliness_checks()])


def _as_datetime(v: Any) -> dt.datetime | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time())
    return pd.Timestamp(v).to_pydatetime()


def last_update(engine: Engine, table: str) -> dt.datetime | None:
    """The newest value of the table's declared last-update column (None: no rows, or none declared)."""
    cls, d = _declared()[table]
    if not d.updated:
        return None
    with engine.connect() as conn:
        return _as_datetime(conn.execute(select(func.max(getattr(cls, d.updated)))).scalar())


def run_checks(engine: Engine, now: dt.datetime | None = None) -> list[CheckResult]:
    """Run every check once and store one ``quality_result`` row each (run_at = ``now``; the clock
    counts in whole seconds or minutes, so a run at the same instant replaces the earlier one)."""
    now = now or clock.now()
    checks = all_checks()
    out = []
    groups: dict[Any, list[str]] = {}  # one scan per table: every check on it is a pair of sums
    for key, rule in RULES.items():
        groups.setdefault(rule.source if rule.counted is None else rule.counted, []).append(key)
    counts: dict[str, tuple[int, int]] = {}
    with engine.connect() as conn:
        for source, keys in groups.items():
            sums = []
            for key in keys:
                pop = and_(true(), *RULES[key].population)
                sums += [func.coalesce(func.sum(case((pop, 1), else_=0)), 0),
                         func.coalesce(func.sum(case((and_(pop, RULES[key].failing), 1), else_=0)), 0)]
            row = conn.execute(select(*sums).select_from(source)).one()
            counts.update({key: (int(row[2 * i]), int(row[2 * i + 1])) for i, key in enumerate(keys)})
    for key in RULES:
        ck = checks[key]
        out.append(CheckResult(key, ck.dataset, ck.kind, ck.zh, *counts[key]))
    for ck in timeliness_checks():
        late = is_late(last_update(engine, ck.dataset), _declared()[ck.dataset][1].frequency, now)
        out.append(CheckResult(ck.key, ck.dataset, ck.kind, ck.zh, int(late is not None), int(bool(late))))
    with engine.begin() as conn:  # a second run at the same instant replaces the first
        conn.execute(delete(QualityResult).where(QualityResult.run_at == now))
        conn.execute(insert(QualityResult), [dict(run_at=now, dataset=r.dataset, check_key=r.key, kind=r.kind,
                                                  checked=r.checked, failed=r.failed) for r in out])
    return out


def last_checked(engine: Engine) -> dt.datetime | None:
    """When the checks last ran (None: never)."""
    return _latest(engine)


def _latest(engine: Engine) -> dt.datetime | None:
    with engine.connect() as conn:
        return conn.execute(select(func.max(QualityResult.run_at))).scalar()


def check_results(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The latest run's checks: run_at, dataset, check_key, kind, zh, checked, failed (failing first)."""
    require(scope, PERMISSION)
    latest = _latest(engine)
    cols = ["run_at", "dataset", "check_key", "kind", "zh", "checked", "failed"]
    if latest is None:
        return pd.DataFrame(columns=cols)
    q = QualityResult
    df = read_frame(engine, select(q.run_at, q.dataset, q.check_key, q.kind, q.checked, q.failed)
                    .where(q.run_at == latest).order_by(q.failed.desc(), q.dataset, q.check_key))
    checks = all_checks()
    df["zh"] = [checks[k].zh if k in checks else k for k in df["check_key"]]
    return df[cols]


def dataset_scores(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Score per data set in the latest run: dataset, checks, failing_checks, checked, failed,
    score (= passed ÷ checked row-checks), lowest first."""
    df = check_results(engine, scope)
    cols = ["dataset", "checks", "failing_checks", "checked", "failed", "score"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    g = df.assign(failing=df["failed"] > 0).groupby("dataset", as_index=False).agg(
        checks=("check_key", "count"), failing_checks=("failing", "sum"), checked=("checked", "sum"),
        failed=("failed", "sum"))
    g["score"] = [score(int(c), int(f)) for c, f in zip(g["checked"], g["failed"])]
    return g.sort_values(["score", "dataset"]).reset_index(drop=True)[cols]


def failing_rows(engine: Engine, scope: Scope, check_key: str, limit: int = 100,
                 actor: Actor | str = "operator") -> pd.DataFrame:
    """The rows failing one check now, in the reader's scope (by district where the data set has
    one), at most ``limit``: ids, codes and dates; people only masked, and that view is audited.
    A 及时性 check's "row" is the data set itself: its newest update against the allowed age."""
    require(scope, PERMISSION)
    checks = all_checks()
    if check_key not in checks:
        raise KeyError(f"未知的检查项：{check_key}")
    ck = checks[check_key]
    if ck.kind == TIMELINESS:
        d = _declared()[ck.dataset][1]
        latest = last_update(engine, ck.dataset)
        now = clock.now()
        if not is_late(latest, d.frequency, now):
            return pd.DataFrame(columns=["dataset", "last_update", "frequency", "allowed_days", "age_days"])
        age = None if latest is None else round((now - latest).total_seconds() / 86400, 1)
        return pd.DataFrame([{"dataset": ck.dataset, "last_update": latest, "frequency": d.frequency,
                              "allowed_days": FREQUENCIES[d.frequency], "age_days": age}])
    rule = RULES[check_key]
    conds = [*rule.population, rule.failing]
    if rule.district is not None:
        conds.append(in_scope(scope, rule.district))
    df = read_frame(engine, select(*rule.show).select_from(rule.source).where(*conds)
                    .order_by(rule.order).limit(int(limit)))
    if rule.personal and not df.empty:
        with engine.begin() as conn:
            audit.record(conn, actor=actor, event="查看个人信息", result="成功", target=f"quality:{check_key}",
                         detail=f"数据质量未通过行 {len(df)} 条（已脱敏）")
    return df


def input_warnings(engine: Engine, datasets: tuple[str, ...] | list[str]) -> list[str]:
    """The latest run's checks failing on these data sets, one sentence each (what a model's hits
    carry as ``quality_note``): empty when they all pass or no run has been made."""
    latest = _latest(engine)
    if latest is None or not datasets:
        return []
    q = QualityResult
    with engine.connect() as conn:
        rows = conn.execute(select(q.dataset, q.check_key, q.kind, q.checked, q.failed)
                            .where(q.run_at == latest, q.dataset.in_(list(datasets)), q.failed > 0)
                            .order_by(q.dataset, q.check_key)).all()
    checks = all_checks()
    return [f"{r.dataset}.{r.check_key}（{r.kind}）：{r.failed}/{r.checked} 未通过——"
            f"{checks[r.check_key].zh if r.check_key in checks else r.check_key}" for r in rows]


def quality_note(engine: Engine, datasets: tuple[str, ...] | list[str]) -> str | None:
    """``input_warnings`` as the JSON list a hit stores, or None when nothing fails."""
    warnings = input_warnings(engine, datasets)
    return json.dumps(warnings, ensure_ascii=False) if warnings else None

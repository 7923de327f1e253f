"""The live feed: keeps writing realistic events so the screens move.

Each tick accepts new cases, moves open cases to their next stage (with the matching case event),
takes each decision per suspect (their ``suspect`` row and custody spells; the case keeps the
summary of ``domain.case_summary``), and lets the supervision and river feeds add pings, check-ins, device reports, alerts and water
samples. Every tick bumps ``data_version`` in the same transaction, which is what screens poll.

    python -m sample_data.live_feed --rate 2          # about two case events per second
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import logging
import signal
import sys
import time

import numpy as np
from sqlalchemy import Engine, func, insert, select, update

from domain import clock
from domain.case_summary import summarise
from domain.cases import CHARGE_MIX, MATTER_EVENTS
from domain.identity import make_id
from domain.procedure import (
    APPROVED, ARRESTED, NON_PROSECUTION_TYPES, NOT_APPROVED, NOT_PROSECUTE, PROSECUTE, REC_FIXED, REC_RANGE,
)
from queries.crypto import hash_id_number
from queries.schema import (
    Case, CaseEvent, CaseParty, CustodyPeriod, Department, District, Person, Procuratorate, Suspect,
)
from queries.writes import add_person
from sample_data.build import bump_version
from sample_data.core import DISTRICT_WEIGHT, GIVEN, SURNAMES
from sample_data.towns import town_for

log = logging.getLogger("jcy.live_feed")

# Other areas' feeds: each has tick(engine, now, rng) -> rows written.
AREA_FEEDS = ("sample_data.supervision_feed", "sample_data.rivers_feed")

# Stages from which the feed moves an open criminal case on.
_MOVABLE = ("审查逮捕", "侦查", "审查起诉", "退回补充侦查", "提起公诉", "一审")


def _new_case(conn, now: dt.datetime, rng: np.random.Generator) -> int:
    dists = list(DISTRICT_WEIGHT)
    w = np.array(list(DISTRICT_WEIGHT.values()))
    d = int(rng.choice(dists, p=w / w.sum()))
    proc = conn.execute(select(Procuratorate.id).where(Procuratorate.district_id == d)).scalar_one()
    dept = conn.execute(select(Department.id, Department.name)
                        .where(Department.procuratorate_id == proc, Department.function == "刑事")
                        .order_by(Department.id).limit(1)).first()
    dname = conn.execute(select(District.name_zh).where(District.id == d)).scalar_one()
    names, weights = zip(*CHARGE_MIX)
    p = np.array(weights) / sum(weights)
    charge = str(rng.choice(names, p=p))
    arrest_path = charge != "危险驾驶" and rng.random() < 0.5
    stage = "审查逮捕" if arrest_path else "审查起诉"
    fast = not arrest_path and charge == "危险驾驶" and rng.random() < 0.7
    n_susp = int(rng.choice([1, 2, 3], p=[0.82, 0.13, 0.05]))
    year_start = dt.datetime(now.year, 1, 1)
    seq = conn.execute(select(func.count()).select_from(Case).where(
        Case.district_id == d, Case.accepted_at >= year_start, Case.function == "刑事")).scalar_one() + 1
    case_no = f"沪{dname[:2]}检刑诉〔{now.year}〕{seq:05d}号"
    while conn.execute(select(Case.id).where(Case.case_no == case_no)).first():
        seq += 1
        case_no = f"沪{dname[:2]}检刑诉〔{now.year}〕{seq:05d}号"
    case_id = conn.execute(insert(Case).values(
        case_no=case_no, procuratorate_id=proc, department_id=dept.id, district_id=d, function="刑事",
        charge=charge, stage=stage, stage_entered_at=now, accepted_at=now, suspects=n_susp,
        arrest_review_at=now if arrest_path else None, detained=arrest_path,
        prosecution_review_at=None if arrest_path else now,
        compulsory_measure=None if arrest_path else "取保候审",
        handling_department=f"{dname}院{dept.name}",
        procedure="速裁" if fast else "普通", origin="公安机关", complex_case=False,
        over_one_year=charge not in ("危险驾驶", "盗窃") and rng.random() < 0.5,
        town=town_for(d, case_no),  # 类案 model: where it happened (no draw from rng: the feed's sequence is kept)
    ).returning(Case.id)).scalar_one()
    conn.execute(insert(CaseEvent).values(case_id=case_id, district_id=d, occurred_at=now,
                                          event_type="受理", stage_to=stage))
    for k in range(1, n_susp + 1):
        # the identity number exists in clear only here, on its way to the hash
        born = dt.date(int(rng.integers(1960, 2005)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        idn = make_id(str(d), born, int(rng.integers(0, 999)))
        pid = conn.execute(select(Person.id).where(Person.id_hash == hash_id_number(idn))).scalar()
        if pid is None:
            name = str(rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN, 2))
            phone = "13" + f"{int(rng.integers(0, 10 ** 9)):09d}"
            pid = add_person(conn, full_name=name, id_number=idn, phone=phone, district_id=d,
                             public_id=rng.bytes(16).hex())
        if not conn.execute(select(CaseParty.id).where(CaseParty.case_id == case_id, CaseParty.person_id == pid,
                                                       CaseParty.role == "犯罪嫌疑人")).first():
            conn.execute(insert(CaseParty).values(case_id=case_id, person_id=pid, role="犯罪嫌疑人"))
        sid = conn.execute(insert(Suspect).values(
            case_id=case_id, district_id=d, person_id=pid, seq=k, juvenile=False, plea=False, probation=False,
            arrest_review_at=now if arrest_path else None).returning(Suspect.id)).scalar_one()
        # police detention before the request (CPL art. 91), or bail on transfer
        held = now - dt.timedelta(days=float(rng.uniform(1, 3)))
        _spell(conn, sid, "拘留" if arrest_path else "取保候审", held if arrest_path else now)
    return 1


def _spell(conn, suspect_id: int, measure: str, at: dt.datetime) -> None:
    """Close the suspect's open custody spell at ``at`` and open ``measure`` from then."""
    conn.execute(update(CustodyPeriod).where(CustodyPeriod.suspect_id == suspect_id,
                                             CustodyPeriod.ended_at.is_(None)).values(ended_at=at))
    conn.execute(insert(CustodyPeriod).values(suspect_id=suspect_id, measure=measure, started_at=at, ended_at=None))


def _suspects(conn, c) -> list[dict]:
    """The case's suspect rows in seq order; a case that has none yet (imported without its
    suspects) gets one row per counted suspect, with no decision."""
    cols = [Suspect.__table__.c[k] for k in Suspect.__table__.c.keys()]
    rows = [dict(r) for r in conn.execute(select(*cols).where(Suspect.case_id == c.id).order_by(Suspect.seq)).mappings()]
    if rows:
        return rows
    for k in range(1, max(1, c.suspects or 1) + 1):
        conn.execute(insert(Suspect).values(case_id=c.id, district_id=c.district_id, seq=k, juvenile=bool(c.juvenile),
                                            plea=False, probation=False, arrest_review_at=c.arrest_review_at))
    return _suspects(conn, c)


def _decide(conn, c, now: dt.datetime, rng: np.random.Generator, stage: str) -> tuple[dict, str]:
    """Take the stage's decision for each suspect of case ``c``; write their rows and custody spells.
    Returns the case columns to update (the summary of ``domain.case_summary``) and the event type."""
    rows = _suspects(conn, c)
    lead: dict = {}
    for s in rows:
        change: dict = {}
        co = s["seq"] > 1
        if stage == "审查逮捕":
            ok = (rng.random() < 0.6) if not co else (lead.get("ok", False) and rng.random() < 0.65)
            lead.setdefault("ok", ok)
            change.update(arrest_decided_at=now, arrest_decision=APPROVED if ok else NOT_APPROVED,
                          arrest_decided_by=c.handler_id, arrest_review_at=s["arrest_review_at"] or c.arrest_review_at)
            _spell(conn, s["id"], "逮捕" if ok else "取保候审", now)
        elif stage == "审查起诉":
            arrested = s["arrest_decision"] in ARRESTED
            nonpros = (rng.random() < (0.07 if arrested else 0.3)) if not co else \
                (lead.get("nonpros", False) or rng.random() < 0.12)
            lead.setdefault("nonpros", nonpros)
            plea = bool(rng.random() < 0.87) or c.procedure == "速裁"
            fixed = rng.random() < 0.9
            months = int(rng.integers(2, 36)) if c.charge != "危险驾驶" else int(rng.integers(1, 7))
            rec = plea and not nonpros
            change.update(prosecution_decided_at=now, prosecution_decision=NOT_PROSECUTE if nonpros else PROSECUTE,
                          non_prosecution_type=str(rng.choice(NON_PROSECUTION_TYPES[:3], p=[0.06, 0.76, 0.18]))
                          if nonpros else None, plea=plea,
                          rec_kind=(REC_FIXED if fixed else REC_RANGE) if rec else None,
                          rec_months=months if rec else None,
                          rec_months_hi=months + int(rng.integers(1, 4)) if rec and not fixed else None)
            if nonpros:
                _spell(conn, s["id"], "释放", now)
        elif s["prosecution_decision"] == PROSECUTE:  # 一审: a judgment for each prosecuted suspect
            adopted = bool(rng.random() < 0.96) if s["rec_kind"] else None
            months = (s["rec_months"] if adopted else int(rng.integers(1, 36))) or 1
            kind = "拘役" if c.charge == "危险驾驶" or months < 6 else "有期徒刑"
            months = min(months, 6) if kind == "拘役" else months
            probation = bool(months <= 36 and rng.random() < 0.35)
            change.update(judgment_at=now, judgment_kind=kind, judgment_months=months, probation=probation,
                          rec_adopted=adopted)
            if probation:
                _spell(conn, s["id"], "释放", now)
            else:  # the sentence is executed: pre-trial custody ends
                conn.execute(update(CustodyPeriod).where(CustodyPeriod.suspect_id == s["id"],
                                                         CustodyPeriod.ended_at.is_(None)).values(ended_at=now))
        if change:
            conn.execute(update(Suspect).where(Suspect.id == s["id"]).values(**change))
            s.update(change)
    summary = summarise(rows)
    if stage == "审查逮捕":
        keys = ("arrest_decided_at", "arrest_decision")
        event = summary["arrest_decision"]
        first = rows[0]
        values = {k: summary[k] for k in keys}
        values["compulsory_measure"] = "逮捕" if first["arrest_decision"] in ARRESTED else "取保候审"
    elif stage == "审查起诉":
        keys = ("prosecution_decided_at", "prosecution_decision", "non_prosecution_type", "plea_leniency",
                "sentencing_rec_kind", "sentencing_rec_months")
        values = {k: summary[k] for k in keys}
        event = "不起诉" if summary["prosecution_decision"] == NOT_PROSECUTE else "提起公诉"
    else:
        values = {"rec_adopted": summary["rec_adopted"]}
        event = "判决"
    return values, event


def _advance(conn, now: dt.datetime, rng: np.random.Generator) -> int:
    """Move one open criminal case to its next stage; returns 1 if something moved."""
    stage = str(rng.choice(_MOVABLE))
    row = conn.execute(select(Case).where(Case.function == "刑事", Case.stage == stage)
                       .order_by(Case.stage_entered_at).limit(20)).all()
    if not row:
        return 0
    c = row[int(rng.integers(len(row)))]
    values: dict = {"stage_entered_at": now}
    if stage == "审查逮捕":
        decided, event = _decide(conn, c, now, rng, stage)
        values.update(stage="侦查", **decided)
        to = "侦查"
    elif stage == "侦查":
        values.update(stage="审查起诉", prosecution_review_at=now)
        event, to = "移送审查起诉", "审查起诉"
    elif stage == "审查起诉":
        if c.returns_count < 2 and rng.random() < 0.1 and c.procedure != "速裁":
            values.update(stage="退回补充侦查", returns_count=c.returns_count + 1)
            event, to = "退回补充侦查", "退回补充侦查"
        else:
            decided, event = _decide(conn, c, now, rng, stage)
            nonpros = decided["prosecution_decision"] == NOT_PROSECUTE
            values.update(stage="不起诉" if nonpros else "提起公诉", outcome="不起诉" if nonpros else None,
                          closed_at=now if nonpros else None, **decided)
            to = event
    elif stage == "退回补充侦查":
        values.update(stage="审查起诉")
        event, to = "重新移送审查起诉", "审查起诉"
    elif stage == "提起公诉":
        values.update(stage="一审", trial_at=now)
        event, to = "开庭审理", "一审"
    else:  # 一审
        decided, event = _decide(conn, c, now, rng, stage)
        values.update(stage="判决", judgment_at=now, outcome="有罪判决", closed_at=now, **decided)
        to = "判决"
    conn.execute(update(Case).where(Case.id == c.id, Case.stage == stage).values(**values))
    conn.execute(insert(CaseEvent).values(
        case_id=c.id, district_id=c.district_id, occurred_at=now, event_type=event, stage_from=stage,
        stage_to=to, counts_as_matter=event in MATTER_EVENTS))
    return 1


def tick(engine: Engine, now: dt.datetime, rng: np.random.Generator, case_events: int = 2) -> int:
    """Write one batch of case events and bump the data version; returns rows written."""
    written = 0
    with engine.begin() as conn:
        for _ in range(case_events):
            if rng.random() < 0.4:
                written += _new_case(conn, now, rng)
            else:
                written += _advance(conn, now, rng) or _new_case(conn, now, rng)
        bump_version(conn, now)
    return written


def _area_feeds():
    feeds = []
    for name in AREA_FEEDS:
        try:
            feeds.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            log.warning("feed %s is not installed; skipping it", name)
    return feeds


def run_models(engine: Engine, now: dt.datetime) -> None:
    """The scheduled run of the legal-supervision models (incremental: unchanged inputs write
    nothing); a failure is logged, the feed goes on."""
    from queries.models import run_all

    try:
        results = run_all(engine, now)
    except Exception as exc:  # a model's query failing must not stop the feed
        log.warning("models run failed (%s: %s)", type(exc).__name__, str(exc)[:200])
        return
    ran = [r for r in results if r.mode != "skipped"]
    if ran:
        log.info("models: %s", ", ".join(f"{r.key} {r.mode} +{r.new_hits}" for r in ran))


def run(engine: Engine, rate: float, seconds: float | None = None, seed: int | None = None,
        models_every: float | None = None) -> int:
    """Run until stopped (or for ``seconds``); ``rate`` is case events per second. Every
    ``models_every`` minutes (default: the ``JCY_MODELS_EVERY`` setting; 0: never) the models run."""
    from domain.settings import current

    every = current().models_every if models_every is None else models_every
    next_models = time.monotonic()  # first run at once, then every ``every`` minutes
    rng = np.random.default_rng(seed)
    feeds = _area_feeds()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    total, t_end = 0, (time.monotonic() + seconds) if seconds else None
    period = 1.0
    carry = 0.0
    while not stop["now"] and (t_end is None or time.monotonic() < t_end):
        t0 = time.monotonic()
        now = clock.now()
        carry += rate * period
        n = int(carry)
        carry -= n
        try:
            if n:
                total += tick(engine, now, rng, n)
            for f in feeds:
                total += f.tick(engine, now, rng)
        except Exception as exc:  # database gone for a moment: keep trying, say so once a tick
            log.warning("live feed tick failed (%s: %s); retrying", type(exc).__name__, str(exc)[:200])
        if every > 0 and time.monotonic() >= next_models:
            run_models(engine, now)
            next_models = time.monotonic() + every * 60
        time.sleep(max(0.0, period - (time.monotonic() - t0)))
    return total


def main(argv: list[str] | None = None) -> int:
    from queries.db import make_engine

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the revision check is not news
    p = argparse.ArgumentParser(description="Write live events into the database")
    p.add_argument("--rate", type=float, default=2.0, help="case events per second (default 2)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    p.add_argument("--url", default=None)
    args = p.parse_args(argv)
    engine = make_engine(args.url)  # an existing database only: creating one is `make demo-data`
    log.info("live feed: %.1f case events/s into %s", args.rate, engine.url.render_as_string(hide_password=True))
    try:
        total = run(engine, args.rate, args.seconds)
    except KeyboardInterrupt:
        return 0
    log.info("live feed stopped after %d rows", total)
    return 0


if __name__ == "__main__":
    sys.exit(main())

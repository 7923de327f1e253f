"""Sample data the case models (issue 13) were built to find, among realistic non-hits.

- ``case.town``: every case gets a real 街道/镇 of its district (``sample_data.towns``), drawn with
  uneven weights (a few busy places, many quiet ones), so that monthly counts per town look like a city.
- 类案: in the last complete month, most 盗窃 cases of 闵行区 happened in 七宝镇 (a rise far above its
  trailing year); ordinary month-to-month noise elsewhere stays below ``alpha`` or ``min_count``.
- 量刑偏离: one ``sentencing_record`` (source "本院判决") per judged defendant of the demo's cases with a
  term, with recorded circumstances (认罪认罚 from the suspect's plea, others drawn) and a tier or an amount
  chosen so the term lies inside the ruler's range, as almost all judgments do; a few planted
  judgments lie far outside it (a term below the tier's statutory minimum without a mitigating
  circumstance, or well above the band). Charges the ruler cannot assess (危险驾驶, 帮信 ...) are
  recorded too, and some amounts fall in a range only a province fixes: the model counts those.
- 不批准逮捕后未及时释放: a few suspects refused arrest whose 拘留 ran on for days after the refusal,
  one still held; everyone else's detention ended at the decision (``sample_data.core``).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, select, update

from domain.models import sentencing_deviation as SD
from domain.procedure import NOT_APPROVED
from domain.sentencing.extract import tier_from_amount
from domain.sentencing.guideline import CRIMES_BY_NAME
from queries.frames import read_frame
from queries.schema import Case, CustodyPeriod, SentencingRecord, Suspect
from queries.writes import bulk_insert
from sample_data.towns import TOWNS

SOURCE = "本院判决"
CLUSTER = (310112, "七宝镇", "盗窃")  # district, town, charge of the planted rise
PLANTED_DEVIATIONS = 8
PLANTED_LATE_RELEASES = 3
VICTIMS = {"盗窃", "诈骗", "故意伤害", "抢劫", "抢夺", "敲诈勒索", "强奸", "非法拘禁", "交通肇事", "寻衅滋事",
           "信用卡诈骗", "合同诈骗", "职务侵占", "集资诈骗", "非法吸收公众存款"}
TERM_KINDS = ("拘役", "有期徒刑")  # 管制 is no custodial term: not compared


def _month_start(now: dt.datetime, back: int) -> dt.datetime:
    y, m = now.year, now.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return dt.datetime(y, m, 1)


def _towns(engine: Engine, rng: np.random.Generator, ctx) -> int:
    cases = read_frame(engine, select(Case.id, Case.district_id, Case.charge, Case.accepted_at))
    town = np.empty(len(cases), dtype=object)
    for d, idx in cases.groupby("district_id").indices.items():
        names = TOWNS[int(d)]
        w = 1.0 / np.arange(1, len(names) + 1) ** 0.6  # a few busy places, many quiet ones
        order = rng.permutation(len(names))
        town[idx] = np.array(names, dtype=object)[order][rng.choice(len(names), size=len(idx), p=w / w.sum())]
    cases["town"] = town
    # the planted rise: most 盗窃 cases of the district in the last complete month happened in one town
    d, name, charge = CLUSTER
    lo, hi = _month_start(ctx.now, 1), _month_start(ctx.now, 0)
    acc = pd.to_datetime(cases["accepted_at"])
    last = cases[(cases["district_id"] == d) & (cases["charge"] == charge) & (acc >= lo) & (acc < hi)].index
    take = last[: max(0, len(last) - 1)]
    cases.loc[take, "town"] = name
    with engine.begin() as conn:  # one UPDATE per town and chunk of ids (city scale: ~250 statements)
        for t, ids in cases.groupby("town")["id"]:
            ids = [int(i) for i in ids]
            for k in range(0, len(ids), 5000):
                conn.execute(update(Case).where(Case.id.in_(ids[k:k + 5000])).values(town=t))
    return len(cases)


def _amount(charge: str, tier: int | None, rng: np.random.Generator) -> int | None:
    """An amount that fixes ``tier`` at national thresholds (or, for ``tier`` None, one that does not)."""
    for _ in range(200):
        a = int(round(float(np.exp(rng.uniform(np.log(1_000), np.log(2_000_000)))), -2))
        if tier_from_amount(charge, a) == tier:
            return a
    return None


def _flags(s, rng: np.random.Generator) -> dict[str, bool]:
    f = {k: False for k in ("c_surrender", "c_confession", "c_recidivist", "c_prior_record", "c_forgiveness",
                            "c_compensation", "c_attempt", "c_accomplice", "c_plea")}
    f["c_plea"] = bool(s.plea)
    if rng.random() < 0.25:
        f["c_surrender"] = True
    elif rng.random() < 0.6:
        f["c_confession"] = True
    if s.charge in VICTIMS:
        f["c_compensation"] = bool(rng.random() < 0.3)
        f["c_forgiveness"] = bool(rng.random() < 0.25)
    f["c_prior_record"] = bool(rng.random() < 0.1)
    f["c_accomplice"] = bool(s.seq > 1 and rng.random() < 0.5)
    return f


def _sentencing(engine: Engine, rng: np.random.Generator) -> int:
    params = SD.MODEL.parameters
    sus = read_frame(engine, select(Suspect.id, Suspect.seq, Suspect.plea, Suspect.judgment_at,
                                    Suspect.judgment_kind, Suspect.judgment_months, Suspect.probation, Case.charge)
                     .join(Case, Case.id == Suspect.case_id)
                     .where(Suspect.judgment_kind.in_(TERM_KINDS), Suspect.judgment_months.is_not(None))
                     .order_by(Suspect.id))
    rows, planted = [], 0
    steps = np.array([c in CRIMES_BY_NAME and not CRIMES_BY_NAME[c].direct_only for c in sus["charge"]], dtype=bool)
    eligible = np.nonzero(steps & (sus["judgment_months"].to_numpy(dtype=float) >= 7))[0]
    candidates = set(rng.choice(eligible, size=min(len(eligible), 3 * PLANTED_DEVIATIONS), replace=False).tolist())
    for i, s in enumerate(sus.itertuples(index=False)):
        months = float(s.judgment_months)
        flags = _flags(s, rng)
        cr = CRIMES_BY_NAME.get(s.charge)
        amount_charge = tier_from_amount(s.charge, 10**9) is not None
        tier, amount = None, None
        if cr is not None and not cr.direct_only:
            tiers = [t.tier for t in cr.tiers]
            plant = planted < PLANTED_DEVIATIONS and i in candidates
            if plant:  # a judgment far outside the range: mitigation-free flags, a tier the term misses
                flags.update(c_surrender=False, c_attempt=False, c_accomplice=False)
                fits = [t for t in tiers if SD.assess(s.charge, t, None, flags, months, params).hit]
            else:
                fits = [t for t in tiers
                        if SD.assess(s.charge, t, None, flags, months, params).direction is None]
            if fits and (plant or rng.random() > 0.06):  # a few amounts in a province's range: not assessable
                tier = int(fits[0] if plant else rng.choice(fits))
                planted += plant
            if amount_charge:
                amount = _amount(s.charge, tier, rng)
                tier = None if amount is not None else tier
        rows.append(dict(
            source=SOURCE, source_ref=f"suspect:{int(s.id)}", charge=s.charge, charges_all=s.charge, single_charge=True,
            articles=cr.reference.article if cr else None, months=int(months), life=False, death=False,
            fine_yuan=None, probation=bool(s.probation), judgment_year=pd.Timestamp(s.judgment_at).year,
            tier=tier, circumstances_from="recorded", fact_excerpt=None, suspect_id=int(s.id),
            amount_yuan=amount, **flags))
    with engine.begin() as conn:
        return bulk_insert(conn, SentencingRecord.__table__, rows)


def _late_releases(engine: Engine, ctx) -> int:
    """Keep a few refused suspects in 拘留 after the decision: two released days late, the latest still held."""
    refused = read_frame(engine, select(Suspect.id, Suspect.arrest_decided_at, CustodyPeriod.id.label("spell"))
                         .join(CustodyPeriod, CustodyPeriod.suspect_id == Suspect.id)
                         .where(Suspect.arrest_decision == NOT_APPROVED, CustodyPeriod.measure == "拘留",
                                CustodyPeriod.ended_at == Suspect.arrest_decided_at,
                                Suspect.arrest_decided_at <= ctx.now - dt.timedelta(days=5),
                                Suspect.prosecution_decided_at.is_(None))
                         .order_by(Suspect.arrest_decided_at.desc(), Suspect.id))
    if refused.empty:
        return 0
    picks = refused.head(PLANTED_LATE_RELEASES)
    with engine.begin() as conn:
        for k, r in enumerate(picks.itertuples(index=False)):
            decided = pd.Timestamp(r.arrest_decided_at).to_pydatetime()
            after = (CustodyPeriod.suspect_id == int(r.id), CustodyPeriod.started_at == decided,
                     CustodyPeriod.measure != "拘留")
            if k == 0:  # still held: the release never happened
                conn.execute(delete(CustodyPeriod).where(*after))
                conn.execute(update(CustodyPeriod).where(CustodyPeriod.id == int(r.spell)).values(ended_at=None))
            else:  # released 2 and 3 days late
                late = decided + dt.timedelta(days=1 + k, hours=3)
                conn.execute(update(CustodyPeriod).where(*after).values(started_at=late))
                conn.execute(update(CustodyPeriod).where(CustodyPeriod.id == int(r.spell)).values(ended_at=late))
    return len(picks)


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    return _towns(engine, rng, ctx) + _sentencing(engine, rng) + _late_releases(engine, ctx)

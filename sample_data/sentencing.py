"""Sample step: every real CAIL2018 sentencing row, plus calibrated synthetic dated rows.

Real rows (source 'CAIL2018'): all 5,565 rows of ``real/sentencing_cail.csv.gz``; no judgment year
(CAIL has none), circumstances and tier derived from the fact text (``circumstances_from='text'``).

Synthetic rows (source 'synthetic', ``spec.synthetic_sentencing`` of them): charges drawn by the
case mix of ``domain.cases.CHARGE_MIX`` among charges with at least ``MIN_REAL`` real single-charge
rows; for each charge the sentences are a bootstrap of that charge's real rows (months, life, death,
fine, articles together), so each charge's distribution is the real one. Recorded circumstances are
drawn at plausible rates (plea leniency rising year by year) and coupled to the sentences by rank:
rows with more mitigation receive the shorter of the bootstrapped sentences, which keeps the per-charge
distribution exact while making the circumstance filters and the yearly trend meaningful.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from domain.cases import CHARGE_MIX
from domain.masking import scrub_text
from domain.sentencing.extract import FLAG_COLUMNS, circumstances_from_text, tier_from_text
from domain.sentencing.guideline import CRIMES_BY_NAME
from queries.schema import SentencingRecord
from queries.writes import bulk_insert

CSV = Path(__file__).resolve().parent / "real" / "sentencing_cail.csv.gz"
MIN_REAL = 20
YEARS_BACK = 6  # synthetic judgment years: now.year-6 .. now.year
_SHORT = {"github:sihuajian/cail2018/data/data_train.json": "cail-train",
          "github:sihuajian/cail2018/data/data_test.json": "cail-test",
          "github:open-compass/LawBench/data/zero_shot/3-4.json": "lawbench-3-4"}

# Recorded-circumstance rates for synthetic rows, and their weight in the leniency score.
RATES = {"c_surrender": 0.22, "c_confession": 0.60, "c_recidivist": 0.08, "c_prior_record": 0.12,
         "c_compensation": 0.20, "c_forgiveness": 0.25, "c_attempt": 0.04, "c_accomplice": 0.10}
WEIGHTS = {"c_surrender": 0.8, "c_confession": 0.4, "c_recidivist": -1.0, "c_prior_record": -0.4,
           "c_compensation": 0.5, "c_forgiveness": 0.6, "c_attempt": 1.0, "c_accomplice": 0.9, "c_plea": 0.6}


def load_real() -> pd.DataFrame:
    """The CAIL rows as SentencingRecord columns (no ids)."""
    df = pd.read_csv(CSV, dtype={"relevant_articles": str})
    charges = df["accusation"].str.split("|")
    first = charges.str[0]
    single = charges.str.len() == 1
    life = df["life_imprisonment"].astype(bool)
    death = df["death_penalty"].astype(bool)
    months = df["imprisonment_months"].astype("Int64").where(~(life | death))
    flags = pd.DataFrame([circumstances_from_text(t) for t in df["fact"].fillna("")])
    tiers = [tier_from_text(c, t) if s else None for c, t, s in zip(first, df["fact"].fillna(""), single)]
    out = pd.DataFrame({
        "source": "CAIL2018",
        "source_ref": df["source_file"].map(_SHORT).fillna("cail") + "#" + df["row_id"].astype(str),
        "charge": first, "charges_all": df["accusation"].str.slice(0, 200), "single_charge": single,
        "articles": df["relevant_articles"].str.slice(0, 60), "months": months, "life": life, "death": death,
        "fine_yuan": df["punish_of_money"].round().astype("Int64"), "probation": None, "judgment_year": None,
        "tier": pd.array(tiers, dtype="Int64"), "circumstances_from": "text",
        # published judgments sometimes quote ID and phone numbers: never store them in clear
        "fact_excerpt": df["fact"].fillna("").map(scrub_text),
    })
    for c in FLAG_COLUMNS:
        out[c] = flags[c].astype(bool)
    return out


def _tier_for_months(charge: str, months: np.ndarray, life_death: np.ndarray) -> np.ndarray:
    """The highest tier whose statutory minimum the sentence reaches (recorded tier of synthetic rows)."""
    cr = CRIMES_BY_NAME.get(charge)
    if cr is None or not cr.tiers:
        return np.full(len(months), -1)
    tiers = sorted(cr.tiers, key=lambda t: (t.stat_min, t.tier))
    out = np.full(len(months), tiers[0].tier)
    m = np.nan_to_num(months.astype(float), nan=0.0)
    for t in tiers[1:]:
        if t.stat_min > tiers[0].stat_min:
            out = np.where(m >= t.stat_min, t.tier, out)
    out = np.where(life_death, tiers[-1].tier, out)
    return out


def synthetic(real: pd.DataFrame, n: int, rng: np.random.Generator, now_year: int) -> pd.DataFrame:
    base = real[real["single_charge"]]
    counts = base["charge"].value_counts()
    mix = [(c, w) for c, w in CHARGE_MIX if counts.get(c, 0) >= MIN_REAL]
    names = [c for c, _ in mix]
    w = np.array([x for _, x in mix], dtype=float)
    per = rng.multinomial(n, w / w.sum())
    years = np.arange(now_year - YEARS_BACK, now_year + 1)
    yw = np.ones(len(years))
    yw[-1] = 0.5  # the current year is not over
    frames = []
    for charge, k in zip(names, per):
        if k == 0:
            continue
        pool = base[base["charge"] == charge].reset_index(drop=True)
        pick = pool.iloc[rng.integers(0, len(pool), k)].reset_index(drop=True)
        yr = rng.choice(years, k, p=yw / yw.sum())
        f = {}
        for col, p in RATES.items():
            f[col] = rng.random(k) < p
        f["c_confession"] &= ~f["c_surrender"]
        f["c_prior_record"] &= ~f["c_recidivist"]
        f["c_forgiveness"] |= f["c_compensation"] & (rng.random(k) < 0.6)
        f["c_plea"] = rng.random(k) < np.clip(0.55 + 0.06 * (yr - years[0]), 0, 0.92)
        score = sum(WEIGHTS[c] * f[c] for c in WEIGHTS) + rng.normal(0, 1.2, k)
        # rank coupling: sentences sorted long→short go to rows sorted least→most lenient
        life_death = (pick["life"] | pick["death"]).to_numpy()
        sev = np.where(life_death, 10_000 + pick["death"].to_numpy() * 1, pick["months"].fillna(0).to_numpy(float))
        order_sent = np.argsort(-sev, kind="stable")
        order_rows = np.argsort(score, kind="stable")
        assigned = pick.iloc[order_sent].reset_index(drop=True)
        assigned.index = order_rows
        assigned = assigned.sort_index()
        m = assigned["months"].to_numpy(dtype=float, na_value=np.nan)
        ld = (assigned["life"] | assigned["death"]).to_numpy()
        probation = np.where(ld | np.isnan(m) | (m == 0) | (m > 36), False,
                             rng.random(k) < np.where(m <= 12, 0.45, 0.2))
        tier = _tier_for_months(charge, m, ld)
        df = pd.DataFrame({
            "charge": charge, "charges_all": charge, "single_charge": True,
            "articles": assigned["articles"].to_numpy(), "months": assigned["months"].to_numpy(),
            "life": assigned["life"].to_numpy(), "death": assigned["death"].to_numpy(),
            "fine_yuan": assigned["fine_yuan"].to_numpy(), "probation": probation, "judgment_year": yr,
            "tier": pd.array(np.where(tier < 0, None, tier), dtype="Int64"),
        })
        for c in FLAG_COLUMNS:
            df[c] = f[c]
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
    out.insert(0, "source", "synthetic")
    out.insert(1, "source_ref", [f"syn-{i:07d}" for i in range(len(out))])
    out["months"] = out["months"].astype("Int64")
    out["fine_yuan"] = out["fine_yuan"].round().astype("Int64")
    out["circumstances_from"] = "recorded"
    out["fact_excerpt"] = None
    return out


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    real = load_real()
    syn = synthetic(real, spec.synthetic_sentencing, rng, ctx.now.year)
    table = SentencingRecord.__table__
    written = 0
    with engine.begin() as conn:
        written += bulk_insert(conn, table, real)
    bar = ctx.bar(len(syn), "sentencing")
    step = 50_000
    for i in range(0, len(syn), step):
        with engine.begin() as conn:
            written += bulk_insert(conn, table, syn.iloc[i:i + step])
        bar.update(min(step, len(syn) - i))
    bar.close()
    ctx.ids["sentencing_real_rows"] = len(real)
    return written

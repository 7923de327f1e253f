"""Queries behind the sentencing ruler: real sentences by bin, yearly trend, empirical what-if.

Sentencing records are judgments (national CAIL2018 rows and synthetic dated rows), not cases of a
district, so ``scope`` does not narrow them; it is taken for the uniform signature and the cache key.
All aggregation happens in SQL (GROUP BY); quartiles are computed exactly from the GROUP BY months
frequency table, which gives the same figures on SQLite and PostgreSQL (neither engine's percentile
function is used) and equals numpy's default (linear) quantile over the raw rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal, select, true

from domain.sentencing.extract import FLAG_COLUMNS
from queries.audit import record
from queries.cache import live
from queries.frames import read_frame
from queries.schema import SentencingRecord as SR
from queries.scope import Scope

# (code, zh, en, upper bound in months inclusive) — issue 4's bins
BINS: tuple[tuple[str, str, str], ...] = (
    ("none", "未判处监禁刑", "none"), ("le6", "≤6个月", "≤6 months"), ("6_12", "6–12个月", "6–12 months"),
    ("1_3y", "1–3年", "1–3 years"), ("3_5y", "3–5年", "3–5 years"), ("5_10y", "5–10年", "5–10 years"),
    ("10y", "10年以上", "10 years+"), ("life", "无期徒刑", "life"), ("death", "死刑", "death"),
)
BIN_ORDER = {code: i for i, (code, _, _) in enumerate(BINS)}
SOURCES = ("CAIL2018", "synthetic")
SMALL_BIN = 5  # bins with fewer rows are greyed


def _bin_expr():
    return case(
        (SR.death.is_(True), literal("death")),
        (SR.life.is_(True), literal("life")),
        (SR.months == 0, literal("none")),
        (SR.months <= 6, literal("le6")),
        (SR.months <= 12, literal("6_12")),
        (SR.months <= 36, literal("1_3y")),
        (SR.months <= 60, literal("3_5y")),
        (SR.months <= 120, literal("5_10y")),
        else_=literal("10y"),
    )


def _where(charge: str, flags: tuple[str, ...], sources: tuple[str, ...]):
    bad = [f for f in flags if f not in FLAG_COLUMNS]
    if bad:
        raise ValueError(f"unknown circumstance flag(s): {bad}")
    conds = [SR.charge == charge, SR.single_charge.is_(True), SR.source.in_(sources)]
    conds += [getattr(SR, f).is_(True) for f in flags]
    return and_(*conds)


def quantiles_from_counts(values, counts, qs=(0.25, 0.5, 0.75)) -> tuple[float, ...]:
    """numpy's linear quantile of the expanded data, computed from a (value, count) table."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts, dtype=np.int64)
    keep = c > 0
    v, c = v[keep], c[keep]
    if len(v) == 0:
        return tuple(float("nan") for _ in qs)
    order = np.argsort(v)
    v, c = v[order], c[order]
    cum = np.cumsum(c)
    n = int(cum[-1])
    out = []
    for q in qs:
        h = (n - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, n - 1)
        x_lo = v[np.searchsorted(cum, lo, side="right")]
        x_hi = v[np.searchsorted(cum, hi, side="right")]
        out.append(float(x_lo + (h - lo) * (x_hi - x_lo)))
    return tuple(out)


@dataclass(frozen=True)
class Distribution:
    charge: str
    flags: tuple[str, ...]
    bins: pd.DataFrame = field(repr=False)  # code, label_zh, label_en, source, n (every bin × source)
    n: int
    n_by_source: tuple[tuple[str, int], ...]
    custodial_n: int  # rows with a term in months (life and death excluded) behind the quartiles
    p25: float | None
    median: float | None
    p75: float | None


def distribution(engine: Engine, scope: Scope, charge: str, flags: tuple[str, ...] = (),
                 sources: tuple[str, ...] = SOURCES) -> Distribution:
    """Actual sentences of single-charge judgments for ``charge`` in the issue's bins, by source."""
    w = _where(charge, flags, sources)
    b = _bin_expr().label("code")
    bins = read_frame(engine, select(b, SR.source, func.count().label("n")).where(w)
                      .group_by(b, SR.source))
    months = read_frame(engine, select(SR.months, func.count().label("n"))
                        .where(w, SR.months.is_not(None)).group_by(SR.months))
    grid = pd.MultiIndex.from_product([[c for c, _, _ in BINS], list(sources)], names=["code", "source"])
    if bins.empty:
        bins = pd.DataFrame(columns=["code", "source", "n"])
    full = (bins.set_index(["code", "source"])["n"].reindex(grid, fill_value=0).astype(int).reset_index())
    labels = {c: (zh, en) for c, zh, en in BINS}
    full["label_zh"] = full["code"].map(lambda c: labels[c][0])
    full["label_en"] = full["code"].map(lambda c: labels[c][1])
    full["order"] = full["code"].map(BIN_ORDER)
    by_src = full.groupby("source")["n"].sum()
    if months.empty:
        q = (None, None, None)
        cn = 0
    else:
        q = quantiles_from_counts(months["months"], months["n"])
        cn = int(months["n"].sum())
    return Distribution(charge, tuple(flags), full[["code", "label_zh", "label_en", "order", "source", "n"]],
                        int(full["n"].sum()), tuple((s, int(by_src.get(s, 0))) for s in sources), cn, *q)


def trend(engine: Engine, scope: Scope, charge: str, flags: tuple[str, ...] = (),
          sources: tuple[str, ...] = SOURCES) -> pd.DataFrame:
    """Median and quartiles by judgment year from dated records only (CAIL rows have no year)."""
    w = _where(charge, flags, sources)
    df = read_frame(engine, select(SR.judgment_year.label("year"), SR.months, func.count().label("n"))
                    .where(w, SR.judgment_year.is_not(None), SR.months.is_not(None))
                    .group_by(SR.judgment_year, SR.months))
    rows = []
    for year, g in df.groupby("year", sort=True):
        p25, med, p75 = quantiles_from_counts(g["months"], g["n"])
        rows.append({"year": int(year), "n": int(g["n"].sum()), "p25": p25, "median": med, "p75": p75})
    return pd.DataFrame(rows, columns=["year", "n", "p25", "median", "p75"])


def what_if(engine: Engine, scope: Scope, charge: str, sources: tuple[str, ...] = SOURCES) -> pd.DataFrame:
    """For each recorded circumstance: n and median months with it and without it (empirical, not law)."""
    w = _where(charge, (), sources)
    cols = [getattr(SR, f) for f in FLAG_COLUMNS]
    df = read_frame(engine, select(*cols, SR.months, func.count().label("n"))
                    .where(w, SR.months.is_not(None)).group_by(*cols, SR.months))
    rows = []
    for f in FLAG_COLUMNS:
        rec = {"flag": f}
        for has, tag in ((True, "with"), (False, "without")):
            g = df[df[f].astype(bool) == has] if not df.empty else df
            if g.empty:
                rec[f"n_{tag}"], rec[f"median_{tag}"] = 0, None
            else:
                part = g.groupby("months")["n"].sum()
                rec[f"n_{tag}"] = int(part.sum())
                rec[f"median_{tag}"] = quantiles_from_counts(part.index, part.to_numpy(), (0.5,))[0]
        rows.append(rec)
    return pd.DataFrame(rows, columns=["flag", "n_with", "median_with", "n_without", "median_without"])


def charges_with_data(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Charges present as single-charge judgments, with row counts per source."""
    df = read_frame(engine, select(SR.charge, SR.source, func.count().label("n"))
                    .where(SR.single_charge.is_(True)).group_by(SR.charge, SR.source))
    if df.empty:
        return pd.DataFrame(columns=["charge", "n", "n_real"])
    p = df.pivot_table(index="charge", columns="source", values="n", aggfunc="sum", fill_value=0)
    out = pd.DataFrame({"charge": p.index, "n": p.sum(axis=1).to_numpy(),
                        "n_real": p.get("CAIL2018", pd.Series(0, index=p.index)).to_numpy()})
    return out.sort_values(["n", "charge"], ascending=[False, True]).reset_index(drop=True)


def backtest_groups(engine: Engine, scope: Scope, source: str = "CAIL2018") -> pd.DataFrame:
    """Single-charge rows with a derived tier, grouped by (charge, tier, circumstances, sentence)."""
    cols = [getattr(SR, f) for f in FLAG_COLUMNS]
    return read_frame(engine, select(SR.charge, SR.tier, *cols, SR.months, SR.life, SR.death,
                                     func.count().label("n"))
                      .where(SR.source == source, SR.single_charge.is_(True), SR.tier.is_not(None))
                      .group_by(SR.charge, SR.tier, *cols, SR.months, SR.life, SR.death))


def record_export(engine: Engine, *, actor: str, role: str, target: str, detail: str,
                  at: dt.datetime | None = None) -> None:
    """Write one audit row for an exported calculation (its own transaction: the export is the act)."""
    with engine.begin() as conn:
        record(conn, actor=actor, role=role, event="量刑计算说明导出", target=target, result="成功",
               detail=detail, at=at)


distribution_live = live(ttl=300)(distribution)
trend_live = live(ttl=300)(trend)
what_if_live = live(ttl=300)(what_if)
charges_with_data_live = live(ttl=300)(charges_with_data)

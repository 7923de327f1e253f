"""Queries behind the sentencing ruler: the kinds of sentence and the custodial terms, yearly trend,
empirical what-if.

Sentencing records are judgments (national CAIL2018 rows and synthetic dated rows), not cases of a
district, so ``scope`` does not narrow them; it carries the permission ("sentencing" for the ruler,
"public" for the public explainer's distribution, ``PUBLIC``) and keys the cache.
One source per figure: real and synthetic judgments are never counted together.
Every median and quartile is of custodial terms only (拘役 or 有期徒刑 actually imposed: more than zero
months, not suspended, not life or death); the other kinds are counted beside them.
All aggregation happens in SQL (GROUP BY); quartiles are computed exactly from the GROUP BY months
frequency table, which gives the same figures on SQLite and PostgreSQL (neither engine's percentile
function is used) and equals numpy's default (linear) quantile over the raw rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from domain.access import Actor
from domain.scope import Scope
from domain.sentencing.bins import CUSTODIAL_KINDS, KINDS, TERM_BINS, bin_of
from domain.sentencing.extract import FLAG_COLUMNS
from queries.audit import record
from queries.cache import live
from queries.frames import read_frame
from queries.schema import SentencingRecord as SR
from queries.scope import require

SOURCES = ("CAIL2018", "synthetic")
# The public explainer's scope: no account behind it, only the published distribution (aggregates).
PUBLIC = Scope(role="public", grants=frozenset({"public"}))


def _where(charge: str, flags: tuple[str, ...], sources: tuple[str, ...]):
    bad = [f for f in flags if f not in FLAG_COLUMNS]
    if bad:
        raise ValueError(f"unknown circumstance flag(s): {bad}")
    conds = [SR.charge == charge, SR.single_charge.is_(True), SR.source.in_(sources)]
    conds += [getattr(SR, f).is_(True) for f in flags]
    return and_(*conds)


# A custodial term: 拘役 or 有期徒刑 imposed and not suspended (life and death have no months).
CUSTODIAL = and_(SR.months > 0, or_(SR.probation.is_(None), SR.probation.is_(False)))
# domain.sentencing.bins.kind_of in SQL
KIND = case((SR.death.is_(True), "death"), (SR.life.is_(True), "life"), (SR.months == 0, "none"),
            (SR.probation.is_(True), "suspended"), (SR.months < 6, "detention"), (SR.months == 6, "six"),
            else_="fixed")


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
    """The real-sentence panel of one charge from ONE source: the kinds of sentence, and beside them the
    terms of the custodial ones with their quartiles (zero-month and suspended sentences never count)."""

    charge: str
    flags: tuple[str, ...]
    source: str
    n: int  # every single-charge judgment that matches
    kinds: tuple[tuple[str, int], ...]  # (code, n) for every code of bins.KINDS, in order
    terms: tuple[tuple[str, int], ...]  # (code, n) of custodial terms for every code of bins.TERM_BINS
    custodial_n: int  # the custodial terms behind the quartiles
    p25: float | None
    median: float | None
    p75: float | None
    probation_recorded: bool  # False: the source does not record 缓刑 (CAIL), so custodial may hold some

    def kind_n(self, code: str) -> int:
        return dict(self.kinds)[code]


def distribution(engine: Engine, scope: Scope, charge: str, flags: tuple[str, ...] = (),
                 source: str = "CAIL2018") -> Distribution:
    """Sentences of single-charge judgments for ``charge`` from one ``source``: kinds and custodial terms.

    One GROUP BY (kind, months) over the covering index; its few dozen groups give the kinds, the term
    bins and the quartiles (read off the custodial frequency table).
    """
    require(scope, "sentencing|public")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: one of {SOURCES}, never several in one figure")
    w = _where(charge, flags, (source,))
    g = read_frame(engine, select(KIND.label("kind"), SR.months, func.count().label("n"),
                                  func.count(SR.probation).label("n_prob"))
                   .where(w).group_by(KIND, SR.months))
    by_kind = g.groupby("kind")["n"].sum() if not g.empty else pd.Series(dtype=int)
    kinds = tuple((c, int(by_kind.get(c, 0))) for c, _, _ in KINDS)
    cust = g[g["kind"].isin(CUSTODIAL_KINDS)] if not g.empty else g
    months = cust.groupby("months")["n"].sum() if not cust.empty else pd.Series(dtype=int)
    if months.empty:
        q, cn, terms = (None, None, None), 0, tuple((c, 0) for c, _, _ in TERM_BINS)
    else:
        q, cn = quantiles_from_counts(months.index, months.to_numpy()), int(months.sum())
        tb = pd.Series([bin_of(m, False, False) for m in months.index], index=months.index)
        per = months.groupby(tb).sum()
        terms = tuple((c, int(per.get(c, 0))) for c, _, _ in TERM_BINS)
    return Distribution(charge, tuple(flags), source, int(g["n"].sum()) if not g.empty else 0, kinds, terms,
                        cn, *q, bool(not g.empty and g["n_prob"].sum() > 0))


def trend(engine: Engine, scope: Scope, charge: str, flags: tuple[str, ...] = (),
          sources: tuple[str, ...] = SOURCES) -> pd.DataFrame:
    """Median and quartiles of custodial terms by judgment year, from dated records only (CAIL rows have
    no year, so in practice this is the synthetic source alone)."""
    require(scope, "sentencing")
    w = _where(charge, flags, sources)
    df = read_frame(engine, select(SR.judgment_year.label("year"), SR.months, func.count().label("n"))
                    .where(w, SR.judgment_year.is_not(None), CUSTODIAL)
                    .group_by(SR.judgment_year, SR.months))
    rows = []
    for year, g in df.groupby("year", sort=True):
        p25, med, p75 = quantiles_from_counts(g["months"], g["n"])
        rows.append({"year": int(year), "n": int(g["n"].sum()), "p25": p25, "median": med, "p75": p75})
    return pd.DataFrame(rows, columns=["year", "n", "p25", "median", "p75"])


def what_if(engine: Engine, scope: Scope, charge: str, flags: tuple[str, ...] = FLAG_COLUMNS,
            source: str = "CAIL2018") -> pd.DataFrame:
    """For each recorded circumstance in ``flags``: n and median custodial term with it and without it,
    from one source.

    Empirical, not law. One GROUP BY (source, months) with a filtered COUNT per flag, over the
    covering index; the page asks only for the circumstances the user ticked (cost grows per flag).
    """
    require(scope, "sentencing")
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    _where(charge, flags, (source,))  # validates the flag names
    w = _where(charge, (), (source,))
    sums = [func.count().filter(getattr(SR, f).is_(True)).label(f) for f in flags]
    df = read_frame(engine, select(SR.months, func.count().label("n"), *sums)
                    .where(w, CUSTODIAL).group_by(SR.months))
    df = df.groupby("months")[["n", *flags]].sum() if not df.empty else df
    rows = []
    for f in flags:
        rec = {"flag": f}
        for tag, counts in (("with", df[f] if len(df) else None),
                            ("without", (df["n"] - df[f]) if len(df) else None)):
            if counts is None or int(counts.sum()) == 0:
                rec[f"n_{tag}"], rec[f"median_{tag}"] = 0, None
            else:
                rec[f"n_{tag}"] = int(counts.sum())
                rec[f"median_{tag}"] = quantiles_from_counts(counts.index, counts.to_numpy(), (0.5,))[0]
        rows.append(rec)
    return pd.DataFrame(rows, columns=["flag", "n_with", "median_with", "n_without", "median_without"])


def charges_with_data(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Every charge that has sentencing records, with its count of real single-charge CAIL2018 rows."""
    require(scope, "sentencing")
    # loose index scan (one seek per distinct charge) instead of reading every row
    c = select(func.min(SR.charge).label("x")).cte("charges", recursive=True)
    nxt = select(func.min(SR.charge)).where(SR.charge > c.c.x).scalar_subquery()
    c = c.union_all(select(nxt).where(c.c.x.is_not(None)))
    names = read_frame(engine, select(c.c.x.label("charge")).where(c.c.x.is_not(None)))
    real = read_frame(engine, select(SR.charge, func.count().label("n_real"))
                      .where(SR.source == "CAIL2018", SR.single_charge.is_(True)).group_by(SR.charge))
    if names.empty:
        return pd.DataFrame(columns=["charge", "n_real"])
    out = names.merge(real, on="charge", how="left").fillna({"n_real": 0})
    out["n_real"] = out["n_real"].astype(int)
    return out.sort_values(["n_real", "charge"], ascending=[False, True]).reset_index(drop=True)


def backtest_groups(engine: Engine, scope: Scope, source: str = "CAIL2018") -> pd.DataFrame:
    """Single-charge rows with a derived tier, grouped by (charge, tier, circumstances, sentence)."""
    cols = [getattr(SR, f) for f in FLAG_COLUMNS]
    return read_frame(engine, select(SR.charge, SR.tier, *cols, SR.months, SR.life, SR.death,
                                     func.count().label("n"))
                      .where(SR.source == source, SR.single_charge.is_(True), SR.tier.is_not(None))
                      .group_by(SR.charge, SR.tier, *cols, SR.months, SR.life, SR.death))


def record_export(engine: Engine, *, actor: Actor, target: str, detail: str,
                  at: dt.datetime | None = None) -> None:
    """Write one audit row for an exported calculation (its own transaction: the export is the act),
    as the signed-in account."""
    if not isinstance(actor, Actor):
        raise TypeError("actor must be a domain.access.Actor (the signed-in account)")
    with engine.begin() as conn:
        record(conn, actor=actor, event="量刑计算说明导出", target=target, result="成功",
               detail=detail, at=at)


def public_distribution(engine: Engine, charge: str) -> Distribution:
    """The public explainer's figure: published judgments (CAIL2018) only, nothing filtered."""
    return distribution(engine, PUBLIC, charge, (), "CAIL2018")


distribution_live = live(ttl=300)(distribution)
public_distribution_live = live(ttl=300)(public_distribution)
trend_live = live(ttl=300)(trend)
what_if_live = live(ttl=300)(what_if)
charges_with_data_live = live(ttl=300)(charges_with_data)

"""Sentencing queries against an independent pandas computation over the raw rows, on both engines."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from domain.scope import ALL
from domain.sentencing.bins import KINDS, TERM_BINS, kind_of
from domain.sentencing.extract import FLAG_COLUMNS
from queries.audit import recent
from queries.frames import read_frame
from queries.schema import SentencingRecord
from queries.sentencing import (
    backtest_groups, charges_with_data, distribution, quantiles_from_counts, record_export, trend, what_if,
)
from sample_data.build import SCALES


def raw(engine) -> pd.DataFrame:
    return read_frame(engine, select(SentencingRecord.__table__))


def expected_bin(r) -> str:
    if r.death:
        return "death"
    if r.life:
        return "life"
    m = r.months
    return ("none" if m == 0 else "le6" if m <= 6 else "6_12" if m <= 12 else "1_3y" if m <= 36
            else "3_5y" if m <= 60 else "5_10y" if m <= 120 else "10y")


def test_quantiles_from_counts_equal_numpy_linear():
    rng = np.random.default_rng(3)
    for _ in range(50):
        x = rng.integers(0, 60, rng.integers(1, 300))
        vals, counts = np.unique(x, return_counts=True)
        assert quantiles_from_counts(vals, counts) == pytest.approx(tuple(np.quantile(x, [0.25, 0.5, 0.75])))


def test_sample_holds_every_real_row_and_dated_synthetic_rows(sample_engine):
    df = raw(sample_engine)
    real = df[df.source == "CAIL2018"]
    syn = df[df.source == "synthetic"]
    assert len(real) == 5565 and real.judgment_year.isna().all()
    assert (real.circumstances_from == "text").all() and real.source_ref.is_unique
    assert len(syn) == SCALES["tiny"].synthetic_sentencing
    assert syn.judgment_year.notna().all() and (syn.circumstances_from == "recorded").all()
    assert ((real.life | real.death) == real.months.isna()).all()
    assert real.life.sum() == 50 and real.death.sum() == 38
    # text-derived shares are close to the README's keyword table (如实供述 12.6 %, 谅解 5.3 %)
    assert 0.11 < real.c_confession.mean() < 0.16 and 0.04 < real.c_forgiveness.mean() < 0.07


def test_synthetic_rows_follow_the_real_distribution_per_charge(sample_engine):
    df = raw(sample_engine)
    df = df[df.single_charge & df.months.notna()]
    checked = 0
    for charge, g in df[df.source == "synthetic"].groupby("charge"):
        r = df[(df.source == "CAIL2018") & (df.charge == charge)].months
        if len(g) < 150:
            continue
        q_real = np.quantile(r, [0.25, 0.5, 0.75])
        q_syn = np.quantile(g.months, [0.25, 0.5, 0.75])
        iqr = max(q_real[2] - q_real[0], 2)
        assert abs(q_syn[1] - q_real[1]) <= 0.35 * iqr + 1, (charge, q_real, q_syn)
        checked += 1
    assert checked >= 3


def custodial(df: pd.DataFrame) -> pd.DataFrame:
    """Straight from the definition: a term of 拘役 or 有期徒刑 actually imposed, not suspended."""
    return df[(df.months > 0) & ~df.probation.fillna(False).astype(bool) & ~df.life & ~df.death]


@pytest.mark.parametrize("charge, flags", [("故意伤害", ()), ("盗窃", ("c_confession",)),
                                           ("诈骗", ("c_forgiveness", "c_compensation")),
                                           ("危险驾驶", ()), ("故意杀人", ()), ("盗窃", ())])
@pytest.mark.parametrize("source", ["CAIL2018", "synthetic"])
def test_distribution_matches_pandas(sample_any_engine, charge, flags, source):
    df = raw(sample_any_engine)
    sel = df[(df.charge == charge) & df.single_charge & (df.source == source)]
    for f in flags:
        sel = sel[sel[f]]
    d = distribution(sample_any_engine, ALL, charge, flags, source)
    assert d.source == source and d.n == len(sel)
    kinds = sel.apply(lambda r: kind_of(r.months, r.life, r.death, r.probation), axis=1) if len(sel) else pd.Series()
    assert d.kinds == tuple((c, int((kinds == c).sum())) for c, _, _ in KINDS)
    assert sum(n for _, n in d.kinds) == d.n
    cust = custodial(sel)
    assert d.custodial_n == len(cust) == sum(n for _, n in d.terms)
    assert [c for c, _ in d.terms] == [c for c, _, _ in TERM_BINS]
    for code, n in d.terms:
        assert n == int((cust.apply(expected_bin, axis=1) == code).sum()) if len(cust) else n == 0, code
    if len(cust):
        assert (d.p25, d.median, d.p75) == pytest.approx(tuple(np.quantile(cust.months, [0.25, 0.5, 0.75])))
        assert d.p25 > 0  # no zero-month sentence behind the quartiles
    else:
        assert d.median is None
    assert d.probation_recorded == bool(sel.probation.notna().any())


def test_median_term_leaves_out_zero_month_and_suspended_sentences(sample_any_engine):
    """The issue's case: 12 of the 85 real theft rows have no custodial term; they are counted as a kind."""
    d = distribution(sample_any_engine, ALL, "盗窃", (), "CAIL2018")
    assert d.n == 85 and d.kind_n("none") == 12 and d.custodial_n == 85 - 12 - d.kind_n("life") - d.kind_n("death")
    assert not d.probation_recorded and d.kind_n("suspended") == 0
    df = raw(sample_any_engine)
    real = df[(df.charge == "盗窃") & df.single_charge & (df.source == "CAIL2018")]
    assert d.median == pytest.approx(np.median(real.months[real.months > 0]))
    assert d.median != pytest.approx(np.median(real.months.dropna())) or real.months.eq(0).sum() == 0
    syn = distribution(sample_any_engine, ALL, "盗窃", (), "synthetic")
    assert syn.probation_recorded and syn.kind_n("suspended") > 0


def test_one_source_per_figure(sample_engine):
    for bad in (("CAIL2018", "synthetic"), "all", "import"):
        with pytest.raises(ValueError):
            distribution(sample_engine, ALL, "盗窃", (), bad)


def test_trend_uses_dated_custodial_rows_only_and_matches_pandas(sample_any_engine):
    df = raw(sample_any_engine)
    t = trend(sample_any_engine, ALL, "故意伤害")
    # the ruler's sources only: this procuratorate's own judgments (本院判决, the 量刑偏离 model's input) never
    # enter its figures
    sel = custodial(df[(df.charge == "故意伤害") & df.single_charge & df.judgment_year.notna()
                       & df.source.isin(("CAIL2018", "synthetic"))])
    assert (sel.source == "synthetic").all()
    assert list(t.year) == sorted(sel.judgment_year.astype(int).unique())
    for row in t.itertuples():
        m = sel[sel.judgment_year == row.year].months
        assert row.n == len(m)
        assert (row.p25, row.median, row.p75) == pytest.approx(tuple(np.quantile(m, [0.25, 0.5, 0.75])))
    # the real CAIL rows have no year and never make a trend
    assert trend(sample_any_engine, ALL, "故意伤害", sources=("CAIL2018",)).empty


@pytest.mark.parametrize("source", ["CAIL2018", "synthetic"])
def test_what_if_matches_pandas(sample_any_engine, source):
    df = raw(sample_any_engine)
    sel = custodial(df[(df.charge == "盗窃") & df.single_charge & (df.source == source)])
    w = what_if(sample_any_engine, ALL, "盗窃", source=source).set_index("flag")
    assert list(w.index) == list(FLAG_COLUMNS)
    some = what_if(sample_any_engine, ALL, "盗窃", ("c_plea", "c_surrender"), source).set_index("flag")
    assert list(some.index) == ["c_plea", "c_surrender"]
    pd.testing.assert_series_equal(some.loc["c_plea"], w.loc["c_plea"])
    for f in FLAG_COLUMNS:
        yes, no = sel[sel[f]].months, sel[~sel[f]].months
        assert w.loc[f, "n_with"] == len(yes) and w.loc[f, "n_without"] == len(no)
        if len(yes):
            assert w.loc[f, "median_with"] == pytest.approx(np.median(yes))
        if len(no):
            assert w.loc[f, "median_without"] == pytest.approx(np.median(no))


def test_charges_and_backtest_groups(sample_any_engine):
    df = raw(sample_any_engine)
    c = charges_with_data(sample_any_engine, ALL).set_index("charge")
    assert set(c.index) == set(df.charge)
    real = df[df.single_charge & (df.source == "CAIL2018")].charge.value_counts()
    for charge in c.index:
        assert c.loc[charge, "n_real"] == real.get(charge, 0), charge
    g = backtest_groups(sample_any_engine, ALL)
    exp = df[(df.source == "CAIL2018") & df.single_charge & df.tier.notna()]
    assert g.n.sum() == len(exp) and set(g.charge) == set(exp.charge)


def test_unknown_flag_is_refused(sample_engine):
    with pytest.raises(ValueError):
        distribution(sample_engine, ALL, "盗窃", ("c_nonsense",))


def test_export_is_audited(engine):
    from domain.access import Actor

    record_export(engine, actor=Actor("pros_310120_1", "检察官", "上海市奉贤区人民检察院"), target="盗窃 第1档",
                  detail="range 9.6–10.2; ruleset 2021-21/app-1")
    log = recent(engine, ALL, event="量刑计算说明导出")
    assert len(log) == 1 and log.iloc[0].result == "成功" and "盗窃" in log.iloc[0].target

"""The back-test behind `make bench`, checked row by row against the rules on the tiny sample."""
from __future__ import annotations

from bench.bench_sentencing import backtest, page_queries
from domain.scope import ALL
from domain.sentencing import compute
from domain.sentencing.extract import FLAG_COLUMNS, chosen_from_flags
from queries.sentencing import backtest_groups


def test_backtest_inside_flags_follow_the_rules(sample_engine):
    bt = backtest(sample_engine)
    g = backtest_groups(sample_engine, ALL)
    assert len(bt) and bt.n.sum() <= g.n.sum()
    inside = 0
    total = 0
    for r in g.itertuples(index=False):
        res = compute(r.charge, int(r.tier), chosen_from_flags({f: bool(getattr(r, f)) for f in FLAG_COLUMNS}))
        if not res.ok:
            continue
        total += r.n
        if not (r.life or r.death) and res.range[0] - 0.5 <= r.months <= res.range[1] + 0.5:
            inside += r.n
    assert total == bt.n.sum()
    assert inside == (bt.inside * bt.n).sum()


def test_page_queries_bench_rows(sample_engine):
    rows = page_queries(sample_engine)
    assert {r.target_ms for r in rows} == {100.0} and all(r.median_ms > 0 for r in rows)

"""The 案件统计 pages: they run, the filter bar's state lives in the URL and reaches the queries,
bad URL values are harmless, the ranking is off by default, drill-down reaches a case timeline,
and every chart can be exported as PNG/SVG with Chinese drawn from the bundled font."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.charts import bar_chart, to_png, to_svg, trend_chart
from components.export import to_safe_csv
from domain import clock
from domain.cases import CaseFilter
from domain.periods import preset_range
from domain.scope import Scope
from queries import cases as C
from tests.browser import ROOT
from tests.staff import sign_in, staff_of

PAGES = ["pages/stats_overview.py", "pages/stats_districts.py", "pages/stats_drilldown.py", "pages/stats_watch.py"]


def _run(page, params=None, lang=None, user="leader"):
    """The page signed in as ``user`` (default: the city procuratorate's leadership, every district)."""
    from queries.cache import get_engine

    at = sign_in(AppTest.from_file(str(ROOT / page), default_timeout=90), staff_of(get_engine(), user))
    for k, v in (params or {}).items():
        at.query_params[k] = v
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page_db, page):
    at = _run(page)
    assert at.title[0].value
    assert at.selectbox(key="f_period").value == "month"


def test_filters_come_from_the_url_and_reach_the_queries(page_db, sample_engine):
    at = _run("pages/stats_overview.py", {"period": "year", "fn": "刑事", "d": "310115,310112"})
    assert at.selectbox(key="f_period").value == "year"
    assert at.selectbox(key="f_fn").value == "刑事"
    assert sorted(at.multiselect(key="f_districts").value) == [310112, 310115]
    start, end = preset_range("year", clock.today())
    want = C.period_totals(sample_engine, Scope((310112, 310115)), start, end, CaseFilter(function="刑事"))
    accepted = next(m for m in at.metric if m.label == "受理案件")
    assert accepted.value == f"{want['accepted']:,}"
    ind = {i.name_zh: i for i in C.quality_indicators(sample_engine, Scope((310112, 310115)), start, end,
                                                      CaseFilter(function="刑事"))}
    shown = {m.label: m.value for m in at.metric}
    assert shown["不诉率"] == ind["不诉率"].formatted()
    assert shown["案件比"] == ind["案件比"].formatted()


def test_changing_a_filter_writes_the_url(page_db):
    at = _run("pages/stats_overview.py")
    at.selectbox(key="f_period").set_value("quarter").run()
    at.selectbox(key="f_fn").set_value("民事").run()
    assert at.query_params["period"] == "quarter" and at.query_params["fn"] == "民事"
    at.selectbox(key="f_period").set_value("month").run()
    assert "period" not in at.query_params  # the default stays out of the link


def test_bad_url_values_are_ignored(page_db):
    at = _run("pages/stats_overview.py", {"period": "forever", "fn": "'; DROP TABLE case;--",
                                          "d": "abc,310115,999", "charge": "<script>", "stage": "x"})
    assert at.selectbox(key="f_period").value == "month"
    assert at.selectbox(key="f_fn").value == ""
    assert at.multiselect(key="f_districts").value == [310115]
    assert at.selectbox(key="f_charge").value == ""
    at = _run("pages/stats_overview.py", {"period": "custom", "from": "2024-13-45", "to": "nope"})
    assert at.selectbox(key="f_period").value == "custom"


def test_district_ranking_is_off_by_default_and_can_be_switched_on(page_db):
    at = _run("pages/stats_districts.py", {"period": "year"})
    assert at.toggle(key="cmp_rank").value is False
    df = at.dataframe[0].value
    assert "排名" not in df.columns and len(df) == 16
    at.toggle(key="cmp_rank").set_value(True).run()
    df = at.dataframe[0].value
    assert list(df["排名"]) == sorted(df["排名"]) and df["排名"].iloc[0] == 1
    assert df["受理"].iloc[0] == df["受理"].max()


def _full_names(engine) -> list[str]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT full_name FROM person")) if len(r[0]) >= 2]


def _window():
    # the twelve months up to today (a stated window: "this year" is empty on the morning of 1 January)
    today = clock.today()
    return today, (today - dt.timedelta(days=365), today)


def test_drill_down_reaches_the_cases_with_masked_parties_for_leadership(page_db, sample_engine):
    today, window = _window()
    at = _run("pages/stats_drilldown.py", {"period": "custom", "from": window[0].isoformat(),
                                           "to": window[1].isoformat(), "dd": "310115"})
    assert at.selectbox(key="dd_district").value == 310115
    charge = at.selectbox(key="dd_charge").value
    start, end = preset_range("custom", today, window)
    want = C.case_list(sample_engine, Scope(), start, end, district_id=310115, charge=charge)
    cases = at.dataframe[1].value
    assert len(cases) == len(want)
    parties = " ".join(cases["当事人"].astype(str))
    assert "*" in parties and not (cases["本人承办"] == "✔").any()
    names = _full_names(sample_engine)
    assert not any(n in parties for n in names)


def test_a_prosecutor_sees_parties_in_clear_only_on_the_cases_they_handle(page_db, sample_engine):
    from sqlalchemy import select

    from queries.schema import Case, CaseParty, Person

    today, window = _window()
    me = staff_of(sample_engine, "pros_310115_1")
    at = _run("pages/stats_drilldown.py", {"period": "custom", "from": window[0].isoformat(),
                                           "to": window[1].isoformat()}, user="pros_310115_1")
    assert list(at.selectbox(key="dd_district").options) == ["浦东新区"]  # their procuratorate only
    cases = at.dataframe[1].value
    own = cases[cases["本人承办"] == "✔"]
    other = cases[cases["本人承办"] != "✔"]
    assert len(own) and len(other)
    with sample_engine.connect() as c:
        mine = dict(c.execute(select(Case.case_no, Case.handler_id).where(Case.case_no.in_(list(cases["案号"])))).all())
        clear = {r.case_no: r.full_name for r in c.execute(
            select(Case.case_no, Person.full_name).join(CaseParty, CaseParty.case_id == Case.id)
            .join(Person, Person.id == CaseParty.person_id).where(Case.case_no.in_(list(own["案号"]))))}
    assert all(mine[n] == me.user_id for n in own["案号"]) and all(mine[n] != me.user_id for n in other["案号"])
    assert set(own["案号"]) & set(clear)
    for r in own.itertuples():  # their own cases: the full names
        if r.案号 in clear:
            assert clear[r.案号] in r.当事人
    names = _full_names(sample_engine)
    others = " ".join(other["当事人"].astype(str))
    assert "*" in others and not any(n in others for n in names)


def test_the_filter_bar_of_a_district_account_lists_its_district_only(page_db):
    at = _run("pages/stats_overview.py", {"d": "310101"}, user="pros_310112_1")
    assert at.multiselect(key="f_districts").options == ["闵行区"]
    assert at.multiselect(key="f_districts").value == []  # another district in the URL is ignored


def test_watch_list_page_counts_match_the_query(page_db, sample_engine):
    at = _run("pages/stats_watch.py")
    got = C.time_limit_watch(sample_engine, Scope(), warn_days=2.0)
    shown = {m.label: m.value for m in at.metric}
    assert int(shown["超期"]) == int((got["status"] == "超期").sum())
    assert int(shown["临期"]) == int((got["status"] == "临期").sum())


def test_english_pages(page_db):
    at = _run("pages/stats_overview.py", lang="en")
    assert at.title[0].value == "Case statistics"
    assert any(m.label == "Non-prosecution rate" for m in at.metric)


def test_chart_export_png_svg_with_chinese():
    df = pd.DataFrame({"charge": ["危险驾驶", "盗窃"], "cases": [5, 3]})
    png = to_png(bar_chart(df, "charge", "cases"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    svg = to_svg(bar_chart(df, "charge", "cases")).decode()
    assert svg.startswith("<svg") and ("危险驾驶" in svg or "<path" in svg)
    t = to_svg(trend_chart(pd.DataFrame({"day": ["2024-01-01", "2024-01-02"], "cases": [1, 2]})))
    assert t.startswith(b"<svg")


def test_csv_download_escapes_formulas():
    raw = to_safe_csv(pd.DataFrame({"案号": ["=HYPERLINK(\"x\")", "+1", "-2", "@a", "沪浦东检"]}))
    import io

    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(back["案号"]) == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@a", "沪浦东检"]


def test_the_definition_panel_shows_the_definition_both_counts_and_the_source(page_db, sample_engine):
    """Each indicator's "口径与分子分母" panel: its written definition (domain.indicators), the numerator
    and denominator the card was computed from, and the source named."""
    from domain.indicators import DEFINITIONS

    at = _run("pages/stats_overview.py", {"period": "year"})
    md = " ".join(m.value for m in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    start, end = preset_range("year", clock.today())
    got = {i.key: i for i in C.quality_indicators(sample_engine, Scope(), start, end)}
    parts = [df.value for df in at.dataframe if "分子" in df.value.columns]
    assert len(parts) == len(DEFINITIONS)
    in_columns = [d for c in range(3) for d in DEFINITIONS[c::3]]  # cards fill three columns
    for d, table in zip(in_columns, parts):
        assert d.numerator_zh in md and d.denominator_zh in md and d.period_zh in md, d.key
        assert "；".join(d.source) in captions, d.key
        this = table.iloc[0]
        assert (this["分子"], this["分母"]) == (got[d.key].numerator, got[d.key].denominator), d.key
        assert this["数值"] == got[d.key].formatted()
    assert "部分未核实" in captions and "已核实" in captions

"""The 河道治理 pages: AppTest smoke and interaction tests, and the map in headless Chromium at a
month the user picks, with no request leaving localhost (screenshot for the README)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from domain import clock
from domain.scope import ALL
from queries import rivers as q
from queries.db import make_engine, upgrade
from tests.pagedb import pages_use_database
from tests.staff import sign_in, staff_of

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/rivers_map.py", "pages/river_detail.py", "pages/river_cases.py"]


@pytest.fixture(scope="module")
def river_pages_db(tmp_path_factory):
    """core + rivers at the tiny scale in a database of this module's own (the clue test writes),
    with the pages pointed at it through DATABASE_URL; restored afterwards."""
    from sample_data import core, rivers
    from sample_data.build import SCALES, BuildContext

    path = tmp_path_factory.mktemp("river_pages") / "rivers.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = BuildContext(now=clock.now().replace(second=0), seed=5, progress=False)
    core.build(engine, SCALES["tiny"], np.random.default_rng([5, 0]), ctx)
    rivers.build(engine, SCALES["tiny"], np.random.default_rng([5, 1]), ctx)
    with pages_use_database(f"sqlite:///{path}"):
        yield engine
    engine.dispose()


def _page(page: str, user: str = "pil_310120") -> AppTest:
    """The page signed in as ``user`` (default: 奉贤's public-interest prosecutor, whose rivers these are)."""
    from queries.cache import get_engine

    return sign_in(AppTest.from_file(str(ROOT / page), default_timeout=120), staff_of(get_engine(), user))


def _run(page: str, user: str = "pil_310120") -> AppTest:
    at = _page(page, user).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(river_pages_db, page):
    at = _run(page)
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("河道治理")


def test_map_month_and_filters(river_pages_db):
    at = _run("pages/rivers_map.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["显示河道"] == "300"
    months = q.sample_months(river_pages_db, ALL)
    slider = at.select_slider(key="rv_month")
    assert slider.value == months[-1]
    slider.set_value(months[2]).run()
    assert not at.exception
    worse = q.class_shares(river_pages_db, ALL, months[2])
    n6 = int(worse.loc[worse["water_class"] == 6, "rivers"].sum())
    assert {m.label: m.value for m in at.metric}["劣Ⅴ类河道"] == str(n6)
    at.multiselect(key="rv_lv").set_value(["区级"]).run()
    assert {m.label: m.value for m in at.metric}["显示河道"] == "18"
    assert len(at.get("deck_gl_json_chart")) == 1


def test_map_month_from_link(river_pages_db):
    months = q.sample_months(river_pages_db, ALL)
    at = _page("pages/rivers_map.py")
    at.query_params["month"] = months[1]
    at.run()
    assert at.select_slider(key="rv_month").value == months[1]


def test_detail_search_and_charts(river_pages_db):
    at = _run("pages/river_detail.py")
    at.text_input(key="rd_q").set_value("金汇港").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["河道级别"] == "市级"
    assert len(at.get("vega_lite_chart")) == 7  # timeline + six indicators
    at.text_input(key="rd_q").set_value("不存在的河%").run()
    assert any("没有找到" in i.value for i in at.info)


def test_cases_page_figures(river_pages_db):
    at = _run("pages/river_cases.py")
    f = q.pil_figures(river_pages_db, ALL, clock.today().year, clock.today())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["本年立案"] == str(f.cases_filed)
    assert metrics["发出检察建议"] == str(f.suggestions_issued)
    assert len(at.dataframe) == 2


def test_water_clues_are_the_water_model_hits_now(river_pages_db):
    """The clue page is gone: the public-interest prosecutor's water clues are the water model's hits
    (handled on 法律监督线索); the model finds them in this database, and the cases page still opens
    for the account (linking to the clue page once that page is installed)."""
    from domain.models import registry
    from queries import models as M

    water = registry()["water_worse_than_v"]
    assert water.role == "pil" and water.permission == "rivers.clues"
    from sqlalchemy import func, update

    from domain.periods import shift_month
    from queries.schema import PilCase, River, WaterSample

    me = staff_of(river_pages_db, "pil_310120")
    with river_pages_db.begin() as c:  # make one river without an open case 劣V in its last two months
        busy = select(PilCase.river_id).where(PilCase.closed_at.is_(None), PilCase.river_id.is_not(None))
        rid = c.execute(select(River.id).where(River.id.not_in(busy)).order_by(River.id)).scalars().first()
        last = c.execute(select(func.max(WaterSample.month)).where(WaterSample.river_id == rid,
                                                                   WaterSample.month <= f"{clock.now():%Y-%m}")).scalar()
        c.execute(update(WaterSample).where(WaterSample.river_id == rid,
                                            WaterSample.month.in_([last, shift_month(last, -1)])).values(water_class=6))
    result = M.run_model(river_pages_db, water, clock.now())
    assert result.new_hits == result.hits_found > 0
    mine = M.hits(river_pages_db, me.scope("clues"), water.key)
    assert len(mine) == result.new_hits and set(mine["district_id"]) == {310120}
    assert rid in {e["river_id"] for e in mine["evidence"]}
    from tests.test_role_matrix import open_page

    alone = _run("pages/river_cases.py")  # outside the dashboard's navigation: no link, no error
    assert not alone.exception and not list(alone.get("page_link"))
    at = open_page(sign_in(AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120), me).run(),
                   "river_cases")
    assert not at.exception
    assert any("法律监督线索" in str(p.proto.label) for p in at.get("page_link") if "水质线索" in str(p.proto.label))


def test_river_pages_show_another_procuratorate_nothing(river_pages_db):
    at = _run("pages/rivers_map.py", "leader_310101")  # 黄浦's leadership: no rivers of its own here
    assert any("暂无" in i.value for i in at.info) and not at.metric
    at = _run("pages/river_cases.py", "leader_310101")
    assert {m.label: m.value for m in at.metric}["在办案件"] == "0"
    assert all(d.value.empty for d in at.dataframe)


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_map_in_chromium_at_chosen_month(river_pages_db):
    from playwright.sync_api import expect

    from tests.browser import APP_TIMEOUT_MS, OBSERVE_MS, UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
    from tests.signin_helpers import browser_sign_in

    def worse_than_v(month: str) -> int:
        shares = q.class_shares(river_pages_db, ALL, month)
        return int(shares.loc[shares["water_class"] == 6, "rivers"].sum())

    months = q.sample_months(river_pages_db, ALL)
    counts = [worse_than_v(m) for m in reversed(months)]  # latest first
    # a month at least 4 back whose 劣Ⅴ类 count differs from every later month's, so the figure on the
    # page is right only once the page has rerun for the chosen month (not the latest, not one passed by)
    steps_back = next((k for k in range(4, len(months)) if counts[k] not in counts[:k]), None)
    assert steps_back is not None, f"劣Ⅴ类 counts {counts}: the test cannot tell the months apart"
    want, n6 = months[-1 - steps_back], counts[steps_back]
    url = os.environ["DATABASE_URL"]
    with running_app("dashboard.py", env={"DATABASE_URL": url}) as app:
        with browser_page(height=1300) as (page, watch):
            browser_sign_in(page, river_pages_db, "pil_310120", app.url)
            page.get_by_role("link", name="水质地图").click()
            page.wait_for_selector("canvas", timeout=APP_TIMEOUT_MS)
            wait_for_app(page)
            thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
            assert thumb.get_attribute("aria-valuetext") == months[-1]
            metric = page.locator('[data-testid="stMetric"]', has_text="劣Ⅴ类河道")
            value = metric.locator('[data-testid="stMetricValue"]')
            expect(value).to_have_text(str(counts[0]), timeout=UI_TIMEOUT_MS)
            thumb.focus()
            for _ in range(steps_back):
                page.keyboard.press("ArrowLeft")
            page.wait_for_function(
                "(m) => [...document.querySelectorAll('[data-testid=\"stSliderThumbValue\"]')]"
                ".some(e => e.innerText.trim() === m)", arg=want, timeout=UI_TIMEOUT_MS)
            # the rerun for the chosen month has landed when its figure shows (no fixed wait)
            expect(value).to_have_text(str(n6), timeout=APP_TIMEOUT_MS)
            wait_for_app(page)
            expect(value).to_have_text(str(n6))  # and stays once the run is over
            assert page.locator("canvas").count() >= 1
            page.wait_for_timeout(OBSERVE_MS)  # watch for stray requests once the map is up
            page.screenshot(path=str(Path(os.environ.get("TMPDIR", "/tmp")) / "rivers_map_test.png"))
            watch.assert_clean()


def test_display_helpers():
    from components.river_charts import class_bands, history_text, labelled

    assert history_text("2026-06:4;2026-07:6") == "06月 Ⅳ类 → 07月 劣Ⅴ类"
    import pandas as pd

    assert list(labelled(pd.DataFrame(columns=["reply_due", "status", "x"])).columns) == ["回复期限", "状态", "x"]
    # COD shares the Class I/II limit: no empty Class II band; DO bands run downwards
    cod = class_bands("cod", 50.0)
    assert 2 not in set(cod["cls"]) and list(cod["cls"]) == [1, 3, 4, 5, 6]
    do = class_bands("do_mg", 8.0).set_index("cls")
    assert (do.loc[3, "y0"], do.loc[3, "y1"]) == (5.0, 6.0) and (do.loc[4, "y0"], do.loc[4, "y1"]) == (3.0, 5.0)
    assert (do.loc[6, "y0"], do.loc[6, "y1"]) == (0.0, 2.0) and do.loc[1, "y0"] == 7.5


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_in_english(river_pages_db, page):
    at = _page(page)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("Rivers")

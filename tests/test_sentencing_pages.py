"""The sentencing ruler and its public mode: AppTest smoke and interaction, export audit, browser."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from components.sentencing_export import reasoning_pdf
from domain.sentencing import compute
from tests.browser import (
    APP_TIMEOUT_MS, ROOT, UI_TIMEOUT_MS, assert_cjk_font_loaded, browser_page, running_app, wait_for_app,
)

RULER = str(ROOT / "pages/sentencing_ruler.py")
PUBLIC = str(ROOT / "pages/sentencing_public.py")


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning] + \
            [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_ruler_default_is_theft_tier_1(page_db):
    at = AppTest.from_file(RULER, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="sr_crime").value == "盗窃"
    txt = _text(at)
    assert "规则计算幅度 1–12 个月" in txt  # no circumstances: the tier's starting point
    assert "n = " in txt and "CAIL2018" in txt
    steps = at.dataframe[0].value
    assert list(steps.iloc[:, 0]) == ["量刑起点", "基准刑", "法定刑幅度限制", "法官综合考量 ±20%"]


def test_ruler_injury_with_circumstances(page_db):
    at = AppTest.from_file(RULER, default_timeout=120).run()
    at.selectbox(key="sr_crime").set_value("故意伤害").run()
    for k in ("accomplice", "surrender", "recidivist"):
        at.checkbox(key=f"sr_c_{k}").check()
    at.run()
    assert not at.exception, at.exception
    steps = at.dataframe[0].value
    assert "第一类情节：从犯" in list(steps.iloc[:, 0])
    # defaults: accomplice 35 %, surrender 20 %, recidivist 25 %: 24 × 0.65 = 15.6; 15.6 − 3.12 + 3.9 = 16.38
    assert "16.4" in _text(at)


def test_ruler_refuses_without_a_tier_and_for_dangerous_driving(page_db):
    at = AppTest.from_file(RULER, default_timeout=120).run()
    at.selectbox(key="sr_tier_盗窃").select_index(0).run()  # the "choose a tier" option
    assert any("缺少量刑起点档次" in e.value for e in at.error)
    at.selectbox(key="sr_crime").set_value("危险驾驶").run()
    assert not at.exception
    assert any("拘役" in e.value for e in at.error)


def test_ruler_english(page_db):
    at = AppTest.from_file(RULER, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception and "Smart sentencing ruler" in at.title[0].value


def test_public_page_plain_language_disclaimer_no_personal_data(page_db):
    at = AppTest.from_file(PUBLIC, default_timeout=120).run()
    assert not at.exception, at.exception
    txt = _text(at)
    assert "不构成法律意见" in txt and "第一步" in txt
    assert not any("fact" in str(d.value.columns).lower() for d in at.dataframe)


def test_export_pdf_is_a_pdf_with_the_reasoning():
    r = compute("故意伤害", 1, [("accomplice", 30), ("surrender", 30), ("recidivist", 20)], start=24)
    pdf = reasoning_pdf(r, when=dt.datetime(2026, 11, 29, 21), real_summary="n=1")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert b"NotoSansCJKsc" in pdf and b"/FontFile2" in pdf  # the bundled TrueType font is embedded


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_ruler_in_chromium_offline_and_export_is_audited(page_db, tmp_path):
    from domain.scope import ALL
    from queries.audit import recent
    from queries.db import make_engine

    with running_app("dashboard.py", env={"DATABASE_URL": page_db}, log_dir=tmp_path) as app:
        with browser_page() as (page, watch):
            page.goto(app.url, wait_until="domcontentloaded")  # deep links 404 a health probe first
            wait_for_app(page)
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="智能量刑尺").first.click()
            page.wait_for_selector("text=规则计算幅度", timeout=APP_TIMEOUT_MS)
            page.wait_for_selector("canvas, svg.marks", timeout=UI_TIMEOUT_MS)
            assert_cjk_font_loaded(page)
            with page.expect_download(timeout=APP_TIMEOUT_MS) as dl:
                page.get_by_text("下载量刑计算说明").click()
            path = dl.value.path()
            assert open(path, "rb").read(4) == b"%PDF"
            watch.assert_clean()
        assert "Traceback" not in app.log()
    log = recent(make_engine(page_db), ALL, event="量刑计算说明导出")
    assert len(log) >= 1 and "盗窃" in log.iloc[0].target


def test_extra_amount_converts_at_the_provincial_rate(page_db):
    at = AppTest.from_file(RULER, default_timeout=120).run()
    at.number_input(key="sr_amount").set_value(6000).run()
    at.number_input(key="sr_per").set_value(2000).run()  # +1 month per 2,000 yuan → +3 months
    assert not at.exception
    assert "规则计算幅度 4–15 个月" in _text(at)

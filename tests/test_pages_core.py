"""Smoke tests of the shell pages, and the dashboard served for real in headless Chromium."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT, UI_TIMEOUT_MS, assert_cjk_font_loaded, browser_page, running_app, wait_for_app
from tests.staff import everyone, sign_in


@pytest.mark.parametrize("page", ["pages/home.py", "pages/audit_log.py"])
def test_page_runs_without_exception(page_db, page):
    at = sign_in(AppTest.from_file(str(ROOT / page), default_timeout=60), everyone()).run()
    assert not at.exception, at.exception
    assert at.title[0].value


def test_home_shows_the_sample_scale(page_db):
    at = sign_in(AppTest.from_file(str(ROOT / "pages/home.py"), default_timeout=60), everyone()).run()
    assert any(m.value == "tiny" for m in at.metric)


def test_english_is_available(page_db):
    at = sign_in(AppTest.from_file(str(ROOT / "pages/home.py"), default_timeout=60), everyone())
    at.query_params["lang"] = "en"
    at.run()
    assert "data status" in at.title[0].value


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_dashboard_serves_offline_with_no_console_error(page_db, sample_engine, tmp_path):
    from playwright.sync_api import expect

    from tests.signin_helpers import browser_sign_in

    with running_app("dashboard.py", env={"DATABASE_URL": page_db}, log_dir=tmp_path) as app:
        with browser_page() as (page, watch):
            page.goto(app.url, wait_until="domcontentloaded")
            browser_sign_in(page, sample_engine, "data")
            page.wait_for_selector("text=数据状态", timeout=UI_TIMEOUT_MS)
            expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("tiny", timeout=UI_TIMEOUT_MS)
            assert_cjk_font_loaded(page)
            watch.assert_clean()
        assert "Traceback" not in app.log()

"""Page smoke tests of the 非羁押监管 section (AppTest) and the offline map in headless Chromium."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from domain.scope import Scope
from tests.browser import OBSERVE_MS, ROOT, UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
from tests.pagedb import pages_use_database

PAGES = ["supervision_people", "supervision_map", "supervision_track", "supervision_leave",
         "supervision_rollcall", "supervision_alerts", "supervision_devices", "supervision_stats"]


@pytest.fixture
def sup_db(sample_engine, tmp_path):
    """A private copy of the tiny sample behind the caching seam (pages here also write)."""
    from queries.db import make_engine

    path = tmp_path / "pages.sqlite3"
    src, dst = sqlite3.connect(sample_engine.url.database), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    url = f"sqlite:///{path}"
    with pages_use_database(url):
        e = make_engine(url)
        yield e
        e.dispose()


def page(name: str, scope: Scope | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    if scope is not None:
        at.session_state["scope"] = scope
    return at


def audit_count(e, event: str) -> int:
    from queries.schema import AuditLog

    with e.connect() as c:
        return c.execute(select(func.count()).select_from(AuditLog).where(AuditLog.event == event)).scalar_one()


@pytest.mark.parametrize("name", PAGES)
def test_page_runs(sup_db, name):
    at = page(name).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value
    assert not at.error, [e.value for e in at.error]


def test_map_page_counts_everyone_and_other_roles_see_cells_only(sup_db):
    at = page("supervision_map").run()
    assert at.metric[0].value == "60"
    at = page("supervision_map", Scope(role="leader")).run()
    assert not at.exception
    assert any("网格" in i.value for i in at.info)


def test_track_page_refuses_other_roles(sup_db):
    at = page("supervision_track", Scope(role="leader")).run()
    assert any("仅监管人员" in i.value for i in at.info)
    assert len(at.text_input) == 0


def test_track_page_shows_a_track_and_audits_it(sup_db):
    from queries.supervision import latest_positions

    code = latest_positions(sup_db, Scope(role="supervision"))["person_code"].iloc[0]
    at = page("supervision_track").run()
    at.text_input[0].set_value(code).run()
    assert not at.exception
    before = audit_count(sup_db, "查看轨迹")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert audit_count(sup_db, "查看轨迹") == before + 1
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 0
    assert at.select_slider  # the time slider over the pings


def test_leave_page_approves_a_pending_request(sup_db):
    import datetime as dt

    from domain import clock
    from queries import supervision as Q
    from queries.schema import LeaveRequest
    from domain.scope import SUPERVISION

    # a pending request of our own, whatever the seeded sample happened to leave pending
    sid = int(Q.supervised_list(sup_db, SUPERVISION, "在管")["id"].iloc[0])
    t = clock.now()
    Q.request_leave(sup_db, SUPERVISION, sid, destination="江苏省苏州市", dest_district_id=None,
                    start=t + dt.timedelta(days=1), end=t + dt.timedelta(days=2), reason="探亲", now=t,
                    actor="test")
    with sup_db.connect() as c:
        pending = c.execute(select(func.count()).select_from(LeaveRequest)
                            .where(LeaveRequest.status == "待审批")).scalar_one()
    assert pending >= 1
    at = page("supervision_leave").run()
    next(b for b in at.button if b.label == "批准").click().run()
    assert not at.exception
    assert any("已批准" in s.value for s in at.success)
    assert audit_count(sup_db, "外出审批") == 1


def test_rollcall_page_creates_tasks(sup_db):
    at = page("supervision_rollcall").run()
    next(b for b in at.button if "点名" in b.label).click().run()
    assert any("60" in s.value for s in at.success)
    assert audit_count(sup_db, "发起点名") == 1


def test_english_titles(sup_db):
    at = page("supervision_alerts")
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "Alerts"


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_map_renders_offline_in_chromium(sup_db, tmp_path):
    url = os.environ["DATABASE_URL"]
    with running_app("dashboard.py", env={"DATABASE_URL": url}, log_dir=tmp_path) as app:
        with browser_page() as (pg, watch):
            pg.goto(f"{app.url}/supervision_map", wait_until="domcontentloaded")
            wait_for_app(pg)
            pg.wait_for_selector("canvas", timeout=UI_TIMEOUT_MS)
            # the deck canvas has been laid out at its size (waited for, instead of a fixed 3 s)
            pg.wait_for_function("""() => { const c = document.querySelector('canvas');
                return !!c && c.width > 100 && c.height > 100; }""", timeout=UI_TIMEOUT_MS)
            pg.wait_for_timeout(OBSERVE_MS)  # watch for stray requests once the map is up
            assert pg.get_by_text("定位监管").first.is_visible()
            assert not watch.external_requests, watch.external_requests
            assert not watch.page_errors, watch.page_errors
        assert "Traceback" not in app.log()

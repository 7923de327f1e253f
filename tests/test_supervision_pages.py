"""The 非羁押监管 pages as a signed-in officer sees them (AppTest): only their procuratorate's
persons, actions recorded as that account, a release on two signatures; and the offline map in
headless Chromium after a real sign-in."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from tests.browser import OBSERVE_MS, ROOT, UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
from tests.pagedb import pages_use_database
from tests.signin_helpers import browser_sign_in
from tests.staff import sign_in, staff_of

MINHANG, HUANGPU = 310112, 310101
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


def page(name: str, user: str | None = "sup_310112", engine=None) -> AppTest:
    """The page as ``user`` sees it once signed in (the dashboard's sign-in, as tests/staff.py does)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    if user is not None:
        sign_in(at, staff_of(engine or _engine(), user))
    return at


def _engine():
    from queries.cache import get_engine

    return get_engine()


def audit_count(e, event: str, result: str | None = None) -> int:
    from queries.schema import AuditLog

    stmt = select(func.count()).select_from(AuditLog).where(AuditLog.event == event)
    if result:
        stmt = stmt.where(AuditLog.result == result)
    with e.connect() as c:
        return c.execute(stmt).scalar_one()


def active(e, district: int) -> list[tuple[int, str]]:
    from queries.schema import SupervisedPerson as SP

    with e.connect() as c:
        return [tuple(r) for r in c.execute(select(SP.id, SP.person_code).where(
            SP.home_district_id == district, SP.status == "在管").order_by(SP.id))]


@pytest.mark.parametrize("name", PAGES)
def test_page_runs(sup_db, name):
    at = page(name).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value and at.title[0].value != "无权访问"
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("name", PAGES)
def test_page_without_a_signed_in_account_shows_nothing(sup_db, name):
    at = page(name, user=None).run()
    assert not at.exception
    assert any("请先登录" in w.value for w in at.warning)
    assert not at.dataframe and not at.metric


def test_map_page_counts_the_officers_own_persons_only(sup_db):
    minhang = active(sup_db, MINHANG)
    at = page("supervision_map").run()
    assert at.metric[0].value == str(len(minhang))
    at = page("supervision_map", "sup_310101").run()
    assert at.metric[0].value == str(len(active(sup_db, HUANGPU)))


def test_supervision_pages_refuse_other_roles(sup_db):
    for user in ("pros_310112_1", "leader_310112", "auditor"):
        at = page("supervision_track", user).run()
        assert not at.exception
        assert at.title[0].value == "无权访问" and len(at.text_input) == 0, user
    at = page("supervision_stats", "leader_310112").run()  # leadership: the statistics only
    assert not at.exception and at.title[0].value == "统计分析"


def test_track_page_shows_a_track_and_audits_it(sup_db):
    _, code = active(sup_db, MINHANG)[0]
    at = page("supervision_track").run()
    at.text_input[0].set_value(code).run()
    assert not at.exception
    at.selectbox[1].set_value("核查告警").run()  # the purpose
    before = audit_count(sup_db, "查看轨迹")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert audit_count(sup_db, "查看轨迹") == before + 1
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 0
    assert at.select_slider  # the time slider over the pings
    from queries.schema import AuditLog

    with sup_db.connect() as c:
        row = c.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.detail)
                        .where(AuditLog.event == "查看轨迹").order_by(AuditLog.id.desc())).first()
    assert row.actor == "sup_310112" and row.actor_role == "监管" and row.detail.startswith("核查告警")


def test_a_minhang_officer_cannot_find_a_huangpu_person(sup_db):
    _, code = active(sup_db, HUANGPU)[0]
    at = page("supervision_track").run()
    at.text_input[0].set_value(code).run()
    assert not at.exception
    assert any("没有找到" in w.value for w in at.warning) and not at.button
    at = page("supervision_people").run()
    at.text_input[0].set_value(code).run()
    assert at.dataframe[0].value.empty


def test_leave_page_approves_a_pending_request_as_the_signed_in_officer(sup_db):
    import datetime as dt

    from domain import clock
    from domain.access import Actor
    from queries import supervision as Q
    from queries.schema import LeaveRequest

    sup = staff_of(sup_db, "sup_310112")
    sid, _ = active(sup_db, MINHANG)[0]
    t = clock.now()
    lid = Q.request_leave(sup_db, sup.scope("supervision"), sid, destination="江苏省苏州市", dest_district_id=None,
                          start=t + dt.timedelta(days=1), end=t + dt.timedelta(days=2), reason="探亲", now=t,
                          actor=Actor.of(sup))
    at = page("supervision_leave").run()
    at.selectbox[0].set_value(lid).run()
    next(b for b in at.button if b.label == "批准").click().run()
    assert not at.exception
    assert any("已批准" in s.value for s in at.success)
    assert audit_count(sup_db, "外出审批") == 1
    with sup_db.connect() as c:
        assert c.execute(select(LeaveRequest.decided_by).where(LeaveRequest.id == lid)).scalar_one() == sup.user_id


def test_rollcall_page_creates_tasks_for_the_officers_persons(sup_db):
    at = page("supervision_rollcall").run()
    next(b for b in at.button if "点名" in b.label).click().run()
    n = len(active(sup_db, MINHANG))
    assert any(f"已向 {n} 人" in s.value for s in at.success)
    assert audit_count(sup_db, "发起点名") == 1


def test_release_takes_two_officers_on_the_people_page(sup_db):
    from queries.schema import SupervisedPerson as SP

    sid, code = active(sup_db, MINHANG)[0]
    at = page("supervision_people").run()
    at.selectbox(key="rel_who").set_value(sid)
    at.text_input[-1].set_value("取保候审期限届满")
    next(b for b in at.button if b.label == "提交解除申请").click().run()
    assert not at.exception and any("待另一名工作人员审批" in s.value for s in at.success)
    # the same officer cannot approve their own request: refused, and the refusal audited
    at = page("supervision_people").run()
    at.selectbox(key="rel_pick").set_value(sid)
    next(b for b in at.button if b.label == "批准解除").click().run()
    assert any("另一名" in e.value for e in at.error)
    assert audit_count(sup_db, "解除审批", "拒绝") == 1
    with sup_db.connect() as c:
        assert c.execute(select(SP.status).where(SP.id == sid)).scalar_one() == "在管"
    # Minhang's second officer approves
    at = page("supervision_people", "sup_310112_2").run()
    at.selectbox(key="rel_pick").set_value(sid)
    next(b for b in at.button if b.label == "批准解除").click().run()
    assert not at.exception and any("已解除" in s.value for s in at.success)
    with sup_db.connect() as c:
        assert c.execute(select(SP.status).where(SP.id == sid)).scalar_one() == "已解除"
    assert audit_count(sup_db, "监管人员解除", "成功") == 1


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
            browser_sign_in(pg, sup_db, "sup_310112", app.url)
            pg.get_by_role("link", name="定位监管").click()  # in-app navigation keeps the session
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

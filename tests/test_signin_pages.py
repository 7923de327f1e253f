"""The dashboard's sign-in as users meet it: the whole first sign-in in Chromium (issued password →
own password → authenticator enrolment → the role's pages only → sign out), and the session limits
through the real entry point (AppTest, frozen clock)."""
from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from domain import clock
from queries.schema import AppUser, AuditLog
from tests.browser import ROOT, UI_TIMEOUT_MS, assert_cjk_font_loaded, browser_page, running_app, wait_for_app
from tests.signin_helpers import PASSWORD, ready
from tests.staff import sign_in, staff_of


def events(engine, username: str) -> list[tuple[str, str, str | None]]:
    with engine.connect() as c:
        return [(r.event, r.result, r.detail) for r in c.execute(
            select(AuditLog.event, AuditLog.result, AuditLog.detail)
            .where(AuditLog.actor == username).order_by(AuditLog.id))]


def test_idle_session_ends_after_30_minutes_and_is_audited(page_db, sample_engine):
    staff = staff_of(sample_engine, "leader_310115")
    t0 = clock.now()
    with clock.frozen(t0):
        at = sign_in(AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120), staff).run()
        assert not at.exception and any("退出登录" == b.label for b in at.sidebar.button)
    with clock.frozen(t0 + dt.timedelta(minutes=29)):
        at.run()  # a user action within the limit keeps the session and restarts its idle clock
        assert any("退出登录" == b.label for b in at.sidebar.button)
    with clock.frozen(t0 + dt.timedelta(minutes=29 + 30)):
        at.run()
    assert at.title[0].value.endswith("登录")
    assert any("30分钟未操作" in i.value for i in at.info)
    assert ("退出登录", "成功", "30分钟无操作，自动退出") in events(sample_engine, "leader_310115")


def test_sessions_end_after_12_hours_whatever_the_activity(page_db, sample_engine):
    staff = staff_of(sample_engine, "leader_310113")
    t0 = clock.now()
    at = AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120)
    with clock.frozen(t0):
        sign_in(at, staff).run()
    for minutes in range(20, 12 * 60, 20):  # active every 20 minutes
        with clock.frozen(t0 + dt.timedelta(minutes=minutes)):
            at.run()
    assert any("退出登录" == b.label for b in at.sidebar.button)
    with clock.frozen(t0 + dt.timedelta(hours=12)):
        at.run()
    assert at.title[0].value.endswith("登录")
    assert ("退出登录", "成功", "登录满12小时，自动退出") in events(sample_engine, "leader_310113")


def test_a_disabled_account_is_signed_out_at_its_next_click(page_db, sample_engine):
    from sqlalchemy import update

    staff = staff_of(sample_engine, "leader_310114")
    at = sign_in(AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120), staff).run()
    with sample_engine.begin() as c:
        c.execute(update(AppUser).where(AppUser.id == staff.user_id).values(active=False))
    try:
        at.run()
        assert at.title[0].value.endswith("登录")
    finally:
        with sample_engine.begin() as c:
            c.execute(update(AppUser).where(AppUser.id == staff.user_id).values(active=True))


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_first_sign_in_in_chromium(page_db, sample_engine, tmp_path):
    """sup_310112 with an issued password: change it, enrol the app, see only supervision pages."""
    from playwright.sync_api import expect

    uid = staff_of(sample_engine, "sup_310112").user_id
    ready(sample_engine, uid, enrolled=False, must_change=True)
    with running_app("dashboard.py", env={"DATABASE_URL": page_db}, log_dir=tmp_path) as app:
        with browser_page(1400, 1000) as (page, watch):
            page.goto(app.url + "/supervision_people")
            wait_for_app(page)
            expect(page.get_by_role("link", name="人员管理")).to_have_count(0)  # nothing before signing in
            page.get_by_label("账号").fill("sup_310112")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="下一步", exact=True).click()
            page.get_by_label("新密码", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
            page.get_by_label("新密码", exact=True).fill("sup_310112 password")  # contains the name
            page.get_by_label("再次输入新密码").fill("sup_310112 password")
            page.get_by_role("button", name="设置密码").click()
            page.get_by_text("不能是账号名").wait_for(timeout=UI_TIMEOUT_MS)
            page.get_by_label("新密码", exact=True).fill("Lanterns over Minhang 9")
            page.get_by_label("再次输入新密码").fill("Lanterns over Minhang 9")
            page.get_by_role("button", name="设置密码").click()
            page.get_by_text("手动输入密钥", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            assert_cjk_font_loaded(page)
            page.screenshot(path=str(tmp_path / "enrol.png"))
            key = page.locator('[data-testid="stCode"]').inner_text().replace(" ", "").strip()
            assert re.fullmatch(r"[A-Z2-7]{32}", key), key
            page.get_by_label("App 显示的 6 位数字").fill(pyotp.TOTP(key).at(clock.now_aware()))
            page.get_by_role("button", name="完成绑定并登录").click()
            page.get_by_text("退出登录").wait_for(timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            page.get_by_role("heading", name="人员管理").first.wait_for(timeout=UI_TIMEOUT_MS)  # the deep link
            expect(page.get_by_role("link", name="定位查询")).to_have_count(1)
            for other in ("案件统计", "审计日志", "数据导入", "水质地图"):
                expect(page.get_by_role("link", name=other)).to_have_count(0)
            page.screenshot(path=str(tmp_path / "signed_in.png"))
            watch.assert_clean()
            page.get_by_role("button", name="退出登录").click()
            page.get_by_text("您已安全退出").wait_for(timeout=UI_TIMEOUT_MS)
            # Signing out releases the session's files at once: the page's stale export button may
            # still ask for its file and get 404 — the file is gone, as it should be. Nothing else.
            assert not watch.page_errors and not watch.external_requests
            assert all("404" in e for e in watch.console_errors), watch.console_errors
            expect(page.get_by_role("link", name="人员管理")).to_have_count(0)
    got = events(sample_engine, "sup_310112")
    for e in (("修改密码", "失败"), ("修改密码", "成功"), ("绑定动态验证码", "成功"), ("登录", "成功"),
              ("退出登录", "成功")):
        assert e in [g[:2] for g in got], (e, got)
    with sample_engine.connect() as c:
        row = c.execute(select(AppUser.must_change_password, AppUser.totp_secret).where(AppUser.id == uid)).one()
    assert row.must_change_password is False and row.totp_secret.startswith("v1:") and key not in row.totp_secret
    assert "Traceback" not in app.log()

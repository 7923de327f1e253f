"""The portal in headless Chromium on generated sample data (core + documents steps): login,
documents, none-found, confirm receipt; and the README screenshots."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from domain import clock
from queries.db import make_engine, upgrade
from queries.schema import AuditLog, SmsOutbox
from tests.browser import ROOT, UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# README screenshots are refreshed only on request (JCY_SCREENSHOTS=1); a plain test run leaves the
# tracked files alone and writes to a temporary folder instead.
SHOTS = ROOT / "docs" / "screenshots" if os.environ.get("JCY_SCREENSHOTS") else Path(tempfile.gettempdir()) / "jcy_shots"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Core and documents steps at the tiny scale, with the in-memory demo logins."""
    from sample_data import core, documents
    from sample_data.build import SCALES, BuildContext

    path = tmp_path_factory.mktemp("portal_browser") / "portal.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = BuildContext(now=clock.now().replace(second=0), seed=7, progress=False)
    core.build(engine, SCALES["tiny"], np.random.default_rng([7, 0]), ctx)
    documents.build(engine, SCALES["tiny"], np.random.default_rng([7, 1]), ctx)
    logins = ctx.ids["demo_logins"]
    with running_app("portal.py", env={"DATABASE_URL": f"sqlite:///{path}", "JCY_SMS_BACKEND": "outbox"}) as app:
        yield engine, logins, app
    engine.dispose()


def _code(engine, before: int = 0) -> str:
    """The newest code in the outbox (written by the app's background sender a moment later)."""

    def newer():
        with engine.connect() as c:
            row = c.execute(select(SmsOutbox.id, SmsOutbox.body).order_by(SmsOutbox.id.desc())).first()
        return row if row is not None and row.id > before else None

    return wait_until(newer, message="no SMS in the outbox").body.split("验证码为")[1][:6]


def _last_id(engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.coalesce(func.max(SmsOutbox.id), 0))).scalar()


def _login(page, app, engine, idn, phone, shot: Path | None = None):
    page.goto(app.url)
    wait_for_app(page)
    before = _last_id(engine)
    page.get_by_label("居民身份证号").fill(idn)
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送至尾号").wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_label("短信验证码").fill(_code(engine, before))
    if shot:
        page.screenshot(path=str(shot), full_page=True)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("我的法律文书").first.wait_for(timeout=UI_TIMEOUT_MS)
    wait_for_app(page)


def test_party_reads_and_confirms_a_document_in_chromium(demo):
    engine, logins, app = demo
    who = next(x for x in logins if x["kind"] == "当事人" and x["documents"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser_page(1280, 1500) as (page, watch):
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _login(page, app, engine, who["login"], who["phone"], SHOTS / "portal_login.png")
        page.get_by_role("button", name="打开文书").click()
        page.get_by_role("button", name="确认签收").wait_for(timeout=UI_TIMEOUT_MS)
        wait_for_app(page)
        page.get_by_role("button", name="下载PDF").wait_for(timeout=UI_TIMEOUT_MS)
        assert page.locator("[data-testid=\"stText\"]").count() >= 3  # the document body, as text
        wait_for_app(page)
        page.screenshot(path=str(SHOTS / "portal_documents.png"), full_page=True)
        page.get_by_role("button", name="确认签收").click()
        page.get_by_text("确认签收", exact=False).last.wait_for(timeout=UI_TIMEOUT_MS)
        page.get_by_text("已于").first.wait_for(timeout=UI_TIMEOUT_MS)
        html = page.content()
        assert who["login"] not in html and who["phone"] not in html  # no clear identifiers in the DOM
        assert who["login"] not in page.url
        page.get_by_role("button", name="退出登录").click()
        page.get_by_text("您已安全退出").wait_for(timeout=UI_TIMEOUT_MS)
        watch.assert_clean()
        assert not dialogs
    with engine.connect() as c:
        ev = [tuple(r) for r in c.execute(select(AuditLog.event, AuditLog.result))]
    for e in (("发送验证码", "成功"), ("登录", "成功"), ("文书查看", "成功"), ("确认签收", "成功"), ("退出登录", "成功")):
        assert e in ev


def test_person_without_documents_is_told_so_in_chromium(demo):
    engine, logins, app = demo
    who = next(x for x in logins if x["kind"] == "当事人" and not x["documents"])
    with browser_page(1280, 900) as (page, watch):
        _login(page, app, engine, who["login"], who["phone"])
        page.get_by_text("未查询到送达给您的法律文书").wait_for(timeout=UI_TIMEOUT_MS)
        watch.assert_clean()

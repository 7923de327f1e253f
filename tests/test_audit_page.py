"""The audit log page: the security auditor filters, checks the chain, exports and is refused a purge
the rules do not allow; any other role gets "无权访问" and no entry."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from domain import clock
from domain.access import Actor
from queries import audit
from queries.db import make_engine
from tests.browser import ROOT
from tests.staff import sign_in, staff_of

PAGE = str(ROOT / "pages" / "audit_log.py")


@pytest.fixture
def db(page_db):
    e = make_engine(page_db)
    with e.begin() as conn:  # entries the page can show, whatever ran before in this process
        audit.record(conn, actor=Actor("pros_310112_1", "检察官", "闵行区人民检察院", "203.0.113.9", 7),
                     event="页面测试查看", target="案件 1", result="成功")
        audit.record(conn, actor=Actor("leader", "院领导", "上海市人民检察院", "10.0.0.8", 4),
                     event="页面测试登录", result="失败")
    yield e
    e.dispose()


def _page(db, username: str) -> AppTest:
    return sign_in(AppTest.from_file(PAGE, default_timeout=60), staff_of(db, username)).run()


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def _table(at: AppTest):
    return at.dataframe[0].value


def test_the_auditor_sees_the_log_with_who_and_from_where(db):
    at = _page(db, "auditor")
    assert not at.exception, at.exception
    assert at.title[0].value == "审计日志"
    df = _table(at)
    assert {"编号", "时间", "账号", "角色", "所属院", "客户端地址", "事件", "对象", "结果", "详情"} <= set(df.columns)
    row = df[df["事件"] == "页面测试查看"].iloc[0]
    assert (row["账号"], row["所属院"], row["客户端地址"]) == ("pros_310112_1", "闵行区人民检察院", "203.0.113.9")
    assert "页面测试查看" in at.selectbox[0].options


def test_filters_narrow_the_table(db):
    at = _page(db, "auditor")
    at.selectbox[0].set_value("页面测试登录")
    at.selectbox[1].set_value("失败")
    at.button[0].click().run()  # the form's 查询
    df = _table(at)
    assert len(df) >= 1 and set(df["事件"]) == {"页面测试登录"} and set(df["结果"]) == {"失败"}
    at.text_input[0].set_value("no_such_account")
    at.button[0].click().run()
    assert len(_table(at)) == 0


def test_the_auditor_checks_integrity_and_sees_a_tampered_row(db):
    at = _page(db, "auditor")
    _button(at, "校验完整性").click().run()
    assert not at.exception
    assert any("完整" in s.value for s in at.success), [s.value for s in at.success]
    with db.begin() as conn:
        victim = conn.execute(text("SELECT max(id) FROM audit_log WHERE event = '页面测试查看'")).scalar()
        conn.execute(text("UPDATE audit_log SET result = '失败' WHERE id = :i"), {"i": victim})
    try:
        _button(at, "校验完整性").click().run()
        assert any("未通过" in e.value and f"第 {victim} 号" in e.value for e in at.error), [e.value for e in at.error]
    finally:  # put it back: the sample database is shared with the other page tests
        with db.begin() as conn:
            conn.execute(text("UPDATE audit_log SET result = '成功' WHERE id = :i"), {"i": victim})
    assert audit._check(db)[0].ok


def test_export_offers_a_download_and_is_recorded(db):
    at = _page(db, "auditor")
    _button(at, "导出全部日志").click().run()
    assert not at.exception
    assert len(at.get("download_button")) == 1
    s = audit.state(db, staff_of(db, "auditor"))
    assert s.exported_through == s.last_id - 1  # everything up to the export's own entry
    last = audit.search(db, staff_of(db, "auditor"), limit=1).iloc[0]
    assert (last.event, last.actor, last.actor_role) == ("审计日志导出", "auditor", "安全审计员")


def test_a_purge_needs_the_confirmation_and_is_refused_clearly_when_not_allowed(db):
    at = _page(db, "auditor")
    purge = _button(at, "清理")
    purge.click().run()
    assert any("勾选确认" in w.value for w in at.warning)
    at.checkbox[0].check()
    _button(at, "清理").click().run()
    assert not at.exception
    assert any(e.value.startswith("未清理：") for e in at.error), [e.value for e in at.error]
    # a date inside the retention period is refused with the reason
    at.date_input[1].set_value(clock.today() - dt.timedelta(days=10))
    at.checkbox[0].check()
    _button(at, "清理").click().run()
    assert any("至少保留180天" in e.value for e in at.error), [e.value for e in at.error]
    refused = audit.search(db, staff_of(db, "auditor"), event="审计日志清理", result="拒绝", limit=5)
    assert len(refused) >= 2


@pytest.mark.parametrize("username", ["pros_310112_1", "admin", "secadmin", "leader", "sup_310112"])
def test_other_roles_are_denied(db, username):
    at = _page(db, username)
    assert not at.exception
    assert [t.value for t in at.title] == ["无权访问"]
    assert len(at.dataframe) == 0 and not at.button

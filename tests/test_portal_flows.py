"""Portal flows through Streamlit's AppTest: login, documents, none-found, receipt, timeouts, logout,
lawyer cases and bindings, and the prosecutors' review page in the dashboard."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from components import portal_session as session
from domain import clock
from queries.db import make_engine, upgrade
from queries.schema import AuditLog, DocumentRecipient, LawyerBinding, SmsOutbox
from tests.portal_fixtures import PASSWORD, seed

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "apps" / "portal.py")
RUN_TIMEOUT_S = 120  # a script run under load (cold imports, Argon2); ends as soon as the run does


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    w = seed(engine)
    monkeypatch.setenv("DATABASE_URL", url)  # AppTest runs inside a runtime: get_engine() reads this
    monkeypatch.setenv("JCY_SMS_BACKEND", "outbox")
    st.cache_resource.clear()
    yield engine, w
    st.cache_resource.clear()
    engine.dispose()


def last_code(engine) -> str:
    from queries.portal_sms import default_sender

    default_sender().flush()  # the outbox is written by a background thread after the request
    with engine.connect() as c:
        body = c.execute(select(SmsOutbox.body).order_by(SmsOutbox.id.desc())).scalars().first()
    return body.split("验证码为")[1][:6]


def events(engine) -> list[tuple[str, str]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(select(AuditLog.event, AuditLog.result).order_by(AuditLog.id))]


def party_login(engine, id_number, phone) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
    assert not at.exception and at.title[0].value == "法律文书查阅"
    at.text_input[0].input(id_number)
    at.text_input[1].input(phone)
    at.button[0].click().run()
    assert not at.exception
    at.text_input[2].input(last_code(engine) if phone else "")
    at.button[1].click().run()
    assert not at.exception
    return at


def test_party_login_read_and_confirm_document(db):
    engine, w = db
    at = party_login(engine, w.id_a, w.phone_a)
    assert at.title[0].value == "我的法律文书"
    assert at.session_state[session.K_PRINCIPAL].id == w.person_a
    table = at.dataframe[0].value
    assert len(table) == 2 and set(table["文书类型"]) == {"取保候审决定书", "权利义务告知书"}
    assert set(table["状态"]) == {"待查看"}
    # no clear ID number or phone anywhere in the rendered page or the session
    page = repr([e for e in at.main]) + repr(at.sidebar) + repr(at.session_state)
    assert w.id_a not in page and w.phone_a not in page
    open_btn = next(b for b in at.button if b.label == "打开文书")
    open_btn.click().run()
    assert not at.exception
    assert at.subheader[0].value in ("取保候审决定书", "犯罪嫌疑人诉讼权利义务告知书")
    assert any("正文" in t.value for t in at.text)
    next(b for b in at.button if b.label == "确认签收").click().run()
    assert not at.exception
    assert any("确认签收" in s.value for s in at.success)
    with engine.connect() as c:
        served = c.execute(select(DocumentRecipient.served_at, DocumentRecipient.confirmed_at)
                           .where(DocumentRecipient.person_id == w.person_a,
                                  DocumentRecipient.served_at.is_not(None))).all()
    assert len(served) == 1 and served[0].confirmed_at is not None
    ev = events(engine)
    assert ("发送验证码", "成功") in ev and ("登录", "成功") in ev
    assert ("文书查看", "成功") in ev and ("确认签收", "成功") in ev


def test_party_with_no_documents_is_told_so(db):
    engine, w = db
    at = party_login(engine, w.id_b, w.phone_b)
    assert at.title[0].value == "我的法律文书"
    assert any("未查询到送达给您的法律文书" in i.value for i in at.info)
    assert not at.dataframe


def test_unknown_pair_gets_the_same_message_and_cannot_log_in(db):
    from domain.identity import make_id

    engine, w = db
    ghost = make_id("310104", dt.date(1988, 8, 8), 9)
    pages = []
    for idn in (ghost, w.id_a):  # not on record / on record, same phone typed
        at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
        at.text_input[0].input(idn)
        at.text_input[1].input(w.phone_a)
        at.button[0].click().run()
        pages.append(at)
    assert [s.value for s in pages[0].success] == [s.value for s in pages[1].success] != []
    assert [x.label for x in pages[0].text_input] == [x.label for x in pages[1].text_input]
    at = pages[0]
    at.text_input[2].input("123456")
    at.button[1].click().run()
    assert at.title[0].value == "法律文书查阅" and session.K_PRINCIPAL not in at.session_state
    assert any("验证码不正确" in e.value for e in at.error)


def test_bad_input_gets_a_clear_message_not_a_traceback(db):
    engine, w = db
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
    at.text_input[0].input("<script>alert(1)</script>")
    at.text_input[1].input("' OR 1=1 --")
    at.button[0].click().run()
    assert not at.exception and "身份证号" in at.error[0].value
    assert ("发送验证码", "失败") in events(engine)


def test_fresh_state_after_login_and_logout_clears_everything(db):
    engine, w = db
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S)
    at.session_state["planted_before_login"] = "x"
    at.run()
    at.text_input[0].input(w.id_a)
    at.text_input[1].input(w.phone_a)
    at.button[0].click().run()
    at.text_input[2].input(last_code(engine))
    at.button[1].click().run()
    assert "planted_before_login" not in at.session_state
    assert "portal_party_pending" not in at.session_state  # the typed ID number is gone
    next(b for b in at.button if b.label == "打开文书").click().run()
    assert "portal_open_doc" in at.session_state
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert not at.exception
    for k in (session.K_PRINCIPAL, "portal_open_doc", session.K_LOGIN_AT, session.K_LAST):
        assert k not in at.session_state
    assert at.title[0].value == "法律文书查阅"
    assert ("退出登录", "成功") in events(engine)


def test_sign_out_whose_audit_write_fails_still_signs_out_logs_and_says_so(db, monkeypatch, caplog):
    """The session goes either way; the failure is logged with its exception, not swallowed, and the
    user is not told all went well."""
    import queries.portal

    engine, w = db
    at = party_login(engine, w.id_a, w.phone_a)
    assert at.title[0].value == "我的法律文书"

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(queries.portal, "record_logout", broken)
    with caplog.at_level("ERROR", logger="jcy.portal"):
        next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert not at.exception
    assert session.K_PRINCIPAL not in at.session_state and at.title[0].value == "法律文书查阅"
    failed = [r for r in caplog.records if r.name == "jcy.portal"]
    assert failed and failed[0].exc_info and "audit table unavailable" in str(failed[0].exc_info[1])
    shown = [i.value for i in at.info]
    assert any("未能记录" in m for m in shown) and not any("安全退出" in m for m in shown)
    assert ("退出登录", "成功") not in events(engine)


@pytest.mark.parametrize("field,delta,reason", [
    (session.K_LAST, dt.timedelta(minutes=16), "15分钟"),
    (session.K_LOGIN_AT, dt.timedelta(hours=12, minutes=1), "12小时"),
])
def test_idle_and_absolute_timeouts_end_the_session(db, field, delta, reason):
    engine, w = db
    at = party_login(engine, w.id_a, w.phone_a)
    assert at.title[0].value == "我的法律文书"
    at.session_state[field] = clock.now_precise() - delta
    at.run()
    assert session.K_PRINCIPAL not in at.session_state
    assert at.title[0].value == "法律文书查阅" and any(reason in i.value for i in at.info)
    assert ("退出登录", "成功") in events(engine)  # a timeout is audited like a sign-out


def test_recent_activity_keeps_the_session(db):
    engine, w = db
    at = party_login(engine, w.id_a, w.phone_a)
    at.session_state[session.K_LAST] = clock.now_precise() - dt.timedelta(minutes=14)
    before = clock.now()  # the session stamps whole seconds
    at.run()
    assert at.title[0].value == "我的法律文书"
    # stamped by this run: bounded by the clock around it, not by "within 30 s", which a slow run could miss
    assert before <= at.session_state[session.K_LAST] <= clock.now_precise()


def test_watchdog_check_does_not_count_as_activity():
    """The auto-rerunning fragment only reads end_reason(), which never stamps the session."""
    now = dt.datetime(2026, 1, 1, 12, 0)
    state = {session.K_PRINCIPAL: object(), session.K_LOGIN_AT: now - dt.timedelta(hours=1),
             session.K_LAST: now - dt.timedelta(minutes=10)}
    before = dict(state)
    for k in range(10):  # ten auto-reruns, 30 s apart
        assert session.end_reason(state, now + k * dt.timedelta(seconds=30)) is None
    assert state == before
    assert session.end_reason(state, now + dt.timedelta(minutes=5)) == "idle"


def test_lawyer_flow_sees_only_bound_cases_and_can_request_binding(db):
    engine, w = db
    at = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT_S).run()
    at.switch_page("../pages/portal_lawyer_login.py").run()
    assert at.title[0].value == "律师登录"
    at.text_input[0].input("lw_a")
    at.text_input[1].input(PASSWORD)
    at.text_input[2].input(w.phone_lw_a)
    at.button[0].click().run()
    at.text_input[3].input(last_code(engine))
    at.button[1].click().run()
    assert not at.exception and at.title[0].value == "我的案件"
    cases = at.dataframe[0].value
    assert list(cases["案号"]) == [w.case1]
    assert set(cases.columns) == {"案号", "案由", "受理日期", "诉讼阶段", "办理期限", "办案部门", "强制措施", "办案单位"}
    at.text_input[0].input(w.case2)  # a case the lawyer is not (yet) approved for
    at.button[0].click().run()
    assert any("无权查看" in x.value for x in at.warning)
    at.switch_page("../pages/portal_lawyer_bind.py").run()
    assert at.title[0].value == "案件绑定申请"
    at.text_input[0].input("沪奉检刑诉〔2026〕999号")
    at.text_input[1].input("某某")
    at.button[0].click().run()
    assert not at.exception and at.success
    assert ("绑定申请", "失败") in events(engine)  # unknown case: same answer, audited


def test_review_page_approves_a_binding(db):
    from domain.access import Staff
    from tests.portal_fixtures import FX
    from tests.staff import sign_in

    engine, w = db
    page = str(ROOT / "pages" / "portal_bindings_review.py")
    at = AppTest.from_file(page, default_timeout=RUN_TIMEOUT_S).run()
    assert not at.text_input and not at.dataframe  # no login of its own: the dashboard's sign-in
    pros_f = Staff(3, "pros_f", "赵检察官", 2, "上海市奉贤区人民检察院", FX, frozenset({"prosecutor"}))
    at = sign_in(AppTest.from_file(page, default_timeout=RUN_TIMEOUT_S), pros_f).run()
    assert not at.exception and len(at.dataframe[0].value) == 1
    next(b for b in at.button if b.label == "批准").click().run()
    assert not at.exception and any("已批准" in s.value for s in at.success)
    with engine.connect() as c:
        assert c.execute(select(LawyerBinding.status).where(LawyerBinding.id == w.pending_binding)).scalar() == "已批准"
    assert ("绑定审核", "成功") in events(engine)

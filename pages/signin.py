"""Dashboard sign-in: password → dynamic code (or, first time, a new password and enrolment of an
authenticator app) → a fresh session for the account. The only page an anonymous visitor sees."""
import streamlit as st

from components import auth, signin, sso
from components.i18n import tr
from components.shell import friendly_errors
from domain import clock
from queries import signin as Q
from queries.cache import get_engine
from queries.sso import staff_for_sso

K = "jcy_pending"
signin.heading()
flash = st.session_state.pop(auth.K_FLASH, None)
if flash:
    st.info(flash)


def finish(user_id: int) -> None:
    staff = Q.complete(get_engine(), user_id, client_addr=auth.client_addr())
    if staff is None:
        st.session_state.pop(K, None)
        st.error(tr("该账号已停用。", "This account is disabled."))
        return
    auth.signed_in(staff)
    st.rerun()


with friendly_errors(failed=tr("登录未完成", "Sign-in did not complete")):
    pending = st.session_state.get(K)
    if pending and clock.now() - pending["at"] > Q.PENDING_FOR:
        st.session_state.pop(K, None)
        pending = None
        st.info(tr("登录步骤超时，请重新输入账号和密码。", "The sign-in timed out; start again."))

    if pending is None and sso.configured():  # single sign-on (docs/sso.md): the IdP authenticates
        ident = sso.identity()
        if ident is not None:
            sso_staff = staff_for_sso(get_engine(), ident, client_addr=auth.client_addr())
            if sso_staff is None:
                sso.refused(ident)
            else:
                auth.signed_in(sso_staff)
                st.rerun()
        sso.login_button()
        st.caption(tr("或使用本系统账号登录：", "Or sign in with an account of this system:"))

    if pending is None:
        typed = signin.password_form()
        if typed:
            step = Q.check_password(get_engine(), *typed, client_addr=auth.client_addr())
            if not step.ok:
                st.error(step.message)
            else:
                st.session_state[K] = {"user_id": step.user_id, "username": step.username, "at": clock.now(),
                                       "code": step.needs_code, "change": step.needs_change,
                                       "enrol": step.needs_enrolment, "secret": None}
                st.rerun()
        st.stop()

    uid, name = pending["user_id"], pending["username"]
    if pending["code"]:
        code = signin.code_form(name)
        if code is not None:
            problem = Q.check_code(get_engine(), uid, code, client_addr=auth.client_addr())
            if problem:
                st.error(problem)
                if problem == Q.LOCKED:
                    st.session_state.pop(K, None)
            else:
                pending["code"] = False
                st.rerun()
    elif pending["change"]:
        typed = signin.change_form(name)
        if typed:
            problem = Q.change_password(get_engine(), uid, *typed, client_addr=auth.client_addr())
            if problem:
                st.error(problem)
            else:
                pending["change"] = False
                st.rerun()
    elif pending["enrol"]:
        pending["secret"] = pending["secret"] or Q.new_totp_secret()
        code = signin.enrol_form(name, pending["secret"], Q.provisioning_uri(pending["secret"], name))
        if code is not None:
            problem = Q.enrol(get_engine(), uid, pending["secret"], code, client_addr=auth.client_addr())
            if problem:
                st.error(problem)
            else:
                finish(uid)
    else:
        finish(uid)
    if signin.restart_button():
        st.session_state.pop(K, None)
        st.rerun()

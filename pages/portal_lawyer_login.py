"""Lawyer login: account + password (Argon2id) + registered phone, then an SMS code (two factors)."""
import streamlit as st

from components import portal_session as session
from components.i18n import tr
from components.portal_login import client_address, code_step, send_feedback
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.portal import request_lawyer_code, verify_lawyer_code

K = "portal_lawyer_pending"

st.title(tr("律师登录", "Lawyer sign-in"))
session.show_flash()
st.caption(tr("登录后可查看已经检察院批准绑定的案件的程序性信息和送达给您的文书，并提交案件绑定申请。",
              "After signing in you see procedural information on cases the procuratorate has approved "
              "for you, the documents served on you, and can ask to be bound to a case."))

with friendly_errors(tr("登录", "Sign-in")):
    with st.form("lawyer_send"):
        username = st.text_input(tr("账号", "Account"), max_chars=40)
        password = st.text_input(tr("密码", "Password"), type="password", max_chars=128)
        phone = st.text_input(tr("登记手机号码", "Registered mobile number"), max_chars=11)
        send = st.form_submit_button(tr("验证密码并获取短信验证码", "Check password and send code"),
                                     type="primary", width="stretch")
    if send:
        with friendly_errors(failed=tr("验证码未能发送", "The code was not sent")):
            res = request_lawyer_code(get_engine(), username, password, phone, client=client_address())
            if res.status == "sent":
                st.session_state[K] = {"username": username, "request_id": res.request_id}
            else:
                st.session_state.pop(K, None)
            send_feedback(res)

    pending = st.session_state.get(K)
    if pending:
        with friendly_errors(failed=tr("登录未能完成", "Sign-in did not complete")):
            code_step(pending, lambda code: verify_lawyer_code(get_engine(), pending["username"],
                                                               pending["request_id"], code), K)

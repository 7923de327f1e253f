"""Party login: resident ID number + mobile number, then a 6-digit SMS code."""
import streamlit as st

from components import portal_session as session
from components.i18n import tr
from components.portal_login import client_address, code_step, send_feedback
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.portal import request_party_code, verify_party_code

K = "portal_party_pending"

st.title(tr("法律文书查阅", "Legal documents served on you"))
session.show_flash()
st.caption(tr("请输入您的居民身份证号和在检察机关登记的手机号码，获取短信验证码后查阅送达给您的法律文书。",
              "Enter your resident ID number and the mobile number the procuratorate has on record; "
              "an SMS code lets you read the documents served on you."))

with friendly_errors(tr("登录", "Sign-in")):
    with st.form("party_send"):
        id_number = st.text_input(tr("居民身份证号", "Resident ID number"), max_chars=18,
                                  placeholder=tr("18位，末位可为X", "18 characters; the last may be X"))
        phone = st.text_input(tr("手机号码", "Mobile number"), max_chars=11)
        send = st.form_submit_button(tr("获取验证码", "Send code"), type="primary", width="stretch")
    if send:
        with friendly_errors(failed=tr("验证码未能发送", "The code was not sent")):
            res = request_party_code(get_engine(), id_number, phone, client=client_address())
            if res.status == "sent":
                st.session_state[K] = {"id": id_number, "phone": phone, "request_id": res.request_id,
                                       "hint": res.phone_hint}
            send_feedback(res)

    pending = st.session_state.get(K)
    if pending:
        with friendly_errors(failed=tr("登录未能完成", "Sign-in did not complete")):
            code_step(pending, lambda code: verify_party_code(get_engine(), pending["id"], pending["phone"],
                                                              pending["request_id"], code), K)

"""A minimal dashboard gate for tests/test_sso.py: exactly the sign-in contract the dashboard
follows with single sign-on (components.sso → queries.sso → components.auth), and nothing else.

Signed in, it names the account and offers 退出登录; otherwise it shows the sign-in button and
signs in the identity st.user brings back."""
from __future__ import annotations

import streamlit as st

from components import auth, sso
from queries.cache import get_engine
from queries.sso import staff_for_sso

st.set_page_config(page_title="SSO gate (test)")

staff = auth.current_staff()
if staff is not None:
    st.title("检察工作台")
    st.markdown(f"已登录：**{staff.display_name}**（`{staff.username}`） · {staff.role_label} · via {staff.via}")
    if st.button("退出登录"):
        auth.clear("user")
        if not sso.logout():
            st.rerun()
    st.stop()

st.title("登录")
flash = st.session_state.pop(auth.K_FLASH, None)
if flash:
    st.info(flash)
if sso.configured():
    sso.login_button()
else:
    st.caption("未配置统一身份认证")
ident = sso.identity()
if ident is not None:
    signed = staff_for_sso(get_engine(), ident, client_addr=auth.client_addr())
    if signed is None:
        sso.refused(ident)
    else:
        auth.signed_in(signed)
        st.rerun()

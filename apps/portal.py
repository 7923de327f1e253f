"""The public portal (公众服务门户): parties read documents served on them, lawyers follow bound cases.

A separate entry point from the internal dashboards so it can run on another network segment. It
reaches only the portal pages and ``queries.portal``; which pages exist depends on who is signed in.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from components import portal_session as session
from components.i18n import tr
from components.shell import inject_font, language_switch, require_settings

st.set_page_config(page_title=tr("检察服务门户", "Procuratorate service portal"), page_icon="⚖️",
                   layout="centered")
require_settings()
inject_font()
language_switch()

principal = session.current()
PAGES = Path(__file__).resolve().parent.parent / "pages"

if principal is None:
    sections = {tr("登录", "Sign in"): [
        st.Page("../pages/portal_login.py", title=tr("当事人查阅文书", "Parties: my documents"), default=True),
        st.Page("../pages/portal_lawyer_login.py", title=tr("律师登录", "Lawyers")),
    ]}
elif principal.kind == "party":
    sections = {tr("我的服务", "My services"): [
        st.Page("../pages/portal_documents.py", title=tr("我的文书", "My documents"), default=True),
        st.Page("../pages/portal_progress.py", title=tr("案件进度", "Case progress")),
    ]}
else:
    sections = {tr("律师服务", "Lawyer services"): [
        st.Page("../pages/portal_progress.py", title=tr("我的案件", "My cases"), default=True),
        st.Page("../pages/portal_documents.py", title=tr("送达文书", "Documents")),
        st.Page("../pages/portal_lawyer_bind.py", title=tr("案件绑定申请", "Case binding")),
    ]}
if (PAGES / "sentencing_public.py").exists():  # the public sentencing ruler, when it exists
    sections[tr("公开服务", "Public services")] = [
        st.Page("../pages/sentencing_public.py", title=tr("量刑参考", "Sentencing reference"))]

session.logout_button()
session.watchdog()
st.navigation(sections).run()

"""The public portal (公众服务门户): parties read documents served on them, lawyers follow bound cases.

A separate entry point from the internal dashboards so it can run on another network segment. It
reaches only the portal pages and ``queries.portal``; which pages exist depends on who is signed in.
Sign-outs are audited here: ``components.portal_session`` keeps the session and never touches the database.
"""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from components import portal_session as session
from components.i18n import tr
from components.shell import inject_font, language_switch, require_settings
from domain import clock
from domain.portal import Principal
from queries.cache import get_engine
from queries.portal import record_logout

log = logging.getLogger("jcy.portal")


def end_session(principal: Principal, reason: str) -> None:
    """Audit the sign-out, then drop the session. The session goes even when the audit write fails
    (staying signed in would be worse); the failure is logged with its exception and the user is not
    told that all went well."""
    try:
        record_logout(get_engine(), principal, reason)
    except Exception:
        log.exception("portal sign-out (%s) of a %s session was not audited", reason, principal.kind)
        session.clear(reason, recorded=False)
    else:
        session.clear(reason)


st.set_page_config(page_title=tr("检察服务门户", "Procuratorate service portal"), page_icon="⚖️",
                   layout="centered")
require_settings()
inject_font()
language_switch()

now = clock.now()
if (ended := session.ended(now)) is not None:
    end_session(*ended)
principal = session.current(now)
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

if principal is not None and session.logout_button():
    end_session(principal, "user")
    st.rerun()
session.watchdog()
st.navigation(sections).run()

"""Leadership and prosecutor dashboards: one entry point, pages in ../pages via st.navigation."""
from __future__ import annotations

import streamlit as st

from components.i18n import tr
from components.shell import inject_font, language_switch

st.set_page_config(page_title=tr("检察工作台", "Procuratorate workbench"), page_icon="⚖️", layout="wide")
inject_font()
language_switch()

SECTIONS: dict[str, list] = {
    tr("总览", "Overview"): [
        st.Page("../pages/home.py", title=tr("数据状态", "Data status"), icon="🏠", default=True),
    ],
    tr("系统", "System"): [
        st.Page("../pages/audit_log.py", title=tr("审计日志", "Audit log"), icon="📜"),
        st.Page("../pages/portal_bindings_review.py", title=tr("律师绑定审核", "Lawyer bindings"), icon="🔗"),
    ],
}

st.navigation(SECTIONS).run()

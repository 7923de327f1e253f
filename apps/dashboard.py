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
    tr("河道治理", "Rivers"): [
        st.Page("../pages/rivers_map.py", title=tr("水质地图", "Water-quality map"), icon=":material/map:"),
        st.Page("../pages/river_detail.py", title=tr("河道详情", "River detail"), icon=":material/water:"),
        st.Page("../pages/river_cases.py", title=tr("案件与检察建议", "Cases and suggestions"), icon=":material/gavel:"),
        st.Page("../pages/river_clues.py", title=tr("水质线索", "Water-quality clues"), icon=":material/search:"),
    ],
    tr("系统", "System"): [
        st.Page("../pages/audit_log.py", title=tr("审计日志", "Audit log"), icon="📜"),
        st.Page("../pages/data_import.py", title=tr("数据导入", "Data import"), icon="📥"),
        st.Page("../pages/portal_bindings_review.py", title=tr("律师绑定审核", "Lawyer bindings"), icon="🔗"),
    ],
}

st.navigation(SECTIONS).run()

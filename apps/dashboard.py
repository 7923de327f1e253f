"""Leadership and prosecutor dashboards: one entry point, pages in ../pages via st.navigation."""
from __future__ import annotations

import streamlit as st

from components.i18n import tr
from components.shell import inject_font, language_switch, require_settings

st.set_page_config(page_title=tr("检察工作台", "Procuratorate workbench"), page_icon="⚖️", layout="wide")
require_settings()
inject_font()
language_switch()

SECTIONS: dict[str, list] = {
    tr("总览", "Overview"): [
        st.Page("../pages/home.py", title=tr("数据状态", "Data status"), default=True, icon=":material/home:"),
    ],
    tr("案件统计", "Case statistics"): [
        st.Page("../pages/stats_overview.py", title=tr("案件统计", "Case statistics"), icon=":material/monitoring:"),
        st.Page("../pages/stats_districts.py", title=tr("各区对比", "District comparison"), icon=":material/map:"),
        st.Page("../pages/stats_drilldown.py", title=tr("逐级下钻", "Drill-down"), icon=":material/manage_search:"),
        st.Page("../pages/stats_watch.py", title=tr("期限预警", "Time-limit watch"), icon=":material/alarm:"),
    ],
    tr("河道治理", "Rivers"): [
        st.Page("../pages/rivers_map.py", title=tr("水质地图", "Water-quality map"), icon=":material/water:"),
        st.Page("../pages/river_detail.py", title=tr("河道详情", "River detail"), icon=":material/water_drop:"),
        st.Page("../pages/river_cases.py", title=tr("案件与检察建议", "Cases and suggestions"), icon=":material/gavel:"),
        st.Page("../pages/river_clues.py", title=tr("水质线索", "Water-quality clues"), icon=":material/search:"),
    ],
    tr("量刑辅助", "Sentencing"): [
        st.Page("../pages/sentencing_ruler.py", title=tr("智能量刑尺", "Sentencing ruler"), url_path="sentencing_ruler", icon=":material/straighten:"),
        st.Page("../pages/sentencing_public.py", title=tr("量刑知识（公众版）", "Public explainer"),
                url_path="sentencing_public", icon=":material/menu_book:"),
    ],
    tr("非羁押监管", "Non-custodial supervision"): [
        st.Page("../pages/supervision_people.py", title=tr("人员管理", "Personnel"),
                url_path="supervision_people", icon=":material/badge:"),
        st.Page("../pages/supervision_map.py", title=tr("定位监管", "Location map"),
                url_path="supervision_map", icon=":material/location_on:"),
        st.Page("../pages/supervision_track.py", title=tr("定位查询", "Locate one person"),
                url_path="supervision_track", icon=":material/route:"),
        st.Page("../pages/supervision_leave.py", title=tr("外出监管", "Leave requests"),
                url_path="supervision_leave", icon=":material/flight_takeoff:"),
        st.Page("../pages/supervision_rollcall.py", title=tr("点名管理", "Roll call"),
                url_path="supervision_rollcall", icon=":material/how_to_reg:"),
        st.Page("../pages/supervision_alerts.py", title=tr("告警管理", "Alerts"),
                url_path="supervision_alerts", icon=":material/notifications_active:"),
        st.Page("../pages/supervision_devices.py", title=tr("设备管理", "Devices"),
                url_path="supervision_devices", icon=":material/watch:"),
        st.Page("../pages/supervision_stats.py", title=tr("统计分析", "Statistics"),
                url_path="supervision_stats", icon=":material/bar_chart:"),
    ],
    tr("系统", "System"): [
        st.Page("../pages/audit_log.py", title=tr("审计日志", "Audit log"), icon=":material/history:"),
        st.Page("../pages/data_import.py", title=tr("数据导入", "Data import"), icon=":material/upload_file:"),
        st.Page("../pages/portal_bindings_review.py", title=tr("律师绑定审核", "Lawyer bindings"), icon=":material/link:"),
    ],
}

st.navigation(SECTIONS, expanded=True).run()

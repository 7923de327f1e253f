"""Leadership and prosecutor dashboards: one entry point, pages in ../pages via st.navigation.

Nobody sees a page before signing in. The navigation shows only the pages the account's roles may
open (``domain.access.PAGE_PERMISSION``); every other page stays routable but answers "无权访问"
and is audited, so a typed or bookmarked URL learns nothing. The queries check the same permission.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from components import auth, sso
from components.i18n import tr
from components.shell import inject_font, language_switch, require_settings
from domain import clock
from domain.access import Actor
from queries.accounts import audit_denied, load_staff
from queries.cache import get_engine
from queries.signin import record_logout

st.set_page_config(page_title=tr("检察工作台", "Procuratorate workbench"), page_icon="⚖️", layout="wide")
require_settings()
inject_font()
language_switch()
auth.audit_denials_with(lambda who, what: audit_denied(get_engine(), who, what))

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
# (section, page url path = file name, Chinese title, English title, icon)
PAGES: list[tuple[tuple[str, str], str, str, str, str]] = [
    (("总览", "Overview"), "home", "数据状态", "Data status", ":material/home:"),
    (("案件统计", "Case statistics"), "stats_overview", "案件统计", "Case statistics", ":material/monitoring:"),
    (("案件统计", "Case statistics"), "stats_districts", "各区对比", "District comparison", ":material/map:"),
    (("案件统计", "Case statistics"), "stats_drilldown", "逐级下钻", "Drill-down", ":material/manage_search:"),
    (("案件统计", "Case statistics"), "stats_watch", "期限预警", "Time-limit watch", ":material/alarm:"),
    (("河道治理", "Rivers"), "rivers_map", "水质地图", "Water-quality map", ":material/water:"),
    (("河道治理", "Rivers"), "river_detail", "河道详情", "River detail", ":material/water_drop:"),
    (("河道治理", "Rivers"), "river_cases", "案件与检察建议", "Cases and suggestions", ":material/gavel:"),
    (("量刑辅助", "Sentencing"), "sentencing_ruler", "智能量刑尺", "Sentencing ruler", ":material/straighten:"),
    (("量刑辅助", "Sentencing"), "sentencing_public", "量刑知识（公众版）", "Public explainer", ":material/menu_book:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_people", "人员管理", "Personnel", ":material/badge:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_map", "定位监管", "Location map",
     ":material/location_on:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_track", "定位查询", "Locate one person",
     ":material/route:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_leave", "外出监管", "Leave requests",
     ":material/flight_takeoff:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_rollcall", "点名管理", "Roll call",
     ":material/how_to_reg:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_alerts", "告警管理", "Alerts",
     ":material/notifications_active:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_devices", "设备管理", "Devices", ":material/watch:"),
    (("非羁押监管", "Non-custodial supervision"), "supervision_stats", "统计分析", "Statistics", ":material/bar_chart:"),
    (("法律监督", "Legal supervision"), "clues", "法律监督线索", "Supervision clues", ":material/policy:"),
    (("法律监督", "Legal supervision"), "model_efficacy", "模型成效", "Model efficacy", ":material/insights:"),
    (("法律监督", "Legal supervision"), "model_library", "模型库", "Model library", ":material/model_training:"),
    (("法律监督", "Legal supervision"), "data_catalogue", "数据目录", "Data catalogue", ":material/dataset:"),
    (("法律监督", "Legal supervision"), "data_quality", "数据质量", "Data quality", ":material/fact_check:"),
    (("系统", "System"), "data_import", "数据导入", "Data import", ":material/upload_file:"),
    (("系统", "System"), "portal_bindings_review", "律师绑定审核", "Lawyer bindings", ":material/link:"),
    (("系统", "System"), "accounts", "账户与权限", "Accounts and roles", ":material/manage_accounts:"),
    (("系统", "System"), "screen_keys", "大屏密钥", "Screen keys", ":material/key:"),
    (("系统", "System"), "audit_log", "审计日志", "Audit log", ":material/history:"),
]


def _ended_session() -> None:
    """Sign out a session past its idle or absolute limit, or whose account changed; audited."""
    s = st.session_state.get(auth.K_STAFF)
    if s is None:
        return
    reason = auth.end_reason(st.session_state, clock.now())
    fresh = load_staff(get_engine(), s.user_id, s.via) if reason is None else None
    if reason is None and (fresh is None or fresh.roles != s.roles):
        reason = "disabled"
    if reason is None:
        return
    try:
        record_logout(get_engine(), Actor.of(s, auth.client_addr()), reason)
    finally:
        auth.clear(reason if reason != "disabled" else "user")
    if sso.logout():  # signed in by SSO: end it at the IdP too (the browser is sent there)
        st.stop()
    st.rerun()


@st.fragment(run_every=30)
def _watchdog() -> None:
    """Ends an idle session even when nobody clicks; never counts as activity."""
    if auth.end_reason(st.session_state, clock.now()):
        st.rerun(scope="app")


def _denied_page(stem: str):
    def page() -> None:
        auth.refuse(f"页面 {stem}")
    page.__name__ = f"denied_{stem}"
    return page


def _remember(stem: str):
    """A deep link opened before signing in: sign in first, then land where the link pointed."""
    def page() -> None:
        st.session_state[auth.K_WANTED] = stem
        st.switch_page(SIGNIN)
    page.__name__ = f"wanted_{stem}"
    return page


SIGNIN = st.Page("../pages/signin.py", title=tr("登录", "Sign in"), url_path="signin", default=True)
_ended_session()
staff = auth.current_staff()
if staff is None:
    st.navigation([SIGNIN, *(st.Page(_remember(stem), title=stem, url_path=stem, visibility="hidden")
                             for _, stem, *_ in PAGES)], position="hidden").run()
    st.stop()

wanted = st.session_state.pop(auth.K_WANTED, None)
landing = next((stem for _, stem, *_ in PAGES if staff.may_open(stem)), None)
sections: dict[str, list] = {}
for (sec_zh, sec_en), stem, zh, en, icon in PAGES:
    if not (PAGES_DIR / f"{stem}.py").exists():
        continue
    title = tr(zh, en)
    if staff.may_open(stem):
        page = st.Page(f"../pages/{stem}.py", title=title, url_path=stem, icon=icon, default=stem == landing)
    else:
        page = st.Page(_denied_page(stem), title=title, url_path=stem, icon=icon, visibility="hidden")
    sections.setdefault(tr(sec_zh, sec_en), []).append(page)
if landing is None:
    sections[tr("账户", "Account")] = [st.Page(lambda: auth.denied(), title=tr("无权访问", "No access"),
                                                url_path="no_access", default=True)]

with st.sidebar:
    st.caption(tr(f"已登录：{staff.display_name}（{staff.username}）", f"Signed in: {staff.display_name} "
                  f"({staff.username})"))
    st.caption(f"{staff.procuratorate} · {staff.role_label}")
    if st.button(tr("退出登录", "Sign out"), key="jcy_logout", width="stretch"):
        record_logout(get_engine(), Actor.of(staff, auth.client_addr()), "user")
        auth.clear("user")
        if sso.logout():
            st.stop()
        st.rerun()
_watchdog()
nav = st.navigation(sections, expanded=True)
if wanted and wanted != nav.url_path and staff.may_open(wanted) and (PAGES_DIR / f"{wanted}.py").exists():
    st.switch_page(f"../pages/{wanted}.py")
nav.run()

"""河道治理 · 河道详情: each indicator's history against the class bands, cases and suggestions."""
import pandas as pd
import streamlit as st

from components import auth
from components.i18n import tr
from components.river_charts import class_timeline, highlight_status, indicator_chart, labelled
from components.freshness import fresh_value
from components.river_map import class_label
from components.shell import friendly_errors, inject_font
from domain import clock
from domain.water import ASSESSED
from queries.rivers import (
    pil_cases_live, river_history_live, river_info_live, river_monthly_class_live, search_rivers_live,
    suggestions_live,
)

inject_font()
scope = auth.scope("rivers")
st.title(tr("河道治理 · 河道详情", "Rivers · river detail"))

with friendly_errors(tr("河道详情", "River detail")):
    q = st.text_input(tr("查找河道（名称或编号）", "Find a river (name or code)"), max_chars=40, key="rd_q")
    found = fresh_value(search_rivers_live(scope, q.strip()), tr("河道列表", "Rivers"))
    if found.empty:
        st.info(tr("没有找到匹配的河道。", "No river matches."))
        st.stop()
    ids = found["river_id"].tolist()
    chosen = st.session_state.get("river_id")
    if chosen not in ids and not q.strip():
        ids = ([chosen] if chosen else []) + ids
    labels = {int(r.river_id): f"{r.name} · {r.level} · {r.town} · {r.code}" for r in found.itertuples()}
    rid = st.selectbox(tr("河道", "River"), ids, index=ids.index(chosen) if chosen in ids else 0,
                       format_func=lambda i: labels.get(int(i), str(i)), key="rd_river")
    info = fresh_value(river_info_live(scope, int(rid)), tr("河道信息", "River"))
    if info is None:
        st.warning(tr("该河道不存在或不在您的权限范围内。", "This river does not exist or is outside your scope."))
        st.stop()
    st.session_state["river_id"] = int(rid)

    monthly = fresh_value(river_monthly_class_live(scope, info.id), tr("月度类别", "Monthly class"))
    latest = monthly["water_class"].iloc[-1] if len(monthly) else None
    a, b, c, d = st.columns(4)
    a.metric(tr("河道级别", "Level"), info.level)
    b.metric(tr("长度", "Length"), f"{info.length_km:.2f} km")
    c.metric(tr("最近水质", "Latest class"), class_label(latest))
    d.metric(tr("监测断面", "Monitoring sites"), info.sites)
    st.markdown(tr(f"**河长**：{info.river_chief}　**检察官**：{info.prosecutor or '—'}　**镇（街道）**：{info.town}"
                   f"　**编号**：{info.code}",
                   f"**River chief**: {info.river_chief}  **Prosecutor**: {info.prosecutor or '—'}  "
                   f"**Town**: {info.town}  **Code**: {info.code}"))

    cases = fresh_value(pil_cases_live(scope, info.id), tr("公益诉讼案件", "Cases"))
    sugg = fresh_value(suggestions_live(scope, clock.today(), info.id), tr("检察建议", "Suggestions"))
    events = []
    for r in cases.itertuples():
        events.append((r.clue_at, tr("线索", "Clue"), r.case_no))
        if pd.notna(r.filed_at):
            events.append((r.filed_at, tr("立案", "Filed"), r.case_no))
        if pd.notna(r.closed_at):
            events.append((r.closed_at, tr("结案", "Closed"), r.case_no))
    for r in sugg.itertuples():
        events.append((pd.Timestamp(r.issued_on), tr("发出检察建议", "Suggestion issued"), r.doc_no))
        if r.replied_on is not None:
            events.append((pd.Timestamp(r.replied_on), tr("收到回复", "Reply received"), r.doc_no))
        if r.rectified_on is not None:
            events.append((pd.Timestamp(r.rectified_on), tr("整改完成", "Rectified"), r.doc_no))
    ev = pd.DataFrame(events, columns=["date", "what", "ref"])
    st.subheader(tr("月度水质类别与办案时间线", "Monthly class and case timeline"))
    st.altair_chart(class_timeline(monthly, ev), width="stretch")

    st.subheader(tr("各指标历史（背景色为 GB 3838-2002 类别区间）", "Indicators against the GB 3838-2002 class bands"))
    hist = fresh_value(river_history_live(scope, info.id), tr("监测数据", "Samples"))
    cols = st.columns(2)
    for i, ind in enumerate(ASSESSED):
        with cols[i % 2]:
            st.altair_chart(indicator_chart(hist, ind), width="stretch")
    st.caption(tr("总氮仅记录，不参与河流水质类别评价；pH 超出 6–9 判为劣Ⅴ类。",
                  "Total nitrogen is recorded but not used for river classes; pH outside 6–9 is worse than V."))

    st.subheader(tr("公益诉讼案件", "Public-interest cases"))
    st.dataframe(labelled(cases.drop(columns=["id", "river_id", "river", "town"])), hide_index=True, width="stretch")
    st.subheader(tr("检察建议", "Procuratorial suggestions"))
    st.dataframe(highlight_status(labelled(sugg.drop(columns=["id", "river_id", "river"]))), hide_index=True,
                 width="stretch")

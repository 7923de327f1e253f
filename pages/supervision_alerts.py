"""非羁押监管 · 告警管理: one queue of alerts with severity, evidence and lifecycle
新 → 已确认 → 已关闭 (with a note, by whom and when); unacknowledged alerts escalate.

Queries: queries.supervision.alerts / alert_counts / alert_evidence (audited when it holds
positions) / act_on_alert (audited) / escalate_due.
"""
import pandas as pd
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_map import base_layer, make_deck, view_for
from components.supervision_ui import need_tracks, now, run_action
from components.freshness import fresh_note
from domain.supervision.engine import DEFAULT, KINDS, KINDS_EN
from queries.cache import get_engine
from queries.supervision import (
    act_on_alert, alert_counts_live, alert_evidence, alerts_live, district_shapes_live, escalate_due,
)

inject_font()
scope = auth.scope("supervision")
st.title(tr("告警管理", "Alerts"))

with friendly_errors(tr("告警管理", "Alerts")):
    escalate_due(get_engine(), now())
    counts = alert_counts_live(scope).value
    if counts is not None and len(counts):
        c = st.columns(4)
        c[0].metric(tr("新告警", "New"), int(counts.loc[counts["status"] == "新", "n"].sum()))
        c[1].metric(tr("已确认待关闭", "Acknowledged"), int(counts.loc[counts["status"] == "已确认", "n"].sum()))
        c[2].metric(tr("已升级", "Escalated"), int(counts["escalated"].sum()))
        top = counts.groupby("kind")["n"].sum().sort_values(ascending=False)
        c[3].metric(tr("最多的类型", "Most common"), f"{top.index[0]} {int(top.iloc[0])}")
    st.caption(tr(f"未确认超过 {DEFAULT.escalate_after_minutes:.0f} 分钟的告警自动升级为“高”并置顶。",
                  f"Alerts unacknowledged for {DEFAULT.escalate_after_minutes:.0f} min escalate to high."))
    f1, f2 = st.columns([2, 1])
    which = f1.segmented_control(tr("状态", "Status"), ["新", "已确认", "已关闭"], default="新",
                                 selection_mode="multi") or ["新", "已确认"]
    kind = f2.selectbox(tr("类型", "Kind"), [""] + list(KINDS),
                        format_func=lambda k: tr("全部", "All") if not k else tr(k, KINDS_EN[k]))
    res = alerts_live(scope, tuple(sorted(which)), kind or None)
    df = res.value
    if df is None or df.empty:
        st.info(tr("没有符合条件的告警。", "No alerts match."))
        st.stop()
    show = df.assign(escalated=df["escalated_at"].notna().map({True: "⬆", False: ""})).rename(columns={
        "raised_at": tr("时间", "Raised"), "kind": tr("类型", "Kind"), "severity": tr("级别", "Severity"),
        "status": tr("状态", "Status"), "person_code": tr("人员编号", "Code"), "district": tr("区", "District"),
        "escalated": tr("升级", "Esc."), "acknowledged_by": tr("确认人", "Ack. by"),
        "acknowledged_at": tr("确认时间", "Ack. at"), "closed_by": tr("关闭人", "Closed by"),
        "closed_at": tr("关闭时间", "Closed at"), "close_note": tr("处置说明", "Note")})
    hidden = {"id", "supervised_id", "escalated_at"}
    if set(which) == {"新"}:
        hidden |= {tr(k, e) for k, e in (("确认人", "Ack. by"), ("确认时间", "Ack. at"), ("关闭人", "Closed by"),
                                           ("关闭时间", "Closed at"), ("处置说明", "Note"))}
    cols = [c for c in show.columns if c not in hidden]
    show = show.astype(object).where(show.notna(), "—")
    sel = st.dataframe(show[cols], hide_index=True, width="stretch", height=360, on_select="rerun",
                       selection_mode="single-row", key="alert_table")
    rows = sel.selection.rows if sel is not None else []
    if not rows:
        st.caption(tr("选择一行查看证据并处置。", "Select a row to see its evidence and act on it."))
        fresh_note(res)
        st.stop()
    a = df.iloc[rows[0]]
    aid = int(a["id"])
    st.subheader(f"#{aid} {a['person_code']} · {a['kind']} · {a['severity']} · {a['status']}")
    left, right = st.columns([1, 1])
    with left:
        if a["status"] != "已关闭":
            note = st.text_input(tr("处置说明（关闭时必填）", "Note (required to close)"), max_chars=150,
                                 key=f"note_{aid}")
            false_alarm = st.checkbox(tr("误报（不计入风险码）", "False alarm (not counted in the risk code)"),
                                      key=f"fa_{aid}")
            b1, b2 = st.columns(2)
            if a["status"] == "新" and b1.button(tr("确认", "Acknowledge"), key=f"ack_{aid}"):
                run_action(act_on_alert, get_engine(), scope, aid, "ack", actor=auth.actor(), now=now(),
                           success=tr("已确认。", "Acknowledged."))
            if b2.button(tr("关闭", "Close"), key=f"close_{aid}", type="primary"):
                run_action(act_on_alert, get_engine(), scope, aid, "close", actor=auth.actor(), now=now(),
                           note=note, false_alarm=false_alarm, success=tr("已关闭。", "Closed."))
        else:
            st.write(tr(f"关闭人：{a['closed_by'] or '系统'}，{a['closed_at']}；说明：{a['close_note']}",
                        f"Closed by {a['closed_by'] or 'system'} at {a['closed_at']}: {a['close_note']}"))
    with right:
        if need_tracks(scope) and st.toggle(tr("查看证据定位点（记入审计日志）", "Show evidence positions (audited)"),
                                            key=f"ev_{aid}"):
            ev = alert_evidence(get_engine(), scope, aid, actor=auth.actor(), now=now())
        elif scope.sees_individual_tracks:
            ev = None
        else:
            ev = alert_evidence(get_engine(), scope, aid, actor=auth.actor(), now=now())
        if ev:
            pings = pd.DataFrame(ev.get("pings", []))
            facts = {k: v for k, v in ev.items() if k != "pings"}
            st.markdown("  \n".join(f"**{k}**: {v}" for k, v in facts.items()))
            if len(pings):
                st.dataframe(pings, hide_index=True, width="stretch", height=180)
    if ev and ev.get("pings"):
        pts = pd.DataFrame(ev["pings"])
        import pydeck as pdk

        layer = pdk.Layer("ScatterplotLayer", data=pts[["lon", "lat", "accuracy_m"]], get_position="[lon, lat]",
                          get_fill_color=[255, 0, 128, 180], get_radius="accuracy_m", radius_min_pixels=4)
        st.pydeck_chart(make_deck([base_layer(district_shapes_live().value), layer],
                                  view_for(pts["lon"], pts["lat"])), height=360)
    fresh_note(res)

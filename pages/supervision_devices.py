"""非羁押监管 · 设备管理: phones and wristbands, assignment history, battery, last seen, online status.

Queries: queries.supervision.devices / device_history.
"""
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_ui import now
from components.freshness import fresh_note, unavailable
from domain.supervision.engine import DEFAULT
from queries.cache import get_engine
from queries.supervision import device_history, devices_live

inject_font()
scope = auth.scope("supervision")
st.title(tr("设备管理", "Devices"))

with friendly_errors(tr("设备管理", "Devices")):
    res = devices_live(scope, now().replace(second=0), DEFAULT.offline_after_minutes)
    df = res.value
    if df is None:
        unavailable(tr("设备列表", "Devices"))
        st.stop()
    used = df[df["status"] == "在用"]
    c = st.columns(5)
    c[0].metric(tr("在用", "In use"), len(used))
    c[1].metric(tr("在线", "Online"), int((used["online"] == "在线").sum()))
    c[2].metric(tr("离线", "Offline"), int((used["online"] == "离线").sum()))
    c[3].metric(tr("低电量（≤15%）", "Low battery (≤15%)"), int((used["battery_pct"] <= DEFAULT.low_battery_pct).sum()))
    c[4].metric(tr("库存 / 停用", "Stock / retired"),
                f"{int((df['status'] == '库存').sum())} / {int((df['status'] == '停用').sum())}")
    f1, f2, f3 = st.columns(3)
    kind = f1.selectbox(tr("类型", "Kind"), ["", "手机", "手环"], format_func=lambda k: k or tr("全部", "All"))
    status = f2.selectbox(tr("状态", "Status"), ["在用", "库存", "停用", ""], format_func=lambda k: k or tr("全部", "All"))
    online = f3.selectbox(tr("在线", "Online"), ["", "在线", "离线"], format_func=lambda k: k or tr("全部", "All"))
    view = df
    if kind:
        view = view[view["kind"] == kind]
    if status:
        view = view[view["status"] == status]
    if online:
        view = view[view["online"] == online]
    out = view.rename(columns={"serial": tr("编号", "Serial"), "kind": tr("类型", "Kind"),
                               "status": tr("状态", "Status"), "person_code": tr("佩戴人员", "Person"),
                               "battery_pct": tr("电量%", "Battery %"), "last_seen_at": tr("最后上报", "Last seen"),
                               "online": tr("在线", "Online")})
    sel = st.dataframe(out.drop(columns=["id"]), hide_index=True, width="stretch", height=400,
                       on_select="rerun", selection_mode="single-row", key="dev_table")
    rows = sel.selection.rows if sel is not None else []
    if rows:
        d = view.iloc[rows[0]]
        st.subheader(tr(f"{d['serial']} 的领用记录", f"Assignment history of {d['serial']}"))
        st.dataframe(device_history(get_engine(), scope, int(d["id"])).rename(columns={
            "assigned_at": tr("领用", "Assigned"), "returned_at": tr("归还", "Returned"),
            "person_code": tr("人员编号", "Person")}), hide_index=True, width="stretch")
    fresh_note(res)

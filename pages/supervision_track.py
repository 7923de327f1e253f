"""非羁押监管 · 定位查询: find one person, view their track over a window with a time slider.

Queries: queries.supervision.find_supervised / track_bounds / person_track (audited, supervision
role only).
"""
import datetime as dt

import pandas as pd
import streamlit as st

from components import auth
from components.export import csv_download
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_map import base_layer, make_deck, track_layers, view_for, zones_layer
from components.supervision_ui import need_tracks, now
from queries.cache import get_engine
from queries.supervision import (
    TrackAccessDenied, district_shapes_live, fences, find_supervised, person_track, track_bounds,
)

inject_font()
scope = auth.scope("supervision")
st.title(tr("定位查询", "Locate one person"))
if not need_tracks(scope):
    st.stop()

with friendly_errors(tr("定位查询", "Locate")):
    q = st.text_input(tr("案号或人员编号", "Case number or person code"), max_chars=40,
                      placeholder="JG310112-0001").strip()
    if not q:
        st.caption(tr("输入案号或人员编号（可部分匹配）后选择人员。", "Type a case number or person code."))
        st.stop()
    found = find_supervised(get_engine(), scope, q)
    if found.empty:
        st.warning(tr("没有找到匹配的监管人员。", "No supervised person matches."))
        st.stop()
    labels = {int(r.id): f"{r.person_code} · {r.name_masked} · {r.case_no or '—'} · {r.status}"
              for r in found.itertuples()}
    sid = st.selectbox(tr("人员", "Person"), list(labels), format_func=labels.get)
    first, last = track_bounds(get_engine(), scope, sid)
    if last is None:
        st.info(tr("该人员暂无定位数据。", "No positions recorded for this person."))
        st.stop()
    c1, c2, c3 = st.columns([2, 1, 1])
    day = c1.date_input(tr("日期", "Day"), value=last.date(), min_value=first.date(), max_value=last.date())
    h0, h1 = c2.slider(tr("时段（时）", "Hours"), 0, 24, (0, 24))
    purposes = {"日常检查": tr("日常检查", "Routine check"), "核查告警": tr("核查告警", "Checking an alert"),
                "外出审批": tr("外出审批", "Deciding a leave request")}
    purpose = c3.selectbox(tr("查询事由（记入审计日志）", "Purpose (audited)"), list(purposes),
                           format_func=purposes.get)
    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=h0)
    end = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=h1)
    key = (sid, start, end)
    if st.button(tr("查看轨迹（将记入审计日志）", "Show track (written to the audit log)"), type="primary"):
        try:
            st.session_state["sup_track"] = (key, person_track(get_engine(), scope, sid, start, end,
                                                               actor=auth.actor(), now=now(), purpose=purpose))
        except TrackAccessDenied:
            st.error(tr("无权查看个人轨迹。", "You may not view individual tracks."))
            st.stop()
    held = st.session_state.get("sup_track")
    if not held or held[0] != key:
        st.stop()
    track = held[1]
    if track.empty:
        st.info(tr("该时段没有定位点。", "No positions in this window."))
        st.stop()
    track["ts"] = pd.to_datetime(track["ts"])
    stamps = track["ts"].dt.strftime("%H:%M:%S").tolist()
    upto_label = st.select_slider(tr("时间", "Time"), options=stamps, value=stamps[-1])
    upto = track["ts"].iloc[stamps.index(upto_label)]
    dist = district_shapes_live().value
    zones = fences(get_engine(), scope, sid, "banned")
    layers = [base_layer(dist, [int(found.set_index("id").loc[sid, "home_district_id"])])]
    if len(zones):
        layers.append(zones_layer(zones))
    layers += track_layers(track, upto)
    st.pydeck_chart(make_deck(layers, view_for(track["lon"], track["lat"]),
                              tooltip={"text": "{ts}  ±{acc} m"}), height=520)
    shown = track[track["ts"] <= upto].rename(columns={
        "ts": tr("时间", "Time"), "lon": tr("经度", "Lon"), "lat": tr("纬度", "Lat"),
        "accuracy_m": tr("精度(米)", "Accuracy (m)"), "battery_pct": tr("电量%", "Battery %"),
        "band_separated": tr("人机分离", "Band separated")}).drop(columns=["id"])
    st.dataframe(shown, hide_index=True, width="stretch", height=280)
    csv_download(shown, "track.csv")

"""非羁押监管 · 定位监管: everyone's latest position on an offline map, with fences and risk colours.

Queries: queries.supervision.latest_positions / district_shapes / banned_zones (aggregated to grid
cells for roles without track rights).
"""
import pandas as pd
import streamlit as st

from components import auth
from components.deck import payload_bytes
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_map import base_layer, make_deck, positions_layers, zones_layer
from components.freshness import fresh_note, unavailable
from domain import clock
from queries.supervision import district_shapes_live, fences_live, latest_positions_live

inject_font()
scope = auth.scope("supervision")
st.title(tr("定位监管", "Location supervision"))


@st.fragment(run_every=15)
def live_map() -> None:
    with friendly_errors(tr("定位地图", "The map")):
        pos = latest_positions_live(scope)
        dist = district_shapes_live()
        if pos.value is None or dist.value is None:
            unavailable(tr("定位地图", "The map"))
            return
        df, individual = pos.value, scope.sees_individual_tracks
        zones = fences_live(scope, None, "banned").value
        homes = df["home_district_id"].unique().tolist() if individual and len(df) else []
        layers = [base_layer(dist.value, homes)]
        if zones is not None and len(zones):
            layers.append(zones_layer(zones))
        layers += positions_layers(df, individual)
        tip = {"text": tr("{code}  风险 {risk}  未处置告警 {alerts}", "{code}  risk {risk}  open alerts {alerts}")
               if individual else tr("该网格 {n} 人", "{n} people in this cell")}
        deck = make_deck(layers, tooltip=tip)
        c = st.columns(4)
        if individual:
            c[0].metric(tr("在管人数", "Supervised"), len(df))
            c[1].metric(tr("有未处置告警", "With open alerts"), int((df["open_alerts"] > 0).sum()))
            c[2].metric(tr("红码 / 黄码", "Red / yellow"),
                        f"{int((df['risk_code'] == 'red').sum())} / {int((df['risk_code'] == 'yellow').sum())}")
            stale = df["last_ping_at"] < pd.Timestamp(clock.now()) - pd.Timedelta(minutes=60)
            c[3].metric(tr("超过1小时未上报", "Silent > 1 h"), int(stale.sum()))
        else:
            c[0].metric(tr("在管人数", "Supervised"), int(df["n"].sum()) if len(df) else 0)
            st.info(tr("当前角色只能看到按网格汇总的分布（约1公里），看不到个人位置。",
                       "Your role sees only counts per ~1 km cell, not individual positions."))
        st.pydeck_chart(deck, height=620)
        st.caption(tr("图例：绿/黄/红 = 风险等级；品红 = 有未处置告警；红色圆区 = 禁入区域；亮边区域 = 居住地电子围栏。"
                      f" 地图数据 {payload_bytes(deck) / 1024:.0f} KB，无在线底图。",
                      "Legend: green/yellow/red = risk; magenta = open alerts; red discs = banned zones; bright "
                      f"outline = home fences. Map payload {payload_bytes(deck) / 1024:.0f} KB, no online basemap."))
        fresh_note(pos)


live_map()

"""河道治理 · 水质地图: rivers coloured by class at the chosen month, with filters."""
import streamlit as st

from components import auth
from components.i18n import tr
from components.freshness import fresh_value
from components.river_map import RIVER_LAYER_ID, class_label, legend_html, river_deck
from components.shell import friendly_errors, inject_font
from domain.water import CLASS_LABELS
from queries.rivers import (
    base_districts_live, class_shares_live, map_rivers_live, river_filters_live, river_paths_live,
    sample_months_live,
)

inject_font()
scope = auth.scope("rivers")  # the account's procuratorate (the sample's rivers are Fengxian's)
st.title(tr("河道治理 · 水质地图", "Rivers · water-quality map"))

with friendly_errors(tr("水质地图", "The water-quality map")):
    months = fresh_value(sample_months_live(scope), tr("监测月份", "Months"))
    if not months:
        st.info(tr("暂无水质监测数据。", "No water samples yet."))
        st.stop()
    wanted = st.query_params.get("month")  # a shared link may name the month: ?month=YYYY-MM
    month = st.select_slider(tr("月份", "Month"), options=months,
                             value=wanted if wanted in months else months[-1], key="rv_month")
    levels, towns = fresh_value(river_filters_live(scope), tr("筛选项", "Filters"))
    c1, c2, c3, c4 = st.columns([2, 2, 3, 1.4])
    cls = c1.multiselect(tr("水质类别", "Class"), options=list(CLASS_LABELS), format_func=class_label, key="rv_cls",
                        placeholder=tr("全部", "All"))
    lv = c2.multiselect(tr("河道级别", "River level"), options=list(levels), key="rv_lv", placeholder=tr("全部", "All"))
    tw = c3.multiselect(tr("镇（街道）", "Town"), options=list(towns), key="rv_tw", placeholder=tr("全部", "All"))
    oc = c4.checkbox(tr("仅有在办案件", "Open case only"), key="rv_oc")

    rivers = fresh_value(map_rivers_live(scope, month, tuple(sorted(cls)), tuple(lv), tuple(tw), oc),
                         tr("河道水质", "River classes"))
    paths = fresh_value(river_paths_live(scope), tr("河道位置", "River geometry"))
    districts = fresh_value(base_districts_live(scope), tr("行政区划", "Districts"))

    shares = fresh_value(class_shares_live(scope, month), tr("类别占比", "Class shares"))
    good = shares.loc[shares["water_class"].notna() & (shares["water_class"] <= 3), "rivers"].sum()
    with_data = shares.loc[shares["water_class"].notna(), "rivers"].sum()
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("显示河道", "Rivers shown"), f"{len(rivers):,}")
    m2.metric(tr("优Ⅲ类比例", "Class III or better"), f"{good / with_data * 100:.1f}%" if with_data else "—")
    m3.metric(tr("劣Ⅴ类河道", "Worse than V"),
              int(shares.loc[shares["water_class"] == 6, "rivers"].sum()) if with_data else 0)
    m4.metric(tr("有在办案件", "With open case"), int((rivers["open_cases"] > 0).sum()) if len(rivers) else 0)

    st.markdown(legend_html(), unsafe_allow_html=True)  # constant markup from domain colours
    event = st.pydeck_chart(river_deck(rivers, paths, districts), height=620, on_select="rerun",
                            selection_mode="single-object", key="rv_map",
                            alt=tr("奉贤区河道水质地图", "Fengxian river water-quality map"))
    st.caption(tr("每条河道按其最差断面定类（GB 3838-2002 单因子评价）；当月无数据时显示此前12个月内最近一次结果。"
                  "底图为真实区界，不加载任何在线地图。",
                  "Each river takes its worst site's class (GB 3838-2002, single factor); without data in the "
                  "month, the latest result of the previous 12 months is shown. Base layer: real district "
                  "boundaries, no online tiles."))

    picked = (event.selection.objects.get(RIVER_LAYER_ID) or []) if event and event.selection else []
    if picked:
        rid = int(picked[0]["id"])
        st.session_state["river_id"] = rid
        row = rivers.loc[rivers["river_id"] == rid]
        if len(row):
            r = row.iloc[0]
            st.subheader(f"{r['name']}（{r['level']}，{r['town']}）")
            a, b, c, d = st.columns(4)
            a.metric(tr("水质类别", "Class"), class_label(r["water_class"]))
            b.metric(tr("主要污染指标", "Main pollutants"), r["main_pollutants"] or "—")
            c.metric(tr("河长", "River chief"), r["river_chief"])
            d.metric(tr("检察官", "Prosecutor"), r["prosecutor"] or "—")
            st.caption(tr(f"在办案件 {r['open_cases']} 件；在“河道详情”页可查看指标历史。",
                          f"{r['open_cases']} open case(s); see “River detail” for the indicator history."))

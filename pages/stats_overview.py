"""案件统计 · 总览: headline counts and case-quality indicators with 同比/环比, intake by function,
daily trend and top charges for the period chosen in the shared filter bar."""
import datetime as dt

import pandas as pd
import streamlit as st

from components import auth
from components.charts import bar_chart, trend_chart
from components.freshness import unavailable
from components.i18n import lang, tr
from components.shell import friendly_errors
from components.stats_filters import filter_bar
from components.stats_widgets import chart, count_metric, indicator_card, table
from domain.cases import FUNCTIONS, FUNCTIONS_EN
from queries.cases import (cases_without_suspects_live, charge_options_live, daily_trend_live, districts_live,
                           intake_by_function_live, period_totals_live, quality_indicators_live, top_charges_live)

scope = auth.scope("stats")
st.title(tr("案件统计", "Case statistics"))
view = filter_bar(districts_live(scope).value, charge_options_live(scope).value, base_scope=scope)
en = lang() == "en"

with friendly_errors(tr("案件统计", "Case statistics")):
    cur = period_totals_live(view.scope, view.start, view.end, view.flt)
    prev = period_totals_live(view.scope, *view.prev, view.flt)
    yoy = period_totals_live(view.scope, *view.yoy, view.flt)
    if cur.value is None:
        unavailable(tr("案件统计", "Case statistics"))
        st.stop()
    st.caption(tr(f"统计期间 {view.label}（环比：{view.prev[0]:%Y-%m-%d} 起；同比：{view.yoy[0]:%Y-%m-%d} 起）",
                  f"Period {view.label} (previous from {view.prev[0]:%Y-%m-%d}; last year from {view.yoy[0]:%Y-%m-%d})")
               + (tr(f" · 数据更新于 {cur.as_of:%H:%M:%S}", f" · data as of {cur.as_of:%H:%M:%S}") if cur.as_of else ""))
    pv, yv = prev.value or {}, yoy.value or {}
    c1, c2 = st.columns(2)
    with c1:
        count_metric(tr("受理案件", "Cases accepted"), cur.value["accepted"], pv.get("accepted"), yv.get("accepted"))
    with c2:
        count_metric(tr("办结案件", "Cases closed"), cur.value["closed"], pv.get("closed"), yv.get("closed"))

    st.subheader(tr("办案质效指标", "Case-quality indicators"))
    st.caption(tr("指标用于分析研判，不作排名（最高检2024年起不再对下排名通报）。",
                  "Indicators are for analysis, not ranking (the SPP stopped ranking localities in 2024)."))
    inds = quality_indicators_live(view.scope, view.start, view.end, view.flt).value or ()
    p_inds = {i.key: i for i in (quality_indicators_live(view.scope, *view.prev, view.flt).value or ())}
    y_inds = {i.key: i for i in (quality_indicators_live(view.scope, *view.yoy, view.flt).value or ())}
    cols = st.columns(3)
    for n, ind in enumerate(inds):
        with cols[n % 3]:
            indicator_card(ind, p_inds.get(ind.key), y_inds.get(ind.key), key=f"ind_{ind.key}")
    missing = cases_without_suspects_live(view.scope, view.start, view.end, view.flt).value
    if missing:
        st.warning(tr(f"本期有 {missing} 件刑事案件作出了决定，但没有犯罪嫌疑人记录（导入了案件文件而未导入嫌疑人文件），"
                      "按人计算的指标未计入这些案件。请在“数据导入”中导入嫌疑人文件。",
                      f"{missing} criminal cases decided in this period have no suspect records (a case file "
                      "imported without its suspects file); the per-person indicators leave them out. Import the "
                      "suspects file under Data import."))

    left, right = st.columns(2)
    with left:
        st.subheader(tr("分职能受理", "Intake by function"))
        fn = intake_by_function_live(view.scope, view.start, view.end, view.flt).value
        if fn is not None:
            fn = pd.DataFrame({"function": FUNCTIONS}).merge(fn, how="left").fillna({"cases": 0})
            fn["cases"] = fn["cases"].astype(int)
            fn["label"] = fn["function"].map(FUNCTIONS_EN) if en else fn["function"]
            chart(bar_chart(fn, "label", "cases", height=200, sort=False), "intake_by_function", "fn")
            table(fn[["label", "cases"]].rename(columns={"label": tr("职能", "Function"), "cases": tr("受理", "Accepted")}),
                  "intake_by_function.csv", "fn_t")
    with right:
        st.subheader(tr("罪名前十", "Top charges"))
        top = top_charges_live(view.scope, view.start, view.end, 10, view.flt).value
        if top is not None:
            chart(bar_chart(top, "charge", "cases", height=300), "top_charges", "top")
            table(top.rename(columns={"charge": tr("罪名", "Charge"), "cases": tr("受理", "Accepted")}),
                  "top_charges.csv", "top_t")

    st.subheader(tr("每日受理趋势", "Cases accepted per day"))
    days = max(1, min(400, (view.end - view.start).days))
    tr_df = daily_trend_live(view.scope, (view.end - dt.timedelta(days=1)).date(), days, view.flt).value
    if tr_df is not None:
        chart(trend_chart(tr_df, height=240), "daily_trend", "trend")
        with st.expander(tr("数据表", "Data")):
            table(tr_df.rename(columns={"day": tr("日期", "Day"), "cases": tr("受理", "Accepted")}),
                  "daily_trend.csv", "trend_t")

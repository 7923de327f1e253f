"""案件统计 · 各区对比: every district's intake and indicators side by side (table and chart).
A ranking is off by default (the SPP stopped ranking localities in 2024) and can be switched on."""
import pandas as pd
import streamlit as st

from components import auth
from components.charts import bar_chart
from components.district_map import choropleth
from components.freshness import unavailable
from components.i18n import lang, tr
from components.shell import friendly_errors
from components.stats_filters import filter_bar
from components.stats_widgets import chart, table
from domain.indicators import INDICATOR_DEFS
from queries.cases import (charge_options_live, district_comparison_live, district_geometries_live,
                           districts_live)

scope = auth.scope("stats")
st.title(tr("各区对比", "District comparison"))
view = filter_bar(districts_live(scope).value, charge_options_live(scope).value, base_scope=scope)
en = lang() == "en"

with friendly_errors(tr("各区对比", "District comparison")):
    res = district_comparison_live(view.scope, view.start, view.end, view.flt)
    if res.value is None:
        unavailable(tr("各区对比", "District comparison"))
        st.stop()
    df = res.value.copy()
    st.caption(tr(f"统计期间 {view.label}", f"Period {view.label}"))
    c1, c2 = st.columns([2, 1])
    metric = c1.selectbox(tr("比较指标", "Compare by"), ["cases", *INDICATOR_DEFS],
                          format_func=lambda k: tr("受理件数", "Cases accepted") if k == "cases"
                          else (INDICATOR_DEFS[k].name_en if en else INDICATOR_DEFS[k].name_zh), key="cmp_metric")
    ranked = c2.toggle(tr("显示排名", "Show ranking"), value=False, key="cmp_rank",
                       help=tr("默认关闭：指标用于分析，不用于排名。", "Off by default: indicators are for analysis, not ranking."))
    name = "name_en" if en else "name_zh"
    out = pd.DataFrame({tr("区", "District"): df[name], tr("受理", "Accepted"): df["cases"],
                        tr("审查起诉审结（人）", "Prosecution reviews concluded (persons)"): df["concluded"]})
    for k, d in INDICATOR_DEFS.items():
        v, label = df[k], (d.name_en if en else d.name_zh)
        out[label] = v.map(lambda x, u=d.unit: None if pd.isna(x) else (round(x, 2) if u == "1:x" else round(x * 100, 1)))
        out[label + (" num/den" if en else " 分子/分母")] = df[f"{k}_num"].astype(str) + "/" + df[f"{k}_den"].astype(str)
    if ranked:
        lower = metric != "cases" and INDICATOR_DEFS[metric].lower_is_better
        key = df[metric].fillna(float("inf") if lower else float("-inf"))
        out.insert(0, tr("排名", "Rank"), key.rank(ascending=lower, method="min").astype(int))
        out = out.sort_values(tr("排名", "Rank"))
    st.caption(tr("比率单位：%，按人计；案件比为每案对应的件数。各指标口径与来源见“统计总览”的“口径与分子分母”。",
                  "Rates in %, counted per person; case-to-matter ratio in matters per case. Each indicator's "
                  "definition and source: \"Definition, numerator, denominator\" on the overview."))
    table(out, "district_comparison.csv", "cmp")

    plot = df[[name, metric]].rename(columns={name: "district", metric: "value"}).dropna()
    if metric != "cases" and INDICATOR_DEFS[metric].unit == "%":
        plot["value"] = (plot["value"] * 100).round(1)
    left, right = st.columns([1.2, 1])
    with left:
        chart(bar_chart(plot, "district", "value", height=420, sort=ranked), f"districts_{metric}", "cmp_chart")
    with right:
        geo = district_geometries_live(view.scope).value
        if geo is not None and metric == "cases":
            st.pydeck_chart(choropleth(geo, df[["district_id", "cases"]], dark=False, name_col=name,
                                       value_label=tr("受理", "cases")), height=420)

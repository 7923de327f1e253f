"""Rendering of the 模型成效 figures (``queries.model_efficacy.Efficacy``, read by attribute: a
component never imports the query layer): one table row per model and the hits per month."""
from __future__ import annotations

from typing import Any, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import FONT, chart_downloads
from components.i18n import lang, tr


def _pct(e: Any) -> str:
    return "—" if e.precision is None else f"{e.precision:.0%}（n={e.handled}）"


def efficacy_table(effs: Sequence[Any]) -> pd.DataFrame:
    """One row per model, Chinese or English headers as the language asks."""
    zh = lang() == "zh"
    rows = [{tr("模型", "Model"): e.name_zh if zh else e.name_en, tr("命中", "Hits"): e.hits,
             tr("已处理", "Handled"): e.handled, tr("成案·立案", "Case opened"): e.cases,
             tr("成案·检察建议", "Suggestion"): e.suggestions, tr("不成案", "No case"): e.no_case,
             tr("移送", "Referred"): e.referred, tr("准确率（成案÷已处理）", "Precision (case ÷ handled)"): _pct(e),
             tr("决定用时中位数（天）", "Median days to decision"): "—" if e.median_days is None else e.median_days,
             tr("待处理", "Open"): e.open, tr("超期", "Overdue"): e.overdue} for e in effs]
    return pd.DataFrame(rows)


def hits_by_month(effs: Sequence[Any]) -> pd.DataFrame:
    """Long form for the chart: month, model, hits; every month from the first hit to the last, a
    month with no hit as 0 (a line must not jump over an empty month)."""
    zh = lang() == "zh"
    found = sorted({m for e in effs for m, _ in e.by_month})
    months = [str(p) for p in pd.period_range(found[0], found[-1], freq="M")] if found else []
    rows = [{"month": m, "model": e.name_zh if zh else e.name_en, "hits": dict(e.by_month).get(m, 0)}
            for e in effs for m in months]
    return pd.DataFrame(rows, columns=["month", "model", "hits"])


def month_chart(df: pd.DataFrame) -> alt.Chart:
    """Hits per month per model, the bundled CJK font so an exported PNG draws the labels."""
    return (alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("month:N", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("hits:Q", title=tr("命中数", "Hits"), axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("model:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=260)),
        tooltip=["month:N", "model:N", "hits:Q"])
        .properties(height=300)
        .configure(font=FONT)
        .configure_axis(labelFont=FONT, titleFont=FONT)
        .configure_legend(labelFont=FONT, titleFont=FONT))


def render(effs: Sequence[Any]) -> None:
    """Totals, the table and the chart."""
    c = st.columns(5)
    c[0].metric(tr("命中线索", "Hits"), sum(e.hits for e in effs))
    c[1].metric(tr("已处理", "Handled"), sum(e.handled for e in effs))
    c[2].metric(tr("成案", "Became a case"), sum(e.became_case for e in effs))
    c[3].metric(tr("待处理", "Open"), sum(e.open for e in effs))
    c[4].metric(tr("超期未决", "Overdue"), sum(e.overdue for e in effs))
    st.dataframe(efficacy_table(effs), hide_index=True, width="stretch", key="me_table")
    st.caption(tr("准确率＝成案（立案或检察建议）÷已处理（成案、不成案、移送）；用时自线索发现至作出决定。",
                  "Precision = became a case (opened or a suggestion) ÷ handled (case, no case, referred); "
                  "time runs from the clue's discovery to the decision."))
    st.subheader(tr("各月命中", "Hits per month"))
    df = hits_by_month(effs)
    if df.empty:
        st.info(tr("尚无命中。", "No hits yet."))
        return
    chart = month_chart(df)
    st.altair_chart(chart, width="stretch", key="me_chart")
    chart_downloads(chart, "model_efficacy", "me")

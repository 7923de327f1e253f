"""河道治理 · 案件与检察建议: lists with stages and the two-month reply deadline; figures. The water
clues (水质持续劣V) are a model's hits now, handled on the 法律监督线索 page (linked when present)."""
from pathlib import Path

import streamlit as st

from components.export import csv_download
from components import auth
from components.i18n import lang, tr
from components.river_charts import STATUS_EN, highlight_status, labelled
from components.freshness import fresh_value
from components.shell import friendly_errors, inject_font, link_to_page
from domain import clock
from queries.rivers import pil_cases_live, pil_figures_live, suggestions_live

inject_font()
scope = auth.scope("rivers")
st.title(tr("河道治理 · 公益诉讼案件与检察建议", "Rivers · public-interest cases and suggestions"))
if auth.staff().may("clues") and (Path(__file__).parent / "clues.py").exists():
    link_to_page("../pages/clues.py", tr("水质线索（水质持续劣Ⅴ类模型）→ 法律监督线索",
                                         "Water clues (model 水质持续劣Ⅴ类) → legal-supervision clues"), ":material/search:")

with friendly_errors(tr("案件与检察建议", "Cases and suggestions")):
    today = clock.today()
    year = st.selectbox(tr("年度", "Year"), [today.year - i for i in range(3)], key="rc_year")
    f = fresh_value(pil_figures_live(scope, int(year), today), tr("统计数字", "Figures"))
    c = st.columns(6)
    c[0].metric(tr("本年立案", "Cases filed"), f.cases_filed)
    c[1].metric(tr("在办案件", "Open cases"), f.cases_open)
    c[2].metric(tr("发出检察建议", "Suggestions issued"), f.suggestions_issued)
    c[3].metric(tr("已回复", "Replied"), f.replied)
    c[4].metric(tr("已整改", "Rectified"), f.rectified)
    c[5].metric(tr("整改率", "Rectification rate"),
                f"{f.rectification_rate:.1f}%" if f.rectification_rate is not None else "—")
    if f.overdue:
        st.error(tr(f"{f.overdue} 份检察建议已超过回复期限仍未回复。",
                    f"{f.overdue} suggestion(s) are past the reply deadline without a reply."))

    st.subheader(tr("检察建议（回复期限：两个月，紧急情况15日）",
                    "Suggestions (reply due in two months, 15 days in an emergency)"))
    sugg = fresh_value(suggestions_live(scope, today), tr("检察建议", "Suggestions"))
    status_filter = st.multiselect(tr("状态", "Status"), list(STATUS_EN),
                                   format_func=lambda s: s if lang() == "zh" else STATUS_EN[s], key="rc_status",
                                   placeholder=tr("全部", "All"))
    if status_filter:
        sugg = sugg[sugg["status"].isin(status_filter)]
    show = sugg.drop(columns=["id", "river_id"])
    if lang() == "en":
        show = show.assign(status=show["status"].map(STATUS_EN))
    st.dataframe(highlight_status(labelled(show)), hide_index=True, width="stretch")
    st.caption(tr("红色：超期未回复；浅橙：逾期回复；黄色：14日内到期。",
                  "Red: overdue; light orange: replied late; yellow: due within 14 days."))
    csv_download(labelled(show), "river_suggestions.csv", key="rc_csv_s")

    st.subheader(tr("公益诉讼案件", "Public-interest cases"))
    open_only = st.checkbox(tr("仅显示在办", "Open only"), key="rc_open")
    cases = fresh_value(pil_cases_live(scope, None, open_only), tr("案件", "Cases"))
    st.dataframe(labelled(cases.drop(columns=["id", "river_id"])), hide_index=True, width="stretch")
    csv_download(labelled(cases.drop(columns=["id", "river_id"])), "river_cases.csv", key="rc_csv_c")

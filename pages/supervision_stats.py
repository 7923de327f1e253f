"""非羁押监管 · 统计分析: enrolled / active / released over time, alerts by type per week, check-in
compliance, the share of first-time offenders and confessions, and the number who absconded.

Queries: queries.supervision.enrolment_by_month / alerts_by_week / checkin_compliance / profile.
"""
import datetime as dt

import altair as alt
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.freshness import fresh_note
from domain import clock
from queries.supervision import alerts_by_week_live, checkin_compliance_live, enrolment_by_month_live, profile_live

inject_font()
scope = auth.scope("supervision.stats")
st.title(tr("统计分析", "Statistics"))
today = clock.today()

with friendly_errors(tr("统计分析", "Statistics")):
    p = profile_live(scope)
    if p.value:
        v = p.value
        c = st.columns(5)
        c[0].metric(tr("累计监管", "Supervised in all"), v["total"])
        c[1].metric(tr("已解除", "Released"), v["released"])
        c[2].metric(tr("初犯偶犯占比", "First-time offenders"), f"{v['first_offender_share']:.1%}")
        c[3].metric(tr("认罪认罚占比", "Confessed"), f"{v['confessed_share']:.1%}")
        c[4].metric(tr("脱管人数", "Absconded"), v["absconded"],
                    help=tr("平台要守住的数字：零脱管。", "The number the platform exists to keep at zero."))
    st.subheader(tr("在管 / 登记 / 解除（按月）", "Enrolled / active / released by month"))
    em = enrolment_by_month_live(scope).value
    if em is not None and len(em):
        long = em.melt("month", ["enrolled", "released", "active"], var_name="series", value_name="n")
        long["series"] = long["series"].map({"enrolled": tr("登记", "Enrolled"), "released": tr("解除", "Released"),
                                             "active": tr("在管（月末）", "Active (month end)")})
        st.altair_chart(alt.Chart(long).mark_line(point=True).encode(
            x=alt.X("month:N", title=None), y=alt.Y("n:Q", title=tr("人数", "Persons")),
            color=alt.Color("series:N", title=None)), width="stretch")
    since = dt.datetime.combine(today - dt.timedelta(weeks=12), dt.time())
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(tr("告警（按周、类型）", "Alerts per week by kind"))
        aw = alerts_by_week_live(scope, since).value
        if aw is not None and len(aw):
            st.altair_chart(alt.Chart(aw).mark_bar().encode(
                x=alt.X("week:N", title=tr("周（周一）", "Week (Monday)")), y=alt.Y("n:Q", title=tr("告警数", "Alerts")),
                color=alt.Color("kind:N", title=None)), width="stretch")
        else:
            st.caption(tr("近12周无告警。", "No alerts in 12 weeks."))
    with c2:
        st.subheader(tr("签到合规率（按日）", "Check-in compliance per day"))
        cc = checkin_compliance_live(scope, since).value
        if cc is not None and len(cc):
            st.altair_chart(alt.Chart(cc.dropna(subset=["compliance"])).mark_line(point=True).encode(
                x=alt.X("day:N", title=None),
                y=alt.Y("compliance:Q", title=tr("按时签到且核验通过", "On time and verified"),
                        axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0.8, 1]))), width="stretch")
            tot = cc[["tasks", "answered", "missed", "failed"]].sum()
            st.caption(tr(f"共 {int(tot.tasks)} 次任务：签到 {int(tot.answered)}，未签到 {int(tot.missed)}，核验未通过 {int(tot.failed)}",
                          f"{int(tot.tasks)} tasks: {int(tot.answered)} answered, {int(tot.missed)} missed, "
                          f"{int(tot.failed)} failed verification"))
    fresh_note(p)

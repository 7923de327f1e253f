"""非羁押监管 · 点名管理: scheduled (daily 09:00) and random check-ins; each must be answered within its
window (default 30 minutes) with a position and a verification result; missed ones become alerts.

Queries: queries.supervision.checkin_tasks / roll_call / supervised_list.
"""
import datetime as dt

import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_ui import now, run_action
from components.freshness import fresh_note
from domain import clock
from queries.cache import get_engine
from queries.supervision import checkin_tasks_live, roll_call, supervised_list

inject_font()
scope = auth.scope("supervision")
st.title(tr("点名管理", "Roll call"))

with friendly_errors(tr("点名管理", "Roll call")):
    with st.form("rollcall"):
        act = supervised_list(get_engine(), scope, "在管")
        people = dict(zip(act["id"], act["person_code"]))
        chosen = st.multiselect(tr("点名对象（留空 = 全部在管人员）", "Who (empty = everyone active)"),
                                list(people), format_func=people.get,
                                placeholder=tr("选择人员（可多选）", "Choose persons"))
        window = st.number_input(tr("签到时限（分钟）", "Answer within (minutes)"), 5, 240, 30, step=5)
        if st.form_submit_button(tr("发起随机点名", "Start a random roll call"), type="primary"):
            n = run_action(roll_call, get_engine(), scope, chosen or None, now=now(),
                           window_minutes=int(window), actor=auth.actor())
            if n:
                st.success(tr(f"已向 {n} 人发起点名。", f"Roll call sent to {n} persons."))
    since = dt.datetime.combine(clock.today() - dt.timedelta(days=1), dt.time())
    res = checkin_tasks_live(scope, since)
    df = res.value
    if df is not None and len(df):
        c = st.columns(4)
        c[0].metric(tr("待签到", "Waiting"), int((df["status"] == "待签到").sum()))
        c[1].metric(tr("已签到", "Answered"), int((df["status"] == "已签到").sum()))
        c[2].metric(tr("未签到", "Missed"), int((df["status"] == "未签到").sum()))
        c[3].metric(tr("核验未通过", "Failed verification"), int((df["verify_result"] == "未通过").sum()))
        view = df.drop(columns=["id", "supervised_id"]).rename(columns={
            "person_code": tr("人员编号", "Code"), "kind": tr("类型", "Kind"), "scheduled_at": tr("发起", "Sent"),
            "due_at": tr("截止", "Due"), "answered_at": tr("签到时间", "Answered"),
            "verify_result": tr("核验", "Verification"), "status": tr("状态", "Status"),
            "lon": tr("经度", "Lon"), "lat": tr("纬度", "Lat")})
        if not scope.sees_individual_tracks:
            view = view.drop(columns=[tr("经度", "Lon"), tr("纬度", "Lat")])
        st.dataframe(view, hide_index=True, width="stretch", height=420)
    else:
        st.caption(tr("昨天以来没有签到任务。", "No check-in tasks since yesterday."))
    fresh_note(res)

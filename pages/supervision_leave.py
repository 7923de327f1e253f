"""非羁押监管 · 外出监管: leave requests; a prosecutor approves or rejects (audited). An approved
request suspends fence alerts inside its destination and window; a late return raises 逾期未返.

Queries: queries.supervision.leave_requests / decide_leave / request_leave / supervised_list.
"""
import datetime as dt

import pandas as pd
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_ui import now, run_action
from components.freshness import fresh_note
from domain import clock
from domain.supervision.engine import DEFAULT
from queries.cache import get_engine
from queries.supervision import (
    decide_leave, district_shapes_live, leave_requests_live, request_leave, supervised_list,
)

inject_font()
scope = auth.scope("supervision")
st.title(tr("外出监管", "Leave-the-area supervision"))
COLS = {"person_code": tr("人员编号", "Code"), "destination": tr("目的地", "Destination"),
        "start_at": tr("出发", "From"), "end_at": tr("返回", "Until"), "reason": tr("事由", "Reason"),
        "status": tr("状态", "Status"), "requested_at": tr("申请时间", "Requested"),
        "decided_at": tr("审批时间", "Decided"), "decision_note": tr("审批意见", "Note"),
        "returned_at": tr("实际返回", "Returned")}

with friendly_errors(tr("外出监管", "Leave")):
    pending = leave_requests_live(scope, "待审批")
    df = pending.value
    st.subheader(tr(f"待审批（{len(df)}）", f"Pending ({len(df)})"))
    if df.empty:
        st.caption(tr("没有待审批的申请。", "No pending requests."))
    else:
        st.dataframe(df[list(COLS)].rename(columns=COLS).astype(object).fillna("—"), hide_index=True,
                     width="stretch")
        with st.form("leave_decide"):
            opts = {int(r.id): f"#{r.id} {r.person_code} → {r.destination} ({r.start_at:%m-%d %H:%M}–{r.end_at:%m-%d %H:%M})"
                    for r in df.itertuples()}
            lid = st.selectbox(tr("申请", "Request"), list(opts), format_func=opts.get)
            note = st.text_input(tr("审批意见（驳回时必填）", "Note (required to reject)"), max_chars=100)
            a, r = st.columns(2)
            approve = a.form_submit_button(tr("批准", "Approve"), type="primary")
            reject = r.form_submit_button(tr("驳回", "Reject"))
            if approve or reject:
                ok = run_action(decide_leave, get_engine(), scope, int(lid), approve=approve, note=note,
                                actor=auth.actor(), now=now())
                if ok:
                    st.success(tr("已批准。", "Approved.") if approve else tr("已驳回。", "Rejected."))
    st.subheader(tr("全部申请", "All requests"))
    status = st.segmented_control(tr("状态", "Status"), ["已批准", "已返回", "已驳回"], default="已批准")
    hist = leave_requests_live(scope, status).value
    if hist is not None:
        grace = dt.timedelta(minutes=DEFAULT.late_return_grace_minutes)
        back = pd.to_datetime(hist["returned_at"])
        late = back.notna() & (back > pd.to_datetime(hist["end_at"]) + grace)  # still away: a 逾期未返 alert
        view = hist[list(COLS)].rename(columns=COLS).astype(object).fillna("—").assign(**{tr("逾期", "Late"): late.map({True: "⚠ 逾期", False: ""})})
        st.dataframe(view, hide_index=True, width="stretch", height=300)
        st.caption(tr(f"逾期返回（超过返回时间 {grace.seconds // 60} 分钟后才回到居住区）：{int(late.sum())} 次；"
                      "仍未返回的由告警“逾期未返”提示。",
                      f"Came back late (over {grace.seconds // 60} min after the end): {int(late.sum())}; "
                      "those still away raise a late-return alert."))
    with st.expander(tr("代为登记外出申请（本人电话/短信申请）", "Register a request on the person's behalf")):
        with st.form("leave_new"):
            act = supervised_list(get_engine(), scope, "在管")
            people = dict(zip(act["id"], act["person_code"]))
            who = st.selectbox(tr("人员", "Person"), list(people), format_func=people.get)
            dist = district_shapes_live().value
            dn = {0: tr("上海市外（填写目的地）", "Outside Shanghai")} | dict(zip(dist["id"], dist["name_zh"]))
            dd = st.selectbox(tr("目的地区", "Destination district"), list(dn), format_func=dn.get)
            dest = st.text_input(tr("目的地", "Destination"), max_chars=60)
            c1, c2 = st.columns(2)
            d0 = c1.date_input(tr("出发日期", "From"), value=clock.today() + dt.timedelta(days=1))
            d1 = c2.date_input(tr("返回日期", "Until"), value=clock.today() + dt.timedelta(days=2))
            reason = st.text_input(tr("事由", "Reason"), max_chars=100)
            if st.form_submit_button(tr("登记申请", "Register")) and who is not None:
                run_action(request_leave, get_engine(), scope, int(who), destination=dest or dn.get(dd, ""),
                           dest_district_id=dd or None, start=dt.datetime.combine(d0, dt.time(8)),
                           end=dt.datetime.combine(d1, dt.time(20)), reason=reason, now=now(), actor=auth.actor(),
                           success=tr("已登记，待审批。", "Registered; awaiting decision."))
    fresh_note(pending)

"""Dashboard page: prosecutors approve or reject lawyers' case-binding requests on their
procuratorate's cases. No sign-in of its own: the dashboard's signed-in account reviews, and is
recorded as the one who decided (never the lawyer who asked)."""
import pandas as pd
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.portal import BINDING_APPROVED, BINDING_PENDING, BINDING_REJECTED, bindings_for_review, decide_binding

scope = auth.scope("bindings")
st.title(tr("律师案件绑定审核", "Lawyer case-binding review"))
me = auth.staff()

with friendly_errors(tr("绑定审核", "Binding review")):
    st.caption(tr(f"审核人：{me.display_name}（{me.username}）· {me.procuratorate}；审核结果记入审计日志。",
                  f"Reviewer: {me.display_name} ({me.username}) · {me.procuratorate}; decisions are audited."))
    msg = st.session_state.pop("review_msg", None)
    if msg:
        st.success(msg)
    labels = {BINDING_PENDING: tr("待审核", "Pending"), BINDING_APPROVED: tr("已批准", "Approved"),
              BINDING_REJECTED: tr("已驳回", "Rejected")}
    status = st.radio(tr("状态", "Status"), list(labels), format_func=labels.get, horizontal=True)
    df = bindings_for_review(get_engine(), scope, status)
    if df.empty:
        st.info(tr("没有该状态的申请。", "No requests with this status."))
        st.stop()
    st.dataframe(pd.DataFrame({
        "ID": df["id"], tr("案号", "Case number"): df["case_no"], tr("案由", "Charge"): df["charge"],
        tr("阶段", "Stage"): df["stage"], tr("律师", "Lawyer"): df["lawyer"], tr("律所", "Firm"): df["law_firm"],
        tr("授权材料", "Papers"): df["papers"],
        tr("申请时间", "Requested"): pd.to_datetime(df["requested_at"]).dt.strftime("%Y-%m-%d %H:%M"),
    }), hide_index=True, width="stretch")
    if status == BINDING_PENDING:
        opts = {int(r.id): f"{r.case_no} · {r.lawyer} · {r.law_firm or ''}" for r in df.itertuples()}
        pick = st.selectbox(tr("选择申请", "Request"), list(opts), format_func=opts.get)
        a, b = st.columns(2)
        if a.button(tr("批准", "Approve"), type="primary", width="stretch"):
            ok = decide_binding(get_engine(), scope, pick, True, actor=auth.actor())
            st.session_state["review_msg"] = tr("已批准。", "Approved.") if ok else tr("操作未完成。", "Not done.")
            st.rerun()
        if b.button(tr("驳回", "Reject"), width="stretch"):
            ok = decide_binding(get_engine(), scope, pick, False, actor=auth.actor())
            st.session_state["review_msg"] = tr("已驳回。", "Rejected.") if ok else tr("操作未完成。", "Not done.")
            st.rerun()

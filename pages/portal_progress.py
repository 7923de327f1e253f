"""Case progress for the signed-in party (their own cases) or lawyer (approved bindings only)."""
import pandas as pd
import streamlit as st

from components import portal_session as session
from components.freshness import unavailable
from components.i18n import tr
from components.portal_docs import progress_table
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.portal import case_for, cases_for_live

me = session.require()
st.title(tr("案件程序性信息", "Case progress") if me.kind == "party" else tr("我的案件", "My cases"))
st.caption(tr("依照《人民检察院案件信息公开工作规定》，提供案由、受理日期、办理期限、办案部门、诉讼阶段和强制措施等程序性信息。",
              "Procedural information as 12309 discloses it: charge, acceptance date, time limit, "
              "handling department, stage and compulsory measure."))

with friendly_errors(tr("案件进度", "Case progress")):
    res = cases_for_live(me)  # cached per principal: the principal is part of the cache key
    if res.value is None:
        unavailable(tr("案件进度", "Case progress"))
    elif res.value.empty:
        st.info(tr("暂无可查询的案件。" if me.kind == "party" else "暂无已批准绑定的案件，可在“案件绑定申请”中提交申请。",
                   "No cases to show." if me.kind == "party" else
                   "No approved bindings yet; ask for one under “Case binding”."))
    else:
        progress_table(res.value)
        st.caption(tr(f"数据更新于 {res.as_of:%H:%M:%S}", f"As of {res.as_of:%H:%M:%S}"))

    with st.form("case_lookup"):
        case_no = st.text_input(tr("按案号查询", "Look up by case number"), max_chars=40)
        go = st.form_submit_button(tr("查询", "Look up"))
    if go:
        row = case_for(get_engine(), me, case_no)  # the access check is in the query
        if row is None:
            st.warning(tr("未查询到该案件，或您无权查看该案件。", "No such case, or you may not see it."))
        else:
            progress_table(pd.DataFrame([row]))

"""河道治理 · 水质线索: rivers at 劣V two months running or down two classes in six months with no
open case; the signed-in public-interest prosecutor turns a clue into a case or dismisses it with a
reason (both audited as that account)."""
import streamlit as st

from components import auth
from components.i18n import tr
from components.river_charts import history_text, labelled
from components.freshness import fresh_value
from components.river_map import class_label
from components.shell import friendly_errors, inject_font
from domain import clock
from queries.cache import get_engine
from queries.rivers import ClueError, clues_live, decide_clue, sample_months_live

inject_font()
scope = auth.scope("rivers.clues")
st.title(tr("河道治理 · 水质线索", "Rivers · water-quality clues"))

with friendly_errors(tr("水质线索", "Clues")):
    if msg := st.session_state.pop("rq_done", None):
        st.success(msg)
    months = fresh_value(sample_months_live(scope), tr("监测月份", "Months"))
    if not months:
        st.info(tr("暂无水质监测数据。", "No water samples yet."))
        st.stop()
    as_of = st.selectbox(tr("研判月份", "As of month"), months[::-1], key="rq_month")
    found = fresh_value(clues_live(scope, as_of), tr("线索", "Clues"))
    st.caption(tr("规则：连续两个月劣Ⅴ类，或当月比此前五个月中最好的一个月差两个类别及以上；已有在办案件或本月已处理的河道不列入。",
                  "Rule: worse than V two months running, or two classes worse than the best of the five "
                  "months before; rivers with an open case or a decision this month are left out."))
    st.metric(tr("待研判线索", "Clues to review"), len(found))
    if found.empty:
        st.info(tr("本月没有符合条件的线索。", "No clue this month."))
        st.stop()
    show = found.assign(water_class=found["water_class"].map(class_label),
                        history=found["history"].map(history_text))
    st.dataframe(labelled(show.drop(columns=["river_id"])), hide_index=True, width="stretch")

    st.subheader(tr("处理线索", "Decide"))
    me = auth.staff()
    st.caption(tr(f"处理人：{me.display_name}（{me.username}），记入审计日志。",
                  f"Decided by {me.display_name} ({me.username}); written to the audit log."))
    labels = {int(r.river_id): f"{r.name}（{r.town}）· {r.reasons}" for r in found.itertuples()}
    with st.form("rq_form", clear_on_submit=True):
        rid = st.selectbox(tr("线索", "Clue"), list(labels), format_func=lambda i: labels[i])
        decision = st.radio(tr("处理方式", "Decision"), ["立案", "驳回"], horizontal=True,
                            format_func=lambda d: tr("立案", "Open a case") if d == "立案"
                            else tr("驳回（须填写理由）", "Dismiss (reason required)"))
        reason = st.text_area(tr("理由 / 说明", "Reason / note"), max_chars=200)
        ok = st.form_submit_button(tr("提交", "Submit"), type="primary")
    if ok:
        try:
            case_id = decide_clue(get_engine(), scope, river_id=int(rid), month=as_of, decision=decision,
                                  reason=reason, actor=auth.actor(), now=clock.now())
        except ClueError as exc:
            st.error(str(exc))
        else:
            st.session_state["rq_done"] = (tr(f"已立案（案件 {case_id}）。", f"Case opened ({case_id}).") if case_id
                                           else tr("线索已驳回，理由已记录。", "Clue dismissed; reason recorded."))
            st.rerun()

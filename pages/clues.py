"""法律监督 · 法律监督线索: the clues every model raised that this account may read (its models'
permissions, its districts), filtered by model, state, assignee and deadline; the selected clue
(held by its id) with the evidence rows behind it and its history; and its next steps
(转核查 / 成案 / 不成案 / 移送 / 改派), each written with history and audit as the signed-in account.

Queries: queries.clues.clue_list / clue_detail (audited) / assignee_choices / transition / assign.
"""
import streamlit as st

from components import auth, clue_view
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from domain import clock
from domain.access import AccessDenied
from domain.clues import ClueRuleError
from queries.cache import get_engine
from queries.clues import assign, assignee_choices, clue_detail, clue_list, transition, visible_models

inject_font()
scope = auth.scope("clues")
st.title(tr("法律监督线索", "Legal-supervision clues"))

with friendly_errors(tr("法律监督线索", "Clues")):
    if msg := st.session_state.pop("clue_done", None):
        st.success(msg)
    engine, me = get_engine(), auth.staff()
    models = visible_models(engine, scope)
    if not models:
        st.info(tr("您的角色没有可查看的监督模型线索。", "No model's clues are open to your role."))
        st.stop()
    f = clue_view.filters(models, me.user_id)
    df = clue_list(engine, scope, model=f.model, state=f.state, assignee=f.assignee,
                   due=None if f.due is None else (f.due if f.due == "overdue" else int(f.due)))
    clue_view.metrics(df)
    if df.empty:
        st.session_state.pop(clue_view.K_HIT, None)
        st.info(tr("没有符合条件的线索。", "No clue matches."))
        st.stop()
    hit_id = clue_view.table(clue_view.sort_clues(df, f.sort))
    if hit_id is None:
        st.caption(tr("选择一行查看证据、处理经过并处理线索。", "Select a row to see its evidence and history, and act."))
        st.stop()
    d = clue_detail(engine, scope, hit_id, auth.actor())
    if d is None:
        st.warning(tr("线索不存在或不在您的权限范围内。", "The clue does not exist or is out of your scope."))
        st.stop()
    clue_view.detail(d, hit_id)
    state = d.clue["state"]
    target = clue_view.action_buttons(hit_id, state)
    if target:
        people = assignee_choices(engine, scope, hit_id)
        sent = clue_view.action_form(hit_id, target, people, d.clue["assignee_id"])
        if sent is not None:
            try:
                if target == "assign":
                    assign(engine, scope, hit_id, sent["assignee_id"], note=sent["reason"], actor=auth.actor(),
                           now=clock.now(), expected_state=state)
                else:
                    transition(engine, scope, hit_id, target, actor=auth.actor(), now=clock.now(),
                               expected_state=state, **sent)
            except (ClueRuleError, AccessDenied) as exc:
                st.error(str(exc))
            else:
                st.session_state.pop("clue_action", None)
                done = tr("改派", "reassigned") if target == "assign" else tr(*clue_view.VERB[target])
                st.session_state["clue_done"] = tr(f"线索 #{hit_id} 已{done}。", f"Clue #{hit_id}: {done}.")
                st.rerun()

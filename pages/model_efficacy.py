"""法律监督 · 模型成效: per model, what its clues came to (hits, handled, cases and suggestions,
precision, median days to decision, open and overdue, hits per month). Only the models whose own
permission the account holds, in its districts; aggregates only, no person."""
import streamlit as st

from components import auth
from components.freshness import fresh_value
from components.i18n import tr
from components.model_efficacy import render
from components.shell import friendly_errors, inject_font
from queries.model_efficacy import efficacy_live

inject_font()
scope = auth.scope("clues")
st.title(tr("法律监督 · 模型成效", "Legal supervision · model efficacy"))

with friendly_errors(tr("模型成效", "Model efficacy")):
    effs = fresh_value(efficacy_live(scope), tr("模型成效", "Model efficacy"))
    if not effs:
        st.info(tr("您的角色没有可查看的监督模型。", "Your role reads no supervision model."))
        st.stop()
    st.caption(tr(f"统计时点：{effs[0].as_of:%Y-%m-%d %H:%M}", f"As of {effs[0].as_of:%Y-%m-%d %H:%M}"))
    render(effs)

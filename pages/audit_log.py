"""Audit log viewer (等保: every login, document view and decision is recorded)."""
import streamlit as st

from components.export import csv_download
from components.i18n import tr
from components.shell import friendly_errors
from queries.audit import recent
from queries.cache import get_engine

st.title(tr("审计日志", "Audit log"))
with friendly_errors(tr("审计日志", "Audit log")):
    event = st.text_input(tr("按事件筛选（可留空）", "Filter by event (optional)"), max_chars=40).strip() or None
    df = recent(get_engine(), limit=500, event=event)
    st.dataframe(df, hide_index=True, width="stretch")
    csv_download(df, "audit_log.csv")

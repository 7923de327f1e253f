"""Documents served on the signed-in party (or lawyer): list, read in the page, PDF, confirm receipt."""
from dataclasses import replace

import streamlit as st

from components import portal_session as session
from components.i18n import tr
from components.portal_docs import document_table, show_document
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.portal import confirm_receipt, documents_for, open_document

me = session.require()
st.title(tr("我的法律文书", "My legal documents"))
K_OPEN = "portal_open_doc"

with friendly_errors(tr("文书", "Documents")):
    docs = documents_for(get_engine(), me)  # not cached: service status changes as you read
    if docs.empty:
        st.info(tr("未查询到送达给您的法律文书。如您认为应有文书，请联系承办检察院或拨打12309。",
                   "No documents have been served on you. If you expected one, contact the procuratorate "
                   "or call 12309."))
        st.stop()
    document_table(docs)
    labels = {r.public_id: f"{r.title} · {r.case_no} · {r.issued_at:%Y-%m-%d}" for r in docs.itertuples()}
    choice = st.selectbox(tr("选择文书", "Choose a document"), list(labels), format_func=labels.get)
    if st.button(tr("打开文书", "Open"), type="primary"):
        st.session_state[K_OPEN] = open_document(get_engine(), me, choice)  # audited; None if not mine
        st.rerun()  # so the list shows the new service status
    view = st.session_state.get(K_OPEN)
    if view is not None and view.public_id == choice:
        if not show_document(view) and st.button(tr("确认签收", "Confirm receipt"), key="confirm_doc"):
            at = confirm_receipt(get_engine(), me, view.public_id)
            if at:
                st.session_state[K_OPEN] = replace(view, confirmed_at=at)
                st.rerun()

"""A lawyer asks to be bound to a case, with the authorisation papers; a prosecutor decides."""
import hashlib

import pandas as pd
import streamlit as st

from components import portal_session as session
from components.i18n import tr
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.portal import bindings_of, request_binding

me = session.require("lawyer")
st.title(tr("案件绑定申请", "Case binding request"))
st.caption(tr("请填写案号、委托人姓名并上传律师执业证、授权委托书（或法律援助公函）、律师事务所函。检察院审核通过后，案件将出现在“我的案件”中。",
              "Give the case number and your client's name, and attach your practising certificate, power "
              "of attorney (or legal-aid letter) and firm letter. Approved cases appear under “My cases”."))

with friendly_errors(tr("绑定申请", "Binding request")):
    with st.form("bind", clear_on_submit=True):
        case_no = st.text_input(tr("案号", "Case number"), max_chars=40)
        client = st.text_input(tr("委托人姓名", "Client's name"), max_chars=40)
        papers = st.text_area(tr("授权材料说明", "Authorisation papers"), max_chars=500,
                              value=tr("律师执业证、授权委托书、律师事务所函", "Certificate, power of attorney, firm letter"))
        files = st.file_uploader(tr("上传材料（PDF/JPG/PNG）", "Attach papers (PDF/JPG/PNG)"),
                                 type=["pdf", "jpg", "jpeg", "png"], accept_multiple_files=True)
        sent = st.form_submit_button(tr("提交申请", "Submit"), type="primary")
    if sent:
        # Only each file's size and SHA-256 are kept with the request (the case file system holds papers).
        listed = "；".join(f"附件{i + 1}（{f.size // 1024 + 1}KB，SHA256 {hashlib.sha256(f.getvalue()).hexdigest()[:16]}）"
                          for i, f in enumerate(files or []))
        if request_binding(get_engine(), me.id, case_no, client, f"{papers} {listed}".strip()):
            st.success(tr("申请已提交。若案号无误，检察院将在审核后通知您。",
                          "Submitted. If the case number is right, the procuratorate will review it."))
        else:
            st.error(tr("请填写案号和授权材料说明。", "Please give the case number and the papers."))

    mine = bindings_of(get_engine(), me.id)
    st.subheader(tr("我的申请", "My requests"))
    if mine.empty:
        st.info(tr("暂无申请。", "No requests yet."))
    else:
        st.dataframe(pd.DataFrame({
            tr("案号", "Case number"): mine["case_no"], tr("状态", "Status"): mine["status"],
            tr("申请时间", "Requested"): pd.to_datetime(mine["requested_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            tr("审核时间", "Decided"): pd.to_datetime(mine["decided_at"]).dt.strftime("%Y-%m-%d %H:%M").fillna("—"),
        }), hide_index=True, width="stretch")

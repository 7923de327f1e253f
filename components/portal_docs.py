"""Rendering of served documents. Text goes through escaped APIs only (st.text, dataframes)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.i18n import tr
from domain.portal import DocumentView


def status_of(served, confirmed) -> str:
    if confirmed is not None and not pd.isna(confirmed):
        return tr("已签收", "Receipt confirmed")
    if served is not None and not pd.isna(served):
        return tr("待签收", "Opened, not yet confirmed")
    return tr("待查看", "Not yet opened")


def document_table(docs: pd.DataFrame) -> None:
    view = pd.DataFrame({
        tr("文书类型", "Type"): docs["doc_type"],
        tr("案号", "Case number"): docs["case_no"],
        tr("签发日期", "Issued"): pd.to_datetime(docs["issued_at"]).dt.strftime("%Y-%m-%d"),
        tr("签发机关", "Issued by"): docs["procuratorate"],
        tr("状态", "Status"): [status_of(s, c) for s, c in zip(docs["served_at"], docs["confirmed_at"])],
    })
    st.dataframe(view, hide_index=True, width="stretch")


def show_document(d: DocumentView) -> bool:
    """The document itself in the page, its PDF to download; returns True when already signed."""
    with st.container(border=True):
        st.subheader(d.title)
        st.caption(f"{d.doc_no}　·　{d.procuratorate}　·　{d.issued_at:%Y-%m-%d}")
        for para in d.body.split("\n\n"):
            st.text(para)
    if d.pdf:
        st.download_button(tr("下载PDF", "Download PDF"), d.pdf, file_name=f"{d.doc_type}_{d.public_id[:8]}.pdf",
                           mime="application/pdf", key="pdf_" + d.public_id, on_click="ignore")
    st.caption(tr(f"送达时间（首次查看）：{d.served_at:%Y-%m-%d %H:%M}",
                  f"Served (first opened): {d.served_at:%Y-%m-%d %H:%M}"))
    if d.confirmed_at is not None:
        st.success(tr(f"已于 {d.confirmed_at:%Y-%m-%d %H:%M} 确认签收。",
                      f"Receipt confirmed at {d.confirmed_at:%Y-%m-%d %H:%M}."))
        return True
    return False


def progress_table(df: pd.DataFrame) -> None:
    """The 12309 procedural fields, with Chinese headings."""
    view = pd.DataFrame({
        tr("案号", "Case number"): df["case_no"],
        tr("案由", "Charge"): df["charge"],
        tr("受理日期", "Accepted"): pd.to_datetime(df["accepted_at"]).dt.strftime("%Y-%m-%d"),
        tr("诉讼阶段", "Stage"): df["stage"],
        tr("办理期限", "Time limit"): df["time_limit"].fillna("—"),
        tr("办案部门", "Handling department"): df["handling_department"].fillna("—"),
        tr("强制措施", "Compulsory measure"): df["compulsory_measure"].fillna("—"),
        tr("办案单位", "Procuratorate"): df["procuratorate"],
    })
    st.dataframe(view, hide_index=True, width="stretch")

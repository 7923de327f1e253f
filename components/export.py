"""Downloads: CSV with formula injection neutralised (ASVS 5.0 1.2.10)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.i18n import tr

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\0")


def escape_cell(v):
    """Prefix a text cell that a spreadsheet would run as a formula with a quote."""
    if isinstance(v, str) and v.startswith(_DANGEROUS):
        return "'" + v
    return v


def to_safe_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel on Chinese Windows opens it correctly."""
    safe = df.copy()
    for c in safe.columns:
        if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c]):
            safe[c] = safe[c].map(escape_cell)
    safe.columns = [escape_cell(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def csv_download(df: pd.DataFrame, filename: str, key: str | None = None) -> None:
    st.download_button(tr("下载 CSV", "Download CSV"), to_safe_csv(df), file_name=filename,
                       mime="text/csv", key=key or f"csv_{filename}")

"""Chinese first, English available: the language lives in the URL (``?lang=en``)."""
from __future__ import annotations


def lang() -> str:
    try:
        import streamlit as st

        return "en" if st.query_params.get("lang") == "en" else "zh"
    except Exception:
        return "zh"


def tr(zh: str, en: str) -> str:
    """The string for the current language."""
    return en if lang() == "en" else zh

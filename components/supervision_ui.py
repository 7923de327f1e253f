"""Small shared pieces of the supervision pages: badges, the track-rights notice, running a write.

Who is looking comes from the signed-in account only (``components.auth.scope`` and ``.actor``),
never from configuration or the session's own keys.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from components.i18n import tr
from domain import clock
from domain.scope import Scope

RISK_LABEL = {"green": ("🟢", "绿码", "Green"), "yellow": ("🟡", "黄码", "Yellow"), "red": ("🔴", "红码", "Red")}


def now() -> dt.datetime:
    return clock.now()


def risk_label(code: str) -> str:
    icon, zh, en = RISK_LABEL.get(code, ("⚪", code, code))
    return f"{icon} {tr(zh, en)}"


def need_tracks(scope: Scope) -> bool:
    """Stop with a clear message when the viewer may not see individual positions."""
    if scope.sees_individual_tracks:
        return True
    st.info(tr("个人轨迹属于敏感个人信息，仅监管人员可查看。", "Individual tracks are sensitive personal "
               "information; only supervision staff may view them."))
    return False


def run_action(fn, *args, success: str = "", **kwargs):
    """Run a write; a rule the user broke (ValueError/PermissionError) is shown as its own message.
    The write itself drops the cached results it makes stale (``queries.cache.invalidates``)."""
    try:
        out = fn(*args, **kwargs)
    except (ValueError, PermissionError) as exc:
        st.error(str(exc))
        return None
    if success:
        st.success(success)
    return out if out is not None else True

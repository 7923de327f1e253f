"""Small shared pieces of the supervision pages: who is looking, badges, freshness notes.

Until accounts exist the viewer comes from the session (``st.session_state["scope"]`` and
``["username"]``, set by a future login page or by tests) or, by default, the supervision role and
the demo officer ``JCY_USER`` (default ``sup_310112``, Minhang's supervision officer).
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from components.i18n import tr
from domain import clock
from domain.scope import SUPERVISION, Scope
from domain.settings import current

RISK_LABEL = {"green": ("🟢", "绿码", "Green"), "yellow": ("🟡", "黄码", "Yellow"), "red": ("🔴", "红码", "Red")}


def viewer() -> tuple[Scope, str]:
    scope = st.session_state.get("scope")
    if not isinstance(scope, Scope):
        role = current().supervision_role
        scope = SUPERVISION if role == "supervision" else Scope(role=role)
    return scope, str(st.session_state.get("username") or current().demo_user)


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

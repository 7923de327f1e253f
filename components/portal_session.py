"""Portal sessions: a fresh state at login, 15-minute idle and 12-hour absolute limits, full logout.

Streamlit has no idle logout of its own (security_reliability.md §2.3). The rule here:

- a full script run is a user action (a click, a submit, a page switch): ``current()`` checks the
  limits and then stamps ``last action``;
- the ``watchdog`` fragment reruns by itself every 30 s; it only *checks* the limits and never
  stamps, so auto-reruns do not keep an idle session alive;
- ``login()`` clears everything the session held before storing the principal (ASVS 5.0 7.2.4:
  nothing from before authentication survives it), and ``logout()`` clears everything again.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import streamlit as st

from components.i18n import tr
from domain import otp
from domain.portal import Principal
from queries.portal import record_logout

K_PRINCIPAL, K_LOGIN_AT, K_LAST = "portal_principal", "portal_logged_in_at", "portal_last_action_at"
K_FLASH = "portal_flash"
Clock = Callable[[], dt.datetime]


def login(principal: Principal, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now()
    st.session_state.clear()
    st.session_state[K_PRINCIPAL] = principal
    st.session_state[K_LOGIN_AT] = now
    st.session_state[K_LAST] = now


def end_reason(state, now: dt.datetime) -> str | None:
    """Why the session in ``state`` has ended at ``now`` (None: still valid). Changes nothing."""
    if state.get(K_PRINCIPAL) is None:
        return None
    return otp.session_end_reason(now, logged_in_at=state[K_LOGIN_AT], last_action_at=state[K_LAST])


def logout(reason: str = "user", engine=None, now: dt.datetime | None = None) -> None:
    """Audit, then drop everything the session held (login, widgets, opened documents)."""
    p = st.session_state.get(K_PRINCIPAL)
    if p is not None:
        try:
            from queries.cache import get_engine

            record_logout(engine or get_engine(), p, reason, now)
        except Exception:  # logging out must never fail
            pass
    st.session_state.clear()
    if reason == "idle":
        st.session_state[K_FLASH] = tr("您已超过15分钟未操作，已自动退出，请重新登录。",
                                       "You were signed out after 15 minutes without activity.")
    elif reason == "absolute":
        st.session_state[K_FLASH] = tr("登录已满12小时，已自动退出，请重新登录。",
                                       "Sessions end after 12 hours; please sign in again.")
    elif reason == "user":
        st.session_state[K_FLASH] = tr("您已安全退出。", "You have signed out.")


def current(now: dt.datetime | None = None) -> Principal | None:
    """The signed-in principal for this (user-triggered) run, after enforcing the time limits."""
    now = now or dt.datetime.now()
    reason = end_reason(st.session_state, now)
    if reason:
        logout(reason, now=now)
        return None
    p = st.session_state.get(K_PRINCIPAL)
    if p is not None:
        st.session_state[K_LAST] = now  # a full run is a user action
    return p


def require(kind: str | None = None) -> Principal:
    """Stop the page unless someone (of ``kind``) is signed in; pages call it first."""
    p = st.session_state.get(K_PRINCIPAL)
    if p is None or (kind is not None and p.kind != kind):
        st.warning(tr("请先登录。", "Please sign in first."))
        st.stop()
    return p


def show_flash() -> None:
    msg = st.session_state.pop(K_FLASH, None)
    if msg:
        st.info(msg)


@st.fragment(run_every=30)
def watchdog() -> None:
    """Ends an idle or expired session even when nobody clicks. Never counts as activity."""
    if end_reason(st.session_state, dt.datetime.now()):
        st.rerun(scope="app")  # the full run calls current(), which logs out and audits


def logout_button() -> None:
    p = st.session_state.get(K_PRINCIPAL)
    if p is None:
        return
    st.sidebar.caption(tr(f"已登录：{p.display}", f"Signed in: {p.display}"))
    if st.sidebar.button(tr("退出登录", "Sign out"), key="portal_logout", width="stretch"):
        logout("user")
        st.rerun()

"""Portal sessions: a fresh state at login, 15-minute idle and 12-hour absolute limits, full logout.

Streamlit has no idle logout of its own (security_reliability.md §2.3). The rule here:

- a full script run is a user action (a click, a submit, a page switch): ``current()`` checks the
  limits and then stamps ``last action``;
- the ``watchdog`` fragment reruns by itself every 30 s; it only *checks* the limits and never
  stamps, so auto-reruns do not keep an idle session alive;
- ``login()`` clears everything the session held before storing the principal (ASVS 5.0 7.2.4:
  nothing from before authentication survives it), and ``clear()`` clears everything again.

Ending a session is audited, and this module does not touch the database: ``ended()`` and
``logout_button()`` say that a session ends, the app (``apps/portal.py``) writes the audit row
through ``queries.portal.record_logout`` and then calls ``clear()``.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import streamlit as st

from components.i18n import tr
from domain import clock, otp
from domain.portal import Principal

K_PRINCIPAL, K_LOGIN_AT, K_LAST = "portal_principal", "portal_logged_in_at", "portal_last_action_at"
K_FLASH = "portal_flash"
Clock = Callable[[], dt.datetime]


def login(principal: Principal, now: dt.datetime | None = None) -> None:
    now = now or clock.now()
    st.session_state.clear()
    st.session_state[K_PRINCIPAL] = principal
    st.session_state[K_LOGIN_AT] = now
    st.session_state[K_LAST] = now


def end_reason(state, now: dt.datetime) -> str | None:
    """Why the session in ``state`` has ended at ``now`` (None: still valid). Changes nothing."""
    if state.get(K_PRINCIPAL) is None:
        return None
    return otp.session_end_reason(now, logged_in_at=state[K_LOGIN_AT], last_action_at=state[K_LAST])


def ended(now: dt.datetime | None = None) -> tuple[Principal, str] | None:
    """The signed-in principal and why their session has ended (idle / absolute), or None."""
    reason = end_reason(st.session_state, now or clock.now())
    return (st.session_state[K_PRINCIPAL], reason) if reason else None


def clear(reason: str = "user", recorded: bool = True) -> None:
    """Drop everything the session held (login, widgets, opened documents) and say why.

    ``recorded=False``: the sign-out could not be audited; the user is still signed out (keeping
    the session would be worse) but is not told that all went well.
    """
    st.session_state.clear()
    msg = {"idle": ("您已超过15分钟未操作，已自动退出，请重新登录。",
                    "You were signed out after 15 minutes without activity."),
           "absolute": ("登录已满12小时，已自动退出，请重新登录。", "Sessions end after 12 hours; please sign in again."),
           "user": ("您已安全退出。", "You have signed out.")}.get(reason)
    if msg and not recorded:
        msg = ("您已退出登录，但系统未能记录本次退出。如在公共电脑上使用，请关闭浏览器窗口。",
               "You are signed out, but the sign-out could not be recorded. On a shared computer, close the "
               "browser window.")
    if msg:
        st.session_state[K_FLASH] = tr(*msg)


def current(now: dt.datetime | None = None) -> Principal | None:
    """The signed-in principal for this (user-triggered) run; stamps the activity clock.

    None once the session has ended: the app handles ``ended()`` first, so this is only a guard.
    """
    now = now or clock.now()
    if end_reason(st.session_state, now):
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
    if end_reason(st.session_state, clock.now()):
        st.rerun(scope="app")  # the full run sees ended(), audits and clears


def logout_button() -> bool:
    """Who is signed in and a sign-out button; True when it was pressed (the caller audits and clears)."""
    p = st.session_state.get(K_PRINCIPAL)
    if p is None:
        return False
    st.sidebar.caption(tr(f"已登录：{p.display}", f"Signed in: {p.display}"))
    return st.sidebar.button(tr("退出登录", "Sign out"), key="portal_logout", width="stretch")

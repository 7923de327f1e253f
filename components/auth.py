"""The signed-in staff member on the dashboards: who they are, the scope each page may query with,
and the session's limits (30 minutes idle, 12 hours absolute; 等保 level 3 auto-logout).

Pages call ``scope(area)`` (or ``staff()``/``actor()``) and never build a scope themselves: the
scope comes from the account (``domain.access.Staff.scope``), never from configuration, a widget or
the URL. A page opened without a signed-in account, or by a role without the permission, shows
"无权访问" and stops; the query layer checks the same permission (``queries.scope.require``).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import logging

import streamlit as st

from components.i18n import tr
from domain import clock, otp
from domain.access import AccessDenied, Actor, Staff
from domain.client_addr import client_address
from domain.scope import Scope
from domain.settings import current

log = logging.getLogger("jcy.auth")
K_STAFF, K_LOGIN_AT, K_LAST, K_FLASH = "jcy_staff", "jcy_signed_in_at", "jcy_last_action_at", "jcy_flash"
K_WANTED = "jcy_wanted_page"  # a deep link opened before signing in
IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)


def client_addr() -> str | None:
    """The caller's address for the audit log and the portal's limits: the connection's peer, or,
    when the peer is a configured trusted proxy (``JCY_TRUSTED_PROXIES``), the right-most address
    in its forwarded header that is not a trusted proxy (``domain.client_addr``: a header sent by
    anyone else is ignored, so it cannot be spoofed)."""
    try:
        cfg = current()
        peer = st.context.ip_address
        forwarded = None
        if cfg.trusted_proxies:
            forwarded = st.context.headers.get_all(cfg.client_ip_header or "X-Forwarded-For")
        return client_address(peer, forwarded, cfg.trusted_proxies)  # text or None, never a stand-in
    except Exception:
        return None


def end_reason(state, now: dt.datetime) -> str | None:
    """Why the session in ``state`` has ended at ``now`` (None: still valid). Changes nothing."""
    if state.get(K_STAFF) is None:
        return None
    return otp.session_end_reason(now, logged_in_at=state[K_LOGIN_AT], last_action_at=state[K_LAST],
                                  idle=IDLE_TIMEOUT, absolute=ABSOLUTE_TIMEOUT)


def signed_in(staff: Staff, now: dt.datetime | None = None) -> None:
    """A new session after sign-in: nothing from before authentication survives it (ASVS 7.2.4)."""
    now = now or clock.now()
    lang = st.query_params.get("lang")
    wanted = st.session_state.get(K_WANTED)
    st.session_state.clear()
    if wanted:
        st.session_state[K_WANTED] = wanted
    st.session_state[K_STAFF] = staff
    st.session_state[K_LOGIN_AT] = now
    st.session_state[K_LAST] = now
    if lang:
        st.query_params["lang"] = lang


def clear(reason: str = "user") -> None:
    st.session_state.clear()
    msg = {"idle": ("您已超过30分钟未操作，已自动退出，请重新登录（含动态验证码）。",
                    "You were signed out after 30 minutes without activity; sign in again with your code."),
           "absolute": ("登录已满12小时，已自动退出，请重新登录。", "Sessions end after 12 hours; please sign in again."),
           "user": ("您已安全退出。", "You have signed out.")}.get(reason)
    if msg:
        st.session_state[K_FLASH] = tr(*msg)


def current_staff(now: dt.datetime | None = None) -> Staff | None:
    """The signed-in account for this (user-triggered) run, stamping the activity clock; None once
    the session has ended (the app handles that first, so this is only a guard)."""
    now = now or clock.now()
    if end_reason(st.session_state, now):
        return None
    s = st.session_state.get(K_STAFF)
    if isinstance(s, Staff):
        st.session_state[K_LAST] = now
        return s
    return None


def denied(what: str = "") -> None:
    """The calm refusal every forbidden page shows. The caller audits it."""
    st.title(tr("无权访问", "Access denied"))
    st.warning(tr("您的账号没有访问此页面的权限。如需开通，请联系本院安全管理员。",
                  "Your account may not open this page. Ask your procuratorate's security administrator."))
    if what:
        st.caption(what)


def staff() -> Staff:
    """The signed-in account, or stop with a prompt to sign in (a page opened outside the app)."""
    s = st.session_state.get(K_STAFF)
    if not isinstance(s, Staff) or end_reason(st.session_state, clock.now()):
        st.warning(tr("请先登录。", "Please sign in first."))
        st.stop()
    return s


def actor() -> Actor:
    """The signed-in account as the audit log records it, with the client address."""
    return Actor.of(staff(), client_addr())


def scope(area: str) -> Scope:
    """The scope this page queries with, derived from the account; "无权访问" (audited) without
    the permission."""
    s = staff()
    try:
        return s.scope(area)
    except AccessDenied:
        refuse(area, s)
        raise AssertionError("unreachable")  # refuse() stops the script


def require(permission: str) -> Staff:
    """Stop the page unless the account holds ``permission`` (for pages whose queries take no scope)."""
    s = staff()
    if not s.may(permission):
        refuse(permission, s)
    return s


_on_denied: list[Callable[[Actor, str], None]] = []


def audit_denials_with(hook: Callable[[Actor, str], None]) -> None:
    """The app hands in the query that audits a refusal (components never reach the database)."""
    _on_denied[:] = [hook]


def refuse(what: str, s: Staff | None = None) -> None:
    """Show "无权访问", audit the attempt, stop the script."""
    s = s or staff()
    denied()
    for hook in _on_denied:
        try:
            hook(Actor.of(s, client_addr()), what)
        except Exception as exc:  # the refusal stands even if the audit row cannot be written
            log.warning("refusal of %s to %s not audited: %s", s.username, what, exc)
    st.stop()

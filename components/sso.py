"""Single sign-on on the dashboards' sign-in page: the 统一身份认证登录 button (Streamlit's own
``st.login`` / ``st.user`` / ``st.logout``, OpenID Connect), and the identity it brings back.

How the sign-in page uses it (the account lookup and audit are ``queries.sso.staff_for_sso``)::

    if sso.configured():
        sso.login_button()
    ident = sso.identity()              # None unless st.user holds a fresh, mappable identity
    if ident is not None:
        staff = staff_for_sso(engine, ident, client_addr=auth.client_addr())
        if staff is None:
            sso.refused(ident)          # the message, shown (and audited) once per IdP sign-in
        else:
            auth.signed_in(staff)       # the app's own session and timeouts from here on
            st.rerun()

On sign-out or a timeout the app calls ``sso.logout()``: Streamlit deletes its identity cookie and
sends the browser to the IdP's end-session endpoint, so the next sign-in authenticates afresh.
Configuration: ``[auth]``, ``[auth.jcy]`` and ``[sso]`` in ``.streamlit/secrets.toml`` (see
``.streamlit/secrets.example.toml`` and docs/sso.md).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st

from components.auth import K_STAFF
from components.i18n import tr
from domain import clock
from domain.sso import PROVIDER, SECTION, SsoError, SsoIdentity, SsoMapping, SsoRefused, auth_problems, map_claims

log = logging.getLogger("jcy.sso")
K_REFUSED = "jcy_sso_refused"  # the IdP sign-in (token_id) already refused in this session


def _secrets(section: str) -> Mapping[str, Any] | None:
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        value = st.secrets.get(section)
    except Exception:  # an unreadable secrets file: SSO is simply not offered (and logged)
        log.exception("secrets.toml could not be read")
        return None
    return value.to_dict() if hasattr(value, "to_dict") else value


def configured() -> bool:
    """True when secrets.toml has ``[auth]`` with the ``jcy`` provider: the page offers SSO."""
    auth = _secrets("auth")
    return isinstance(auth, Mapping) and isinstance(auth.get(PROVIDER), Mapping)


def problems() -> list[str]:
    """What is wrong with the SSO configuration (empty: usable)."""
    out = auth_problems(_secrets("auth"))
    try:
        SsoMapping.from_config(_secrets(SECTION))
    except SsoError as exc:
        out.append(str(exc))
    return out


def mapping() -> SsoMapping:
    return SsoMapping.from_config(_secrets(SECTION))


def login_button(key: str = "jcy_sso_login") -> None:
    """The 统一身份认证登录 button; a broken configuration shows what to fix instead of a traceback."""
    issues = problems()
    if issues:
        st.error(tr("统一身份认证配置有误，请联系系统管理员：", "Single sign-on is misconfigured; tell your administrator:")
                 + "\n\n" + "\n".join(f"- {p}" for p in issues))
        return
    if st.button(tr("统一身份认证登录", "Sign in with single sign-on"), key=key, type="primary",
                 icon=":material/badge:", width="stretch"):
        st.login(PROVIDER)


def _user_claims() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def identity(now: dt.datetime | None = None) -> SsoIdentity | None:
    """The identity st.user holds, mapped, when it may sign in now; otherwise None.

    A stale or unusable identity shows why (the user clicks the button again); one already refused
    in this session shows its refusal again without asking the database a second time. None while
    someone is signed in: from then on the app's own session and timeouts govern."""
    if not configured() or st.session_state.get(K_STAFF) is not None:
        return None
    claims = _user_claims()
    if not claims.get("is_logged_in") or claims.get("provider") != PROVIDER:
        return None
    try:
        ident = map_claims(claims, mapping(), now or clock.now_aware())
    except SsoRefused as r:
        st.warning(tr(r.zh, r.en))
        return None
    except SsoError:
        return None  # login_button() shows the configuration problem
    if st.session_state.get(K_REFUSED) == ident.token_id:
        _show_refusal(ident)
        return None
    return ident


def _show_refusal(ident: SsoIdentity) -> None:
    st.error(tr(f"统一身份账号 {ident.label} 在本系统没有可用的账号或权限，已拒绝登录。"
                "如需开通，请联系本院系统管理员；也可换用其他账号重新认证。",
                f"The single sign-on user {ident.label} has no usable account or role here; sign-in refused. "
                "Ask your procuratorate's system administrator, or authenticate with another account."))


def refused(ident: SsoIdentity) -> None:
    """Tell the user the IdP identity has no account here; remembered for this IdP sign-in, so a
    rerun of the sign-in page neither repeats the lookup nor writes another audit row."""
    st.session_state[K_REFUSED] = ident.token_id
    _show_refusal(ident)


def logged_in() -> bool:
    """Whether Streamlit holds an SSO identity for this browser (its cookie)."""
    claims = _user_claims()
    return bool(claims.get("is_logged_in")) and claims.get("provider") == PROVIDER


def logout() -> bool:
    """End the SSO identity too, on sign-out and on a timeout: Streamlit deletes its cookie and sends
    the browser to the IdP's logout. Returns False (and does nothing) for a password sign-in."""
    if not configured() or not logged_in():
        return False
    st.logout()
    return True

"""Single sign-on (OpenID Connect): which local account an identity provider's user is, and whether
this sign-in may stand. Pure rules; ``components.sso`` reads the claims (``st.user``) and the
configuration (``.streamlit/secrets.toml``), ``queries.sso`` finds the account and audits.

Decisions (docs/sso.md explains them to a deployer):

- **The account is local.** A configurable claim (default ``preferred_username``; a staff number
  works as well) names the local account; the account's procuratorate and roles come from this
  system's database, managed and audited in 账户与权限. An IdP user without a local account is
  refused. The IdP's stable subject (``sub``) is bound to the account at its first SSO sign-in and
  matched first afterwards, so a renamed or recycled IdP login cannot take over a bound account.
- **Groups gate, they do not grant.** If ``[sso] required_groups`` is set, only members of one of
  those IdP groups may sign in at all (the IdP can shut a user out at once: a transfer, a leave);
  roles are never taken from groups. Granting stays with the 安全管理员 and its audit trail (等保
  separation of duties), and the session's roles always equal the account's.
- **A sign-in is fresh or it is nothing.** Streamlit keeps the identity in a signed cookie for 30
  days; an identity whose authentication (``auth_time``, else ``iat``) is older than ``max_age``
  (default 5 minutes) is not accepted, so a closed browser reopened the next day, or another person
  at the same desk, must authenticate at the IdP again.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROVIDER = "jcy"  # the provider name: st.login("jcy"), [auth.jcy] in secrets.toml
SECTION = "sso"  # the mapping's section in secrets.toml
DEFAULT_USERNAME_CLAIM = "preferred_username"
DEFAULT_MAX_AGE = dt.timedelta(minutes=5)
CLOCK_SKEW = dt.timedelta(seconds=60)  # the IdP's clock may run this far ahead of ours
MIN_COOKIE_SECRET = 32  # the identity cookie is only as strong as this secret
_USERNAME = re.compile(r"^[\w.@\-]{1,40}$")  # app_user.username: 40 characters, no spaces or controls


class SsoError(ValueError):
    """A configuration the product cannot use; the message says what to fix (no secret values)."""


class SsoRefused(Exception):
    """This sign-in may not stand. ``reason`` is a short code for the audit log and the tests;
    ``zh``/``en`` what the user is told."""

    def __init__(self, reason: str, zh: str, en: str) -> None:
        super().__init__(f"{reason}: {zh}")
        self.reason, self.zh, self.en = reason, zh, en


@dataclass(frozen=True)
class SsoMapping:
    """How claims become a local account (``[sso]`` in secrets.toml; every key optional)."""

    username_claim: str = DEFAULT_USERNAME_CLAIM
    display_claim: str = "name"
    groups_claim: str = "groups"
    required_groups: frozenset[str] | None = None  # None: no group gate
    max_age: dt.timedelta = DEFAULT_MAX_AGE

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> "SsoMapping":
        """Read ``[sso]``; an unknown key or a bad value raises ``SsoError`` naming it."""
        section = dict(section or {})
        known = {"username_claim", "display_claim", "groups_claim", "required_groups", "max_age_minutes"}
        unknown = sorted(set(section) - known)
        if unknown:
            raise SsoError(f"[sso] 未知的配置项 (unknown keys): {', '.join(unknown)}")
        claims = {}
        for key in ("username_claim", "display_claim", "groups_claim"):
            if key in section:
                value = section[key]
                if not isinstance(value, str) or not value.strip():
                    raise SsoError(f"[sso] {key} 应为声明名称 (must name a claim)")
                claims[key] = value.strip()
        max_age = DEFAULT_MAX_AGE
        if "max_age_minutes" in section:
            minutes = section["max_age_minutes"]
            if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 60:
                raise SsoError("[sso] max_age_minutes 应为 0 到 60 之间的分钟数 (minutes, above 0, at most 60)")
            max_age = dt.timedelta(minutes=minutes)
        required = None
        if "required_groups" in section:
            raw = section["required_groups"]
            if isinstance(raw, str):
                raw = [raw]
            if (not isinstance(raw, (list, tuple)) or not raw
                    or not all(isinstance(g, str) and g.strip() for g in raw)):
                raise SsoError("[sso] required_groups 应为用户组名称列表 (must be a list of group names)")
            required = frozenset(g.strip() for g in raw)
        return cls(**claims, required_groups=required, max_age=max_age)


@dataclass(frozen=True)
class SsoIdentity:
    """An IdP user as this system sees them after mapping: not yet an account (``queries.sso``
    finds that, and refuses, audited, when ``in_required_group`` is False)."""

    issuer: str
    subject: str  # the IdP's stable id for the user (``sub``)
    username: str  # the local account it names (the configured claim)
    display_name: str
    groups: tuple[str, ...] = ()
    in_required_group: bool = True
    authenticated_at: dt.datetime | None = field(default=None, compare=False)  # aware, UTC

    @property
    def token_id(self) -> str:
        """One IdP authentication: a refusal is shown (and audited) once per sign-in, not per rerun."""
        at = self.authenticated_at.timestamp() if self.authenticated_at else ""
        return f"{self.issuer}|{self.subject}|{at}"

    @property
    def label(self) -> str:
        """How a message names the user: 张三（zhangsan）."""
        return f"{self.display_name}（{self.username}）" if self.display_name != self.username else self.username


def _epoch(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _groups(value: Any) -> tuple[str, ...]:
    """Groups as a list of names; Keycloak may send full paths (``/检察院/公诉``): the last part counts
    as well, so either spelling can be configured."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return ()
    out: list[str] = []
    for g in value:
        if isinstance(g, str) and g.strip():
            g = g.strip()
            out.append(g)
            if "/" in g and g.rstrip("/").rsplit("/", 1)[-1] not in out:
                out.append(g.rstrip("/").rsplit("/", 1)[-1])
    return tuple(out)


def map_claims(claims: Mapping[str, Any], mapping: SsoMapping, now: dt.datetime) -> SsoIdentity:
    """The identity the ID token's claims describe, or ``SsoRefused`` (stale, missing claim).

    ``now`` is aware; the IdP's timestamps are Unix times, compared on the same instant line."""
    if now.tzinfo is None:
        raise ValueError("now must be aware (domain.clock.now_aware())")
    issuer, subject = str(claims.get("iss") or ""), claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise SsoRefused("no_subject", "统一身份认证未返回用户标识（sub），无法登录。",
                         "The identity provider sent no subject (sub).")
    username = claims.get(mapping.username_claim)
    if isinstance(username, (int, float)) and not isinstance(username, bool):
        username = str(username)  # a staff number sent as a number
    if not isinstance(username, str) or not username.strip():
        raise SsoRefused("no_username",
                         f"统一身份认证未提供「{mapping.username_claim}」，无法对应本系统账号，请联系管理员。",
                         f"The identity provider sent no '{mapping.username_claim}' claim to name a local account.")
    username = username.strip()
    if not _USERNAME.match(username):
        raise SsoRefused("bad_username", "统一身份认证提供的账号名称不符合本系统的账号格式，请联系管理员。",
                         "The account name sent by the identity provider is not a valid local account name.")
    at = _epoch(claims.get("auth_time")) or _epoch(claims.get("iat"))
    if at is None:
        raise SsoRefused("no_time", "统一身份认证未提供认证时间，无法登录。",
                         "The identity provider sent no authentication time.")
    age = now - at
    if age > mapping.max_age or age < -CLOCK_SKEW:
        minutes = int(mapping.max_age.total_seconds() // 60) or 1
        raise SsoRefused("stale", f"统一身份认证的登录已超过{minutes}分钟（或时间不符），请重新认证。",
                         f"Your single sign-on is older than {minutes} minutes (or the clocks disagree); "
                         f"please sign in again.")
    display = claims.get(mapping.display_claim)
    display = display.strip() if isinstance(display, str) and display.strip() else username
    groups = _groups(claims.get(mapping.groups_claim))
    member = mapping.required_groups is None or bool(mapping.required_groups & set(groups))
    return SsoIdentity(issuer, subject.strip(), username, display[:40], groups, member, at)


def auth_problems(auth: Mapping[str, Any] | None) -> list[str]:
    """What is missing or unsafe in ``[auth]`` / ``[auth.jcy]`` (empty: st.login can run).

    Checked before calling ``st.login`` so a deployer reads a sentence, not a traceback, and a weak
    ``cookie_secret`` is refused: it signs the identity cookie, so whoever guesses it can sign in as
    anyone."""
    if not auth:
        return ["缺少 [auth] 配置 (no [auth] section)"]
    problems = []
    redirect = auth.get("redirect_uri")
    if not isinstance(redirect, str) or not re.match(r"^https?://[^/]+/(.+/)?oauth2callback$", redirect):
        problems.append("[auth] redirect_uri 应为 http(s)://主机:端口/oauth2callback "
                        "(must be http(s)://host:port/oauth2callback)")
    secret = auth.get("cookie_secret")
    if not isinstance(secret, str) or len(secret) < MIN_COOKIE_SECRET or "CHANGE" in secret.upper():
        problems.append(f"[auth] cookie_secret 应为至少{MIN_COOKIE_SECRET}个字符的随机值 "
                        f"(must be a random value of at least {MIN_COOKIE_SECRET} characters; "
                        "python -c \"import secrets; print(secrets.token_urlsafe(48))\")")
    provider = auth.get(PROVIDER)
    if not isinstance(provider, Mapping):
        problems.append(f"缺少 [auth.{PROVIDER}] 配置 (no [auth.{PROVIDER}] section)")
        return problems
    for key in ("client_id", "client_secret"):
        if not isinstance(provider.get(key), str) or not provider.get(key):
            problems.append(f"[auth.{PROVIDER}] 缺少 {key} (missing {key})")
    url = provider.get("server_metadata_url")
    if not isinstance(url, str) or not re.match(r"^https?://[^/]+/.*\.well-known/openid-configuration$", url):
        problems.append(f"[auth.{PROVIDER}] server_metadata_url 应为 …/.well-known/openid-configuration "
                        "(must be the provider's discovery URL)")
    return problems

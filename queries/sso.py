"""Single sign-on: the local account an OpenID Connect identity signs in as, audited either way.

The mapping rules are in ``domain.sso``; this module finds the account (``app_user.sso_subject``
first, then the user name the configured claim names), binds the IdP's subject to the account on
its first SSO sign-in, refuses a user outside the required IdP groups, and writes the audit row
(登录, target 统一身份认证, detail ``via=sso``) for a success and for a refusal.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, select, update

from domain import clock
from domain.access import Actor, Staff
from domain.sso import SsoIdentity
from queries.accounts import load_staff
from queries.audit import record
from queries.schema import AppUser

TARGET = "统一身份认证"


def _account(conn: Connection, identity: SsoIdentity) -> tuple[int | None, str | None, bool]:
    """(user id, why refused, bind the subject now). The bound subject wins over the name."""
    bound = conn.execute(select(AppUser.id, AppUser.active).where(AppUser.sso_subject == identity.subject)).first()
    if bound is not None:
        return (int(bound.id), None, False) if bound.active else (None, "账号已停用", False)
    row = conn.execute(select(AppUser.id, AppUser.active, AppUser.sso_subject, AppUser.role)
                       .where(AppUser.username == identity.username)).first()
    if row is None or row.role == "lawyer":
        return None, "本系统无对应账号", False
    if not row.active:
        return None, "账号已停用", False
    if row.sso_subject is not None:
        # The name matches but the account belongs to another IdP user (a recycled login name).
        return None, "账号已绑定其他统一身份", False
    return int(row.id), None, True


def staff_for_sso(engine: Engine, identity: SsoIdentity, *, now: dt.datetime | None = None,
                  client_addr: str | None = None) -> Staff | None:
    """The account ``identity`` signs in as (``via="sso"``), or None when refused; audited either way."""
    now = now or clock.now_precise()
    detail = f"via=sso sub={identity.subject} iss={identity.issuer}"
    with engine.begin() as conn:
        user_id, why, bind = _account(conn, identity)
        staff = load_staff(conn, user_id, via="sso") if user_id is not None else None
        if user_id is not None and staff is None:
            why = "账号不可用"  # not a staff account, or its procuratorate is gone
        if staff is not None and not identity.in_required_group:
            staff, why = None, "不在准许登录的统一身份用户组"
        if staff is None:
            record(conn, actor=Actor(identity.username, "-", client_addr=client_addr), event="登录",
                   target=TARGET, result="拒绝", detail=f"{why}; {detail}", at=now)
            return None
        if bind:
            conn.execute(update(AppUser).where(AppUser.id == staff.user_id, AppUser.sso_subject.is_(None))
                         .values(sso_subject=identity.subject))
            record(conn, actor=Actor.of(staff, client_addr), event="绑定统一身份", target=staff.username,
                   result="成功", detail=detail, at=now)
        record(conn, actor=Actor.of(staff, client_addr), event="登录", target=TARGET, result="成功",
               detail=detail, at=now)
    return staff

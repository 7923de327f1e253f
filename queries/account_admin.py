"""Account administration (账户与权限): the system administrator manages accounts, the security
administrator their roles; every change and every refusal is audited with the real actor.

等保 level 3 separates the three administrators, and these rules hold it in the query layer, so a
page that forgot to check would still be refused:
- 系统管理员 (permission ``accounts``): list, create (issued random password, no roles), reset a
  password or the second factor, unlock, disable / enable. Never roles.
- 安全管理员 (permission ``roles``): set roles, checked with ``domain.access.role_conflict``. Never
  credentials.
- Nobody administers their own account, and the installation always keeps at least one active
  system administrator, security administrator and security auditor.
- The system administrator can never hold both factors of another administrator: a password is
  reset only while the owner's second factor stands, the second factor only while the password is
  the owner's own, and an administrator role is granted only to an account whose owner has changed
  the issued password and enrolled a second factor.
- A district-level administrator administers its own procuratorate's accounts; a city-level one
  every procuratorate's. Lawyer accounts (the portal's) are not staff and never appear here.

Only ``app_user``, ``user_role``, ``procuratorate`` and ``login_lock`` are read: no case data.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from domain import clock
from domain.access import ADMIN_ROLES, AUDITOR, ROLE_NAMES, SECADMIN, STAFF_ROLES, SYSADMIN, AccessDenied, \
    Actor, Staff, role_conflict
from domain.passwords import new_password
from queries.accounts import load_staff
from queries.audit import record
from queries.password_hash import hash_password
from queries.schema import AppUser, LoginLock, Procuratorate, UserRole
from queries.signin import _reset as _clear_lock
from queries.signin import _subject as _lock_subject

ACCOUNTS, ROLES = "accounts", "roles"
USERNAME_RE = re.compile(r"[a-z][a-z0-9_.-]{2,39}")
NO_ROLE = "staff"  # app_user.role of a staff account that holds no role yet (not a role: opens nothing)


class AccountError(ValueError):
    """A change the rules refuse (own account, last administrator, conflicting roles, bad input).
    The message is a Chinese sentence for the administrator."""


@dataclass(frozen=True)
class Account:
    """One staff account as the administrators see it: no password hash, no secret, no case data."""

    user_id: int
    username: str
    display_name: str
    procuratorate_id: int
    procuratorate: str
    roles: frozenset[str]
    active: bool
    must_change_password: bool
    has_second_factor: bool
    locked_until: dt.datetime | None  # None: not locked now
    sso: bool
    created_at: dt.datetime | None
    password_changed_at: dt.datetime | None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_NAMES[r][0] for r in STAFF_ROLES if r in self.roles)


@dataclass(frozen=True)
class Issued:
    """A password issued by the system administrator: shown once, never stored in clear."""

    user_id: int
    username: str
    password: str


# ----------------------------------------------------------------------------- helpers


def _roles_text(roles) -> str:
    return "、".join(ROLE_NAMES[r][0] for r in STAFF_ROLES if r in roles) or "无"


def _refuse(engine: Engine, actor: Actor, event: str, target: str | None, reason: str,
            exc: type[Exception] = AccountError) -> None:
    """Audit a refused change in its own transaction (the change's was rolled back), then raise."""
    with engine.begin() as conn:
        record(conn, actor=actor, event=event, target=target, result="拒绝", detail=reason)
    raise exc(reason)


def _acting(conn: Connection, staff: Staff, permission: str) -> Staff | None:
    """The acting account as it is now (a role taken away or an account disabled since sign-in
    applies at once), or None if it may not do this."""
    now = load_staff(conn, staff.user_id, staff.via)
    return now if now is not None and now.may(permission) else None


def _serialise(conn: Connection) -> None:
    """Take the write lock on the administrators' rows first, so that two concurrent changes cannot
    each see "another administrator is left" and both remove theirs (PostgreSQL: row locks, later
    statements see the other's commit; SQLite: the database's write lock, taken before any read)."""
    admins = select(UserRole.user_id).where(UserRole.role.in_(ADMIN_ROLES))
    conn.execute(update(AppUser).where(AppUser.id.in_(admins)).values(active=AppUser.active))


def _in_reach(admin: Staff):
    """Which accounts this administrator administers: a city-level one all, a district one its own
    procuratorate's. Lawyers never."""
    cond = AppUser.role != "lawyer"
    if admin.district_id is not None:
        cond = cond & (AppUser.procuratorate_id == admin.procuratorate_id)
    return cond


def _target(conn: Connection, admin: Staff, user_id: int):
    return conn.execute(select(AppUser.id, AppUser.username, AppUser.active, AppUser.must_change_password,
                               AppUser.totp_secret, AppUser.sso_subject)
                        .where(AppUser.id == int(user_id), _in_reach(admin))).first()


def _roles_of(conn: Connection, user_id: int) -> frozenset[str]:
    return frozenset(r for (r,) in conn.execute(select(UserRole.role).where(UserRole.user_id == user_id)))


def _others_active(conn: Connection, role: str, user_id: int) -> int:
    """Active accounts other than ``user_id`` that hold ``role``."""
    return conn.execute(select(func.count()).select_from(UserRole).join(AppUser, AppUser.id == UserRole.user_id)
                        .where(UserRole.role == role, AppUser.active.is_(True), AppUser.id != user_id)).scalar_one()


def _last_admin(conn: Connection, user_id: int, losing: frozenset[str]) -> str | None:
    """Why ``user_id`` may not lose ``losing`` (while active): it is the last active holder of one of
    the three administrator roles."""
    for role in (SYSADMIN, SECADMIN, AUDITOR):
        if role in losing and _others_active(conn, role, user_id) == 0:
            return f"{ROLE_NAMES[role][0]}至少要保留一个启用的账号，此操作会使系统没有{ROLE_NAMES[role][0]}。"
    return None


def _now_locks(conn: Connection, usernames: list[str], now: dt.datetime) -> dict[str, dt.datetime]:
    subjects = {_lock_subject(u): u for u in usernames}
    if not subjects:
        return {}
    rows = conn.execute(select(LoginLock.subject_hash, LoginLock.locked_until)
                        .where(LoginLock.subject_hash.in_(list(subjects)), LoginLock.locked_until > now))
    return {subjects[s]: until for s, until in rows}


def _check_username(username: str) -> str:
    name = unicodedata.normalize("NFKC", username or "").strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise AccountError("账号名须为 3–40 位，以小写字母开头，只含小写字母、数字、下划线、点或连字符。")
    return name


def _check_display_name(display_name: str) -> str:
    name = unicodedata.normalize("NFKC", display_name or "").strip()
    if not name or len(name) > 40 or any(unicodedata.category(c).startswith("C") for c in name):
        raise AccountError("姓名须为 1–40 个字符，不含控制字符。")
    return name


# ----------------------------------------------------------------------------- reading


def procuratorates(engine: Engine, staff: Staff) -> list[tuple[int, str]]:
    """The procuratorates whose accounts this administrator may administer (id, name)."""
    if not staff.may(f"{ACCOUNTS}|{ROLES}"):
        raise AccessDenied(f"{staff.username} 无权管理账号")
    stmt = select(Procuratorate.id, Procuratorate.name).order_by(Procuratorate.id)
    if staff.district_id is not None:
        stmt = stmt.where(Procuratorate.id == staff.procuratorate_id)
    with engine.connect() as conn:
        return [(int(i), n) for i, n in conn.execute(stmt)]


def list_accounts(engine: Engine, staff: Staff, procuratorate_id: int | None = None, *,
                  now: dt.datetime | None = None) -> list[Account]:
    """Staff accounts within the administrator's reach (one procuratorate, or all it may see), with
    their roles, state and whether the sign-in lock holds them now. Needs ``accounts`` or ``roles``."""
    now = now or clock.now()
    with engine.connect() as conn:
        if _acting(conn, staff, f"{ACCOUNTS}|{ROLES}") is None:
            raise AccessDenied(f"{staff.username} 无权查看账号")
        stmt = (select(AppUser.id, AppUser.username, AppUser.display_name, AppUser.procuratorate_id,
                       Procuratorate.name, AppUser.active, AppUser.must_change_password, AppUser.totp_secret,
                       AppUser.sso_subject, AppUser.created_at, AppUser.password_changed_at)
                .join(Procuratorate, Procuratorate.id == AppUser.procuratorate_id)
                .where(_in_reach(staff)).order_by(AppUser.procuratorate_id, AppUser.username))
        if procuratorate_id is not None:
            stmt = stmt.where(AppUser.procuratorate_id == int(procuratorate_id))
        rows = conn.execute(stmt).all()
        ids = [r.id for r in rows]
        roles: dict[int, set[str]] = {i: set() for i in ids}
        if ids:
            for uid, role in conn.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids))):
                roles[uid].add(role)
        locks = _now_locks(conn, [r.username for r in rows], now)
    return [Account(int(r.id), r.username, r.display_name, int(r.procuratorate_id), r.name,
                    frozenset(roles[r.id]), bool(r.active), bool(r.must_change_password), r.totp_secret is not None,
                    locks.get(r.username), r.sso_subject is not None, r.created_at, r.password_changed_at)
            for r in rows]


# ----------------------------------------------------------------------------- 系统管理员


def create_account(engine: Engine, staff: Staff, actor: Actor, username: str, display_name: str,
                   procuratorate_id: int) -> Issued:
    """A new staff account with an issued random password (changed at first sign-in) and no roles:
    the security administrator gives those."""
    event = "创建账号"
    name = _check_username(username)
    display = _check_display_name(display_name)
    now = clock.now()
    password = new_password()
    digest = hash_password(password)
    with engine.begin() as conn:
        admin = _acting(conn, staff, ACCOUNTS)
        proc = conn.execute(select(Procuratorate.name).where(Procuratorate.id == int(procuratorate_id))).scalar()
        if admin is None:
            reason, exc = "无账号管理权限", AccessDenied
        elif proc is None or (admin.district_id is not None and int(procuratorate_id) != admin.procuratorate_id):
            reason, exc = "所属检察院不存在或不在本院管理范围", AccessDenied
        elif conn.execute(select(AppUser.id).where(func.lower(AppUser.username) == name)).first() is not None:
            reason, exc = f"账号名 {name} 已被使用，请换一个。", AccountError
        else:
            uid = conn.execute(insert(AppUser).values(
                username=name, display_name=display, role=NO_ROLE, procuratorate_id=int(procuratorate_id),
                password_hash=digest, active=True, created_at=now, must_change_password=True,
                password_changed_at=None, totp_secret=None, totp_last_step=None)).inserted_primary_key[0]
            record(conn, actor=actor, event=event, target=name, result="成功",
                   detail=f"姓名：{display}；所属院：{proc}；已发放初始密码（首次登录须修改），暂无角色")
            return Issued(int(uid), name, password)
    _refuse(engine, actor, event, name, reason, exc)
    raise AssertionError("unreachable")


def _credential_change(engine: Engine, staff: Staff, actor: Actor, user_id: int, event: str, change) -> str:
    """The shared frame of the system administrator's changes to one account: permission, reach,
    not one's own account, then ``change(conn, target, roles)`` which returns the audit detail or
    raises ``AccountError`` with the reason. Returns the target's username."""
    with engine.begin() as conn:
        _serialise(conn)
        admin = _acting(conn, staff, ACCOUNTS)
        target = _target(conn, admin, user_id) if admin is not None else None
        if target is None:
            reason, exc, name = "无账号管理权限或账号不在管理范围", AccessDenied, str(user_id)
        elif target.id == admin.user_id:
            reason, exc, name = "不能对自己的账号执行此操作（需由另一位系统管理员办理）", AccountError, target.username
        else:
            try:
                detail = change(conn, target, _roles_of(conn, target.id))
            except AccountError as e:
                reason, exc, name = str(e), AccountError, target.username
            else:
                record(conn, actor=actor, event=event, target=target.username, result="成功", detail=detail)
                return target.username
    _refuse(engine, actor, event, name, reason, exc)
    raise AssertionError("unreachable")


def reset_password(engine: Engine, staff: Staff, actor: Actor, user_id: int) -> Issued:
    """Issue a new random password (shown once; the owner must change it at the next sign-in)."""
    password = new_password()
    digest = hash_password(password)

    def change(conn: Connection, t, roles: frozenset[str]) -> str:
        if t.sso_subject is not None:
            raise AccountError("该账号通过统一身份认证登录，密码由身份认证系统管理。")
        if roles & ADMIN_ROLES and t.totp_secret is None:
            raise AccountError("该管理员账号尚未绑定动态验证码：重置密码后，持有新密码者即可自行绑定并登录。"
                               "请本人先完成动态验证码绑定，或由运维人员在服务器上处理。")
        conn.execute(update(AppUser).where(AppUser.id == t.id).values(
            password_hash=digest, must_change_password=True, password_changed_at=None))
        return "已发放新的初始密码（仅显示一次），下次登录须修改" + ("；管理员账号" if roles & ADMIN_ROLES else "")

    name = _credential_change(engine, staff, actor, user_id, "重置密码", change)
    return Issued(int(user_id), name, password)


def reset_second_factor(engine: Engine, staff: Staff, actor: Actor, user_id: int) -> str:
    """Clear the TOTP secret so the owner enrols again at the next sign-in (a lost phone). Returns
    the account's username."""
    def change(conn: Connection, t, roles: frozenset[str]) -> str:
        if t.totp_secret is None:
            raise AccountError("该账号尚未绑定动态验证码，无需重置。")
        if roles & ADMIN_ROLES and t.must_change_password:
            raise AccountError("该管理员账号的密码仍是发放的初始密码：此时重置动态验证码，知道初始密码者即可登录。"
                               "请本人先修改密码。")
        conn.execute(update(AppUser).where(AppUser.id == t.id).values(totp_secret=None, totp_last_step=None))
        return "已清除动态验证码，下次登录须重新绑定" + ("；管理员账号" if roles & ADMIN_ROLES else "")

    return _credential_change(engine, staff, actor, user_id, "重置动态验证码", change)


def set_active(engine: Engine, staff: Staff, actor: Actor, user_id: int, active: bool) -> str:
    """Disable (the account can no longer sign in; an open session ends at its next step) or enable
    an account. Returns its username."""
    def change(conn: Connection, t, roles: frozenset[str]) -> str:
        if bool(t.active) == bool(active):
            raise AccountError("该账号已是启用状态。" if active else "该账号已是停用状态。")
        if not active:
            problem = _last_admin(conn, t.id, roles & ADMIN_ROLES)
            if problem:
                raise AccountError(problem)
        conn.execute(update(AppUser).where(AppUser.id == t.id).values(active=bool(active)))
        return "启用 → 停用" if not active else "停用 → 启用"

    return _credential_change(engine, staff, actor, user_id, "启用账号" if active else "停用账号", change)


def unlock(engine: Engine, staff: Staff, actor: Actor, user_id: int, *, now: dt.datetime | None = None) -> str:
    """Lift the sign-in lock (5 failures → 30 minutes) before it runs out, e.g. after the owner
    called. Returns the account's username."""
    now = now or clock.now()

    def change(conn: Connection, t, roles: frozenset[str]) -> str:
        if t.username not in _now_locks(conn, [t.username], now):
            raise AccountError("该账号当前未被锁定。")
        _clear_lock(conn, _lock_subject(t.username))
        return "解除登录失败锁定"

    return _credential_change(engine, staff, actor, user_id, "解除锁定", change)


# ----------------------------------------------------------------------------- 安全管理员


def set_roles(engine: Engine, staff: Staff, actor: Actor, user_id: int, roles) -> frozenset[str]:
    """Give an account exactly ``roles`` (security administrator only). Refused: one's own roles,
    conflicting roles (``role_conflict``), leaving no active holder of an administrator role, and
    an administrator role for an account whose owner has not yet taken over its credentials."""
    event = "设置角色"
    wanted = frozenset(roles)
    with engine.begin() as conn:
        _serialise(conn)
        admin = _acting(conn, staff, ROLES)
        target = _target(conn, admin, user_id) if admin is not None else None
        if target is None:
            reason, exc, name = "无角色管理权限或账号不在管理范围", AccessDenied, str(user_id)
        else:
            name, exc = target.username, AccountError
            old = _roles_of(conn, target.id)
            reason = None
            if target.id == admin.user_id:
                reason = "不能修改自己的角色（需由另一位安全管理员办理）"
            elif (problem := role_conflict(wanted)) is not None:
                reason = problem
            elif wanted == old:
                reason = "角色没有变化。"
            elif target.active and (problem := _last_admin(conn, target.id, old - wanted)):
                reason = problem
            elif (wanted - old) & ADMIN_ROLES and (target.must_change_password or target.totp_secret is None):
                reason = "管理角色只能授予已修改初始密码并绑定动态验证码的账号（请本人先完成首次登录）。"
            if reason is None:
                conn.execute(delete(UserRole).where(UserRole.user_id == target.id))
                conn.execute(insert(UserRole), [dict(user_id=target.id, role=r) for r in sorted(wanted)])
                main = next(r for r in STAFF_ROLES if r in wanted)
                conn.execute(update(AppUser).where(AppUser.id == target.id).values(role=main))
                record(conn, actor=actor, event=event, target=name, result="成功",
                       detail=f"角色：{_roles_text(old)} → {_roles_text(wanted)}")
                return wanted
    _refuse(engine, actor, event, name, reason, exc)
    raise AssertionError("unreachable")

"""Staff sign-in on the dashboards: password, then a TOTP second factor (RFC 6238), a forced change
of an issued password, and enrolment of the second factor at first sign-in (等保 level 3: two
factors, one cryptographic; login-failure handling).

Rules, each tested in tests/test_signin.py:
- 5 failed attempts (password or code) lock the account name for 30 minutes. Unknown names are
  counted and locked the same way, verified against a dummy hash, and get the same answer, so a
  guesser learns nothing about which accounts exist.
- A TOTP code is accepted once: a replay within the same 30-second step is refused.
- The TOTP secret is stored encrypted (AES-GCM, key derived from the installation's hash key).
- Every step's result is audited with the account name (never the password or the code).
"""
from __future__ import annotations

import base64
import datetime as dt
import hmac
import os
from dataclasses import dataclass

import pyotp
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, insert, or_, select, update

from domain import clock
from domain.access import Actor, Staff
from domain.passwords import password_problem
from queries.accounts import load_staff
from queries.audit import record
from queries.crypto import keyed_hash
from queries.password_hash import hash_password, needs_rehash, password_ok
from queries.schema import AppUser, LoginLock

MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=30)
PENDING_FOR = dt.timedelta(minutes=10)  # password accepted → the second factor must follow within
ISSUER = "上海检察工作台"
REFUSED = "账号、密码或验证码不正确；连续失败 5 次，账号将锁定 30 分钟。"
LOCKED = "登录失败次数过多，该账号已临时锁定，请 30 分钟后再试或联系系统管理员。"


@dataclass(frozen=True)
class PasswordStep:
    """After the password: either refused (one neutral message), or the steps still to do."""

    ok: bool
    message: str = ""
    user_id: int | None = None
    username: str = ""
    needs_code: bool = False  # a second factor is enrolled: ask for it
    needs_change: bool = False  # an issued password: change it first
    needs_enrolment: bool = False  # no second factor yet: enrol one


def _subject(username: str) -> str:
    return keyed_hash("staff:" + (username or "").strip().lower()[:40], "login-lock")


def _locked(conn: Connection, subject: str, now: dt.datetime) -> bool:
    row = conn.execute(select(LoginLock.locked_until).where(LoginLock.subject_hash == subject)).first()
    return bool(row and row.locked_until and row.locked_until > now)


def _fail(conn: Connection, subject: str, now: dt.datetime) -> bool:
    """Count one failure; True when this one locks the name."""
    row = conn.execute(select(LoginLock.failures, LoginLock.locked_until)
                       .where(LoginLock.subject_hash == subject)).first()
    failures = 0 if row is None or (row.locked_until and row.locked_until <= now) else row.failures
    failures += 1
    until = now + LOCK_FOR if failures >= MAX_FAILURES else None
    values = dict(failures=0 if until else failures, locked_until=until)
    if row is None:
        conn.execute(insert(LoginLock).values(subject_hash=subject, **values))
    else:
        conn.execute(update(LoginLock).where(LoginLock.subject_hash == subject).values(**values))
    return until is not None


def _reset(conn: Connection, subject: str) -> None:
    conn.execute(update(LoginLock).where(LoginLock.subject_hash == subject).values(failures=0, locked_until=None))


def check_password(engine: Engine, username: str, password: str, *, client_addr: str | None = None,
                   now: dt.datetime | None = None) -> PasswordStep:
    """Step 1. The same answer and the same work for a wrong password, an unknown or disabled account
    and a locked one."""
    now = now or clock.now()
    name = (username or "").strip()[:40]
    subject = _subject(name)
    who = Actor(name or "-", "工作人员", None, client_addr)
    with engine.begin() as conn:
        row = conn.execute(select(AppUser.id, AppUser.username, AppUser.password_hash, AppUser.totp_secret,
                                  AppUser.must_change_password)
                           .where(AppUser.username == name, AppUser.active.is_(True),
                                  AppUser.role != "lawyer")).first()
        ok = password_ok(row.password_hash if row else None, password)
        if _locked(conn, subject, now):
            record(conn, actor=who, event="登录", target="工作台", result="锁定", detail="账号锁定期内尝试", at=now)
            return PasswordStep(False, LOCKED)
        if not ok:
            locked = _fail(conn, subject, now)
            record(conn, actor=who, event="登录", target="工作台", result="失败", detail="账号或密码错误", at=now)
            if locked:
                record(conn, actor=who, event="账号锁定", target="工作台", result="锁定",
                       detail=f"连续失败 {MAX_FAILURES} 次，锁定 30 分钟", at=now)
                return PasswordStep(False, LOCKED)
            return PasswordStep(False, REFUSED)
        if needs_rehash(row.password_hash):
            conn.execute(update(AppUser).where(AppUser.id == row.id).values(password_hash=hash_password(password)))
        record(conn, actor=who, event="登录口令验证", target="工作台", result="成功", at=now)
    return PasswordStep(True, "", int(row.id), row.username, needs_code=row.totp_secret is not None,
                        needs_change=bool(row.must_change_password), needs_enrolment=row.totp_secret is None)


# ----------------------------------------------------------------------------- second factor


def _aead() -> AESGCM:
    return AESGCM(bytes.fromhex(keyed_hash("totp-secret-encryption-v1", "enc")))


def _seal(secret: str, user_id: int) -> str:
    nonce = os.urandom(12)
    box = _aead().encrypt(nonce, secret.encode(), f"totp:{user_id}".encode())
    return "v1:" + base64.b64encode(nonce + box).decode()


def _open(sealed: str, user_id: int) -> str:
    raw = base64.b64decode(sealed.split(":", 1)[1])
    return _aead().decrypt(raw[:12], raw[12:], f"totp:{user_id}".encode()).decode()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app scans (any RFC 6238 app)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now_unix: float) -> int | None:
    """The 30-second step (now, or one either side for clock drift) whose code this is."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now_unix // totp.interval)
    for s in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(s * totp.interval), code):
            return s
    return None


def _use_step(conn: Connection, user_id: int, step: int) -> bool:
    """Accept a step once: the update succeeds only if no code of this or a later step was used."""
    n = conn.execute(update(AppUser).where(AppUser.id == user_id, or_(AppUser.totp_last_step.is_(None),
                                                                      AppUser.totp_last_step < step))
                     .values(totp_last_step=step)).rowcount
    return n == 1


def check_code(engine: Engine, user_id: int, code: str, *, client_addr: str | None = None,
               now: dt.datetime | None = None) -> str | None:
    """Step 2 for an enrolled account: None if the code is good, else the message to show."""
    now = now or clock.now()
    with engine.begin() as conn:
        row = conn.execute(select(AppUser.username, AppUser.totp_secret).where(AppUser.id == user_id)).first()
        subject = _subject(row.username)
        who = Actor(row.username, "工作人员", None, client_addr, user_id)
        if _locked(conn, subject, now):
            record(conn, actor=who, event="动态验证码", target="工作台", result="锁定", at=now)
            return LOCKED
        step = _matching_step(_open(row.totp_secret, user_id), code, _unix(now)) if row.totp_secret else None
        if step is not None and _use_step(conn, user_id, step):
            record(conn, actor=who, event="动态验证码", target="工作台", result="成功", at=now)
            return None
        locked = _fail(conn, subject, now)
        record(conn, actor=who, event="动态验证码", target="工作台", result="失败",
               detail="验证码已使用" if step is not None else "验证码错误", at=now)
        return LOCKED if locked else REFUSED


def enrol(engine: Engine, user_id: int, secret: str, code: str, *, client_addr: str | None = None,
          now: dt.datetime | None = None) -> str | None:
    """First sign-in: the user scanned ``secret`` and typed its current code. None when enrolled."""
    now = now or clock.now()
    with engine.begin() as conn:
        row = conn.execute(select(AppUser.username, AppUser.totp_secret).where(AppUser.id == user_id)).first()
        who = Actor(row.username, "工作人员", None, client_addr, user_id)
        if row.totp_secret is not None:
            return "该账号已绑定动态验证码。"
        step = _matching_step(secret, code, _unix(now))
        if step is None:
            record(conn, actor=who, event="绑定动态验证码", target="工作台", result="失败", at=now)
            return "验证码不正确，请确认手机时间准确后重新输入当前的 6 位数字。"
        conn.execute(update(AppUser).where(AppUser.id == user_id)
                     .values(totp_secret=_seal(secret, user_id), totp_last_step=step))
        record(conn, actor=who, event="绑定动态验证码", target="工作台", result="成功", at=now)
    return None


def _unix(now: dt.datetime) -> float:
    """The Shanghai wall time ``now`` as a Unix time (TOTP counts from the epoch)."""
    return now.replace(tzinfo=clock.SHANGHAI).timestamp()


# ----------------------------------------------------------------------------- password change


def change_password(engine: Engine, user_id: int, new: str, confirm: str, *, client_addr: str | None = None,
                    now: dt.datetime | None = None) -> str | None:
    """Set a new password (after the issued one, or by choice). None when changed, else why not."""
    now = now or clock.now()
    if new != confirm:
        return "两次输入的新密码不一致。"
    with engine.begin() as conn:
        row = conn.execute(select(AppUser.username, AppUser.password_hash).where(AppUser.id == user_id)).first()
        problem = password_problem(new, row.username)
        if problem is None and password_ok(row.password_hash, new):
            problem = "新密码不能与当前密码相同。"
        who = Actor(row.username, "工作人员", None, client_addr, user_id)
        if problem:
            record(conn, actor=who, event="修改密码", target=row.username, result="失败", detail=problem, at=now)
            return problem
        conn.execute(update(AppUser).where(AppUser.id == user_id).values(
            password_hash=hash_password(new), must_change_password=False, password_changed_at=now))
        record(conn, actor=who, event="修改密码", target=row.username, result="成功", at=now)
    return None


def complete(engine: Engine, user_id: int, *, client_addr: str | None = None,
             now: dt.datetime | None = None) -> Staff | None:
    """All steps done: the account as it is now, the failure count cleared, the sign-in audited."""
    now = now or clock.now()
    with engine.begin() as conn:
        staff = load_staff(conn, user_id)
        if staff is None:
            return None
        _reset(conn, _subject(staff.username))
        record(conn, actor=Actor.of(staff, client_addr), event="登录", target="工作台", result="成功",
               detail="口令＋动态验证码", at=now)
    return staff


def record_logout(engine: Engine, actor: Actor, reason: str) -> None:
    """A session ended: by the user, or after 30 minutes idle / 12 hours (等保: 登录连接超时自动退出)."""
    detail = {"user": "主动退出", "idle": "30分钟无操作，自动退出", "absolute": "登录满12小时，自动退出",
              "disabled": "账号已停用或角色变更"}.get(reason, reason)
    with engine.begin() as conn:
        record(conn, actor=actor, event="退出登录", target="工作台", result="成功", detail=detail)

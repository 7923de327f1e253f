"""Accounts ready to sign in, for tests: a known password and an enrolled second factor, set the
way the product stores them (Argon2id hash, sealed TOTP secret)."""
from __future__ import annotations

import pyotp
from sqlalchemy import update

from domain import clock
from queries import signin
from queries.password_hash import hash_password
from queries.schema import AppUser

PASSWORD = "Morning tea at the 5th floor"  # passes the policy; only ever set by tests


def ready(engine, user_id: int, *, password: str = PASSWORD, enrolled: bool = True,
          must_change: bool = False) -> str | None:
    """Give account ``user_id`` a known password (and a fresh TOTP secret); returns the secret."""
    secret = pyotp.random_base32() if enrolled else None
    with engine.begin() as conn:
        conn.execute(update(AppUser).where(AppUser.id == user_id).values(
            password_hash=hash_password(password), must_change_password=must_change,
            totp_secret=signin._seal(secret, user_id) if secret else None, totp_last_step=None))
    return secret


def code_now(secret: str, offset_steps: int = 0) -> str:
    """The authenticator app's code at the product clock's time."""
    totp = pyotp.TOTP(secret)
    return totp.at(signin._unix(clock.now()) + offset_steps * totp.interval)


def browser_sign_in(page, engine, username: str, url: str | None = None) -> None:
    """Sign ``username`` in through the real sign-in page (password, then the dynamic code). The
    page must show the sign-in form (open ``url`` first if given)."""
    from sqlalchemy import select

    from tests.browser import UI_TIMEOUT_MS, wait_for_app

    with engine.connect() as c:
        uid = c.execute(select(AppUser.id).where(AppUser.username == username)).scalar_one()
    secret = ready(engine, uid)
    if url:
        page.goto(url)
    wait_for_app(page)
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步", exact=True).click()
    page.get_by_label("动态验证码").wait_for(timeout=UI_TIMEOUT_MS)
    page.get_by_label("动态验证码").fill(code_now(secret))
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("退出登录").wait_for(timeout=UI_TIMEOUT_MS)
    wait_for_app(page)

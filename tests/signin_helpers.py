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

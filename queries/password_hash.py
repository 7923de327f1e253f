"""The one Argon2id profile every password (staff and lawyers) is hashed and verified with.

OWASP's "m=12 MiB, t=3, p=1" profile (Password Storage Cheat Sheet): about 35 ms on a loaded 2-core
box, where argon2-cffi's defaults (64 MiB, p=4) take ~0.5 s and would let a few sign-in attempts tie
up a server's CPU. Older hashes are upgraded on the next good sign-in.
"""
from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PH = PasswordHasher(time_cost=3, memory_cost=12288, parallelism=1)


def hash_password(password: str) -> str:
    return PH.hash(password)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return PH.hash("not-a-real-password")


def password_ok(stored: str | None, password: str) -> bool:
    """Always runs one Argon2 verification, so an unknown account costs the same time."""
    try:
        return PH.verify(stored or _dummy_hash(), password or "") and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return PH.check_needs_rehash(stored)
    except InvalidHashError:
        return False

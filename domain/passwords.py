"""The staff password policy (等保 level 3 身份鉴别: complex passwords; NIST 800-63B §5.1.1.2:
length and a blocklist rather than composition rules), and how issued passwords are made.

A password has at least 12 characters, is not the user name (nor contains it), and is not in the
bundled list of common passwords (``domain/data/common_passwords.txt``).
"""
from __future__ import annotations

import functools
import secrets
import unicodedata
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
# No look-alike characters (0/O, 1/l/I): an issued password is read off a screen and typed.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(x for x in lines if x and not x.startswith("#"))


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used (a Chinese sentence for the user), or None if it may."""
    if len(password or "") < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符。"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符。"
    p, u = _norm(password), _norm(username).strip()
    if u and (p == u or (len(u) >= 3 and u in p)):
        return "密码不能是账号名，也不能包含账号名。"
    if p in common_passwords() or len(set(p)) <= 2:
        return "该密码过于常见，容易被猜中，请换一个。"
    return None


def new_password(length: int = 16) -> str:
    """A random password for a new or reset account (about 93 bits at 16 characters), shown once."""
    while True:
        pw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if password_problem(pw) is None:
            return pw

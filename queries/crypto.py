"""Keyed hashing of identifiers: HMAC-SHA256 with a secret from ``JCY_HASH_KEY``.

The key turns a 10^17-sized ID-number space into something that cannot be brute-forced from a
stolen database. Without the variable a development key is derived from a file under ``data/``
(created on first use, git-ignored) so that sample data and logins agree across restarts.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from domain.settings import ROOT, current


@functools.lru_cache(maxsize=1)
def _key() -> bytes:
    env = current().hash_key
    if env:
        return env.encode()
    path = ROOT / "data" / "hash.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def keyed_hash(value: str, purpose: str = "id") -> str:
    """Stable keyed hash; ``purpose`` separates domains (an ID and a phone never collide)."""
    return hmac.new(_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def hash_id_number(id_number: str) -> str:
    return keyed_hash(id_number, "id")


def hash_phone(phone: str) -> str:
    return keyed_hash(phone, "phone")

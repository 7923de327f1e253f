"""Keyed hashing of identifiers: HMAC-SHA256 with a secret from ``JCY_HASH_KEY``.

The key turns a 10^17-sized ID-number space into something that cannot be brute-forced from a
stolen database. Without the variable a development key is derived from a file under ``data/``
(created on first use, git-ignored, mode 600) so that sample data and logins agree across restarts.
With the key, the masked number leaves ~10^6–10^7 candidates to hash: whoever reads the key reads
every ID number, so it is created readable by its owner only, and tightened if found looser.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from domain.settings import ROOT, current

KEY_FILE = ROOT / "data" / "hash.key"


def key_from_file(path: Path) -> bytes:
    """Read the key file, creating it first (mode 600, atomically) if it is missing.

    Written to a private temporary file and linked into place, so a second process starting at the
    same moment reads either nothing-yet (and links its own, losing the race cleanly) or the whole
    key, never an empty or half-written file, and the key is never readable through the umask."""
    from queries.db import private_dir, tighten

    if not path.exists():
        private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hash.key.")  # mkstemp: mode 600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(tmp)
    tighten(path)
    return path.read_text().strip().encode()


@functools.lru_cache(maxsize=1)
def _key() -> bytes:
    env = current().hash_key
    if env:
        return env.encode()
    return key_from_file(KEY_FILE)


def keyed_hash(value: str, purpose: str = "id") -> str:
    """Stable keyed hash; ``purpose`` separates domains (an ID and a phone never collide)."""
    return hmac.new(_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def hash_id_number(id_number: str) -> str:
    return keyed_hash(id_number, "id")


def hash_phone(phone: str) -> str:
    return keyed_hash(phone, "phone")

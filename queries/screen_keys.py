"""Smart-screen keys: a wall screen signs in as a device, not as a person.

A key is random (``jcyk_`` + 192 bits), shown once when the 系统管理员 creates it, and stored only as a
keyed hash (HMAC with its own purpose, so a stolen database gives nothing to replay). It is named,
bound to one procuratorate (a 市院 key covers every district, a 区院 key its own district only) and
revocable. Creating and revoking are audited with the real signed-in actor.

The screen checks its key on every render through ``KeyGate``: one process-wide cache of the check
per key hash with a short TTL (at most the refresh interval), so a revoked key blanks the wall
within one refresh interval plus the TTL, and twenty screens sharing a key cost one lookup per TTL.
``last_seen_at`` is written at most once a minute; refused attempts (unknown or revoked key, no key)
are audited at most once per key and client per ten minutes, so a wall screen left on with a dead
key cannot flood the log.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

import pandas as pd
from sqlalchemy import Engine, insert, or_, select, update

from domain import clock
from domain.access import Actor
from domain.scope import Scope
from queries.audit import record
from queries.crypto import keyed_hash
from queries.frames import read_frame
from queries.schema import Procuratorate, ScreenKey

log = logging.getLogger("jcy.screen")
PREFIX = "jcyk_"
SHOWN_PREFIX = 10  # "jcyk_" + 5 characters: enough to tell keys apart, 30 of 192 bits
PURPOSE = "screen-key"
KEY_RE = re.compile(r"^jcyk_[A-Za-z0-9_-]{20,64}$")
# What a wall shows today: statistics and the time-limit watch, aggregates and case numbers only
# (role "screen": no names, no personal data).
SCREEN_GRANTS = frozenset({"screen", "stats", "cases"})
SEEN_EVERY_S = 60.0
AUDIT_EVERY_S = 600.0
DEVICE_ROLE = "大屏设备"


class ScreenKeyError(ValueError):
    """A bad request from the key administration page (shown to the administrator as is)."""


@dataclass(frozen=True)
class ScreenDevice:
    """A screen that presented a valid key: what it may show."""

    key_id: int
    name: str
    prefix: str
    procuratorate_id: int
    procuratorate: str
    district_id: int | None  # None: a city-level key (every district)

    def allows(self, district: int | None) -> bool:
        """A district the screen's URL may narrow to (None: the key's whole scope)."""
        return district is None or self.district_id is None or district == self.district_id

    def scope(self, district: int | None = None) -> Scope:
        """The key's scope, narrowed by the screen URL's district, never widened by it."""
        if self.district_id is not None:
            return Scope((self.district_id,), role="screen", grants=SCREEN_GRANTS)
        if district is not None:
            return Scope((int(district),), role="screen", grants=SCREEN_GRANTS)
        return Scope(None, role="screen", grants=SCREEN_GRANTS)

    def outline_scope(self) -> Scope:
        """For the map's district outlines only: boundaries are public geography, so every screen
        draws the whole city (its own district highlighted); the figures stay in ``scope()``."""
        return Scope(None, role="screen", grants=SCREEN_GRANTS)

    def actor(self, client_addr: str | None = None) -> Actor:
        return Actor(f"大屏:{self.name}", DEVICE_ROLE, self.procuratorate, client_addr)


@dataclass(frozen=True)
class KeyCheck:
    """The answer for one presented key. ``status``: ok / missing / unknown / revoked / error
    (the database cannot say, and this key was never seen valid in this process)."""

    status: str
    device: ScreenDevice | None = None
    name: str | None = None  # a revoked key's name: the hint the refusal page shows
    error: str | None = None  # the last failed lookup (the last good answer is kept meanwhile)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ----------------------------------------------------------------------------- keys


def new_key() -> str:
    """A fresh key: ``jcyk_`` + 32 URL- and cookie-safe characters (192 random bits)."""
    return PREFIX + secrets.token_urlsafe(24)


def hash_key(key: str) -> str:
    return keyed_hash(key, PURPOSE)


def well_formed(key: str | None) -> bool:
    return isinstance(key, str) and KEY_RE.match(key) is not None


def shown_prefix(key: str) -> str:
    """What the list and the audit log show of a key (never more)."""
    return key[:SHOWN_PREFIX] if well_formed(key) else "（格式无效）"


def procuratorates(engine: Engine) -> list[tuple[int, str]]:
    """(id, name), the city procuratorate first: what a key may be bound to."""
    with engine.connect() as conn:
        rows = conn.execute(select(Procuratorate.id, Procuratorate.name, Procuratorate.district_id)
                            .order_by(Procuratorate.district_id.is_not(None), Procuratorate.id)).all()
    return [(int(i), n) for i, n, _ in rows]


def create_key(engine: Engine, actor: Actor, name: str, procuratorate_id: int,
               now: dt.datetime | None = None) -> tuple[int, str]:
    """Create a key; returns (id, the clear key). The clear key exists only in the return value."""
    name = " ".join((name or "").split())
    if not name:
        raise ScreenKeyError("请填写大屏名称（例如：一楼大厅大屏）")
    if len(name) > 60:
        raise ScreenKeyError("大屏名称不超过60个字")
    now = now or clock.now()
    key = new_key()
    with engine.begin() as conn:
        proc = conn.execute(select(Procuratorate.name).where(Procuratorate.id == int(procuratorate_id))).scalar()
        if proc is None:
            raise ScreenKeyError("所选检察院不存在")
        kid = conn.execute(insert(ScreenKey).values(
            name=name, key_hash=hash_key(key), key_prefix=key[:SHOWN_PREFIX], procuratorate_id=int(procuratorate_id),
            created_at=now, created_by=actor.name[:60])).inserted_primary_key[0]
        record(conn, actor=actor, event="创建大屏密钥", result="成功", target=f"大屏密钥 {kid}：{name}",
               detail=f"{proc}；前缀 {key[:SHOWN_PREFIX]}", at=now)
    return int(kid), key


def revoke_key(engine: Engine, actor: Actor, key_id: int, now: dt.datetime | None = None) -> bool:
    """Revoke a key (screens using it show 未授权 within one refresh interval). False if it was
    unknown or already revoked."""
    now = now or clock.now()
    with engine.begin() as conn:
        name = conn.execute(select(ScreenKey.name).where(ScreenKey.id == int(key_id),
                                                         ScreenKey.revoked_at.is_(None))).scalar()
        if name is None:
            return False
        conn.execute(update(ScreenKey).where(ScreenKey.id == int(key_id), ScreenKey.revoked_at.is_(None))
                     .values(revoked_at=now, revoked_by=actor.name[:60]))
        record(conn, actor=actor, event="吊销大屏密钥", result="成功", target=f"大屏密钥 {key_id}：{name}", at=now)
    return True


def list_keys(engine: Engine) -> pd.DataFrame:
    """Every key, newest first, without its hash."""
    return read_frame(engine, select(
        ScreenKey.id, ScreenKey.name, ScreenKey.key_prefix, Procuratorate.name.label("procuratorate"),
        ScreenKey.created_at, ScreenKey.created_by, ScreenKey.last_seen_at, ScreenKey.revoked_at,
        ScreenKey.revoked_by).join(Procuratorate, Procuratorate.id == ScreenKey.procuratorate_id)
        .order_by(ScreenKey.id.desc()))


def lookup(engine: Engine, key: str) -> KeyCheck:
    """The uncached check of one presented key: one indexed read."""
    if not well_formed(key):
        return KeyCheck("unknown")
    with engine.connect() as conn:
        row = conn.execute(select(ScreenKey.id, ScreenKey.name, ScreenKey.key_prefix, ScreenKey.revoked_at,
                                  ScreenKey.procuratorate_id, Procuratorate.name, Procuratorate.level,
                                  Procuratorate.district_id)
                           .join(Procuratorate, Procuratorate.id == ScreenKey.procuratorate_id)
                           .where(ScreenKey.key_hash == hash_key(key))).first()
    if row is None:
        return KeyCheck("unknown")
    if row.revoked_at is not None:
        return KeyCheck("revoked", name=row.name)
    district = None if row.level == "市院" or row.district_id is None else int(row.district_id)
    return KeyCheck("ok", ScreenDevice(int(row.id), row.name, row.key_prefix, int(row.procuratorate_id),
                                       row[5], district), name=row.name)


def touch(engine: Engine, key_id: int, now: dt.datetime | None = None) -> None:
    """Stamp ``last_seen_at``; the condition keeps several server processes to one write a minute."""
    now = now or clock.now()
    with engine.begin() as conn:
        conn.execute(update(ScreenKey).where(
            ScreenKey.id == int(key_id),
            or_(ScreenKey.last_seen_at.is_(None), ScreenKey.last_seen_at <= now - dt.timedelta(seconds=SEEN_EVERY_S)))
            .values(last_seen_at=now))


REFUSAL_DETAIL = {"missing": "未提供大屏密钥", "unknown": "未知的大屏密钥", "revoked": "已吊销的大屏密钥"}


def audit_refused(engine: Engine, status: str, key: str | None, client_addr: str | None,
                  name: str | None = None, detail: str | None = None) -> None:
    """One refused screen (or a screen asking for a district outside its key's scope)."""
    who = Actor(f"大屏:{name}" if name else "大屏（未授权）", DEVICE_ROLE, None, client_addr)
    shown = f"；密钥前缀 {shown_prefix(key)}" if key else ""
    with engine.begin() as conn:
        record(conn, actor=who, event="大屏未授权访问" if status != "scope" else "大屏越界请求", result="拒绝",
               target="智慧大屏", detail=(detail or REFUSAL_DETAIL.get(status, status)) + shown)


# ----------------------------------------------------------------------------- the cached check


@dataclass
class _Entry:
    check: KeyCheck
    checked_mono: float


class KeyGate:
    """Process-wide key checks for the screens: cached per key hash for ``ttl`` seconds, the last
    good answer kept through a database outage, last-seen and refusal audits rate-limited."""

    def __init__(self, ttl: float = 2.0, engine_factory: Callable[[], Engine] | None = None,
                 seen_every: float = SEEN_EVERY_S, audit_every: float = AUDIT_EVERY_S,
                 max_entries: int = 2000) -> None:
        if engine_factory is None:
            from queries.cache import get_engine as engine_factory
        self.ttl, self.seen_every, self.audit_every, self.max_entries = ttl, seen_every, audit_every, max_entries
        self._engine_factory = engine_factory
        self._entries: dict[str, _Entry] = {}
        self._seen: dict[int, float] = {}
        self._audited: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self.stats = {"checks": 0, "lookups": 0, "failures": 0, "audits": 0, "touches": 0}

    def check(self, key: str | None, client_addr: str | None = None) -> KeyCheck:
        """The answer for ``key`` now (None or empty: no key)."""
        self.stats["checks"] += 1
        client_addr = client_addr if isinstance(client_addr, str) else None
        if not isinstance(key, str) or not key:
            self._audit_once(("missing", client_addr or "-"), "missing", None, client_addr, None)
            return KeyCheck("missing")
        h = hash_key(key)
        now = time.monotonic()
        entry = self._entries.get(h)
        if entry is None or now - entry.checked_mono >= self.ttl:
            entry = self._lookup(h, key, entry, now)
        c = entry.check
        if c.ok and c.device is not None:
            self._touch_due(c.device.key_id, now)
        elif c.status in ("unknown", "revoked"):
            self._audit_once((c.status, h), c.status, key, client_addr, c.name)
        return c

    def _lookup(self, h: str, key: str, old: _Entry | None, now: float) -> _Entry:
        self.stats["lookups"] += 1
        try:
            check = lookup(self._engine_factory(), key)
        except Exception as exc:  # the database cannot say: keep the last answer, or say "error"
            self.stats["failures"] += 1
            from queries.cache import describe_failure

            msg = describe_failure(exc)
            check = KeyCheck(old.check.status, old.check.device, old.check.name, msg) if old else KeyCheck("error", error=msg)
        entry = _Entry(check, now)
        with self._lock:
            if len(self._entries) >= self.max_entries and h not in self._entries:
                self._prune(self._entries, lambda e: e.checked_mono, now, self.ttl)
            self._entries[h] = entry
        return entry

    @staticmethod
    def _prune(d: dict, when, now: float, older_than: float) -> None:
        """Bound memory against a stream of made-up keys: drop expired entries, else the oldest half."""
        stale = [k for k, v in d.items() if now - when(v) >= older_than]
        if not stale:
            stale = sorted(d, key=lambda k: when(d[k]))[: len(d) // 2]
        for k in stale:
            d.pop(k, None)

    def _touch_due(self, key_id: int, now: float) -> None:
        last = self._seen.get(key_id)
        if last is not None and now - last < self.seen_every:
            return
        self._seen[key_id] = now
        try:
            touch(self._engine_factory(), key_id)
            self.stats["touches"] += 1
        except Exception:  # a missed stamp is not worth a blank wall
            pass

    def _audit_once(self, what: tuple[str, str], status: str, key: str | None, client_addr: str | None,
                    name: str | None, detail: str | None = None) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._audited.get(what)
            if last is not None and now - last < self.audit_every:
                return
            if len(self._audited) >= self.max_entries:
                self._prune(self._audited, lambda t: t, now, self.audit_every)
            self._audited[what] = now
        try:
            audit_refused(self._engine_factory(), status, key, client_addr, name, detail)
            self.stats["audits"] += 1
        except Exception:  # the refusal stands even if the audit row cannot be written
            log.warning("could not audit a refused screen", exc_info=True)

    def out_of_scope(self, device: ScreenDevice, district: str, client_addr: str | None = None) -> None:
        """A screen URL asked for a district outside its key's scope (it was narrowed, not widened)."""
        client_addr = client_addr if isinstance(client_addr, str) else None
        self._audit_once(("scope", f"{device.key_id}:{district}"), "scope", None, client_addr, device.name,
                         f"密钥 {device.prefix}（{device.procuratorate}）请求区县 {district[:12]}，已限定在本院范围")


def get_gate(ttl: float = 2.0) -> KeyGate:
    """The process's gate for the current database (created once per database URL)."""
    from queries.cache import _resource
    from queries.db import database_url

    return _resource(f"screen_keys:{database_url()}", lambda: KeyGate(ttl=ttl))

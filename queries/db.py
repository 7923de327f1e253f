"""Engines, creation and migration: the one place that knows how to reach the database.

Why serving and creating are separate: a serving process that creates what it cannot find once
replaced a demo database that a backup job had moved away for a minute, and the empty file's
write-ahead log then destroyed the real one when it came back. So:

- ``create_database`` (explicit steps only: ``make run``'s first step, ``jcy db upgrade``, the sample
  builder, tests) creates the file or schema, migrates it to head and writes its identity row;
- ``make_engine`` (everything that serves) opens an existing database only: SQLite through a
  ``mode=rw`` URI, so a missing file is an error and never a new file; and every new connection is
  checked (``_Guard``) to be at the expected Alembic revision and to carry the identity the process
  first saw. On SQLite each checkout also checks that the path still names the file the connection
  opened, so a file moved or swapped underneath is an outage, not silently served.

SQLite (default): a file under ``data/`` in WAL mode with a busy timeout, so the live writer never
blocks the screens' readers. The file is created readable by its owner only (mode 600; SQLite gives
its ``-wal`` and ``-shm`` files the same mode), and ``create_database`` tightens an older, looser
file: it holds names and case data. PostgreSQL: set ``DATABASE_URL=postgresql+psycopg://...``.
"""
from __future__ import annotations

import functools
import logging
import os
import stat
import sqlite3
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc, inspect, text
from sqlalchemy.engine import make_url

from domain.settings import current

__all__ = ["DatabaseUnavailable", "database_url", "make_engine",
           "create_database", "upgrade", "current_revision", "head_revision", "is_empty"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
PRIVATE_MODE = 0o600  # database files and keys: the owner reads and writes, nobody else
log = logging.getLogger("jcy.db")


class DatabaseUnavailable(exc.SQLAlchemyError):
    """The database is missing, foreign, or not at the schema this code expects: an outage.

    ``zh`` is the message users read; ``str()`` is the operator's (logs, command line).
    """

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite file (see ``domain.settings``)."""
    return current().database_url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
    cur.close()


@dataclass
class _Guard:
    """Checks each new connection: expected revision, the identity first seen; on SQLite, the file."""

    expected_revision: str
    sqlite_path: str | None = None
    identity: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    migrating: threading.local = field(default_factory=threading.local)

    def on_connect(self, dbapi_conn, record) -> None:
        if getattr(self.migrating, "on", False):  # ``upgrade`` brings an older schema to head
            return
        try:
            self._check(dbapi_conn, record)
        except DatabaseUnavailable:
            dbapi_conn.close()  # SQLAlchemy would leave it open when a connect listener raises
            raise

    def _check(self, dbapi_conn, record) -> None:
        cur = dbapi_conn.cursor()
        try:
            try:
                cur.execute("SELECT version_num FROM alembic_version")
                revision = ",".join(sorted(r[0] for r in cur.fetchall()))
                cur.execute("SELECT instance_id FROM db_identity WHERE id = 1")
                row = cur.fetchone()
            except Exception as e:  # no such table: not a database of ours, or never created
                raise DatabaseUnavailable(
                    f"the database has no schema of this product ({type(e).__name__}); "
                    "create it with `make demo-data` or `jcy db upgrade`",
                    "数据库尚未建立或不是本系统的数据库，请联系管理员。") from None
        finally:
            cur.close()
            if getattr(dbapi_conn, "rollback", None):  # leave no transaction open (PostgreSQL)
                dbapi_conn.rollback()
        if revision != self.expected_revision:
            raise DatabaseUnavailable(
                f"database schema is at revision {revision or 'none'}, this code expects "
                f"{self.expected_revision}; migrate it with `jcy db upgrade`",
                "数据库版本与系统不一致，请联系管理员升级数据库。")
        if row is None:
            raise DatabaseUnavailable("the database has no identity row",
                                      "数据库缺少身份标识，请联系管理员。")
        with self.lock:
            if self.identity is None:
                self.identity = row[0]
        if row[0] != self.identity:
            raise DatabaseUnavailable(
                f"the database was replaced: identity {row[0]} where this process served {self.identity}; "
                "restart the apps if the replacement is intended",
                "数据库已被替换，为防止显示错误数据已停止读取，请联系管理员。")
        if self.sqlite_path:
            st = os.stat(self.sqlite_path)
            record.info["jcy_file"] = (st.st_dev, st.st_ino)

    def on_checkout(self, _dbapi_conn, record, _proxy) -> None:
        """The path must still name the file this connection opened (moved away, swapped)."""
        try:
            st = os.stat(self.sqlite_path)
            same = record.info.get("jcy_file") == (st.st_dev, st.st_ino)
        except OSError:
            same = False
        if not same:
            raise exc.DisconnectionError("the database file was moved or replaced")


def private_dir(path: str | Path) -> None:
    """Make the directory (mode 700 for the last part, if it is new; an existing one is left)."""
    p = Path(path)
    if not p.exists():
        p.mkdir(parents=True, exist_ok=True, mode=0o700)


def private_file(path: str | Path) -> None:
    """Create ``path`` empty with mode 600 unless it exists (never through the umask's 644), and
    its directory with mode 700 if that is new. SQLite treats an empty file as a new database."""
    p = Path(path)
    private_dir(p.parent)
    try:
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    except FileExistsError:
        pass


def tighten(path: str | Path) -> None:
    """Mode 600 for a file that others could read; logged, not fatal, when it is not ours."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, PRIVATE_MODE)
            log.warning("%s was readable by others (mode %o); now %o", path, mode, PRIVATE_MODE)
    except FileNotFoundError:
        pass
    except PermissionError:
        log.warning("%s is readable by others and not ours to change; fix its mode by hand", path)


def _sqlite_opener(path: str, create: bool):
    """Connect through a ``file:`` URI with ``mode=rw`` (open only) or ``rwc`` (may create); the
    engine's URL stays the plain path, so it renders and compares as users wrote it."""
    uri = f"file:{urllib.parse.quote(path)}?mode={'rwc' if create else 'rw'}"

    def connect():
        return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5)

    return connect


def make_engine(url: str | None = None, *, create: bool = False, **kwargs) -> Engine:
    """An engine on an existing database (``create=True``: may create it, unguarded; for
    ``create_database`` and migrations only). In-memory SQLite needs ``allow_memory=True``."""
    url = url or database_url()
    allow_memory = kwargs.pop("allow_memory", False)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if not u.database or u.database == ":memory:":
            if not allow_memory:
                raise ValueError("in-memory SQLite is for unit tests only; use a file or PostgreSQL")
            kwargs.setdefault("connect_args", {"check_same_thread": False})
            engine = create_engine(url, **kwargs)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        path = str(Path(u.database).resolve())
        if create:
            private_file(path)
        kwargs.pop("connect_args", None)
        engine = create_engine(f"sqlite:///{path}", creator=_sqlite_opener(path, create), **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if not create:
            guard = _Guard(head_revision(), sqlite_path=path)
            event.listen(engine, "connect", guard.on_connect)
            event.listen(engine, "checkout", guard.on_checkout)
            engine._jcy_guard = guard  # type: ignore[attr-defined]
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    # Fail fast when the server is gone so the screen can show its stale badge quickly.
    kwargs.setdefault("connect_args", {"connect_timeout": 3})
    engine = create_engine(url, **kwargs)
    if not create:
        guard = _Guard(head_revision())
        event.listen(engine, "connect", guard.on_connect)
        engine._jcy_guard = guard  # type: ignore[attr-defined]
    return engine


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_UPGRADE_LOCK = threading.Lock()


def upgrade(engine: Engine) -> None:
    """Create if need be and bring the schema to the newest migrations (idempotent; "heads"
    tolerates parallel branches). Explicit steps only, never a serving process.

    A guarded engine is migrated past its guard (on SQLite through a second engine that may create
    the file) and its pool is emptied afterwards, so its next connection is checked afresh.
    Alembic's migration context is process-global, so two threads must not run it at once.
    """
    guard: _Guard | None = getattr(engine, "_jcy_guard", None)
    if guard is not None and guard.sqlite_path:
        maker = make_engine(f"sqlite:///{guard.sqlite_path}", create=True)
        try:
            upgrade(maker)
        finally:
            maker.dispose()
            engine.dispose()
        return
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    if guard is not None:
        engine.dispose()
        guard.migrating.on = True
    try:
        with _UPGRADE_LOCK, engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
    finally:
        if guard is not None:
            guard.migrating.on = False
            engine.dispose()


def create_database(url: str | None = None, **kwargs) -> Engine:
    """Create (if need be) and migrate the database; return a guarded serving engine on it.

    The identity row is written by the migration that creates its table, i.e. once, at creation.
    """
    engine = make_engine(url or database_url(), **kwargs)
    upgrade(engine)
    guard: _Guard | None = getattr(engine, "_jcy_guard", None)
    if guard is not None and guard.sqlite_path:
        for suffix in ("", "-wal", "-shm", "-journal"):
            tighten(guard.sqlite_path + suffix)
    return engine


def current_revision(engine: Engine) -> str | None:
    """The database's revision; several comma-joined if branches were left unmerged."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = alembic_config("sqlite://")
    return ",".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def database_identity(engine: Engine) -> str | None:
    """The identity row's id (None when the database has none yet)."""
    if not inspect(engine).has_table("db_identity"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT instance_id FROM db_identity WHERE id = 1")).scalar()


def is_empty(engine: Engine) -> bool:
    """True when the schema exists but no sample or real data has been loaded yet."""
    from sqlalchemy import func, select

    from queries.schema import District

    if not inspect(engine).has_table("district"):
        return True
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(District)).scalar_one() == 0

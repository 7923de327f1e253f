"""Engine creation and schema migration: the one place that knows how to reach the database.

SQLite (default): a file under ``data/`` in WAL mode with a busy timeout, so the live writer never
blocks the screens' readers. PostgreSQL: set ``DATABASE_URL=postgresql+psycopg://...``.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "jcy.sqlite3"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
    cur.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Build an engine; refuses in-memory SQLite unless ``allow_memory=True`` (unit tests only)."""
    url = url or database_url()
    allow_memory = kwargs.pop("allow_memory", False)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if (not u.database or u.database == ":memory:") and not allow_memory:
            raise ValueError("in-memory SQLite is for unit tests only; use a file or PostgreSQL")
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 5})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    # Fail fast when the server is gone so the screen can show its stale badge quickly.
    kwargs.setdefault("connect_args", {"connect_timeout": 3})
    return create_engine(url, **kwargs)


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_UPGRADE_LOCK = threading.Lock()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migrations (idempotent; "heads" tolerates parallel branches).

    Alembic's migration context is process-global, so two threads must not run it at once.
    """
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with _UPGRADE_LOCK, engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def current_revision(engine: Engine) -> str | None:
    """The database's revision; several comma-joined if branches were left unmerged."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = alembic_config("sqlite://")
    return ",".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def is_empty(engine: Engine) -> bool:
    """True when the schema exists but no sample or real data has been loaded yet."""
    from sqlalchemy import func, select

    from queries.schema import District

    if not inspect(engine).has_table("district"):
        return True
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(District)).scalar_one() == 0

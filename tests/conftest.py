"""Shared fixtures: real databases (SQLite file, PostgreSQL when TEST_DATABASE_URL is set)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text

from queries.db import create_database, make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def pytest_configure(config) -> None:
    """Anchor a started clock (``JCY_CLOCK_START=2028-02-29``) to this moment, so the workers and
    the apps the tests start later all read the same time as this process."""
    import time

    start = os.environ.get("JCY_CLOCK_START", "").strip()
    if start and "@" not in start:
        os.environ["JCY_CLOCK_START"] = f"{start}@{time.time():.3f}"


def pytest_report_header(config) -> str:
    """Say which day the suite runs on: the clock may be started elsewhere (``JCY_CLOCK_START``)."""
    from domain import clock

    start = os.environ.get("JCY_CLOCK_START", "").strip()
    return f"product clock: {clock.now():%Y-%m-%d %H:%M} Shanghai" + (f" (JCY_CLOCK_START={start})" if start else "")


@pytest.fixture(autouse=True)
def _clock_put_back():
    """Whatever a test does to the product clock (frozen, start_at) is undone after it."""
    from domain import clock

    with clock.saved():
        yield
_PG_SCHEMAS: dict[int, str] = {}
PG_SKIP = "TEST_DATABASE_URL is not set (.ci/run sets it to the local PostgreSQL database 'test')"


def _sqlite_engine(tmp_path) -> Engine:
    return create_database(f"sqlite:///{tmp_path / 'test.sqlite3'}")


def _pg_engine() -> Engine:
    """A fresh schema per use inside the test database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, create=True)  # the bare test database: no schema of ours to check
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = create_database(PG_URL, connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5})
    _PG_SCHEMAS[id(engine)] = schema
    return engine


def _drop_pg(engine: Engine) -> None:
    schema = _PG_SCHEMAS.pop(id(engine))
    engine.dispose()
    admin = make_engine(PG_URL, create=True)  # the bare test database: no schema of ours to check
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(tmp_path) -> Engine:
    e = _sqlite_engine(tmp_path)
    yield e
    e.dispose()


@pytest.fixture
def pg_engine() -> Engine:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    e = _pg_engine()
    yield e
    _drop_pg(e)


@contextmanager
def fresh_engine(kind: str, directory, revision: str | None = None) -> Iterator[Engine]:
    """A new database of ``kind`` ("sqlite" in ``directory``, or "postgresql" in a schema of its own,
    skipping with a reason when not configured), migrated to head, or only to ``revision`` for a
    migration test's old database; removed afterwards."""
    if kind == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    if revision is None:
        e = _sqlite_engine(directory) if kind == "sqlite" else _pg_engine()
    else:
        from alembic import command

        from queries.db import alembic_config

        if kind == "sqlite":
            url, e = f"sqlite:///{directory / 'old.sqlite3'}", make_engine(f"sqlite:///{directory / 'old.sqlite3'}",
                                                                            create=True)
        else:
            schema = f"t_{uuid.uuid4().hex[:10]}"
            admin = make_engine(PG_URL, create=True)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            url, e = PG_URL, make_engine(PG_URL, create=True, connect_args={"options": f"-csearch_path={schema}"})
            _PG_SCHEMAS[id(e)] = schema
        cfg = alembic_config(url)
        with e.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    try:
        yield e
    finally:
        if kind == "sqlite":
            e.dispose()
        else:
            _drop_pg(e)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, tmp_path) -> Engine:
    """The same test on both engines; the PostgreSQL run skips with a reason when not configured."""
    with fresh_engine(request.param, tmp_path) as e:
        yield e


def _build_tiny(e: Engine) -> Engine:
    from sample_data.build import build

    build(e, scale="tiny", seed=7, progress=False)
    return e


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory) -> Engine:
    """The ``tiny`` sample database (SQLite), built once per test session with seed 7."""
    e = _sqlite_engine(tmp_path_factory.mktemp("sample"))
    yield _build_tiny(e)
    e.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def sample_any_engine(request, tmp_path_factory) -> Engine:
    """The ``tiny`` sample on both engines, same seed, so results can be compared across them."""
    if request.param == "sqlite":
        e = _sqlite_engine(tmp_path_factory.mktemp("sample_any"))
        yield _build_tiny(e)
        e.dispose()
    else:
        if not PG_URL:
            pytest.skip(PG_SKIP)
        e = _pg_engine()
        yield _build_tiny(e)
        _drop_pg(e)


@pytest.fixture(scope="session")
def page_db(sample_engine):
    """Point pages (AppTest or a served app) at the tiny sample database: sets DATABASE_URL.

    The caching seam holds one engine per process, so every page test in a process uses this one.
    """
    from tests.pagedb import pages_use_database

    with pages_use_database(sample_engine.url.render_as_string(hide_password=False)) as url:
        yield url

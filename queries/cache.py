"""The one caching seam between query functions and Streamlit pages.

Why not plain ``st.cache_data``: a wall screen must keep showing the last good figures when the
database is gone, tell how old they are, and never make N open screens cost N queries. So results
live in one process-wide, size-bounded store (held in ``st.cache_resource``) with
stale-while-revalidate: a fresh entry is served from memory; an expired one is served at once
while a single background refresh runs; a failed refresh keeps the last good value and records
the error. Every caller of the same function and arguments shares one entry, whatever the number of
sessions, so the database sees one set of queries per TTL.

Query functions take the engine first and small hashable arguments after it; never DataFrames.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from sqlalchemy import Engine

from domain import clock
from domain.masking import scrub_text

log = logging.getLogger("jcy.cache")
T = TypeVar("T")


@dataclass(frozen=True)
class Fresh(Generic[T]):
    """A query result with its provenance: when it was fetched and whether the last try failed."""

    value: T | None
    as_of: dt.datetime | None  # wall-clock time of the last successful fetch
    error: str | None  # message of the most recent failure, None if the last try worked
    failed_since: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None or self.error is None

    def age_seconds(self, now: dt.datetime | None = None) -> float | None:
        if self.as_of is None:
            return None
        return ((now or clock.now_precise()) - self.as_of).total_seconds()


def describe_failure(exc: BaseException) -> str:
    """One scrubbed line for a failed read: an outage's own Chinese message, else the error's class
    and first line (no personal data: ``scrub_text``)."""
    zh = getattr(exc, "zh", None)
    if zh:
        return str(zh)
    first = (str(exc).splitlines() or [""])[0]
    return scrub_text(f"{type(exc).__name__}: {first}")[:200]


@dataclass
class LastGood:
    """The last good value of something read again and again, and since when reading it fails.

    The one bookkeeping behind both the caching seam and the screen hub: a failure keeps the value
    and its time, logs once when a failure starts and once when it ends.
    """

    value: Any = None
    has_value: bool = False
    as_of: dt.datetime | None = None  # Shanghai wall time of the last successful read
    error: str | None = None
    failed_since: dt.datetime | None = None

    def succeeded(self, value: Any, what: str) -> None:
        self.value, self.has_value = value, True
        self.as_of = clock.now_precise()
        if self.error is not None:
            log.info("%s recovered", what)
        self.error, self.failed_since = None, None

    def confirmed(self) -> None:
        """The source answered and nothing changed: the value is current as of now."""
        self.as_of = clock.now_precise()

    def failed(self, exc: BaseException, what: str) -> None:
        msg = describe_failure(exc)
        if self.error is None:
            log.warning("%s failed: %s", what, msg)
            self.failed_since = clock.now_precise()
        self.error = msg

    def fresh(self) -> Fresh:
        return Fresh(self.value if self.has_value else None, self.as_of, self.error, self.failed_since)


@dataclass
class _Entry(LastGood):
    fetched_mono: float = 0.0
    last_try_mono: float = 0.0
    refreshing: bool = False


class Store:
    """Bounded LRU of query results shared by every session of the process."""

    def __init__(self, max_entries: int = 512, workers: int = 2) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[tuple, threading.Lock] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jcy-refresh")
        self.stats = {"hits": 0, "stale_hits": 0, "misses": 0, "fetches": 0, "failures": 0}

    def _key_lock(self, key: tuple) -> threading.Lock:
        with self._lock:
            lk = self._key_locks.get(key)
            if lk is None:
                lk = self._key_locks[key] = threading.Lock()
            return lk

    def _entry(self, key: tuple) -> _Entry:
        with self._lock:
            e = self._entries.get(key)
            if e is None:
                e = self._entries[key] = _Entry()
                while len(self._entries) > self.max_entries:
                    old, _ = self._entries.popitem(last=False)
                    self._key_locks.pop(old, None)
            else:
                self._entries.move_to_end(key)
            return e

    def _fetch(self, key: tuple, entry: _Entry, call: Callable[[], Any]) -> None:
        entry.last_try_mono = time.monotonic()
        self.stats["fetches"] += 1
        try:
            value = call()
        except Exception as exc:  # any database failure: keep the last good value
            self.stats["failures"] += 1
            entry.failed(exc, f"query {key[0]}")
        else:
            entry.succeeded(value, f"query {key[0]}")
            entry.fetched_mono = time.monotonic()
        finally:
            entry.refreshing = False

    def get(self, key: tuple, call: Callable[[], Any], ttl: float) -> Fresh:
        entry = self._entry(key)
        now = time.monotonic()
        if entry.has_value and entry.error is None and now - entry.fetched_mono < ttl:
            self.stats["hits"] += 1
        elif entry.has_value:
            # Serve what we have; refresh once in the background (retry failures once per ttl).
            self.stats["stale_hits"] += 1
            snapshot = self._snapshot(entry)
            with self._key_lock(key):
                due = now - entry.last_try_mono >= min(ttl, 5.0) or entry.error is None
                if not entry.refreshing and due:
                    entry.refreshing = True
                    self._pool.submit(self._fetch, key, entry, call)
            return snapshot
        else:
            self.stats["misses"] += 1
            with self._key_lock(key):  # one fetch however many sessions ask at once
                if not entry.has_value and (
                    entry.error is None or time.monotonic() - entry.last_try_mono >= min(ttl, 2.0)
                ):
                    self._fetch(key, entry, call)
        return self._snapshot(entry)

    @staticmethod
    def _snapshot(entry: _Entry) -> Fresh:
        return entry.fresh()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._key_locks.clear()

    def __len__(self) -> int:
        return len(self._entries)


# ----------------------------------------------------------------------------- process singletons

_fallback: dict[str, Any] = {}


def _resource(name: str, factory: Callable[[], Any]) -> Any:
    """``st.cache_resource`` inside a Streamlit server; a module global elsewhere (CLI, tests)."""
    try:
        from streamlit.runtime import exists

        in_streamlit = exists()
    except Exception:
        in_streamlit = False
    if in_streamlit:
        import streamlit as st

        @st.cache_resource(show_spinner=False)
        def _make(resource_name: str):  # the name is part of the cache key (no leading underscore)
            return factory()

        return _make(name)
    if name not in _fallback:
        _fallback[name] = factory()
    return _fallback[name]


def get_engine() -> Engine:
    """The process's engine (a pool) for ``DATABASE_URL``, created once.

    It opens an existing database only and never migrates it (``queries.db``): a serving process
    that finds no database, or a foreign one, has an outage to report, not a database to create.
    Keyed by the URL, so a process (or a test) that points at another database never reuses an
    engine, or cached results, of the first one.
    """
    from queries.db import database_url

    url = database_url()

    def make() -> Engine:
        from queries.db import make_engine

        return make_engine(url)

    return _resource(f"engine:{url}", make)


def get_store() -> Store:
    from queries.db import database_url

    return _resource(f"store:{database_url()}", Store)


def set_engine_for_tests(engine: Engine) -> None:
    """Point the seam at a test database (outside Streamlit's runtime only)."""
    from queries.db import database_url

    _fallback[f"engine:{database_url()}"] = engine
    _fallback[f"store:{database_url()}"] = Store()


def invalidates(fn: Callable[..., T]) -> Callable[..., T]:
    """Mark a write: once it has returned, every cached result of this database is dropped, so the
    next read in any session shows the change. Whole-store, because one write touches many cached
    summaries; writes are rare next to reads. A write that raises drops nothing."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        out = fn(*args, **kwargs)
        get_store().clear()
        return out

    return wrapper


def live(ttl: float = 10.0) -> Callable[[Callable[..., T]], Callable[..., Fresh[T]]]:
    """Wrap ``fn(engine, *args)`` so pages call ``fn_cached(*args)`` and get a ``Fresh``."""

    def deco(fn: Callable[..., T]) -> Callable[..., Fresh[T]]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Fresh[T]:
            key = (name, args, tuple(sorted(kwargs.items())))
            hash(key)  # cached functions take small hashable arguments only
            return get_store().get(key, lambda: fn(get_engine(), *args, **kwargs), ttl)

        wrapper.uncached = fn  # type: ignore[attr-defined]
        return wrapper

    return deco

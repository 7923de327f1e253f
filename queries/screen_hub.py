"""The smart screen's data: one snapshot per (scope, day), refreshed by one background thread.

Why not the generic ``live(ttl)`` seam: a wall screen must show a new event within one refresh
interval plus 2 s, and however many screens are open the database must see the same queries. With a
plain TTL cache the age of the cached value and the phase of each screen's timer add up (p95 ≈ 1.9
intervals). Here one thread per server process

- reads the live feed's heartbeat (``data_version``: one primary-key row) every ``poll`` seconds,
- rebuilds the whole snapshot once per ``interval`` (one set of queries per interval, whatever the
  number of screens) and, when the version moved, refreshes only the fast-moving part (ticker,
  today's intake, stages: four small indexed reads) at most once per ``min_gap`` seconds, so a new
  event reaches the screens within about ``min_gap`` + one fragment interval,
- moves the "data as of" stamp forward on every successful heartbeat that finds nothing new (the
  figures are then confirmed current), so the age a screen shows is the time since the database
  last answered, not the time since the last rebuild,
- keeps the last good snapshot when the database fails, records since when it fails, and recovers
  on its own, and
- forgets snapshots nobody has read for ``idle_after`` seconds (memory stays flat for weeks).

Screens only read memory: the number of screens does not change the number of queries.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine

from domain import clock
from domain.indicators import Indicator
from domain.scope import Scope
from queries import cases as C
from queries.cache import Fresh, LastGood, _resource, get_engine
from queries.screen_clues import ScreenClues, screen_clues
from queries.status import data_version

log = logging.getLogger("jcy.screen")

WATCH_ROWS = 8
TICKER_ROWS = 12


@dataclass(frozen=True)
class ScreenSnapshot:
    """Everything one screen shows, fetched together (one "set of queries")."""

    today: dt.date
    intake: pd.DataFrame  # function, today, month, year
    stages: pd.DataFrame  # stage, cases
    trend: pd.DataFrame  # day, cases (30 days)
    charges: pd.DataFrame  # charge, cases (this year, top 10)
    indicators: tuple[Indicator, ...]  # this year
    districts: pd.DataFrame  # district_id, name_zh, name_en, label_lon, label_lat, cases (this year)
    watch: pd.DataFrame  # the most urgent open cases (nothing personal)
    watch_near: int
    watch_over: int
    events: pd.DataFrame  # latest events (nothing personal)
    version: int
    db_ms: float  # database time spent building it
    clues: ScreenClues | None = None  # the 法律监督线索 scene (issue 13), counts only


def screen_snapshot(engine: Engine, scope: Scope, today: dt.date, now: dt.datetime | None = None
                    ) -> ScreenSnapshot:
    """Run the screen's queries (8 reads + the heartbeat) and bundle the results."""
    t0 = time.perf_counter()
    now = now or clock.now()
    y0 = dt.datetime(today.year, 1, 1)
    end = dt.datetime(today.year, today.month, today.day) + dt.timedelta(days=1)
    version, _ = data_version(engine)
    watch = C.time_limit_watch(engine, scope, now=now)
    snap = ScreenSnapshot(
        today=today,
        intake=C.intake_summary(engine, scope, today),
        stages=C.stage_counts(engine, scope),
        trend=C.daily_trend(engine, scope, today, 30),
        charges=C.top_charges(engine, scope, y0, end, 10),
        indicators=C.quality_indicators(engine, scope, y0, end),
        districts=C.district_intake(engine, scope, y0, end),
        watch=watch.head(WATCH_ROWS).reset_index(drop=True),
        watch_near=int((watch["status"] == "临期").sum()),
        watch_over=int((watch["status"] == "超期").sum()),
        events=C.latest_events(engine, scope, TICKER_ROWS),
        version=int(version),
        clues=screen_clues(engine, scope, now),
        db_ms=0.0,
    )
    snap = replace(snap, db_ms=(time.perf_counter() - t0) * 1000)
    return snap


def screen_live_part(engine: Engine, snap: ScreenSnapshot, scope: Scope) -> ScreenSnapshot:
    """The cheap, fast-moving part (ticker, today's intake, stages: 4 small reads) on top of the
    last full snapshot: what a new event changes first."""
    t0 = time.perf_counter()
    version, _ = data_version(engine)
    return replace(snap, events=C.latest_events(engine, scope, TICKER_ROWS),
                   intake=C.intake_summary(engine, scope, snap.today), stages=C.stage_counts(engine, scope),
                   version=int(version), db_ms=(time.perf_counter() - t0) * 1000)


@dataclass
class _Entry(LastGood):
    fetched_mono: float = 0.0
    last_try_mono: float = 0.0
    last_read_mono: float = 0.0
    live_mono: float = 0.0
    version: int | None = None


class ScreenHub:
    """Process-wide snapshots for every (scope, day) a screen is showing."""

    def __init__(self, interval: float = 10.0, poll: float = 1.0, min_gap: float = 2.0,
                 idle_after: float = 120.0, engine_factory=get_engine) -> None:
        self.interval, self.poll, self.min_gap, self.idle_after = interval, poll, min_gap, idle_after
        self._engine_factory = engine_factory
        self._entries: dict[tuple[Scope, dt.date], _Entry] = {}
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.stats = {"refreshes": 0, "live_refreshes": 0, "failures": 0, "polls": 0, "reads": 0}

    # ------------------------------------------------------------------ reading (screens)

    def get(self, scope: Scope, today: dt.date) -> Fresh[ScreenSnapshot]:
        key = (scope, today)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
        entry.last_read_mono = time.monotonic()
        self.stats["reads"] += 1
        if not entry.has_value and time.monotonic() - entry.last_try_mono >= min(self.poll * 2, 2.0):
            self._refresh(key, entry, None)  # first read: fetch now, under the refresh lock
        self._ensure_thread()
        if not entry.has_value and entry.error is not None:
            return self._earlier_day(scope, today, entry)
        return entry.fresh()

    def _earlier_day(self, scope: Scope, today: dt.date, entry: _Entry) -> Fresh[ScreenSnapshot]:
        """A new day that cannot be read yet (an outage over midnight): the latest earlier day's
        figures with their own time and the error, so the wall goes stale, not blank."""
        with self._lock:
            earlier = [e for (sc, day), e in self._entries.items() if sc == scope and day < today and e.has_value]
        if not earlier:
            return entry.fresh()
        last = max(earlier, key=lambda e: e.as_of)
        return Fresh(last.value, last.as_of, entry.error, entry.failed_since)

    # ------------------------------------------------------------------ refreshing (one thread)

    def _refresh(self, key, entry: _Entry, version: int | None, live_only: bool = False) -> None:
        with self._refresh_lock:
            entry.last_try_mono = time.monotonic()
            try:
                if live_only and entry.has_value:
                    snap = screen_live_part(self._engine_factory(), entry.value, key[0])
                    self.stats["live_refreshes"] += 1
                else:
                    snap = screen_snapshot(self._engine_factory(), key[0], key[1])
                    entry.fetched_mono = time.monotonic()
                    self.stats["refreshes"] += 1
            except Exception as exc:  # keep the last good snapshot
                self._fail(entry, exc)
                return
            entry.succeeded(snap, "screen data")
            entry.version, entry.live_mono = snap.version, time.monotonic()

    def _fail(self, entry: _Entry, exc: Exception) -> None:
        self.stats["failures"] += 1
        entry.failed(exc, "screen data")

    def tick(self) -> None:
        """One pass of the background loop (public so tests and benchmarks can drive it)."""
        now = time.monotonic()
        with self._lock:
            for k in [k for k, e in self._entries.items() if now - e.last_read_mono > self.idle_after]:
                del self._entries[k]
            items = list(self._entries.items())
        if not items:
            return
        self.stats["polls"] += 1
        try:
            version, _ = data_version(self._engine_factory())
        except Exception as exc:
            for _, e in items:
                if e.has_value or e.error is None:
                    self._fail(e, exc)
            return
        for key, e in items:
            if e.has_value and e.error is None and e.version == version:
                e.confirmed()  # nothing new in the database since the snapshot
            retry = e.error is not None and now - e.last_try_mono >= self.poll
            if not e.has_value or now - e.fetched_mono >= self.interval or retry:
                self._refresh(key, e, version)  # the full set: once per interval
            elif e.version != version and now - e.live_mono >= self.min_gap:
                self._refresh(key, e, version, live_only=True)  # new data: ticker, intake, stages

    def _loop(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.tick()
            except Exception:  # the loop must never die
                log.exception("screen hub tick failed")

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._stop.clear()
                    self._thread = threading.Thread(target=self._loop, name="jcy-screen-hub", daemon=True)
                    self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def __len__(self) -> int:
        return len(self._entries)


def get_hub(interval: float = 10.0, poll: float = 1.0, min_gap: float = 2.0) -> ScreenHub:
    """The process's hub (created once; later calls return the same one)."""
    return _resource("screen_hub", lambda: ScreenHub(interval=interval, poll=poll, min_gap=min_gap))

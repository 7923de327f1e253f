"""The product's one clock: Shanghai wall time, whatever zone the host is set to.

Why one module: a procuratorate's deadlines, service times (送达时间) and "data as of" stamps are
Shanghai times. Containers usually run in UTC, so ``datetime.now()`` would put every stored time
eight hours off. Everything that needs "now" asks this module; tests move it instead of patching.

Stored times are naive Shanghai wall-clock times (the schema's convention); ``now_aware()`` gives
the same instant with its zone for display and arithmetic across zones.

The clock can be started at another instant and then keeps running (``start_at``): the suite is
run with the clock set to awkward dates (the 1st, the last day of a month, 29 February) through
``JCY_CLOCK_START``, and served apps started by the tests inherit the same variable. ``frozen``
stops it for a test that needs an exact instant. Intervals (timeouts, ages in memory) use
``time.monotonic``, never this clock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_lock = threading.Lock()
_offset = dt.timedelta(0)  # added to the real time (start_at)
_frozen: dt.datetime | None = None  # aware; wins over the offset while set
_env_read = False


def _real() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)


def parse_instant(value: str) -> dt.datetime:
    """An ISO date or date-time, read as Shanghai wall time unless it names its own zone."""
    value = value.strip()
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("应为 ISO 日期或时间，如 2028-02-29 或 2028-02-29T09:30 "
                         "(not an ISO date or date-time)") from None
    if len(value) == 10:  # a bare date: start the day at nine in the morning, office hours
        at = at.replace(hour=9)
    return at.replace(tzinfo=SHANGHAI) if at.tzinfo is None else at.astimezone(SHANGHAI)


def parse_start(value: str) -> dt.datetime:
    """``JCY_CLOCK_START``: an instant, optionally ``@`` the Unix time at which the clock read it.

    With the anchor, every process (the test run, its workers, the apps it starts a minute later)
    reads the same time; without it, each process starts the clock at its own start. Returns the
    naive Shanghai time it is now on that clock.
    """
    text, _, anchor = value.partition("@")
    at = parse_instant(text)
    if anchor.strip():
        try:
            since = _real().timestamp() - float(anchor)
        except ValueError:
            raise ValueError("@ 后应为 Unix 时间（秒） (the anchor after @ must be a Unix time)") from None
        at = at + dt.timedelta(seconds=since)
    return at.replace(tzinfo=None)


def _from_settings() -> None:
    """Apply the configured start (``JCY_CLOCK_START``) once, on first use.

    Marked as read only once the settings have loaded: a bad setting raises ``SettingsError`` on
    every call instead of once and then silently running on the real time.
    """
    if _env_read:
        return
    from domain.settings import current

    start = current().clock_start
    with _lock:
        if _env_read:  # another thread, or an explicit start_at(), came first
            return
        _apply_start(start)


def now_aware() -> dt.datetime:
    """Now, in Shanghai, with its zone."""
    _from_settings()
    frozen = _frozen
    return frozen if frozen is not None else _real() + _offset


def now() -> dt.datetime:
    """Now as a naive Shanghai wall time, to the second (how the database stores times)."""
    return now_aware().replace(tzinfo=None, microsecond=0)


def now_precise() -> dt.datetime:
    """Like ``now`` but keeping microseconds (ordering of events written in one second)."""
    return now_aware().replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in Shanghai."""
    return now_aware().date()


def to_shanghai(at: dt.datetime) -> dt.datetime:
    """An aware instant from anywhere as a naive Shanghai wall time."""
    if at.tzinfo is None:
        raise ValueError("a naive time has no zone to convert from")
    return at.astimezone(SHANGHAI).replace(tzinfo=None)


def start_at(at: dt.datetime | None) -> None:
    """Let the clock run from ``at`` (naive = Shanghai) from this moment on; None = the real time."""
    with _lock:
        _apply_start(at)


def _apply_start(at: dt.datetime | None) -> None:
    """Set the offset (caller holds the lock); an explicit start wins over the environment."""
    global _offset, _env_read
    _env_read = True
    if at is None:
        _offset = dt.timedelta(0)
        return
    aware = at.replace(tzinfo=SHANGHAI) if at.tzinfo is None else at
    _offset = aware - _real()


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Stop the clock at ``at`` (naive = Shanghai) inside the block."""
    global _frozen
    _from_settings()
    aware = at.replace(tzinfo=SHANGHAI) if at.tzinfo is None else at.astimezone(SHANGHAI)
    old = _frozen
    _frozen = aware
    try:
        yield aware.replace(tzinfo=None)
    finally:
        _frozen = old


@contextlib.contextmanager
def saved() -> Iterator[None]:
    """Put the clock back as it was after the block, however the block moved it (tests)."""
    global _offset, _frozen, _env_read
    _from_settings()
    with _lock:
        state = (_offset, _frozen, _env_read)
    try:
        yield
    finally:
        with _lock:
            _offset, _frozen, _env_read = state


@contextlib.contextmanager
def started(at: dt.datetime) -> Iterator[dt.datetime]:
    """Let the clock run from ``at`` inside the block (e.g. build a sample "as of" a stated date)."""
    global _frozen
    with saved():
        _frozen = None
        start_at(at)
        yield now()


def advance(by: dt.timedelta) -> None:
    """Move a frozen clock forward (tests of ages and deadlines)."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() moves a frozen clock; use start_at() for a running one")
    _frozen = _frozen + by

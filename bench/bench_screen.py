"""Smart screen at city scale (issue 3).

1. One full refresh: database time of building a snapshot (cold, goal ≤ 250 ms) and the cost of a
   screen reading it from the hub (warm, goal < 10 ms, zero queries).
2. Database queries per refresh interval with 1 and with 20 screens (counted with a SQLAlchemy
   ``before_cursor_execute`` listener), with the database quiet and with a live feed writing.
3. Against a real server (``streamlit run apps/smart_screen.py``) driven by a protocol-level
   websocket client (shared/domain/security_reliability.md §3.3): event-to-screen latency p50/p95
   (goal p95 ≤ interval + 2 s), server memory after 10 and after 1,000 refresh cycles (goal within
   10 %), and capacity: screens per process at the default interval with p95 refresh < 1 s and no
   dropped connection (goal ≥ 50).
4. The screen's key check per refresh (queries.screen_keys.KeyGate): served from the process cache
   (what nearly every refresh costs) and uncached (one indexed read and the HMAC, once per TTL per
   key). The served screens in 3 present a key made for the run and revoked afterwards.

The server runs on a copy of the SQLite benchmark database (the test writes events), or on the
same PostgreSQL database with the written events deleted afterwards.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, delete, event, insert, select

from bench.harness import Row, median_ms, print_table
from domain import clock
from domain.access import OPERATOR
from domain.scope import SCREEN
from queries.schema import Case, CaseEvent, Procuratorate
from queries.screen_hub import ScreenHub, screen_snapshot
from queries.screen_keys import KeyGate, create_key, revoke_key
from sample_data.build import bump_version

QUICK = os.environ.get("BENCH_QUICK") == "1"
MARK_TYPE = "延长审查起诉期限"


# --------------------------------------------------------------------------- helpers


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.n = engine, 0
        event.listen(engine, "before_cursor_execute", self._hit)

    def _hit(self, *a, **k) -> None:
        self.n += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._hit)


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _write_event(engine: Engine, at: dt.datetime) -> None:
    with engine.begin() as conn:
        cid, did = conn.execute(select(Case.id, Case.district_id).where(Case.function == "刑事")
                                .order_by(Case.id.desc()).limit(1)).first()
        conn.execute(insert(CaseEvent).values(case_id=cid, district_id=did, occurred_at=at,
                                              event_type=MARK_TYPE, counts_as_matter=False, note="bench"))
        bump_version(conn, at)


def _cleanup(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(CaseEvent).where(CaseEvent.note == "bench"))


def _bench_key(engine: Engine) -> tuple[int, str]:
    """A city-level screen key for this run (revoked at the end: keys are never deleted)."""
    with engine.connect() as conn:
        city = conn.execute(select(Procuratorate.id).where(Procuratorate.district_id.is_(None))
                            .order_by(Procuratorate.id).limit(1)).scalar_one()
    return create_key(engine, OPERATOR, "基准测试大屏", city)


# --------------------------------------------------------------------------- 1 + 2: in process


def refresh_cost(engine: Engine) -> list[Row]:
    today = clock.today()
    c = QueryCounter(engine)
    snap = screen_snapshot(engine, SCREEN, today)
    per_refresh = c.n
    c.close()
    cold = median_ms(lambda: screen_snapshot(engine, SCREEN, today), repeat=5)
    hub = ScreenHub(interval=3600, poll=3600, engine_factory=lambda: engine)
    hub.get(SCREEN, today)
    c = QueryCounter(engine)
    warm = median_ms(lambda: hub.get(SCREEN, today), repeat=200)
    warm_q = c.n
    c.close()
    hub.stop()
    return [Row("full screen refresh, cold (database time)", cold, target_ms=250,
                note=f"{per_refresh} queries; snapshot db_ms {snap.db_ms:.0f}"),
            Row("full screen refresh, warm (read from the hub)", warm, target_ms=10,
                note=f"{warm_q} queries in 200 reads")]


def key_check_cost(engine: Engine) -> list[Row]:
    """Server time of the key check a screen makes on every refresh, cached and uncached."""
    kid, key = _bench_key(engine)
    try:
        cached = KeyGate(ttl=3600, engine_factory=lambda: engine, seen_every=1e9)
        assert cached.check(key).ok
        c = QueryCounter(engine)
        hit = median_ms(lambda: cached.check(key), repeat=2000, warmup=10)
        hit_q = c.n
        c.close()
        uncached = KeyGate(ttl=0, engine_factory=lambda: engine, seen_every=1e9)
        c = QueryCounter(engine)
        miss = median_ms(lambda: uncached.check(key), repeat=300, warmup=5)
        miss_q = c.n / 305
        c.close()
    finally:
        revoke_key(engine, OPERATOR, kid)
    return [Row("screen key check, cached (per refresh)", hit, target_ms=1,
                note=f"{hit * 1000:.1f} µs: HMAC + dict lookup; {hit_q} queries in 2,010 checks"),
            Row("screen key check, uncached (once per TTL)", miss, target_ms=5,
                note=f"{miss_q:.0f} indexed read per check + HMAC; the TTL is 2 s, so ≤ 1 read per 2 s per key")]


def queries_per_interval(engine: Engine, write_engine: Engine | None, interval: float = 10.0) -> list[Row]:
    """N simulated screens read the hub every ``interval`` s at random phases for a few intervals."""
    from components.screen_config import load_config

    cfg = load_config()
    rows = []
    span = interval * (2 if QUICK else 3)
    for live_feed in ((False, True) if write_engine is not None else (False,)):
        for n in (1, 20):
            hub = ScreenHub(interval=interval, poll=cfg.data_poll_seconds, min_gap=cfg.min_refresh_gap_seconds,
                            engine_factory=lambda: engine)
            hub.get(SCREEN, clock.today())  # first fetch outside the window
            stop = threading.Event()
            c = QueryCounter(engine)
            hub._ensure_thread()

            def screen(phase: float) -> None:
                time.sleep(phase)
                while not stop.is_set():
                    hub.get(SCREEN, clock.today())
                    stop.wait(interval)

            def feed() -> None:
                base, k = clock.now() + dt.timedelta(hours=2, minutes=n), 0
                while not stop.is_set():
                    k += 1
                    _write_event(write_engine, base + dt.timedelta(seconds=k))
                    stop.wait(0.5)

            threads = [threading.Thread(target=screen, args=(random.uniform(0, interval),), daemon=True) for _ in range(n)]
            if live_feed:
                threads.append(threading.Thread(target=feed, daemon=True))
            for t in threads:
                t.start()
            time.sleep(span)
            stop.set()
            hub.stop()
            for t in threads:
                t.join(2)
            got = c.n  # the writer uses its own engine: only the screens' reads are counted
            c.close()
            per = got / (span / interval)
            rows.append(Row(f"queries per {interval:g} s interval, {n:>2} screen{'s' if n > 1 else ''}"
                            f"{', live feed 2/s' if live_feed else ', quiet'}", per,
                            note=f"count, not ms: {hub.stats['refreshes']} full + {hub.stats['live_refreshes']} "
                                 f"ticker refreshes, {hub.stats['polls']} heartbeat reads in {span:g} s"))
    return rows


# --------------------------------------------------------------------------- 3: a real server


def _rerun(query: str, page_hash: str = "", fragment_id: str = "", auto: bool = False) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    m = BackMsg()
    cs = m.rerun_script
    cs.query_string = query
    cs.page_script_hash = page_hash
    cs.widget_states.SetInParent()
    if fragment_id:
        cs.fragment_id, cs.is_auto_rerun = fragment_id, auto
    return m.SerializeToString()


class Client:
    """One screen speaking Streamlit's websocket protocol, honouring ``auto_rerun`` like a browser."""

    def __init__(self, url: str, query: str) -> None:
        self.url, self.query = url, query
        self.latencies: list[float] = []  # auto rerun sent → script finished
        self.reruns = 0
        self.dropped: str | None = None
        self.seen: dict[str, float] = {}  # marker → when this screen first received it

    async def run(self, until: float, markers: dict[str, float]) -> None:
        import websockets
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=2 ** 26,
                                          open_timeout=60, ping_interval=20, ping_timeout=60) as ws:
                page_hash, sent, timer = "", None, None
                await ws.send(_rerun(self.query))

                async def auto(interval: float, frag: str) -> None:
                    nonlocal sent
                    while time.monotonic() < until:
                        await asyncio.sleep(interval)
                        sent = time.monotonic()
                        await ws.send(_rerun(self.query, page_hash, frag, True))

                while time.monotonic() < until:
                    try:
                        raw = await asyncio.wait_for(ws.recv(), max(0.05, until - time.monotonic()))
                    except asyncio.TimeoutError:
                        break
                    now = time.monotonic()
                    for m, t0 in list(markers.items()):
                        if m not in self.seen and m.encode() in raw:
                            self.seen[m] = now - t0
                    fm = ForwardMsg()
                    fm.ParseFromString(raw)
                    kind = fm.WhichOneof("type")
                    if kind == "new_session" and not page_hash:
                        page_hash = fm.new_session.page_script_hash
                    elif kind == "auto_rerun" and timer is None:
                        timer = asyncio.create_task(auto(fm.auto_rerun.interval, fm.auto_rerun.fragment_id))
                    elif kind == "script_finished" and sent is not None:
                        self.latencies.append(now - sent)
                        self.reruns += 1
                        sent = None
                if timer:
                    timer.cancel()
        except Exception as exc:  # a dropped connection is a result, not a crash
            self.dropped = f"{type(exc).__name__}: {exc}"[:120]


SCREEN_QUERY = "screen=lobby"  # run() adds the run's key: every served screen needs one


async def _drive(url: str, n: int, seconds: float, ramp: float, query: str | None = None,
                 markers: dict[str, float] | None = None) -> list[Client]:
    markers = markers if markers is not None else {}
    query = query or SCREEN_QUERY
    until = time.monotonic() + seconds
    clients = [Client(url, query) for _ in range(n)]

    async def start(c: Client, delay: float) -> None:
        await asyncio.sleep(delay)
        await c.run(until, markers)

    await asyncio.gather(*(start(c, ramp * i / max(1, n)) for i, c in enumerate(clients)))
    return clients


def _server(db_url: str, config: str | None):
    from tests.browser import running_app

    env = {"DATABASE_URL": db_url}
    if config:
        env["SMART_SCREEN_CONFIG"] = config
    return running_app("smart_screen.py", env=env, timeout=120,
                       extra_args=["--theme.base", "dark", "--client.toolbarMode", "minimal",
                                   "--client.showErrorDetails", "none"])


def _rss_mb(pid: int) -> float:
    import psutil

    p = psutil.Process(pid)
    return sum(x.memory_info().rss for x in [p, *p.children(recursive=True)]) / 2 ** 20


def latency_run(db_url: str, engine: Engine) -> list[Row]:
    """Events written while 5 screens are open at the default 10 s interval."""
    events = 6 if QUICK else 12
    with _server(db_url, None) as app:
        ws = app.url.replace("http", "ws") + "/_stcore/stream"
        asyncio.run(_drive(ws, 1, 15, 0))  # warm the process (imports, first snapshot)
        markers: dict[str, float] = {}
        base = clock.now() + dt.timedelta(hours=3)

        def writer() -> None:
            time.sleep(8)
            for k in range(events):
                at = base + dt.timedelta(seconds=k * 7)
                _write_event(engine, at)
                markers[at.strftime("%H:%M:%S")] = time.monotonic()
                time.sleep(random.uniform(2.0, 4.0))

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        clients = asyncio.run(_drive(ws, 5, 8 + events * 4 + 16, 5, markers=markers))
        t.join()
    lat = [v for c in clients for v in c.seen.values()]
    missing = sum(len(markers) - len(c.seen) for c in clients)
    return [Row("event-to-screen latency p50 (5 screens, 10 s)", statistics.median(lat) * 1000 if lat else float("nan"),
                note=f"{len(lat)} samples, {missing} not seen"),
            Row("event-to-screen latency p95", _pct(lat, 0.95) * 1000, target_ms=12000)]


def memory_run(db_url: str) -> list[Row]:
    cfg = Path(tempfile.mkdtemp()) / "screen_1s.toml"
    src = (Path(__file__).resolve().parent.parent / "config" / "smart_screen.toml").read_text(encoding="utf-8")
    cfg.write_text(src.replace("refresh_seconds = 10", "refresh_seconds = 1")
                   .replace("scene_seconds = 30", "scene_seconds = 30"), encoding="utf-8")
    total = 300 if QUICK else 1000
    n = 5  # 5 reruns/s ≈ 0.65 core: below saturation, where reruns would interrupt each other
    with _server(db_url, str(cfg)) as app:
        ws = app.url.replace("http", "ws") + "/_stcore/stream"

        async def both():
            until = time.monotonic() + total / n * 2.5 + 30  # a slow box may not keep 1 s
            clients = [Client(ws, SCREEN_QUERY) for _ in range(n)]

            async def staggered(c: Client, delay: float) -> None:
                await asyncio.sleep(delay)
                await c.run(until, {})

            tasks = [asyncio.create_task(staggered(c, i * 0.2)) for i, c in enumerate(clients)]
            first = last = None
            while time.monotonic() < until:
                await asyncio.sleep(0.5)
                done = sum(c.reruns for c in clients)
                if first is None and done >= 10:
                    first = (done, _rss_mb(app.proc.pid))
                if done >= total:
                    last = (done, _rss_mb(app.proc.pid))
                    break
            if last is None:
                last = (sum(c.reruns for c in clients), _rss_mb(app.proc.pid))
            for tk in tasks:
                tk.cancel()
            return first, last, clients

        first, last, clients = asyncio.run(both())
    out = [Row(f"server RSS after {first[0]} refresh cycles (MB)", first[1], note=f"{n} screens at 1 s")]
    if last:
        growth = (last[1] - first[1]) / first[1] * 100
        out.append(Row(f"server RSS after {last[0]} refresh cycles (MB)", last[1],
                       note=f"{growth:+.1f} % vs after 10 (goal within ±10 %)" + (" ✓" if abs(growth) <= 10 else " ✗")))
    return out


def capacity_run(db_url: str) -> list[Row]:
    import psutil

    rows = []
    steps = (25, 50) if QUICK else (25, 50, 75, 100)
    with _server(db_url, None) as app:
        ws = app.url.replace("http", "ws") + "/_stcore/stream"
        asyncio.run(_drive(ws, 1, 12, 0))
        proc = psutil.Process(app.proc.pid)
        for n in steps:
            proc.cpu_percent(None)
            clients = asyncio.run(_drive(ws, n, 45, 10))
            cpu = proc.cpu_percent(None)
            lat = [x for c in clients for x in c.latencies]
            dropped = sum(1 for c in clients if c.dropped)
            ok = lat and _pct(lat, 0.95) < 1.0 and not dropped
            rows.append(Row(f"{n:>3} screens at 10 s: refresh p95", _pct(lat, 0.95) * 1000, target_ms=1000,
                            note=f"p50 {statistics.median(lat) * 1000 if lat else float('nan'):.0f} ms, {len(lat)} reruns, "
                                 f"{dropped} dropped, server CPU {cpu:.0f} % of one core"
                                 + ("" if ok else " — over the limit")))
            time.sleep(3)
    return rows


# --------------------------------------------------------------------------- entry point


def run(engine: Engine) -> None:
    global SCREEN_QUERY
    print_table("Smart screen: one full refresh (city scale)", refresh_cost(engine))
    print_table("Smart screen: the key check per refresh", key_check_cost(engine))
    tmpdir = None
    from queries.db import make_engine

    if engine.dialect.name == "sqlite":
        tmpdir = Path(tempfile.mkdtemp(prefix="bench_screen_"))
        src = Path(engine.url.database)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(src, tmpdir / "screen.sqlite3")
        db_url = f"sqlite:///{tmpdir / 'screen.sqlite3'}"
    else:
        db_url = engine.url.render_as_string(hide_password=False)
    read_engine, write_engine = make_engine(db_url), make_engine(db_url)
    kid, key = _bench_key(write_engine)
    SCREEN_QUERY = f"screen=lobby&key={key}"
    try:
        print_table("Smart screen: database queries per refresh interval (count, not ms; shipped config)",
                    queries_per_interval(read_engine, write_engine))
        rows = latency_run(db_url, write_engine)
        rows += memory_run(db_url)
        rows += capacity_run(db_url)
        print_table("Smart screen against a real server (protocol-level websocket clients)", rows)
    finally:
        revoke_key(write_engine, OPERATOR, kid)
        _cleanup(write_engine)
        read_engine.dispose()
        write_engine.dispose()
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)

"""The smart screen's rules without a browser: configuration and URL state, the snapshot hub (one
set of queries however many readers, last good data kept on failure, recovery, bounded memory),
the staleness states and the map's colour ramp."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import create_engine, event, insert, select

from components.district_map import choropleth, color_for
from components.screen_config import ScreenState, load_config, next_scene, resolve
from components.screen_theme import age_state
from domain import clock
from domain.indicators import INDICATOR_ORDER
from domain.scope import SCREEN, Scope
from queries import cases as C
from queries.schema import Case, CaseEvent
from queries.screen_hub import ScreenHub, screen_snapshot
from sample_data.build import bump_version
from tests.waiting import wait_until


def test_shipped_config_is_valid():
    cfg = load_config()
    assert cfg.refresh_seconds == 10  # the default
    assert 2 <= len(cfg.screens["main"]) <= 4
    assert cfg.amber_seconds == 2 * cfg.refresh_seconds
    assert cfg.stale_red_seconds > cfg.amber_seconds
    for s in cfg.scenes.values():
        assert s.panels


def test_config_rejects_nonsense(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[timing]\nrefresh_seconds = 0.2\n[scenes.a]\npanels=["intake"]\n', encoding="utf-8")
    with pytest.raises(ValueError):
        load_config(p)
    p.write_text('[scenes.a]\npanels=["nope"]\n', encoding="utf-8")
    with pytest.raises(ValueError):
        load_config(p)


def test_url_state_falls_back_and_rotates():
    cfg = load_config()
    ids = {310120, 310115}
    assert resolve(cfg, {}, ids) == ScreenState("main", cfg.screens["main"][0], None)
    s = resolve(cfg, {"screen": "main", "scene": "quality", "district": "310120"}, ids)
    assert s == ScreenState("main", "quality", 310120)
    # unknown screen / scene / district, or an injection attempt: defaults, never an error
    bad = resolve(cfg, {"screen": "x", "scene": "<script>", "district": "1 OR 1=1"}, ids)
    assert bad.scene in cfg.screens[bad.screen] and bad.district is None
    assert resolve(cfg, {"district": "999999"}, ids).district is None
    scenes = cfg.screens["main"]
    st = ScreenState("main", scenes[-1], None)
    assert next_scene(cfg, st) == scenes[0]
    assert next_scene(cfg, ScreenState("main", scenes[0], None)) == scenes[1]


def test_age_states_tell_zero_failure_and_late_data_apart():
    assert age_state(3, None, 20, 120) == "ok"
    assert age_state(25, None, 20, 120) == "amber"
    assert age_state(130, "OperationalError", 20, 120) == "red"
    assert age_state(None, "OperationalError", 20, 120) == "error"


def test_color_ramp_is_monotone_and_offline_deck(sample_engine):
    assert color_for(0)[:3] == [28, 62, 99] and color_for(1)[:3] == [255, 181, 71]
    blues = [color_for(x / 10)[2] for x in range(0, 8)]
    assert blues == sorted(blues)
    geo = C.district_geometries(sample_engine, SCREEN)
    vals = geo[["district_id"]].assign(cases=range(16))
    deck = choropleth(geo, vals)
    js = deck.to_json()
    assert "cartocdn" not in js and "mapbox" not in js.lower()
    assert deck.map_provider is None and len(deck.layers[0].data["features"]) == 16


# --------------------------------------------------------------------------- the hub


class Counter:
    def __init__(self, engine):
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)
        self.engine = engine

    def _count(self, *a, **k):
        self.n += 1

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def hub_db(engine):
    """A small private database (the hub test writes events into it)."""
    from sample_data.build import build

    build(engine, scale="tiny", seed=11, progress=False)
    return engine


def test_snapshot_matches_the_queries(hub_db):
    today = clock.today()
    snap = screen_snapshot(hub_db, SCREEN, today)
    assert snap.intake.equals(C.intake_summary(hub_db, SCREEN, today))
    assert snap.stages.equals(C.stage_counts(hub_db, SCREEN))
    assert len(snap.trend) == 30 and len(snap.districts) == 16
    assert [i.key for i in snap.indicators] == list(INDICATOR_ORDER)
    assert len(snap.events) == 12 and snap.watch_over + snap.watch_near >= len(snap.watch)
    assert "case_no" not in snap.events.columns


def test_many_readers_one_set_of_queries(hub_db):
    # long interval and poll: only the tick this test calls may touch the database, however slow the machine
    hub = ScreenHub(interval=600, poll=600, min_gap=0, engine_factory=lambda: hub_db)
    c = Counter(hub_db)
    try:
        first = hub.get(SCREEN, clock.today())
        one = c.n
        assert first.value is not None and first.error is None and one >= 8
        for _ in range(20):  # twenty screens read the same figures
            r = hub.get(SCREEN, clock.today())
            assert r.value is first.value
        assert c.n == one
        hub.tick()  # nothing changed, interval not reached: only the heartbeat is read
        assert c.n == one + 1
        # ... and that read confirms the figures are current: their age restarts
        again = hub.get(SCREEN, clock.today())
        assert again.value is first.value and again.as_of > first.as_of
    finally:
        c.close()
        hub.stop()


def test_new_event_triggers_a_refresh_and_shows(hub_db):
    hub = ScreenHub(interval=600, poll=600, min_gap=0, engine_factory=lambda: hub_db)
    try:
        before = hub.get(SCREEN, clock.today()).value
        with hub_db.connect() as conn:
            case_id = conn.execute(select(Case.id, Case.district_id).limit(1)).first()
        at = clock.now() + dt.timedelta(minutes=3)
        with hub_db.begin() as conn:
            conn.execute(insert(CaseEvent).values(case_id=case_id[0], district_id=case_id[1], occurred_at=at,
                                                  event_type="延长审查起诉期限", counts_as_matter=True))
            bump_version(conn, at)
        hub.tick()
        after = hub.get(SCREEN, clock.today()).value
        assert after.version == before.version + 1
        assert after.events.iloc[0]["occurred_at"] == at
        assert after.events.iloc[0]["event_type"] == "延长审查起诉期限"
    finally:
        hub.stop()


def test_failure_keeps_last_good_then_recovers(hub_db, tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3")
    current = {"e": hub_db}
    # interval 0: every tick rebuilds, so nothing has to wait for an interval to pass
    hub = ScreenHub(interval=0, poll=600, min_gap=0, engine_factory=lambda: current["e"])
    try:
        good = hub.get(SCREEN, clock.today())
        assert good.value is not None and good.error is None
        current["e"] = broken  # the database goes away
        hub.tick()
        bad = hub.get(SCREEN, clock.today())
        assert bad.value is good.value  # last figures kept
        assert bad.error and bad.failed_since is not None and bad.as_of == good.as_of
        assert "Traceback" not in bad.error
        current["e"] = hub_db  # it comes back
        hub.tick()
        ok = hub.get(SCREEN, clock.today())
        assert ok.error is None and ok.as_of > good.as_of
    finally:
        hub.stop()


def test_no_data_at_all_is_an_error_not_a_zero(tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3")
    hub = ScreenHub(interval=10, poll=600, engine_factory=lambda: broken)
    try:
        r = hub.get(SCREEN, clock.today())
        assert r.value is None and r.as_of is None and r.error
    finally:
        hub.stop()


def test_idle_snapshots_are_forgotten(hub_db):
    """A screen that keeps reading keeps its snapshot; one nobody reads is forgotten, and not before
    ``idle_after``. The idle time passing is the thing under test: the test ticks until it has,
    instead of sleeping a fixed time."""
    hub = ScreenHub(interval=600, poll=600, idle_after=1.0, engine_factory=lambda: hub_db)
    watched, idle = (SCREEN, clock.today()), (Scope((310120,), role="screen"), clock.today())
    read_at = [0.0]
    try:
        hub.get(*watched)
        hub.get(*idle)
        assert len(hub) == 2

        def only_watched_left():
            read_at[0] = time.monotonic()
            hub.get(*watched)  # read just before the tick: never idle
            hub.tick()
            return set(hub._entries) == {watched}

        wait_until(only_watched_left, message="the unread snapshot was kept, or the read one dropped")
        wait_until(lambda: hub.tick() or len(hub) == 0, message="unread snapshot kept")
        assert time.monotonic() - read_at[0] > hub.idle_after  # forgotten only once idle long enough
    finally:
        hub.stop()

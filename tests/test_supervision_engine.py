"""Edge cases of the supervision alert engine (domain.supervision.engine) and the risk rule."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from domain.supervision import engine as E
from domain.supervision.geo import KX, KY, LAT0, LON0, circle_geojson, random_points_in
from domain.supervision.risk import DEFAULT_RULE, RiskRule, risk_code

T0 = dt.datetime(2026, 3, 2, 9, 0)
HALF = 1000.0  # the test fence is a 2 km square centred on (LON0, LAT0)


def square(half_m: float = HALF, cx: float = 0.0, cy: float = 0.0) -> dict:
    pts = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
    return {"type": "Polygon", "coordinates": [[[LON0 + (cx + sx * half_m) / KX,
                                                  LAT0 + (cy + sy * half_m) / KY] for sx, sy in pts]]}


def at(x_m: float, y_m: float = 0.0) -> tuple[float, float]:
    return LON0 + x_m / KX, LAT0 + y_m / KY


def pings(xs, *, person=1, every_min=10, acc=20.0, start=T0, ids=None, battery=None, sep=None,
          ys=None, times=None):
    n = len(xs)
    ys = ys if ys is not None else [0.0] * n
    lon, lat = zip(*(at(x, y) for x, y in zip(xs, ys)))
    times = times or [start + dt.timedelta(minutes=every_min * i) for i in range(n)]
    return E.Pings(ids or list(range(1, n + 1)), [person] * n, np.array(times, dtype="datetime64[s]"),
                   lon, lat, acc if np.ndim(acc) else [acc] * n, battery, sep)


def concat(*ps: E.Pings) -> E.Pings:
    return E.Pings(np.concatenate([p.id for p in ps]), np.concatenate([p.person for p in ps]),
                   np.concatenate([p.ts for p in ps]), np.concatenate([p.lon for p in ps]),
                   np.concatenate([p.lat for p in ps]), np.concatenate([p.accuracy for p in ps]),
                   np.concatenate([p.battery for p in ps]), np.concatenate([p.separated for p in ps]))


FENCES = E.FenceBook({1: square(), 2: square()})
CFG = E.EngineConfig(breach_min_pings=3, breach_min_minutes=20)


def breaches(p, fences=FENCES, leaves=(), cfg=CFG, **kw):
    return E.evaluate(p, fences, leaves, cfg, **kw).opened(E.BREACH)


# ------------------------------------------------------------------------------- fence breach


def test_three_consecutive_outside_pings_raise_one_breach_with_evidence():
    res = E.evaluate(pings([0, 1500, 1600, 1700, 1800, 0]), FENCES, (), CFG)
    [a] = res.opened(E.BREACH)
    assert a.person_id == 1 and a.at == T0 + dt.timedelta(minutes=30)  # the third outside ping
    assert [q["id"] for q in a.evidence["pings"]] == [2, 3, 4]
    assert a.evidence["max_distance_m"] == pytest.approx(700, abs=2)
    assert a.severity == "中"


def test_two_outside_pings_are_not_enough_when_close_in_time():
    assert breaches(pings([0, 1500, 1600, 0], every_min=5)) == []


def test_minimum_time_outside_alone_is_enough():
    # two pings 25 minutes apart outside: fewer than 3 pings but longer than 20 minutes
    assert len(breaches(pings([0, 1500, 1600], every_min=25))) == 1


def test_point_exactly_on_the_fence_line_is_inside():
    assert breaches(pings([HALF] * 6)) == []
    # zero accuracy on the line as well: distance 0 is never "outside"
    assert breaches(pings([HALF] * 6, acc=0.0)) == []


def test_gps_jitter_at_the_border_within_the_accuracy_circle_never_alerts():
    rng = np.random.default_rng(3)
    xs = HALF + rng.normal(0, 15, 200)  # 15 m noise around the line
    assert breaches(pings(list(xs), every_min=1, acc=50.0)) == []
    # the same walk with a tight accuracy radius is "outside" at times, but never for long
    xs2 = [HALF + (30 if i % 2 else -30) for i in range(50)]
    assert breaches(pings(xs2, every_min=1, acc=10.0)) == []


def test_accuracy_circle_decides_outside():
    # 80 m outside with an 100 m radius: could still be inside → not counted
    assert breaches(pings([HALF + 80] * 5, acc=100.0)) == []
    # 80 m outside with a 20 m radius: wholly outside → counted
    assert len(breaches(pings([HALF + 80] * 5, acc=20.0))) == 1
    # a margin configured on top of the radius
    assert breaches(pings([HALF + 80] * 5, acc=20.0), cfg=E.EngineConfig(margin_m=100)) == []


def test_inside_ping_resets_the_run():
    assert breaches(pings([1500, 1600, 0, 1500, 1600, 0, 1500])) == []


def test_cell_tower_fixes_are_ignored_not_counted_nor_resetting():
    acc = [20, 20, 2000, 20, 20]
    # the imprecise middle fix (at the origin, "inside") does not reset the run of outside pings
    res = breaches(pings([1500, 1600, 0, 1700, 0], acc=acc))
    assert len(res) == 1 and res[0].evidence["count"] == 3
    # five imprecise fixes outside raise nothing
    assert breaches(pings([5000] * 5, acc=3000.0)) == []


def test_far_breach_is_high_severity():
    [a] = breaches(pings([20_000] * 3))
    assert a.severity == "高"


def test_one_open_alert_per_person_and_cause():
    p = pings([1500, 1600, 1700, 0, 1500, 1600, 1700, 1800])  # two separate excursions
    assert len(breaches(p)) == 1
    # already open from an earlier batch: nothing new
    assert breaches(p, open_keys={E.open_key(1, E.BREACH)}) == []
    # another person's open alert does not hide this one
    assert len(breaches(p, open_keys={E.open_key(2, E.BREACH)})) == 1


def test_two_persons_in_one_batch_are_independent():
    a = pings([1500, 1600, 0, 0], person=1, ids=[1, 2, 3, 4])
    b = pings([0, 1700, 1800, 1900], person=2, ids=[5, 6, 7, 8])
    res = breaches(concat(a, b))
    assert [r.person_id for r in res] == [2]


# ------------------------------------------------------------------------------- order and duplicates


def test_duplicate_pings_do_not_make_a_run():
    p = pings([1500, 1500, 1500], times=[T0] * 3)
    res = E.evaluate(p, FENCES, (), CFG)
    assert res.opened(E.BREACH) == [] and res.stats["duplicates"] == 2


def test_duplicate_of_a_run_does_not_raise_twice():
    base = pings([1500, 1600, 1700])
    again = pings([1500, 1600, 1700], ids=[11, 12, 13])  # the gateway resent the same fixes
    res = E.evaluate(concat(base, again), FENCES, (), CFG)
    assert len(res.opened(E.BREACH)) == 1 and res.stats["duplicates"] == 3


def test_out_of_order_pings_give_the_same_result_as_in_order():
    xs = [0, 1500, 1600, 0, 1500, 1700, 1800, 1900, 0]
    ordered = pings(xs)
    perm = np.random.default_rng(1).permutation(len(xs))
    shuffled = ordered.take(perm)
    a, b = breaches(ordered), breaches(shuffled)
    assert len(a) == 1 and a == b
    assert a[0].at == T0 + dt.timedelta(minutes=60)
    # the naive reading of the shuffled arrival order would have been different
    assert perm.tolist() != list(range(len(xs)))


def test_a_late_ping_that_completes_a_run_raises_and_rereading_raises_nothing():
    first = pings([0, 1500, 1700], ids=[1, 2, 4],
                  times=[T0, T0 + dt.timedelta(minutes=10), T0 + dt.timedelta(minutes=14)])
    assert breaches(first, cfg=E.EngineConfig(breach_min_minutes=60)) == []
    late = pings([1600], ids=[3], times=[T0 + dt.timedelta(minutes=12)])
    window = concat(first, late)
    res = breaches(window, new_ids=[3], cfg=E.EngineConfig(breach_min_minutes=60))
    assert len(res) == 1 and [q["id"] for q in res[0].evidence["pings"]] == [2, 3, 4]
    # the same window read again with nothing new raises nothing
    assert breaches(window, new_ids=[], cfg=E.EngineConfig(breach_min_minutes=60)) == []


# ------------------------------------------------------------------------------- leave requests


def leave(start_h: float, end_h: float, dest=None, lid=7):
    return E.Leave(lid, 1, T0 + dt.timedelta(hours=start_h), T0 + dt.timedelta(hours=end_h), dest)


DEST = square(500, cx=10_000)  # a destination 10 km east


def test_approved_outing_suppresses_alerts_inside_destination_and_window():
    xs = [0] + [10_000] * 30 + [0]  # 5 hours at the destination, every 10 minutes
    p = pings(xs)
    assert len(breaches(p)) == 1  # without the leave it is a breach
    res = E.evaluate(p, FENCES, [leave(0, 6, DEST)], CFG)
    assert res.opened() == []
    assert res.returns == [(7, T0 + dt.timedelta(minutes=310))]


def test_leave_does_not_cover_another_place_or_another_person():
    p = pings([0] + [-10_000] * 20)  # 10 km west, not the approved destination
    res = E.evaluate(p, FENCES, [leave(-1, 6, DEST)], E.EngineConfig(leave_transit_minutes=0))
    assert len(res.opened(E.BREACH)) == 1
    other = pings([0] + [10_000] * 20, person=2)
    assert len(E.evaluate(other, FENCES, [leave(-1, 6, DEST)], CFG).opened(E.BREACH)) == 1


def test_transit_time_at_both_ends_of_the_window_is_tolerated():
    # on the road (5 km east, neither home nor destination) during the first 2 h of the window
    p = pings([0] + [5_000] * 10 + [10_000] * 10)
    assert E.evaluate(p, FENCES, [leave(0, 6, DEST)], CFG).opened() == []
    strict = E.EngineConfig(leave_transit_minutes=0)
    assert len(E.evaluate(p, FENCES, [leave(0, 6, DEST)], strict).opened(E.BREACH)) == 1


def test_late_return_is_flagged_instead_of_a_breach():
    # window ends at 2 h, grace 60 min; still at the destination until 5 h
    p = pings([0] + [10_000] * 30 + [0])
    res = E.evaluate(p, FENCES, [leave(0, 2, DEST)], CFG)
    assert res.opened(E.BREACH) == []
    [late] = res.opened(E.LATE_RETURN)
    assert late.at > T0 + dt.timedelta(hours=3) and late.severity == "高"
    # back before the grace expires: nothing
    p2 = pings([0] + [10_000] * 14 + [0] * 5)
    assert E.evaluate(p2, FENCES, [leave(0, 2, DEST)], CFG).opened() == []


# ------------------------------------------------------------------------------- banned zones


def test_banned_zone_needs_the_accuracy_circle_inside_and_two_fixes():
    zone = circle_geojson(*at(300, 0), 200)
    fences = E.FenceBook({1: square()}, {1: [("某酒吧周边", zone)]})
    res = E.evaluate(pings([0, 300, 300, 0]), fences, (), CFG)
    [a] = res.opened(E.BANNED)
    assert a.evidence["zone"] == "某酒吧周边" and a.severity == "高"
    # one fix inside is not enough; a fix near the zone's edge with a wide radius is not inside
    assert E.evaluate(pings([0, 300, 0, 300]), fences, (), CFG).opened(E.BANNED) == []
    assert E.evaluate(pings([0, 450, 450, 450], acc=100.0), fences, (), CFG).opened(E.BANNED) == []
    # a zone of person 1 does not apply to person 2
    fences2 = E.FenceBook({1: square(), 2: square()}, {1: [("z", zone)]})
    assert E.evaluate(pings([300] * 4, person=2), fences2, (), CFG).opened(E.BANNED) == []


# ------------------------------------------------------------------------------- battery, band, device


def test_low_battery_opens_once_and_closes_after_recharge():
    p = pings([0] * 5, battery=[30, 14, 12, 10, 9])
    [a] = E.evaluate(p, FENCES).opened(E.LOW_BATTERY)
    assert a.evidence["battery_pct"] == 14 and a.severity == "低"
    key = {E.open_key(1, E.LOW_BATTERY)}
    later = pings([0, 0], battery=[25, 60], ids=[6, 7], start=T0 + dt.timedelta(hours=2))
    res = E.evaluate(later, FENCES, open_keys=key)
    assert res.opened() == [] and [c.kind for c in res.closed()] == [E.LOW_BATTERY]
    assert "60%" in res.closed()[0].note


def test_band_separation_needs_consecutive_reports():
    assert E.evaluate(pings([0] * 4, sep=[0, 1, 0, 1]), FENCES).opened(E.SEPARATED) == []
    assert len(E.evaluate(pings([0] * 4, sep=[0, 1, 1, 0]), FENCES).opened(E.SEPARATED)) == 1


def test_device_offline_and_back_online():
    now = T0 + dt.timedelta(hours=5)
    devs = [(10, 1, now - dt.timedelta(minutes=90)), (11, 1, now - dt.timedelta(minutes=5)),
            (12, 2, now - dt.timedelta(minutes=59))]
    [ev] = E.device_checks(devs, now)
    assert (ev.action, ev.person_id, ev.kind) == ("open", 1, E.OFFLINE)
    assert [d["device_id"] for d in ev.evidence["devices"]] == [10]
    # still silent and already open: nothing new
    assert E.device_checks(devs, now, open_keys={ev.key}) == []
    # the device comes back online: the open alert is closed by the system
    back = [(10, 1, now), (11, 1, now), (12, 2, now)]
    [c] = E.device_checks(back, now + dt.timedelta(minutes=1), open_keys={ev.key})
    assert (c.action, c.kind, c.person_id) == ("close", E.OFFLINE, 1) and "恢复在线" in c.note
    # never reported at all counts as offline
    assert len(E.device_checks([(13, 3, None)], now)) == 1


def test_missed_and_failed_checkins():
    now = T0 + dt.timedelta(hours=1)
    tasks = [E.Task(1, 1, T0 + dt.timedelta(minutes=30)),  # due passed, unanswered → missed
             E.Task(2, 1, T0 + dt.timedelta(minutes=40)),  # same person: same alert
             E.Task(3, 2, T0 + dt.timedelta(minutes=90)),  # not yet due
             E.Task(4, 3, T0 + dt.timedelta(minutes=20), T0 + dt.timedelta(minutes=10), "未通过"),
             E.Task(5, 4, T0 + dt.timedelta(minutes=20), T0 + dt.timedelta(minutes=10), "通过")]
    missed, events = E.checkin_checks(tasks, now)
    assert sorted(missed) == [1, 2, 4]
    assert sorted(e.person_id for e in events) == [1, 3]
    assert [t["id"] for t in next(e for e in events if e.person_id == 1).evidence["tasks"]] == [1, 2]
    _, again = E.checkin_checks(tasks, now, open_keys={E.open_key(1, E.MISSED_CHECKIN)})
    assert [e.person_id for e in again] == [3]


def test_escalation_rule():
    cfg = E.EngineConfig(escalate_after_minutes=60)
    now = T0 + dt.timedelta(hours=2)
    assert E.should_escalate("新", now - dt.timedelta(minutes=61), None, now, cfg)
    assert not E.should_escalate("新", now - dt.timedelta(minutes=59), None, now, cfg)
    assert not E.should_escalate("已确认", now - dt.timedelta(hours=5), None, now, cfg)
    assert not E.should_escalate("新", now - dt.timedelta(hours=5), now, now, cfg)


# ------------------------------------------------------------------------------- throughput, real fence


def test_real_district_fence_and_vectorised_batch():
    geo = json.load(open("sample_data/real/shanghai_districts.geojson"))
    minhang = next(f for f in geo["features"] if f["properties"]["adcode"] == 310112)["geometry"]
    fences = E.FenceBook({i: minhang for i in range(200)})
    rng = np.random.default_rng(0)
    lon, lat = random_points_in(minhang, 200 * 20, rng, inset_m=300)
    n = len(lon)
    p = E.Pings(np.arange(n), np.repeat(np.arange(200), 20),
                np.datetime64("2026-03-02T00:00:00") + np.tile(np.arange(20) * 600, 200).astype("timedelta64[s]"),
                lon, lat, np.full(n, 30.0))
    assert E.evaluate(p, fences).opened() == []
    # move person 5 far outside (People's Square is in Huangpu, not Minhang) for 4 pings
    idx = np.flatnonzero(p.person == 5)[10:14]
    p.lon[idx], p.lat[idx] = 121.4737, 31.2304
    [a] = E.evaluate(p, fences).opened()
    assert (a.person_id, a.kind) == (5, E.BREACH)


# ------------------------------------------------------------------------------- risk code


def test_risk_code_rule():
    assert risk_code({})[0] == "green"
    assert risk_code({E.LOW_BATTERY: 20, E.OFFLINE: 2})[0] == "green"  # 0 + 2 points
    code, score, reasons = risk_code({E.BREACH: 1})
    assert (code, score) == ("yellow", 3) and "越界 1" in reasons[0] and "+3" in reasons[0]
    code, score, _ = risk_code({E.BREACH: 2, E.MISSED_CHECKIN: 1})
    assert (code, score) == ("red", 8)
    assert risk_code({}, absconded=True)[0] == "red"
    strict = RiskRule(yellow_at=1, red_at=2, points={E.OFFLINE: 1})
    assert risk_code({E.OFFLINE: 1}, strict)[0] == "yellow"
    assert risk_code({E.OFFLINE: 2, E.BREACH: 5}, strict)[0] == "red"  # breach has no points here
    assert "红码" in DEFAULT_RULE.explain()

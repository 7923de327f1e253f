"""The alert engine of the non-custodial supervision platform (pure: numpy + shapely, no I/O).

It reads a batch of location pings (with battery and band-separation flags), the persons' fences,
their approved leave requests and the set of alerts that are already open, and says which alerts to
open or close. The same function serves the sample-data builder, the live feed and any real device
gateway; the query layer only loads its inputs and writes its outputs.

Rules (every threshold is a field of ``EngineConfig``):

* **Fence breach (越界)** — a ping counts as *outside* only when its whole accuracy circle is outside
  the home fence: distance to the fence > ``accuracy_m + margin_m``. A point on the fence line, or a
  jittering fix whose circle still touches the fence, is *inside*. Pings less precise than
  ``max_accuracy_m`` (cell-tower fixes) are ignored: they neither count nor reset a run. A breach
  needs a run of consecutive outside pings of at least ``breach_min_pings`` pings, or of at least two
  pings spanning ``breach_min_minutes``.
* **Approved leave (外出)** — inside an approved request's window a ping inside its destination, or
  any ping in the first/last ``leave_transit_minutes`` (travel there and back), is not outside.
  After the window plus ``late_return_grace_minutes``, outside pings until the first inside ping
  raise **逾期未返** (late return) instead of 越界.
* **Banned zone (进入禁区)** — the accuracy circle wholly inside a banned polygon for
  ``banned_min_pings`` pings (or two pings over ``banned_min_minutes``).
* **Band separated (人机分离)** — ``separated_min_reports`` consecutive reports flagged by the band.
* **Low battery (低电量)** — a report at or below ``low_battery_pct``; closed by the system once the
  latest report is at or above ``battery_recovered_pct``.
* **Device offline (设备离线)** — an assigned device silent for more than ``offline_after_minutes``;
  closed by the system when every device of that person reports again.
* **Missed check-in (未签到)** — a roll-call task not answered by its due time (default window 30
  minutes), or answered with a failed verification.
* **One open alert per person and cause**: the key is ``"<person>:<kind>"``; while it is open, new
  evidence does not open another one.
* **Duplicates and order** — pings are sorted by (person, time); a second ping of the same person at
  the same second is a duplicate and dropped. Pings are evaluated over a window that may include
  already-seen ones (``new_ids``): an alert is raised only when its run contains at least one new
  ping, so re-reading a window never raises twice and a late ping that completes a run still counts.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import shapely

from domain.supervision.geo import metric_geom, to_xy

BREACH = "越界"
BANNED = "进入禁区"
LATE_RETURN = "逾期未返"
SEPARATED = "人机分离"
LOW_BATTERY = "低电量"
OFFLINE = "设备离线"
MISSED_CHECKIN = "未签到"
KINDS: tuple[str, ...] = (BREACH, BANNED, LATE_RETURN, SEPARATED, MISSED_CHECKIN, OFFLINE, LOW_BATTERY)
KINDS_EN = {BREACH: "Fence breach", BANNED: "Banned zone", LATE_RETURN: "Late return",
            SEPARATED: "Band separated", MISSED_CHECKIN: "Missed check-in", OFFLINE: "Device offline",
            LOW_BATTERY: "Low battery"}
SEVERITY = {BREACH: "中", BANNED: "高", LATE_RETURN: "高", SEPARATED: "高", MISSED_CHECKIN: "中",
            OFFLINE: "中", LOW_BATTERY: "低"}
FAR_BREACH_M = 5_000.0  # a breach this far outside the fence is high severity


@dataclass(frozen=True)
class EngineConfig:
    breach_min_pings: int = 3
    breach_min_minutes: float = 20.0
    margin_m: float = 0.0
    max_accuracy_m: float = 500.0
    banned_min_pings: int = 2
    banned_min_minutes: float = 10.0
    leave_transit_minutes: float = 120.0
    late_return_grace_minutes: float = 60.0
    late_return_horizon_hours: float = 72.0
    offline_after_minutes: float = 60.0
    low_battery_pct: int = 15
    battery_recovered_pct: int = 40
    separated_min_reports: int = 2
    checkin_window_minutes: int = 30
    escalate_after_minutes: float = 60.0


DEFAULT = EngineConfig()


def open_key(person_id: int, kind: str) -> str:
    return f"{int(person_id)}:{kind}"


@dataclass(frozen=True)
class AlertEvent:
    """An alert to open (``action='open'``) or an open one the system closes (``'close'``)."""

    action: str
    person_id: int
    kind: str
    at: dt.datetime
    severity: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def key(self) -> str:
        return open_key(self.person_id, self.kind)

    def evidence_json(self) -> str:
        return json.dumps(self.evidence, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(frozen=True)
class Leave:
    """An approved leave request; ``dest_geojson`` is the destination polygon (WGS84)."""

    id: int
    person_id: int
    start: dt.datetime
    end: dt.datetime
    dest_geojson: str | dict | None = None


class Pings:
    """A columnar batch of pings. ``ts`` is datetime64[s] (naive Asia/Shanghai wall clock)."""

    __slots__ = ("id", "person", "ts", "lon", "lat", "accuracy", "battery", "separated")

    def __init__(self, id, person, ts, lon, lat, accuracy, battery=None, separated=None):
        n = len(person)
        self.id = np.asarray(id, dtype=np.int64)
        self.person = np.asarray(person, dtype=np.int64)
        self.ts = np.asarray(ts).astype("datetime64[s]")
        self.lon = np.asarray(lon, dtype=float)
        self.lat = np.asarray(lat, dtype=float)
        self.accuracy = np.asarray(accuracy, dtype=float)
        self.battery = np.full(n, np.nan) if battery is None else _floats(battery)
        self.separated = (np.zeros(n, dtype=bool) if separated is None
                          else np.asarray(separated, dtype=bool))

    def __len__(self) -> int:
        return len(self.person)

    @classmethod
    def from_records(cls, rows: Iterable[Mapping[str, Any]]) -> "Pings":
        rows = list(rows)
        g = lambda k, d=None: [r.get(k, d) for r in rows]  # noqa: E731
        return cls(g("id"), g("person"), np.array(g("ts"), dtype="datetime64[s]"), g("lon"),
                   g("lat"), g("accuracy", 20.0), g("battery"), [bool(v) for v in g("separated", False)])

    def take(self, idx: np.ndarray) -> "Pings":
        return Pings(self.id[idx], self.person[idx], self.ts[idx], self.lon[idx], self.lat[idx],
                     self.accuracy[idx], self.battery[idx], self.separated[idx])


def _floats(values) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


class FenceBook:
    """Each person's home fence and banned zones, with geometries shared between persons.

    ``home`` maps person → GeoJSON (str or dict) of the home fence, ``banned`` maps person → a list of
    (zone name, GeoJSON). Identical GeoJSON strings (e.g. a district boundary) are built once.
    """

    def __init__(self, home: Mapping[int, str | dict], banned: Mapping[int, Sequence[tuple[str, Any]]]
                 | None = None):
        self._geoms: dict[str, Any] = {}
        self.home_key: dict[int, str] = {int(p): self._key(g) for p, g in home.items()}
        self.banned: dict[int, list[tuple[str, str]]] = {
            int(p): [(name, self._key(g)) for name, g in zones] for p, zones in (banned or {}).items()}

    def _key(self, g: str | dict) -> str:
        k = g if isinstance(g, str) else json.dumps(g, sort_keys=True)
        if k not in self._geoms:
            self._geoms[k] = metric_geom(k)
        return k

    def geom(self, key: str):
        return self._geoms[key]


@dataclass
class EngineResult:
    events: list[AlertEvent]
    returns: list[tuple[int, dt.datetime]]  # (leave id, first time back inside the home fence)
    stats: dict[str, int]

    def opened(self, kind: str | None = None) -> list[AlertEvent]:
        return [e for e in self.events if e.action == "open" and (kind is None or e.kind == kind)]

    def closed(self, kind: str | None = None) -> list[AlertEvent]:
        return [e for e in self.events if e.action == "close" and (kind is None or e.kind == kind)]


# ----------------------------------------------------------------------------------- internals


def _to_dt(t: np.datetime64) -> dt.datetime:
    return t.astype("datetime64[s]").astype(dt.datetime)


def _sec(t: dt.datetime | np.datetime64) -> np.int64:
    return np.datetime64(t, "s").astype(np.int64)


def _outside_distance(geom, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance (m) from each point to ``geom``; 0 for points inside or on it."""
    d = np.zeros(len(x))
    inside = shapely.contains_xy(geom, x, y)
    out = ~inside
    if out.any():
        d[out] = shapely.distance(geom, shapely.points(x[out], y[out]))
    return d


def _inside_depth(geom, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """How far (m) each point lies inside ``geom`` (distance to its edge); -1 for points outside."""
    d = np.full(len(x), -1.0)
    inside = shapely.contains_xy(geom, x, y)
    if inside.any():
        d[inside] = shapely.distance(geom.boundary, shapely.points(x[inside], y[inside]))
    return d


def run_triggers(person: np.ndarray, ts_sec: np.ndarray, flag: np.ndarray, min_n: int,
                 min_seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """For each run of consecutive flagged rows of one person (rows sorted by person, time), the
    index at which the run first has ``min_n`` rows, or two rows ``min_seconds`` apart, and the index
    where that run started. Vectorised."""
    f = np.asarray(flag, dtype=bool)
    n = len(f)
    if n == 0 or not f.any():
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    same_person = np.r_[False, person[1:] == person[:-1]]
    prev_f = np.r_[False, f[:-1]]
    new_run = f & ~(prev_f & same_person)
    run_id = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    idx = np.flatnonzero(f)
    rid = run_id[idx]
    rs = starts[rid]
    count = idx - rs + 1
    dur = ts_sec[idx] - ts_sec[rs]
    ok = (count >= max(1, min_n)) | ((count >= 2) & (dur >= min_seconds))
    cand, crid = idx[ok], rid[ok]
    if len(cand) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    first = np.r_[True, crid[1:] != crid[:-1]]
    return cand[first], starts[crid[first]]


def _evidence(p: Pings, rows_all: np.ndarray, extra: dict[str, Any] | None = None,
              limit: int = 12) -> dict[str, Any]:
    """The pings behind an alert (the first and last ``limit/2`` when the run is long)."""
    rows = [int(i) for i in rows_all]
    if len(rows) > limit:
        rows = rows[: limit // 2] + rows[-(limit // 2):]
    lo, hi = int(rows_all[0]), int(rows_all[-1])
    ev = {"pings": [{"id": int(p.id[i]), "ts": str(p.ts[i]).replace("T", " "),
                     "lon": round(float(p.lon[i]), 6), "lat": round(float(p.lat[i]), 6),
                     "accuracy_m": round(float(p.accuracy[i]), 1)} for i in rows],
          "count": int(len(rows_all)),
          "from": str(p.ts[lo]).replace("T", " "), "to": str(p.ts[hi]).replace("T", " ")}
    if extra:
        ev.update(extra)
    return ev


# ----------------------------------------------------------------------------------- the engine


def evaluate(pings: Pings, fences: FenceBook, leaves: Sequence[Leave] = (),
             cfg: EngineConfig = DEFAULT, *, open_keys: Iterable[str] = (),
             new_ids: Iterable[int] | np.ndarray | None = None) -> EngineResult:
    """Run every ping rule over a batch (see the module docstring). ``new_ids=None``: all are new."""
    open_now = set(open_keys)
    stats = {"pings": len(pings), "duplicates": 0, "inaccurate": 0, "evaluated": 0}
    events: list[AlertEvent] = []
    returns: list[tuple[int, dt.datetime]] = []
    if len(pings) == 0:
        return EngineResult(events, returns, stats)

    # 1. order by (person, time, id) and drop duplicates (same person, same second)
    order = np.lexsort((pings.id, pings.ts, pings.person))
    p = pings.take(order)
    dup = np.r_[False, (p.person[1:] == p.person[:-1]) & (p.ts[1:] == p.ts[:-1])]
    stats["duplicates"] = int(dup.sum())
    if dup.any():
        p = p.take(np.flatnonzero(~dup))
    n = len(p)
    stats["evaluated"] = n
    ts = p.ts.astype(np.int64)
    x, y = to_xy(p.lon, p.lat)
    is_new = np.ones(n, dtype=bool) if new_ids is None else np.isin(p.id, np.fromiter(
        (int(i) for i in new_ids), dtype=np.int64) if not isinstance(new_ids, np.ndarray) else new_ids)
    tol = p.accuracy + cfg.margin_m
    accurate = p.accuracy <= cfg.max_accuracy_m
    stats["inaccurate"] = int((~accurate).sum())

    # 2. home fence: distance outside, per shared geometry
    dist_out = np.zeros(n)
    has_home = np.zeros(n, dtype=bool)
    home_keys = np.array([fences.home_key.get(int(q), "") for q in p.person], dtype=object) \
        if n < 2000 else _map_keys(p.person, fences.home_key)
    for key in set(fences.home_key.values()):
        m = home_keys == key
        if m.any():
            has_home |= m
            dist_out[m] = _outside_distance(fences.geom(key), x[m], y[m])
    out_raw = has_home & (dist_out > tol)  # accuracy circle wholly outside
    out = out_raw.copy()

    # 3. approved leave: suppression inside the destination/transit, late return after the window
    late = np.zeros(n, dtype=bool)
    transit = cfg.leave_transit_minutes * 60
    for lv in leaves:
        pm = p.person == lv.person_id
        if not pm.any():
            continue
        s, e = _sec(lv.start), _sec(lv.end)
        win = pm & (ts >= s) & (ts <= e)
        if win.any():
            ok = win & ((ts <= s + transit) | (ts >= e - transit))
            if lv.dest_geojson:
                key = fences._key(lv.dest_geojson)
                wi = np.flatnonzero(win)
                d = _outside_distance(fences.geom(key), x[wi], y[wi])
                ok[wi[d <= tol[wi]]] = True
            out[ok] = False
        away = pm & (ts >= s) & out_raw & accurate
        if not away.any():
            continue
        first_away = ts[away].min()
        back = pm & (ts > first_away) & ~out_raw & accurate
        back_ts = ts[back].min() if back.any() else None
        if back_ts is not None:
            returns.append((lv.id, _to_dt(np.datetime64(int(back_ts), "s"))))
        grace = e + cfg.late_return_grace_minutes * 60
        horizon = e + cfg.late_return_horizon_hours * 3600
        out[pm & (ts > e) & (ts <= grace)] = False  # on the way back: the grace period
        lm = pm & out_raw & (ts > grace) & (ts <= horizon)
        if back_ts is not None:
            lm &= ts < back_ts
        late |= lm
    out &= ~late

    acc_idx = np.flatnonzero(accurate)
    pa, ta = p.person[acc_idx], ts[acc_idx]

    def emit(kind: str, trig: np.ndarray, start: np.ndarray, sub: np.ndarray, extra_fn=None) -> None:
        for t, s0 in zip(trig, start):
            gi, gs = int(sub[t]), int(sub[s0])
            run = sub[s0:t + 1]
            if not is_new[run].any():
                continue  # raised (or not) when these pings were first seen
            key = open_key(p.person[gi], kind)
            if key in open_now:
                continue
            open_now.add(key)
            extra = extra_fn(gs, gi) if extra_fn else None
            sev = SEVERITY[kind]
            if kind == BREACH and extra and extra.get("max_distance_m", 0) > FAR_BREACH_M:
                sev = "高"
            events.append(AlertEvent("open", int(p.person[gi]), kind, _to_dt(p.ts[gi]), sev,
                                     _evidence(p, run, extra)))

    def dist_extra(gs: int, gi: int) -> dict[str, Any]:
        return {"max_distance_m": round(float(dist_out[gs:gi + 1][accurate[gs:gi + 1]].max()), 1)}

    # 4. fence breach and late return, over accurate pings only
    trig, start = run_triggers(pa, ta, out[acc_idx], cfg.breach_min_pings, cfg.breach_min_minutes * 60)
    emit(BREACH, trig, start, acc_idx, dist_extra)
    trig, start = run_triggers(pa, ta, late[acc_idx], cfg.breach_min_pings, cfg.breach_min_minutes * 60)
    emit(LATE_RETURN, trig, start, acc_idx, dist_extra)

    # 5. banned zones
    if fences.banned:
        in_zone = np.zeros(n, dtype=bool)
        zone_name = np.full(n, "", dtype=object)
        by_key: dict[str, tuple[str, list[int]]] = {}
        for person, zones in fences.banned.items():
            for name, key in zones:
                by_key.setdefault(key, (name, []))[1].append(person)
        for key, (name, persons) in by_key.items():
            m = np.isin(p.person, np.array(persons, dtype=np.int64)) & ~in_zone
            if not m.any():
                continue
            mi = np.flatnonzero(m)
            depth = _inside_depth(fences.geom(key), x[mi], y[mi])
            hit = mi[depth > tol[mi]]
            in_zone[hit] = True
            zone_name[hit] = name
        trig, start = run_triggers(pa, ta, in_zone[acc_idx], cfg.banned_min_pings,
                                   cfg.banned_min_minutes * 60)
        emit(BANNED, trig, start, acc_idx, lambda gs, gi: {"zone": zone_name[gi]})

    # 6. band separated (any accuracy: the band decides, not the fix)
    all_idx = np.arange(n)
    trig, start = run_triggers(p.person, ts, p.separated, cfg.separated_min_reports, float("inf"))
    emit(SEPARATED, trig, start, all_idx)

    # 7. low battery: open on a low report, close when the latest report has recovered
    low = p.battery <= cfg.low_battery_pct  # NaN compares False
    trig, start = run_triggers(p.person, ts, low, 1, float("inf"))
    emit(LOW_BATTERY, trig, trig, all_idx, lambda gs, gi: {"battery_pct": int(p.battery[gi])})
    last_of_person = np.r_[p.person[1:] != p.person[:-1], True]
    for i in np.flatnonzero(last_of_person & (p.battery >= cfg.battery_recovered_pct)):
        key = open_key(p.person[i], LOW_BATTERY)
        if key in open_now and is_new[i]:
            open_now.discard(key)
            events.append(AlertEvent("close", int(p.person[i]), LOW_BATTERY, _to_dt(p.ts[i]),
                                     note=f"系统：电量已恢复至 {int(p.battery[i])}%"))
    return EngineResult(events, returns, stats)


def _map_keys(person: np.ndarray, mapping: Mapping[int, str]) -> np.ndarray:
    uniq, inv = np.unique(person, return_inverse=True)
    vals = np.array([mapping.get(int(u), "") for u in uniq], dtype=object)
    return vals[inv]


# ----------------------------------------------------------------------------------- devices, tasks


def device_checks(devices: Iterable[tuple[int, int, dt.datetime | None]], now: dt.datetime,
                  cfg: EngineConfig = DEFAULT, open_keys: Iterable[str] = ()) -> list[AlertEvent]:
    """Device offline: ``devices`` are (device id, person id, last seen) of assigned devices.

    Opens one 设备离线 alert per person with any device silent longer than the limit; closes an open
    one (system note) once all of that person's devices have reported within the limit again.
    """
    open_now = set(open_keys)
    limit = dt.timedelta(minutes=cfg.offline_after_minutes)
    silent: dict[int, list[dict[str, Any]]] = {}
    persons: set[int] = set()
    for dev, person, seen in devices:
        persons.add(int(person))
        if seen is None or now - seen > limit:
            silent.setdefault(int(person), []).append(
                {"device_id": int(dev), "last_seen": str(seen) if seen else None})
    events = []
    for person in sorted(persons):
        key = open_key(person, OFFLINE)
        if person in silent and key not in open_now:
            events.append(AlertEvent("open", person, OFFLINE, now, SEVERITY[OFFLINE],
                                     {"devices": silent[person],
                                      "offline_after_minutes": cfg.offline_after_minutes}))
        elif person not in silent and key in open_now:
            events.append(AlertEvent("close", person, OFFLINE, now,
                                     note=f"系统：设备于 {now:%m-%d %H:%M} 前恢复在线"))
    return events


@dataclass(frozen=True)
class Task:
    id: int
    person_id: int
    due_at: dt.datetime
    answered_at: dt.datetime | None = None
    verify_result: str | None = None  # 通过 / 未通过


def checkin_checks(tasks: Iterable[Task], now: dt.datetime, open_keys: Iterable[str] = ()
                   ) -> tuple[list[int], list[AlertEvent]]:
    """Tasks still waiting (待签到): which are now missed, and the 未签到 alerts to open.

    A task is missed when its due time has passed unanswered, or when it was answered but the
    verification failed. One open alert per person: further misses are added to its evidence by
    the caller (here they simply do not open another alert).
    """
    open_now = set(open_keys)
    missed: list[int] = []
    per_person: dict[int, list[Task]] = {}
    for t in tasks:
        late = t.answered_at is None and t.due_at < now
        failed = t.answered_at is not None and t.verify_result == "未通过"
        if late or failed:
            missed.append(t.id)
            per_person.setdefault(t.person_id, []).append(t)
    events = []
    for person, ts in sorted(per_person.items()):
        key = open_key(person, MISSED_CHECKIN)
        if key in open_now:
            continue
        first = min(ts, key=lambda t: t.due_at)
        events.append(AlertEvent("open", person, MISSED_CHECKIN, min(now, first.due_at) if
                                 first.answered_at is None else first.answered_at,
                                 SEVERITY[MISSED_CHECKIN],
                                 {"tasks": [{"id": t.id, "due_at": str(t.due_at),
                                             "answered_at": str(t.answered_at) if t.answered_at else None,
                                             "verify": t.verify_result} for t in ts]}))
    return missed, events


def escalation_cutoff(now: dt.datetime, cfg: EngineConfig = DEFAULT) -> dt.datetime:
    """Alerts still 新 (unacknowledged) raised before this moment are escalated."""
    return now - dt.timedelta(minutes=cfg.escalate_after_minutes)


def should_escalate(status: str, raised_at: dt.datetime, escalated_at: dt.datetime | None,
                    now: dt.datetime, cfg: EngineConfig = DEFAULT) -> bool:
    return status == "新" and escalated_at is None and raised_at < escalation_cutoff(now, cfg)

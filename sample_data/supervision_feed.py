"""Live feed for the supervision platform: ``tick(engine, now, rng)`` is called every few seconds.

Each tick, in one transaction: persons whose last report is at least one reporting interval old send a
new ping (a small random walk from their last position; now and then an excursion), band wearers
sometimes report separation, batteries drain and recharge, pending check-ins get answered (a few
never are), the daily 09:00 roll call and occasional random ones are created, and the alert engine
runs over what was written (fences, leave, banned zones, battery, band, device offline, missed
check-ins, escalation, risk codes). Returns the number of rows written.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Engine, and_, func, insert, select, update

from queries import supervision as Q
from queries.schema import CheckinTask, Device, SupervisedPerson
from sample_data.build import bump_version

INTERVAL_MIN = 10  # reporting interval of a device
MAX_BATCH = 1000
KX, KY = 111_320.0 * np.cos(np.radians(31.2)), 110_574.0


def tick(engine: Engine, now: dt.datetime, rng: np.random.Generator) -> int:
    now = now.replace(microsecond=0)
    written = 0
    with engine.begin() as conn:
        due = conn.execute(
            select(SupervisedPerson.id, SupervisedPerson.last_lon, SupervisedPerson.last_lat,
                   SupervisedPerson.measure, SupervisedPerson.last_ping_at)
            .where(SupervisedPerson.status == Q.ACTIVE, SupervisedPerson.last_lon.is_not(None),
                   SupervisedPerson.last_ping_at <= now - dt.timedelta(minutes=INTERVAL_MIN))
            .order_by(SupervisedPerson.last_ping_at).limit(MAX_BATCH)).all()
        # a device that has gone silent mostly stays silent (so its offline alert means something)
        quiet = now - dt.timedelta(minutes=70)
        due = [r for r in due if r.last_ping_at >= quiet or rng.random() < 0.005]
        new_ids = np.empty(0, dtype=np.int64)
        person_ids: list[int] = []
        if due:
            sid = np.array([r.id for r in due], dtype=np.int64)
            n = len(sid)
            devs = conn.execute(select(Device.id, Device.supervised_id, Device.kind, Device.battery_pct)
                                .where(Device.supervised_id.in_(sid.tolist()), Device.status == "在用")).all()
            dev_of: dict[int, tuple[int, int | None]] = {}
            for d in devs:  # the band reports when there is one, else the phone
                if d.supervised_id not in dev_of or d.kind == "手环":
                    dev_of[d.supervised_id] = (d.id, d.battery_pct)
            lon = np.array([r.last_lon for r in due]) + rng.normal(0, 25, n) / KX
            lat = np.array([r.last_lat for r in due]) + rng.normal(0, 25, n) / KY
            jump = rng.random(n) < 0.003  # an excursion of a few km
            lon[jump] += rng.normal(0, 8000, int(jump.sum())) / KX
            lat[jump] += rng.normal(0, 8000, int(jump.sum())) / KY
            acc = np.clip(rng.lognormal(np.log(18), 0.45, n), 4, 90)
            bat = np.array([float(dev_of.get(int(s), (0, None))[1] or 80) for s in sid])
            bat = np.where(bat < 12, np.where(rng.random(n) < 0.3, 100.0, bat), bat - rng.uniform(0, 1.2, n))
            bands = np.array([r.measure == "监视居住" for r in due])
            sep = bands & (rng.random(n) < 0.004)
            first = Q.next_ping_id(conn)
            cols = {"id": np.arange(first, first + n, dtype=np.int64), "supervised_id": sid,
                    "device_id": np.array([float(dev_of.get(int(s), (np.nan,))[0]) for s in sid]),
                    "ts": np.full(n, np.datetime64(now, "s")) - rng.integers(0, 20, n).astype("timedelta64[s]"),
                    "lon": lon, "lat": lat, "accuracy_m": acc.round(1), "battery_pct": np.clip(bat, 1, 100).round(),
                    "band_separated": sep}
            written += Q.insert_pings(conn, cols)
            Q.update_last_positions(conn, cols)
            new_ids, person_ids = cols["id"], sid.tolist()
        written += _checkins(conn, now, rng)
        run = Q.run_engine(conn, now, new_ids, person_ids or None)
        written += run.opened
        if written:
            bump_version(conn, now)
    return written


def _checkins(conn, now: dt.datetime, rng: np.random.Generator) -> int:
    """Answer waiting tasks now and then; create the daily and random roll calls."""
    n = 0
    waiting = conn.execute(select(CheckinTask.id, CheckinTask.supervised_id, SupervisedPerson.last_lon,
                                  SupervisedPerson.last_lat)
                           .join(SupervisedPerson, SupervisedPerson.id == CheckinTask.supervised_id)
                           .where(CheckinTask.status == "待签到", CheckinTask.scheduled_at <= now,
                                  CheckinTask.due_at >= now)).all()
    for t in waiting:
        if t.id % 33 == 0 or rng.random() > 0.02:  # a few never answer; the rest within minutes
            continue
        conn.execute(update(CheckinTask).where(CheckinTask.id == t.id, CheckinTask.status == "待签到").values(
            answered_at=now, lon=t.last_lon, lat=t.last_lat, status="已签到",
            verify_result="通过" if rng.random() < 0.98 else "未通过"))
        n += 1
    nine = dt.datetime.combine(now.date(), dt.time(9, 0))
    if now >= nine:
        has = conn.execute(select(func.count()).select_from(CheckinTask).where(
            and_(CheckinTask.kind == "定时", CheckinTask.scheduled_at == nine))).scalar_one()
        if not has:
            ids = [r[0] for r in conn.execute(select(SupervisedPerson.id)
                                               .where(SupervisedPerson.status == Q.ACTIVE))]
            if ids:
                conn.execute(insert(CheckinTask), [
                    {"supervised_id": i, "kind": "定时", "scheduled_at": nine,
                     "due_at": nine + dt.timedelta(minutes=30), "status": "待签到"} for i in ids])
                n += len(ids)
    if rng.random() < 1 / 120:
        sid = conn.execute(select(SupervisedPerson.id).where(SupervisedPerson.status == Q.ACTIVE)
                           .order_by(func.random()).limit(1)).scalar()
        if sid is not None:
            conn.execute(insert(CheckinTask).values(supervised_id=sid, kind="随机", scheduled_at=now,
                                                    due_at=now + dt.timedelta(minutes=30), status="待签到"))
            n += 1
    return n

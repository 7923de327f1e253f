"""Sample step: the non-custodial supervision platform (after ``sample_data.core``).

Supervised persons are the suspects of criminal cases on bail (取保候审) or residential surveillance
(监视居住), the newest ones active and older ones released. Each active person gets devices (a
phone; also a wristband under residential surveillance) with assignment history, a home fence (the
real district boundary), district-wide and personal banned zones, ``spec.ping_days`` days of pings
every ``spec.ping_every_min`` minutes (home at night, a workplace by day, GPS jitter, some cell-tower
fixes, a few excursions, banned-zone visits, trips on approved leave with some late returns, band
separations, drained batteries and devices that went silent), daily and random check-in tasks and
leave requests. Alerts are produced by running the real engine over the pings day by day; older
ones were acknowledged and closed by the district's supervision officer. Everything is generated
as numpy arrays and bulk-inserted (city scale: 5,000 people × a week ≈ 5 M pings).
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy import Engine, func, insert, select, update

from domain.supervision import engine as E
from domain.supervision.geo import circle_geojson, random_points_in
from queries import supervision as Q
from queries.schema import (
    Alert, AppUser, Case, CaseParty, CheckinTask, CustodyPeriod, Device, DeviceAssignment, District, Fence,
    LeaveRequest, LocationPing, Person, Procuratorate, SupervisedPerson, Suspect,
)
from queries.writes import add_person, bulk_insert

OUTSIDE_CITIES = [("江苏省苏州市", 120.585, 31.299), ("浙江省杭州市", 120.155, 30.274),
                  ("浙江省嘉兴市", 120.755, 30.746), ("江苏省南通市", 120.894, 31.980),
                  ("江苏省昆山市", 120.981, 31.385)]
LEAVE_REASONS = ["探望住院亲属", "参加亲属婚礼", "外地务工面试", "陪同子女就医", "处理房产手续", "奔丧"]
CLOSE_NOTES = ["已电话联系本人，说明情况属实，已予以警示教育", "经核实为定位漂移，已记录",
               "已联系辖区派出所协助核查，本人已返回", "本人已补签到并说明原因", "已通知本人充电并恢复在线",
               "经视频核验本人在居住地，告警解除"]
RELEASE_REASONS = ["取保候审期限届满", "变更强制措施为逮捕", "判决生效", "撤销案件", "不起诉决定生效"]
ACTIVE_STAGES = ("审查逮捕", "侦查", "审查起诉", "退回补充侦查", "提起公诉", "一审", "受理")


def _users(conn) -> tuple[dict[int, list[int]], dict[int, int]]:
    rows = conn.execute(select(AppUser.id, AppUser.role, Procuratorate.district_id)
                        .join(Procuratorate, Procuratorate.id == AppUser.procuratorate_id)
                        .where(AppUser.role.in_(("prosecutor", "supervision"))).order_by(AppUser.id)).all()
    pros: dict[int, list[int]] = {}
    sup: dict[int, int] = {}
    for uid, role, d in rows:
        if d is None:
            continue
        if role == "prosecutor":
            pros.setdefault(d, []).append(uid)
        else:
            sup.setdefault(d, uid)  # the district's first officer (sup_<d>); sup_<d>_2 approves releases
    return pros, sup


def _extra_cases(conn, n: int, districts: list[int], now: dt.datetime, rng: np.random.Generator) -> list[tuple]:
    """Create ``n`` bail cases with one suspect each when core did not make enough of them."""
    from domain.identity import make_id
    from queries.crypto import hash_id_number

    out = []
    procs = dict(conn.execute(select(Procuratorate.district_id, Procuratorate.id)
                              .where(Procuratorate.district_id.is_not(None))).all())
    for i in range(n):
        d = int(rng.choice(districts))
        acc = now - dt.timedelta(days=int(rng.integers(5, 150)))
        cid = conn.execute(insert(Case).values(
            case_no=f"沪检监管补〔{now.year}〕{i + 1:05d}号", procuratorate_id=procs[d], district_id=d,
            function="刑事", charge=str(rng.choice(["危险驾驶", "盗窃", "诈骗", "故意伤害"])),
            stage="审查起诉", stage_entered_at=acc, accepted_at=acc, suspects=1,
            prosecution_review_at=acc, compulsory_measure="取保候审", procedure="普通", origin="公安机关").returning(Case.id)).scalar_one()
        born = dt.date(int(rng.integers(1965, 2004)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        idn = make_id(str(d), born, 500 + i % 499)
        while conn.execute(select(Person.id).where(Person.id_hash == hash_id_number(idn))).first():
            born += dt.timedelta(days=1)
            idn = make_id(str(d), born, 500 + i % 499)
        phone = "15" + f"{int(rng.integers(0, 10 ** 9)):09d}"
        name = "某" + str(rng.choice(list("伟芳娜敏静丽强磊军洋")))
        pid = add_person(conn, full_name=name, id_number=idn, phone=phone, district_id=d,
                         public_id=rng.bytes(16).hex())
        conn.execute(insert(CaseParty).values(case_id=cid, person_id=pid, role="犯罪嫌疑人"))
        # the suspect's own record (issue 12): in review, on bail since the transfer
        sid = conn.execute(insert(Suspect).values(case_id=cid, district_id=d, person_id=pid, seq=1, juvenile=False,
                                                  plea=False, probation=False).returning(Suspect.id)).scalar_one()
        conn.execute(insert(CustodyPeriod).values(suspect_id=sid, measure="取保候审", started_at=acc))
        out.append((cid, pid, d, "取保候审", acc, "审查起诉"))
    return out


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    now = ctx.now
    n_active = int(spec.supervised)
    n_released = int(round(spec.supervised * 0.6))
    step = dt.timedelta(minutes=spec.ping_every_min)
    written = 0
    with engine.begin() as conn:
        dist_rows = conn.execute(select(District.id, District.geojson).order_by(District.id)).all()
        geo = {d: g for d, g in dist_rows}
        districts = list(geo)
        pros, sup = _users(conn)
        cand = conn.execute(
            select(Case.id, CaseParty.person_id, Case.district_id, Case.compulsory_measure,
                   Case.accepted_at, Case.stage)
            .join(CaseParty, CaseParty.case_id == Case.id)
            .where(Case.function == "刑事", Case.compulsory_measure.in_(("取保候审", "监视居住")),
                   CaseParty.role == "犯罪嫌疑人")
            .order_by(Case.accepted_at.desc(), Case.id)).all()
        seen: set[int] = set()
        uniq = []
        for r in cand:  # one supervision per person
            if r.person_id not in seen:
                seen.add(r.person_id)
                uniq.append(tuple(r))
        open_first = [r for r in uniq if r[5] in ACTIVE_STAGES] + [r for r in uniq if r[5] not in ACTIVE_STAGES]
        if len(open_first) < n_active:
            open_first += _extra_cases(conn, n_active - len(open_first), districts, now, rng)
        active = open_first[:n_active]
        rest = [r for r in open_first[n_active:]]
        pick = np.sort(rng.choice(len(rest), min(n_released, len(rest)), replace=False)) if rest else []
        released = [rest[int(i)] for i in pick]  # spread over the whole case history

        # ------------------------------------------------------------------ supervised persons
        rows = []
        seq: dict[int, int] = {}
        today = now.date()
        for k, (cid, pid, d, measure, acc, _stage) in enumerate(active + released):
            is_active = k < len(active)
            seq[d] = seq.get(d, 0) + 1
            months = 12 if measure == "取保候审" else 6
            if is_active:  # enrolled some time within the measure's maximum term
                start = today - dt.timedelta(days=int(rng.integers(2, months * 28)))
                end = start + dt.timedelta(days=months * 30)
                rel_at, status = None, "在管"
            else:
                start = (acc - dt.timedelta(days=int(rng.integers(0, 20)))).date()
                end = start + dt.timedelta(days=months * 30)
                rel = dt.datetime.combine(start, dt.time(10)) + dt.timedelta(
                    days=int(rng.integers(30, months * 30)), minutes=int(rng.integers(0, 420)))
                if rel > now - dt.timedelta(days=1):  # a late case: enrolment moved back
                    shift = rel - (now - dt.timedelta(days=int(rng.integers(1, 60))))
                    start, rel = start - dt.timedelta(days=shift.days + 1), rel - dt.timedelta(days=shift.days + 1)
                    end = start + dt.timedelta(days=months * 30)
                rel_at = rel
                status = "已转出" if rng.random() < 0.04 else "已解除"
            pl = pros.get(d) or [None]
            rows.append({
                "person_code": f"JG{d}-{seq[d]:04d}", "person_id": pid, "case_id": cid, "measure": measure,
                "start_date": start, "end_date": end, "status": status, "home_district_id": d,
                "prosecutor_id": pl[int(rng.integers(len(pl)))], "risk_code": "green",
                "risk_reasons": None, "first_offender": bool(rng.random() < 0.985),
                "confessed": bool(rng.random() < 0.997), "absconded": False, "released_at": rel_at,
                # a past release was asked for by the district's officer the day before (four eyes)
                "release_requested_by": None if is_active else sup.get(d),
                "release_requested_at": None if is_active else rel_at - dt.timedelta(days=1),
                "release_reason": None if is_active else ("移交外地执行" if status == "已转出"
                                                          else RELEASE_REASONS[k % len(RELEASE_REASONS)])})
        base_id = int(conn.execute(select(func.coalesce(func.max(SupervisedPerson.id), 0))).scalar_one())
        for i, r in enumerate(rows):
            r["id"] = base_id + 1 + i
        written += bulk_insert(conn, SupervisedPerson.__table__, rows)
        sids = np.array([r["id"] for r in rows[:len(active)]], dtype=np.int64)
        home = np.array([r["home_district_id"] for r in rows[:len(active)]], dtype=np.int64)
        rs_mask = np.array([r["measure"] == "监视居住" for r in rows[:len(active)]], dtype=bool)
        n = len(sids)

        # ------------------------------------------------------------------ devices and assignments
        dev_rows, asg_rows = [], []
        did = int(conn.execute(select(func.coalesce(func.max(Device.id), 0))).scalar_one())
        phone_of = np.zeros(n, dtype=np.int64)
        band_of = np.zeros(n, dtype=np.int64)
        for i, r in enumerate(rows):
            start_dt = dt.datetime.combine(r["start_date"], dt.time(10))
            kinds = ["手机"] + (["手环"] if r["measure"] == "监视居住" else [])
            for kind in kinds:
                if i < n and rng.random() < 0.08:  # an earlier device was replaced
                    did += 1
                    swap = start_dt + (now - start_dt) * float(rng.uniform(0.2, 0.8))
                    dev_rows.append({"id": did, "serial": f"{'PH' if kind == '手机' else 'BD'}-{did:07d}",
                                     "kind": kind, "supervised_id": None, "battery_pct": None,
                                     "last_seen_at": swap, "status": "停用"})
                    asg_rows.append({"device_id": did, "supervised_id": r["id"], "assigned_at": start_dt,
                                     "returned_at": swap})
                    start_dt = swap
                did += 1
                is_active = i < n
                dev_rows.append({"id": did, "serial": f"{'PH' if kind == '手机' else 'BD'}-{did:07d}",
                                 "kind": kind, "supervised_id": r["id"] if is_active else None,
                                 "battery_pct": None, "last_seen_at": None if is_active else r["released_at"],
                                 "status": "在用" if is_active else ("库存" if rng.random() < 0.8 else "停用")})
                asg_rows.append({"device_id": did, "supervised_id": r["id"], "assigned_at": start_dt,
                                 "returned_at": None if is_active else r["released_at"]})
                if is_active:
                    (phone_of if kind == "手机" else band_of)[i] = did
        for _ in range(max(2, n // 20)):  # spare stock
            did += 1
            kind = "手机" if rng.random() < 0.6 else "手环"
            dev_rows.append({"id": did, "serial": f"{'PH' if kind == '手机' else 'BD'}-{did:07d}", "kind": kind,
                             "supervised_id": None, "battery_pct": 100, "last_seen_at": None, "status": "库存"})
        written += bulk_insert(conn, Device.__table__, dev_rows)
        written += bulk_insert(conn, DeviceAssignment.__table__, asg_rows)

        # ------------------------------------------------------------------ fences
        fence_rows = [{"supervised_id": r["id"], "kind": "home", "name": "居住地区界",
                       "district_id": r["home_district_id"], "geojson": None} for r in rows]
        zone_center: dict[int, list[tuple[float, float]]] = {}
        for d in districts:
            lon, lat = random_points_in(geo[d], 2, rng, inset_m=1500)
            for j, (x, y) in enumerate(zip(lon, lat)):
                zone_center.setdefault(d, []).append((float(x), float(y)))
                fence_rows.append({"supervised_id": None, "kind": "banned", "district_id": d,
                                   "name": ["娱乐场所集中区", "案发地周边"][j],
                                   "geojson": json.dumps(circle_geojson(x, y, 300))})
        personal = np.flatnonzero(rng.random(n) < 0.10)
        for i in personal:
            x, y = random_points_in(geo[int(home[i])], 1, rng, inset_m=1000)
            fence_rows.append({"supervised_id": int(sids[i]), "kind": "banned", "name": "被害人住所周边",
                               "district_id": int(home[i]),
                               "geojson": json.dumps(circle_geojson(float(x[0]), float(y[0]), 200))})
        written += bulk_insert(conn, Fence.__table__, fence_rows)

        # ------------------------------------------------------------------ pings (vectorised)
        steps = int(spec.ping_days * 24 * 60 // spec.ping_every_min)
        t_first = now - step * steps
        base_ts = np.datetime64(t_first, "s") + (np.arange(1, steps + 1) * spec.ping_every_min * 60
                                                 ).astype("timedelta64[s]")
        hour = ((base_ts - base_ts.astype("datetime64[D]")).astype(np.int64) / 3600.0)
        weekday = ((base_ts.astype("datetime64[D]").astype(np.int64) + 3) % 7)  # Monday = 0
        home_lon, home_lat = np.zeros(n), np.zeros(n)
        work_lon, work_lat = np.zeros(n), np.zeros(n)
        def anchors(d: int, k: int) -> tuple[np.ndarray, np.ndarray]:
            """Homes and workplaces inside the district, none inside a banned zone."""
            x, y = random_points_in(geo[d], k, rng, inset_m=1200)
            for _ in range(10):
                bad = np.zeros(k, dtype=bool)
                for cx, cy in zone_center.get(d, []):
                    bad |= np.hypot((x - cx) * kx, (y - cy) * ky) < 600
                if not bad.any():
                    break
                x[bad], y[bad] = random_points_in(geo[d], int(bad.sum()), rng, inset_m=1200)
            return x, y

        kx, ky = 111_320.0 * np.cos(np.radians(31.2)), 110_574.0
        for d in np.unique(home):
            m = home == d
            k = int(m.sum())
            home_lon[m], home_lat[m] = anchors(int(d), k)
            work_lon[m], work_lat[m] = anchors(int(d), k)
        employed = rng.random(n) < 0.6
        at_work = employed[:, None] & ((hour >= 8.5) & (hour < 18) & (weekday < 5))[None, :]
        lon = np.where(at_work, work_lon[:, None], home_lon[:, None])
        lat = np.where(at_work, work_lat[:, None], home_lat[:, None])
        acc = np.clip(rng.lognormal(np.log(18), 0.45, (n, steps)), 4, 90)
        cell = rng.random((n, steps)) < 0.03
        acc[cell] = rng.uniform(300, 1500, int(cell.sum()))
        sd = np.where(cell, acc / 3, acc / 2.5)
        noise_x = rng.normal(0, 1, (n, steps)) * sd
        noise_y = rng.normal(0, 1, (n, steps)) * sd
        valid = rng.random((n, steps)) > 0.01  # occasional missed reports
        separated = np.zeros((n, steps), dtype=bool)

        def span(i: int, lo: int, length: int) -> slice:
            return slice(max(0, lo), min(steps, lo + length))

        # excursions outside the home district
        exc = np.flatnonzero(rng.random(n) < 0.04)
        for i in exc:
            other = int(rng.choice([d for d in districts if d != home[i]]))
            x, y = random_points_in(geo[other], 1, rng, inset_m=800)
            s = span(i, int(rng.integers(0, steps)), int(rng.integers(4, 16)))
            lon[i, s], lat[i, s] = x[0], y[0]
        # banned-zone visits (district-wide zones)
        ban = np.flatnonzero(rng.random(n) < 0.015)
        for i in ban:
            cx, cy = zone_center[int(home[i])][int(rng.integers(2))]
            s = span(i, int(rng.integers(0, steps)), int(rng.integers(3, 7)))
            lon[i, s], lat[i, s] = cx, cy
        # band separation (residential surveillance only)
        for i in np.flatnonzero(rs_mask & (rng.random(n) < 0.05)):
            separated[i, span(i, int(rng.integers(0, steps)), int(rng.integers(1, 5)))] = True
        # devices that went silent before "now"
        silent = np.flatnonzero(rng.random(n) < 0.015)
        for i in silent:
            valid[i, steps - int(rng.integers(8, 30)):] = False

        # leave requests: approved trips inside the window (some late back), pending and rejected
        leave_rows = []
        cand_leave = np.flatnonzero(rng.random(n) < 0.08)
        for i in cand_leave:
            roll = rng.random()
            inside = rng.random() < 0.7
            if inside:
                dest_d = int(rng.choice([d for d in districts if d != home[i]]))
                dname = conn.execute(select(District.name_zh).where(District.id == dest_d)).scalar_one()
                x, y = random_points_in(geo[dest_d], 1, rng, inset_m=800)
                dest, dgeo = f"上海市{dname}", None
            else:
                cname, cx, cy = OUTSIDE_CITIES[int(rng.integers(len(OUTSIDE_CITIES)))]
                dest_d, dest = None, cname
                dgeo = json.dumps(circle_geojson(cx, cy, 8000))
                x, y = np.array([cx + rng.normal(0, 0.01)]), np.array([cy + rng.normal(0, 0.01)])
            reason = str(rng.choice(LEAVE_REASONS))
            if roll < 0.7 and steps > 40:  # approved, trip in the ping window
                s0 = int(rng.integers(2, max(3, steps - 40)))
                dur = int(rng.uniform(6, 30) * 60 / spec.ping_every_min)  # steps
                start_at = dt.datetime.fromisoformat(str(base_ts[s0])) - dt.timedelta(minutes=30)
                end_at = start_at + step * dur
                late_extra = int(rng.integers(10, 30)) if rng.random() < 0.2 else 0
                stay = span(i, s0 + 1, dur - 2 + late_extra)
                lon[i, stay], lat[i, stay] = x[0], y[0]
                req = start_at - dt.timedelta(days=int(rng.integers(1, 3)), hours=int(rng.integers(0, 8)))
                leave_rows.append({"supervised_id": int(sids[i]), "destination": dest, "dest_district_id": dest_d,
                                   "dest_geojson": dgeo, "start_at": start_at, "end_at": end_at, "reason": reason,
                                   "status": "已批准", "requested_at": req, "decided_by": sup.get(int(home[i])),
                                   "decided_at": req + dt.timedelta(hours=2), "decision_note": "同意，按时返回并报到",
                                   "returned_at": None})
            else:
                start_at = now + dt.timedelta(days=int(rng.integers(1, 6)), hours=int(rng.integers(0, 10)))
                rej = roll > 0.9
                req = now - dt.timedelta(hours=int(rng.integers(1, 30)))
                leave_rows.append({"supervised_id": int(sids[i]), "destination": dest, "dest_district_id": dest_d,
                                   "dest_geojson": dgeo, "start_at": start_at,
                                   "end_at": start_at + dt.timedelta(days=int(rng.integers(1, 4))), "reason": reason,
                                   "status": "已驳回" if rej else "待审批", "requested_at": req,
                                   "decided_by": sup.get(int(home[i])) if rej else None,
                                   "decided_at": req + dt.timedelta(hours=1) if rej else None,
                                   "decision_note": "理由不充分，不予批准" if rej else None, "returned_at": None})
        if leave_rows:
            written += bulk_insert(conn, LeaveRequest.__table__, leave_rows)
        leaves = Q.load_leaves(conn, t_first - dt.timedelta(days=30))

        # battery: full at 22:00, drains at a per-device rate; the band drains slower
        rate = np.where(rng.random(n) < 0.06, rng.uniform(4.3, 5.5, n), rng.uniform(1.8, 3.6, n))
        since_charge = (hour - 22.0) % 24.0
        battery = np.clip(100 - rate[:, None] * since_charge[None, :], 3, 100).round()

        lon = lon + noise_x / kx
        lat = lat + noise_y / ky
        jitter = rng.integers(0, 45, (n, steps)).astype("timedelta64[s]")
        ts = base_ts[None, :] - jitter  # never after "now"
        dev = np.where(rs_mask, band_of, phone_of)

        # flatten (person-major), keep valid pings
        vi, vj = np.nonzero(valid)
        cnt = len(vi)
        pid0 = Q.next_ping_id(conn)
        cols = {"id": np.arange(pid0, pid0 + cnt, dtype=np.int64), "supervised_id": sids[vi],
                "device_id": dev[vi].astype(float), "ts": ts[vi, vj], "lon": lon[vi, vj], "lat": lat[vi, vj],
                "accuracy_m": acc[vi, vj].round(1), "battery_pct": battery[vi, vj],
                "band_separated": separated[vi, vj]}
        bar = ctx.bar(cnt, "supervision pings")
        fresh = conn.execute(select(func.count()).select_from(LocationPing)).scalar_one() == 0
        if fresh:
            Q.drop_ping_indexes(conn)
        chunk = 500_000
        for a in range(0, cnt, chunk):
            part = {k: v[a:a + chunk] for k, v in cols.items()}
            written += Q.insert_pings(conn, part)
            bar.update(len(part["id"]))
        bar.close()
        if fresh:
            Q.create_ping_indexes(conn)
        Q.update_last_positions(conn, cols)
        # the phone of a person wearing a band reports alive with the band
        both = np.flatnonzero(rs_mask)
        if len(both):
            last_seen = {int(sids[i]): None for i in both}
            for (sid, seen, b) in conn.execute(select(SupervisedPerson.id, SupervisedPerson.last_ping_at,
                                                      SupervisedPerson.last_ping_at)
                                               .where(SupervisedPerson.id.in_(list(last_seen)))):
                last_seen[sid] = seen
            for i in both:
                conn.execute(update(Device).where(Device.id == int(phone_of[i]))
                             .values(last_seen_at=last_seen[int(sids[i])],
                                     battery_pct=int(rng.integers(30, 100))))

        # ------------------------------------------------------------------ check-in tasks
        task_rows = []
        days = sorted({(t_first + dt.timedelta(days=k)).date() for k in range(spec.ping_days + 1)})
        for day in days:
            sched = dt.datetime.combine(day, dt.time(9, 0))
            rnd_n = rng.random(n) < 0.3
            rnd_t = np.datetime64(sched + dt.timedelta(hours=2), "s") + (rng.uniform(0, 9, n) * 3600).astype("timedelta64[s]")
            for i in range(n):
                times = [("定时", sched)]
                if rnd_n[i]:
                    times.append(("随机", rnd_t[i].astype(dt.datetime)))
                for kind, at in times:
                    if at < t_first + dt.timedelta(minutes=5):
                        continue
                    due = at + dt.timedelta(minutes=30)
                    row = {"supervised_id": int(sids[i]), "kind": kind, "scheduled_at": at, "due_at": due,
                           "answered_at": None, "lon": None, "lat": None, "verify_result": None,
                           "status": "待签到"}
                    if at <= now and rng.random() < 0.96 and i not in silent:
                        ans = at + dt.timedelta(minutes=float(rng.uniform(1, 26)))
                        if ans <= now:
                            j = min(steps - 1, max(0, int((ans - t_first) / step) - 1))
                            row.update(answered_at=ans, lon=round(float(lon[i, j]), 6),
                                       lat=round(float(lat[i, j]), 6), status="已签到",
                                       verify_result="通过" if rng.random() < 0.98 else "未通过")
                    task_rows.append(row)
        written += bulk_insert(conn, CheckinTask.__table__, task_rows)

        # ------------------------------------------------------------------ alerts: the real engine
        fb = Q.load_fencebook(conn)
        alerts: list[dict] = []
        open_by_key: dict[str, dict] = {}
        sup_of = {int(s): sup.get(int(h)) for s, h in zip(sids, home)}
        order = np.argsort(cols["ts"], kind="stable")
        ts_sorted = cols["ts"][order]
        lookback = np.timedelta64(3 * 3600, "s")
        day_edges = [t_first + dt.timedelta(days=k) for k in range(spec.ping_days + 1)] + [now + step]

        def handle(a: dict) -> None:
            """What the officer did: most acknowledged within 1.5 h, most of those closed later."""
            if rng.random() < 0.9:
                a["acknowledged_at"] = a["raised_at"] + dt.timedelta(minutes=float(rng.uniform(5, 90)))
                a["acknowledged_by"] = sup_of.get(a["supervised_id"])
                if rng.random() < 0.9:
                    a["closed_at"] = a["acknowledged_at"] + dt.timedelta(hours=float(rng.uniform(0.3, 10)))
                    a["closed_by"] = a["acknowledged_by"]
                    note = str(rng.choice(CLOSE_NOTES))
                    a["close_note"] = (Q.FALSE_ALARM_TAG if "漂移" in note else "") + note

        def apply(events, upto: dt.datetime) -> None:
            for e in events:
                if e.action == "open":
                    a = {"supervised_id": e.person_id, "kind": e.kind, "severity": e.severity, "status": "新",
                         "raised_at": e.at, "evidence": e.evidence_json(), "open_key": e.key,
                         "acknowledged_by": None, "acknowledged_at": None, "closed_by": None, "closed_at": None,
                         "close_note": None, "escalated_at": None}
                    handle(a)
                    alerts.append(a)
                    open_by_key[e.key] = a
                elif e.key in open_by_key:
                    a = open_by_key.pop(e.key)
                    if a["closed_at"] is None or a["closed_at"] > e.at:
                        a.update(closed_at=e.at, close_note=e.note, closed_by=None)

        def expire(upto: dt.datetime) -> None:
            for k in [k for k, a in open_by_key.items() if a["closed_at"] is not None and a["closed_at"] <= upto]:
                open_by_key.pop(k)

        bar = ctx.bar(cnt, "supervision engine")
        for d0, d1 in zip(day_edges[:-1], day_edges[1:]):
            expire(d0)
            lo = np.searchsorted(ts_sorted, np.datetime64(d0, "s") - lookback)
            mid = np.searchsorted(ts_sorted, np.datetime64(d0, "s"))
            hi = np.searchsorted(ts_sorted, np.datetime64(d1, "s"))
            idx = order[lo:hi]
            win = E.Pings(cols["id"][idx], cols["supervised_id"][idx], cols["ts"][idx], cols["lon"][idx],
                          cols["lat"][idx], cols["accuracy_m"][idx], cols["battery_pct"][idx],
                          cols["band_separated"][idx])
            res = E.evaluate(win, fb, leaves, E.DEFAULT, open_keys=set(open_by_key),
                             new_ids=cols["id"][order[mid:hi]])
            apply(res.events, d1)
            for lid, back in res.returns:
                conn.execute(update(LeaveRequest).where(LeaveRequest.id == lid, LeaveRequest.status == "已批准")
                             .values(status="已返回", returned_at=back))
            day_tasks = [E.Task(i, r["supervised_id"], r["due_at"], r["answered_at"], r["verify_result"])
                         for i, r in enumerate(task_rows) if d0 <= r["due_at"] < min(d1, now)]
            missed, tev = E.checkin_checks(day_tasks, min(d1, now), set(open_by_key))
            for i in missed:
                task_rows[i]["_missed"] = True
            apply(tev, d1)
            bar.update(hi - mid)
        bar.close()
        expire(now)
        devs = conn.execute(select(Device.id, Device.supervised_id, Device.last_seen_at)
                            .where(Device.status == "在用", Device.supervised_id.is_not(None))).all()
        apply(E.device_checks(devs, now, E.DEFAULT, set(open_by_key)), now)
        # whatever happens after "now" has not happened yet
        cutoff = E.escalation_cutoff(now)
        for a in alerts:
            for k in ("acknowledged_at", "closed_at"):
                if a[k] is not None and a[k] > now:
                    a[k] = None
                    a[k.replace("_at", "_by")] = None
                    if k == "closed_at":
                        a["close_note"] = None
            a["status"] = "已关闭" if a["closed_at"] else "已确认" if a["acknowledged_at"] else "新"
            if a["status"] == "已关闭":
                a["open_key"] = None
            if a["acknowledged_at"] is None or a["acknowledged_at"] > a["raised_at"] + dt.timedelta(minutes=60):
                if a["raised_at"] < cutoff:
                    a["escalated_at"] = a["raised_at"] + dt.timedelta(minutes=E.DEFAULT.escalate_after_minutes)
                    a["severity"] = "高"
        written += bulk_insert(conn, Alert.__table__, alerts)
        missed_ids = [r for r in task_rows if r.get("_missed")]
        # mark missed tasks (matched by person and schedule, both unique together)
        from sqlalchemy import bindparam

        if missed_ids:
            conn.execute(update(CheckinTask).where(CheckinTask.supervised_id == bindparam("b_s"),
                                                   CheckinTask.scheduled_at == bindparam("b_t"),
                                                   CheckinTask.status == "待签到")
                         .values(status="未签到"),
                         [{"b_s": r["supervised_id"], "b_t": r["scheduled_at"]} for r in missed_ids])
        Q.recompute_risk(conn, now)
        _plant_reoffences(conn, max(1, n_active // 50), now)  # updates, no new rows
    return written


def _plant_reoffences(conn, n: int, now: dt.datetime) -> int:
    """A few supervised persons reoffend while on their measure (what the 再犯 model of
    ``domain.models.recidivism`` must find): the first suspect of a later criminal case in their home
    district, accepted after their measure started, becomes them (in ``suspect`` and ``case_party``).
    Chosen by order, not by the random stream, so nothing else in the sample changes. Cases whose
    suspects are on a non-custodial measure are left alone (their suspect may be supervised)."""
    people = conn.execute(select(SupervisedPerson.id, SupervisedPerson.person_id, SupervisedPerson.case_id,
                                 SupervisedPerson.start_date, SupervisedPerson.home_district_id)
                          .where(SupervisedPerson.status == Q.ACTIVE)
                          .order_by(SupervisedPerson.id)).all()
    used: set[int] = set()
    planted = 0
    for sp in people[::max(1, len(people) // n)][:n]:
        after = dt.datetime.combine(sp.start_date, dt.time()) + dt.timedelta(days=1)
        target = conn.execute(
            select(Suspect.case_id, Suspect.person_id)
            .join(Case, Case.id == Suspect.case_id)
            .where(Case.function == "刑事", Case.district_id == sp.home_district_id, Case.accepted_at >= after,
                   Case.accepted_at <= now, Case.id != sp.case_id, Suspect.seq == 1, Suspect.person_id.is_not(None),
                   func.coalesce(Case.compulsory_measure, "").not_in(("取保候审", "监视居住")),
                   Case.id.not_in(used or {0}))
            .order_by(Case.accepted_at, Case.id).limit(1)).first()
        if target is None:
            continue
        used.add(target.case_id)
        conn.execute(update(Suspect).where(Suspect.case_id == target.case_id, Suspect.person_id == target.person_id)
                     .values(person_id=sp.person_id))
        conn.execute(update(CaseParty).where(CaseParty.case_id == target.case_id,
                                             CaseParty.person_id == target.person_id, CaseParty.role == "犯罪嫌疑人")
                     .values(person_id=sp.person_id))
        planted += 1
    return planted

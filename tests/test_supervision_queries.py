"""Supervision queries on the tiny sample (SQLite and PostgreSQL): checked against pandas over the
raw tables, plus privacy, audit and the alert/leave lifecycles."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, func, insert, select, text, update

from domain.access import OPERATOR, Actor
from domain.scope import ALL, SUPERVISION, Scope
from domain.supervision import engine as E
from queries import supervision as Q
from queries.schema import (
    Alert, AuditLog, CheckinTask, DataVersion, Device, District, LeaveRequest, LocationPing, SupervisedPerson,
)
from tests.staff import staff_of

LEADER = Scope(role="leader")


@pytest.fixture
def engine_copy(sample_engine, tmp_path):
    """A private copy of the tiny sample for tests that write."""
    import sqlite3

    from queries.db import make_engine

    dst_path = tmp_path / "copy.sqlite3"
    src = sqlite3.connect(sample_engine.url.database)
    dst = sqlite3.connect(dst_path)
    src.backup(dst)
    src.close()
    dst.close()
    e = make_engine(f"sqlite:///{dst_path}")
    yield e
    e.dispose()


def table(engine, name: str) -> pd.DataFrame:
    return pd.read_sql(text(f'SELECT * FROM "{name}"'), engine)


def officer(engine, sid: int, n: int = 1):
    """The supervision officer (``n`` = 2: the second one) of the person's home district."""
    with engine.connect() as c:
        d = c.execute(select(SupervisedPerson.home_district_id).where(SupervisedPerson.id == sid)).scalar_one()
    return staff_of(engine, f"sup_{d}" if n == 1 else f"sup_{d}_{n}")


def build_now(engine) -> dt.datetime:
    with engine.connect() as c:
        return c.execute(select(DataVersion.updated_at)).scalar_one()


# ------------------------------------------------------------------------------- sample sanity


def test_sample_has_supervision_data_consistent_with_the_rules(sample_any_engine):
    e = sample_any_engine
    sp = table(e, "supervised_person")
    active = sp[sp["status"] == "在管"]
    assert len(active) == 60  # tiny scale
    assert set(sp["measure"]) <= {"取保候审", "监视居住"}
    assert not sp["absconded"].astype(bool).any()
    pings = table(e, "location_ping")
    assert set(pings["supervised_id"]) <= set(active["id"])
    # one open alert per person and cause
    al = table(e, "alert")
    open_ = al[al["status"] != "已关闭"]
    assert not open_.duplicated(["supervised_id", "kind"]).any()
    assert open_["open_key"].notna().all() and al.loc[al["status"] == "已关闭", "open_key"].isna().all()
    # every open fence alert's evidence points at real pings of that person, outside the accuracy rule
    for r in al[al["kind"] == E.BREACH].itertuples():
        ids = [p["id"] for p in json.loads(r.evidence)["pings"]]
        got = pings[pings["id"].isin(ids)]
        assert len(got) == len(ids) and (got["supervised_id"] == r.supervised_id).all()


def test_latest_positions_match_the_newest_ping_per_person(sample_any_engine):
    e = sample_any_engine
    got = Q.latest_positions(e, SUPERVISION).set_index("id").sort_index()
    pings = table(e, "location_ping").sort_values(["supervised_id", "ts", "id"])
    last = pings.groupby("supervised_id").tail(1).set_index("supervised_id").sort_index()
    assert list(got.index) == list(last.index)
    assert np.allclose(got["lon"], last["lon"]) and np.allclose(got["lat"], last["lat"])
    assert (pd.to_datetime(got["last_ping_at"]) == pd.to_datetime(last["ts"])).all()
    al = table(e, "alert")
    n_open = al[al["status"] != "已关闭"].groupby("supervised_id").size()
    assert (got["open_alerts"] == n_open.reindex(got.index).fillna(0).astype(int)).all()


def test_map_for_other_roles_is_aggregated_and_has_no_codes(sample_any_engine):
    e = sample_any_engine
    agg = Q.latest_positions(e, LEADER)
    assert "person_code" not in agg.columns and "id" not in agg.columns
    ind = Q.latest_positions(e, SUPERVISION)
    assert agg["n"].sum() == len(ind)
    cells = set(zip((ind["lon"] / Q.GRID_DEG).round().astype(int), (ind["lat"] / Q.GRID_DEG).round().astype(int)))
    assert len(agg) == len(cells)


def test_scope_limits_every_list(sample_any_engine):
    e = sample_any_engine
    one = int(table(e, "supervised_person")["home_district_id"].value_counts().index[0])
    s = Scope(district_ids=(one,), role="supervision")
    lst = Q.supervised_list(e, s)
    assert len(lst) and (lst["home_district_id"] == one).all()
    assert set(Q.latest_positions(e, s)["home_district_id"]) == {one}
    assert Q.alerts(e, s, ("新", "已确认", "已关闭"))["supervised_id"].isin(lst["id"]).all()
    assert len(Q.supervised_list(e, ALL)) > len(lst)


def test_statistics_agree_with_pandas(sample_any_engine):
    e = sample_any_engine
    now = build_now(e)
    since = now - dt.timedelta(days=120)
    al = table(e, "alert")
    al["raised_at"] = pd.to_datetime(al["raised_at"])
    d = al[al["raised_at"] >= since]
    by_day = d.groupby([d["raised_at"].dt.strftime("%Y-%m-%d"), "kind"]).size()
    got = Q.alerts_by_day(e, ALL, since).set_index(["day", "kind"])["n"]
    assert got.sort_index().tolist() == by_day.sort_index().tolist()
    weeks = Q.alerts_by_week(e, ALL, since)
    assert weeks["n"].sum() == len(d)

    tasks = table(e, "checkin_task")
    tasks["due_at"] = pd.to_datetime(tasks["due_at"])
    t = tasks[tasks["due_at"] >= since]
    cc = Q.checkin_compliance(e, ALL, since)
    assert cc["tasks"].sum() == len(t)
    assert cc["missed"].sum() == (t["status"] == "未签到").sum()
    assert cc["answered"].sum() == (t["status"] == "已签到").sum()

    sp = table(e, "supervised_person")
    em = Q.enrolment_by_month(e, ALL)
    assert em["enrolled"].sum() == len(sp)
    assert em["released"].sum() == sp["released_at"].notna().sum()
    assert em["active"].iloc[-1] == len(sp) - sp["released_at"].notna().sum()
    prof = Q.profile(e, ALL)
    assert prof["first_offender_share"] == pytest.approx(sp["first_offender"].astype(bool).mean(), abs=1e-4)
    assert prof["absconded"] == 0


def test_same_results_on_both_engines(sample_any_engine):
    """Counts that must not depend on the dialect (the build is deterministic for a seed)."""
    e = sample_any_engine
    s = Q.supervision_summary(e, ALL)
    assert s["active"] == 60 and s["total"] == len(table(e, "supervised_person"))
    counts = Q.alert_counts(e, ALL)
    al = table(e, "alert")
    assert counts["n"].sum() == (al["status"] != "已关闭").sum()


# ------------------------------------------------------------------------------- privacy and audit


def _audit(e, event="查看轨迹"):
    with e.connect() as c:
        return c.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.result, AuditLog.target)
                         .where(AuditLog.event == event).order_by(AuditLog.id)).all()


def test_track_is_for_supervision_only_and_every_view_is_audited(sample_engine):
    e = sample_engine
    sid, last = next(iter(Q.latest_positions(e, SUPERVISION)[["id", "last_ping_at"]].itertuples(index=False)))
    sup = officer(e, int(sid))
    d = sup.district_id
    before = len(_audit(e))
    tr = Q.person_track(e, sup.scope("supervision"), int(sid), last - dt.timedelta(days=1), last,
                        actor=Actor.of(sup), purpose="核查告警")
    assert len(tr) > 0 and tr["ts"].is_monotonic_increasing
    with e.connect() as c:
        n = c.execute(select(func.count()).select_from(LocationPing).where(
            LocationPing.supervised_id == int(sid), LocationPing.ts >= last - dt.timedelta(days=1),
            LocationPing.ts <= last)).scalar_one()
        detail = c.execute(select(AuditLog.detail).where(AuditLog.event == "查看轨迹")
                           .order_by(AuditLog.id.desc())).scalars().first()
    assert len(tr) == n and detail.startswith("核查告警")  # the purpose is in the audit log
    leader = staff_of(e, f"leader_{d}")  # the district's leadership: statistics, never a track
    with pytest.raises(Q.TrackAccessDenied):
        Q.person_track(e, leader.scope("supervision.stats"), int(sid), last - dt.timedelta(days=1), last,
                       actor=Actor.of(leader), purpose="日常检查")
    with pytest.raises(ValueError, match="事由"):  # a purpose is required
        Q.person_track(e, sup.scope("supervision"), int(sid), last - dt.timedelta(days=1), last,
                       actor=Actor.of(sup), purpose=" ")
    rows = _audit(e)[before:]
    assert [(r.actor, r.actor_role, r.result) for r in rows] == [
        (sup.username, "监管", "成功"), (leader.username, "院领导", "拒绝")]
    # another district's officer cannot read it either
    other = staff_of(e, "sup_310101" if d != 310101 else "sup_310112")
    with pytest.raises(Q.TrackAccessDenied):
        Q.person_track(e, other.scope("supervision"), int(sid), last - dt.timedelta(days=1), last,
                       actor=Actor.of(other), purpose="日常检查")


def _own_alert(e, now: dt.datetime, kind: str = E.BREACH) -> int:
    """A new alert of our own, with pings of that person as its evidence: whether the seeded sample
    left one of this kind open depends on the day it was built (a small sample, a moving clock)."""
    with e.begin() as c:
        sid, = c.execute(select(LocationPing.supervised_id).order_by(LocationPing.id).limit(1)).one()
        pings = c.execute(select(LocationPing.id, LocationPing.ts, LocationPing.lon, LocationPing.lat)
                          .where(LocationPing.supervised_id == sid).order_by(LocationPing.ts).limit(3)).all()
        ev = {"pings": [{"id": p.id, "ts": str(p.ts), "lon": p.lon, "lat": p.lat} for p in pings],
              "count": len(pings)}
        return c.execute(insert(Alert).values(
            supervised_id=sid, kind=kind, severity="高", status="新", raised_at=now - dt.timedelta(minutes=10),
            evidence=json.dumps(ev), open_key=f"test-{kind}-{sid}-{now:%H%M%S}").returning(Alert.id)).scalar_one()


def test_alert_evidence_positions_hidden_from_other_roles(engine_copy):
    e = engine_copy
    aid = _own_alert(e, build_now(e))
    assert "pings" not in Q.alert_evidence(e, LEADER, aid, actor=OPERATOR)
    before = len(_audit(e))
    assert Q.alert_evidence(e, SUPERVISION, aid, actor=OPERATOR)["pings"]
    assert len(_audit(e)) == before + 1


# ------------------------------------------------------------------------------- lifecycles (write)


def test_alert_lifecycle_new_ack_close_audited(engine_copy):
    e = engine_copy
    now = build_now(e) + dt.timedelta(minutes=5)
    aid = _own_alert(e, now)
    with e.connect() as c:
        sid = c.execute(select(Alert.supervised_id).where(Alert.id == aid)).scalar_one()
    sup, sup2 = officer(e, sid), officer(e, sid, 2)
    scope = sup.scope("supervision")
    assert aid in set(Q.alerts(e, scope, ("新",))["id"])
    with pytest.raises(ValueError):
        Q.act_on_alert(e, scope, aid, "close", actor=Actor.of(sup), now=now, note="  ")
    Q.act_on_alert(e, scope, aid, "ack", actor=Actor.of(sup), now=now)
    with pytest.raises(ValueError):
        Q.act_on_alert(e, scope, aid, "ack", actor=Actor.of(sup), now=now)
    Q.act_on_alert(e, sup2.scope("supervision"), aid, "close", actor=Actor.of(sup2), now=now, note="定位漂移",
                   false_alarm=True)
    with e.connect() as c:
        r = c.execute(select(Alert).where(Alert.id == aid)).one()
    assert (r.status, r.open_key, r.close_note) == ("已关闭", None, "[误报]定位漂移")
    assert (r.acknowledged_by, r.closed_by) == (sup.user_id, sup2.user_id)  # the signed-in accounts
    assert [x.result for x in _audit(e, "告警确认")][-1] == "成功"
    assert len(_audit(e, "告警关闭")) == 1


def test_escalation_of_unacknowledged_alerts(engine_copy):
    e = engine_copy
    now = build_now(e)
    with e.begin() as c:
        c.execute(update(Alert).values(escalated_at=None))
        # one alert that is certainly due, whatever the seeded sample happened to leave open
        sid = c.execute(select(SupervisedPerson.id).order_by(SupervisedPerson.id).limit(1)).scalar_one()
        c.execute(insert(Alert).values(supervised_id=sid, kind="设备离线", severity="中", status="新",
                                       raised_at=now - dt.timedelta(hours=2), open_key=f"test-escalation-{sid}"))
        n_due = c.execute(select(func.count()).select_from(Alert).where(
            Alert.status == "新", Alert.raised_at < now - dt.timedelta(minutes=60))).scalar_one()
    assert n_due > 0
    assert Q.escalate_due(e, now) == n_due
    assert Q.escalate_due(e, now) == 0  # only once


def test_leave_decision_rules_and_audit(engine_copy):
    e = engine_copy
    now = build_now(e)
    sid = int(Q.supervised_list(e, SUPERVISION, "在管")["id"].iloc[0])
    sup = officer(e, sid)
    scope, me = sup.scope("supervision"), Actor.of(sup, "10.1.2.3")
    lid = Q.request_leave(e, scope, sid, destination="江苏省苏州市", dest_district_id=None,
                          start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=2), reason="探亲",
                          now=now, actor=me)
    with pytest.raises(ValueError):  # rejecting needs a reason
        Q.decide_leave(e, scope, lid, approve=False, note="", actor=me, now=now)
    Q.decide_leave(e, scope, lid, approve=True, note="", actor=me, now=now)
    with pytest.raises(ValueError):  # not twice
        Q.decide_leave(e, scope, lid, approve=False, note="x", actor=me, now=now)
    got = Q.leave_requests(e, scope, "已批准").set_index("id")
    assert lid in got.index
    with e.connect() as c:
        assert c.execute(select(LeaveRequest.decided_by).where(LeaveRequest.id == lid)).scalar_one() == sup.user_id
        row = c.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.actor_procuratorate,
                               AuditLog.client_addr, AuditLog.result)
                        .where(AuditLog.event == "外出审批")).all()
    assert [tuple(r) for r in row] == [(sup.username, "监管", sup.procuratorate, "10.1.2.3", "已批准")]


def test_release_needs_a_second_officer_then_returns_devices_and_closes_alerts(engine_copy):
    e = engine_copy
    now = build_now(e)
    al = Q.alerts(e, SUPERVISION)
    sid = int(al["supervised_id"].iloc[0])
    asker, second = officer(e, sid), officer(e, sid, 2)
    scope = asker.scope("supervision")
    with pytest.raises(ValueError):
        Q.request_release(e, scope, sid, actor=Actor.of(asker), now=now, reason="")
    Q.request_release(e, scope, sid, actor=Actor.of(asker), now=now, reason="期限届满")
    with pytest.raises(ValueError, match="已有"):  # one request at a time
        Q.request_release(e, scope, sid, actor=Actor.of(second), now=now, reason="期限届满")
    pend = Q.release_requests(e, scope).set_index("id")
    assert pend.loc[sid, "release_requested_by"] == asker.user_id and pend.loc[sid, "release_reason"] == "期限届满"
    # four eyes: the one who asked cannot approve, nor can the operator's unsigned command line
    for who in (Actor.of(asker), OPERATOR):
        with pytest.raises(PermissionError, match="另一名"):
            Q.decide_release(e, scope, sid, approve=True, actor=who, now=now)
    with e.connect() as c:
        assert c.execute(select(SupervisedPerson.status).where(SupervisedPerson.id == sid)).scalar_one() == "在管"
    Q.decide_release(e, second.scope("supervision"), sid, approve=True, actor=Actor.of(second), now=now)
    with e.connect() as c:
        assert c.execute(select(SupervisedPerson.status).where(SupervisedPerson.id == sid)).scalar_one() == "已解除"
        assert c.execute(select(func.count()).select_from(Device).where(Device.supervised_id == sid)).scalar_one() == 0
        assert c.execute(select(func.count()).select_from(Alert).where(
            Alert.supervised_id == sid, Alert.status != "已关闭")).scalar_one() == 0
    assert [(r.actor, r.result) for r in _audit(e, "解除申请")] == [(asker.username, "成功")]
    assert [(r.actor, r.result) for r in _audit(e, "解除审批")] == [(asker.username, "拒绝"), ("cli", "拒绝")]
    assert [(r.actor, r.result) for r in _audit(e, "监管人员解除")] == [(second.username, "成功")]
    with pytest.raises(ValueError):  # nothing left to approve
        Q.decide_release(e, scope, sid, approve=True, actor=Actor.of(second), now=now)


def test_a_release_request_can_be_withdrawn_by_its_officer(engine_copy):
    e = engine_copy
    now = build_now(e)
    sid = int(Q.supervised_list(e, SUPERVISION, "在管")["id"].iloc[0])
    sup = officer(e, sid)
    scope = sup.scope("supervision")
    Q.request_release(e, scope, sid, actor=Actor.of(sup), now=now, reason="变更强制措施")
    with pytest.raises(ValueError, match="理由"):
        Q.decide_release(e, scope, sid, approve=False, actor=Actor.of(sup), now=now)
    Q.decide_release(e, scope, sid, approve=False, actor=Actor.of(sup), now=now, note="材料不全，撤回")
    assert sid not in set(Q.release_requests(e, scope)["id"])
    with e.connect() as c:
        assert c.execute(select(SupervisedPerson.status).where(SupervisedPerson.id == sid)).scalar_one() == "在管"


def test_roll_call_then_missed_checkins_become_one_alert_each(engine_copy):
    e = engine_copy
    now = build_now(e)
    ids = Q.supervised_list(e, SUPERVISION, "在管")["id"].head(3).tolist()
    with e.begin() as c:  # clear earlier missed-check-in alerts of these persons
        c.execute(update(Alert).where(Alert.supervised_id.in_(ids), Alert.kind == E.MISSED_CHECKIN)
                  .values(status="已关闭", open_key=None))
    assert Q.roll_call(e, SUPERVISION, ids, now=now, window_minutes=30, actor=OPERATOR) == 3
    with e.begin() as c:
        run = Q.run_engine(c, now + dt.timedelta(minutes=31), [])
    with e.connect() as c:
        open_missed = c.execute(select(Alert.supervised_id).where(
            Alert.kind == E.MISSED_CHECKIN, Alert.status != "已关闭", Alert.supervised_id.in_(ids))).scalars().all()
        still = c.execute(select(func.count()).select_from(CheckinTask).where(
            CheckinTask.supervised_id.in_(ids), CheckinTask.status == "待签到",
            CheckinTask.due_at < now + dt.timedelta(minutes=31))).scalar_one()
    assert sorted(open_missed) == sorted(ids) and still == 0 and run.missed_tasks >= 3


def test_live_feed_tick_moves_positions_and_raises_breaches(engine_copy):
    from sample_data.supervision_feed import tick

    e = engine_copy
    now = build_now(e)
    before = Q.latest_positions(e, SUPERVISION).set_index("id")
    rng = np.random.default_rng(5)
    n = tick(e, now + dt.timedelta(minutes=31), rng)
    assert n > 0
    after = Q.latest_positions(e, SUPERVISION).set_index("id")
    moved = (after["last_ping_at"] > before["last_ping_at"].reindex(after.index)).sum()
    assert moved >= 40  # nearly everyone reported (silent devices mostly stay silent)
    # put one person 30 km outside their fence for three reports: one breach, not three
    sid = int(after.index[(after["last_ping_at"] > before["last_ping_at"].reindex(after.index)).to_numpy()][0])
    # first one report at home: the sample may have them outside their fence at this time of day, and
    # sea pings that only continue an old run of outside pings raise nothing new (by design)
    with e.begin() as c:
        home = c.execute(select(District.label_lon, District.label_lat).join(
            SupervisedPerson, SupervisedPerson.home_district_id == District.id)
            .where(SupervisedPerson.id == sid)).one()
        c.execute(update(SupervisedPerson).where(SupervisedPerson.id == sid)
                  .values(last_lon=home.label_lon, last_lat=home.label_lat))
    tick(e, now + dt.timedelta(minutes=42), rng)
    with e.begin() as c:
        c.execute(update(Alert).where(Alert.supervised_id == sid, Alert.kind == E.BREACH)
                  .values(status="已关闭", open_key=None))
    for k in range(3):
        t = now + dt.timedelta(minutes=53 + 11 * k)
        with e.begin() as c:
            c.execute(update(SupervisedPerson).where(SupervisedPerson.id == sid)
                      .values(last_lon=122.3, last_lat=31.6))  # out at sea, off Chongming
        tick(e, t, rng)
    with e.connect() as c:
        got = c.execute(select(Alert.status).where(Alert.supervised_id == sid, Alert.kind == E.BREACH,
                                                  Alert.status != "已关闭")).scalars().all()
    assert got == ["新"]


def test_risk_code_follows_alerts_and_ignores_false_alarms(engine_copy):
    from sqlalchemy import insert

    e = engine_copy
    now = build_now(e)
    sid = int(Q.supervised_list(e, SUPERVISION, "在管")["id"].iloc[0])
    with e.begin() as c:
        c.execute(delete(Alert).where(Alert.supervised_id == sid))
        c.execute(delete(CheckinTask).where(CheckinTask.supervised_id == sid))
        Q.recompute_risk(c, now, [sid])
        aid = c.execute(insert(Alert).values(supervised_id=sid, kind=E.BREACH, severity="中", status="新",
                                             raised_at=now, open_key=E.open_key(sid, E.BREACH))
                        .returning(Alert.id)).scalar_one()
        assert c.execute(select(SupervisedPerson.risk_code).where(SupervisedPerson.id == sid)).scalar_one() == "green"
        Q.recompute_risk(c, now, [sid])
        code, why = c.execute(select(SupervisedPerson.risk_code, SupervisedPerson.risk_reasons)
                              .where(SupervisedPerson.id == sid)).one()
    assert code == "yellow" and "越界 1" in why
    Q.act_on_alert(e, SUPERVISION, aid, "close", actor=OPERATOR, now=now, note="漂移", false_alarm=True)
    with e.begin() as c:
        Q.recompute_risk(c, now, [sid])
        assert c.execute(select(SupervisedPerson.risk_code).where(SupervisedPerson.id == sid)).scalar_one() == "green"
    # a real (not false-alarm) alert counts for 30 days, then no longer
    with e.begin() as c:
        c.execute(insert(Alert).values(supervised_id=sid, kind=E.BANNED, severity="高", status="已关闭",
                                       raised_at=now, close_note="核实属实"))
        Q.recompute_risk(c, now, [sid])
        assert c.execute(select(SupervisedPerson.risk_code).where(SupervisedPerson.id == sid)).scalar_one() == "yellow"
        Q.recompute_risk(c, now + dt.timedelta(days=31), [sid])
        assert c.execute(select(SupervisedPerson.risk_code).where(SupervisedPerson.id == sid)).scalar_one() == "green"


def test_enrol_and_transfer_are_audited_and_move_the_fence(engine_copy):
    from queries.schema import Fence

    e = engine_copy
    now = build_now(e)
    cand = Q.enrolment_candidates(e, SUPERVISION)
    assert len(cand) and not cand["person_id"].isin(table(e, "supervised_person")["person_id"]).any()
    c0 = cand.iloc[0]
    with pytest.raises(ValueError):
        Q.enrol(e, SUPERVISION, case_id=int(c0.case_id), person_id=int(c0.person_id), measure="逮捕",
                start=now.date(), end=now.date() + dt.timedelta(days=30), home_district_id=int(c0.district_id),
                prosecutor_id=None, actor=OPERATOR, now=now)
    pros = staff_of(e, f"pros_{int(c0.district_id)}_1")
    with pytest.raises(ValueError, match="检察官"):  # the prosecutor must be of the home district
        Q.enrol(e, SUPERVISION, case_id=int(c0.case_id), person_id=int(c0.person_id),
                measure=c0.compulsory_measure, start=now.date(), end=now.date() + dt.timedelta(days=360),
                home_district_id=int(c0.district_id), prosecutor_id=officer_id(e, "sup_310101"), actor=OPERATOR,
                now=now)
    code = Q.enrol(e, SUPERVISION, case_id=int(c0.case_id), person_id=int(c0.person_id),
                   measure=c0.compulsory_measure, start=now.date(), end=now.date() + dt.timedelta(days=360),
                   home_district_id=int(c0.district_id), prosecutor_id=pros.user_id, actor=OPERATOR, now=now)
    assert code.startswith(f"JG{int(c0.district_id)}-")
    sid = int(Q.find_supervised(e, SUPERVISION, code)["id"].iloc[0])
    other = next(d for d in Q.district_shapes(e)["id"] if d != int(c0.district_id))
    Q.transfer(e, SUPERVISION, sid, to_district_id=int(other), to_prosecutor_id=None, actor=OPERATOR, now=now)
    with e.connect() as c:
        assert c.execute(select(Fence.district_id).where(Fence.supervised_id == sid, Fence.kind == "home")
                         ).scalar_one() == other
        assert c.execute(select(SupervisedPerson.home_district_id).where(SupervisedPerson.id == sid)
                         ).scalar_one() == other
    assert len(_audit(e, "监管人员登记")) == 1 and len(_audit(e, "监管人员流转")) == 1
    # the officer of the old district may no longer touch this person
    old = staff_of(e, f"sup_{int(c0.district_id)}")
    with pytest.raises(PermissionError):
        Q.request_release(e, old.scope("supervision"), sid, actor=Actor.of(old), now=now, reason="r")
    with pytest.raises(TypeError):  # writes record the signed-in account, not a typed name
        Q.transfer(e, SUPERVISION, sid, to_district_id=None, to_prosecutor_id=pros.user_id, actor="sup", now=now)


def officer_id(e, username: str) -> int:
    return staff_of(e, username).user_id

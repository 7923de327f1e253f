"""Scope comes from the account and is enforced in the query layer (issue 11).

For EVERY query function that returns person-level data (supervised persons, tracks, alerts, leave
requests, devices with their wearers, case lists and timelines with parties, rivers with their
chiefs and prosecutors, public-interest cases and clues, lawyers' binding requests) and every write
on them, called with a scope derived from a real account (``Staff.scope``):

- of another procuratorate (黄浦 asking for a 闵行 person or case): nothing comes back, or the call
  is refused (PermissionError); the same call with the home procuratorate's account finds the row,
  so the test can fail;
- lacking the permission (a prosecutor on the supervision queries, ...): ``AccessDenied``.

The lists below are explicit, and ``test_the_lists_cover_every_person_level_function`` holds them
equal to what the modules define, so a new function cannot be forgotten silently.
"""
from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, update

from domain import clock
from domain.access import AccessDenied, Actor, Staff
from queries import cases as C
from queries import clues as K
from queries import portal as P
from queries import quality as QL
from queries import rivers as R
from queries import supervision as Q
from queries.schema import Alert, AppUser, AuditLog, Case, CaseEvent, CaseParty, CheckinTask, Device, LawyerBinding, \
    LeaveRequest, ModelHit, River, SupervisedPerson
from tests.staff import staff_of

MINHANG, HUANGPU, FENGXIAN = 310112, 310101, 310120


@dataclass(frozen=True)
class T:
    """The rows of 闵行 (and 奉贤's rivers) the calls ask for."""

    sid: int  # an active 闵行 person (alert, leave request, check-in, device)
    code: str
    sid2: int  # another one, with a pending release request
    aid: int
    lid: int
    did: int
    t0: dt.datetime
    t1: dt.datetime
    case_id: int
    case_no: str
    case_day: dt.datetime
    bid: int
    rid: int
    month: str
    water_hits: int  # the water model's hits on 奉贤's rivers (run in the fixture)
    now: dt.datetime


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A tiny sample of its own, built for this module: the refused writes must leave it as it was,
    and the shared sample is written to by page tests (releases, transfers) in any order."""
    from queries.db import create_database, make_engine
    from sample_data.build import build

    path = tmp_path_factory.mktemp("matrix") / "m.sqlite3"
    build(create_database(f"sqlite:///{path}"), scale="tiny", seed=7, progress=False)
    e = make_engine(f"sqlite:///{path}")
    now = clock.now()
    sup = staff_of(e, "sup_310112")
    home, me = sup.scope("supervision"), Actor.of(sup)
    with e.begin() as c:  # two persons under supervision in Minhang (how many are depends on the day)
        minhang = [r[0] for r in c.execute(select(SupervisedPerson.id).where(
            SupervisedPerson.home_district_id == MINHANG).order_by(SupervisedPerson.status != "在管",
                                                                   SupervisedPerson.id))][:2]
        c.execute(update(SupervisedPerson).where(SupervisedPerson.id.in_(minhang))
                  .values(status="在管", released_at=None, release_requested_by=None,
                          release_requested_at=None, release_reason=None))
    with e.connect() as c:
        sid, sid2 = minhang
        code = c.execute(select(SupervisedPerson.person_code).where(SupervisedPerson.id == sid)).scalar_one()
        did = c.execute(select(Device.id).where(Device.supervised_id == sid).order_by(Device.id)).scalars().first()
        case = c.execute(select(Case.id, Case.case_no, Case.accepted_at).join(CaseParty, CaseParty.case_id == Case.id)
                         .where(Case.district_id == MINHANG).order_by(Case.accepted_at.desc())).first()
        rid = c.execute(select(River.id).where(River.district_id == FENGXIAN).order_by(River.id)).scalars().first()
        lawyer = c.execute(select(AppUser.id).where(AppUser.username == "lawyer01")).scalar_one()
    with e.begin() as c:
        aid = c.execute(insert(Alert).values(supervised_id=sid, kind="越界", severity="中", status="新",
                                             raised_at=now, evidence='{"pings": [], "distance_m": 120}',
                                             open_key=f"matrix-{sid}").returning(Alert.id)).scalar_one()
    lid = Q.request_leave(e, home, sid, destination="江苏省苏州市", dest_district_id=None,
                          start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=2), reason="探亲",
                          now=now, actor=me)
    Q.roll_call(e, home, [sid], now=now, actor=me)
    Q.request_release(e, home, sid2, actor=me, now=now, reason="期限届满")
    t0, t1 = Q.track_bounds(e, home, sid)
    assert did and case and rid and t1, "the tiny sample lacks a 闵行 person, device, case or a 奉贤 river"
    assert P.request_binding(e, lawyer, case.case_no, "", "执业证、委托书", now=now)
    with e.connect() as c:
        # the binding just requested (the sample may already hold others on the same case)
        bid = c.execute(select(LawyerBinding.id).where(LawyerBinding.case_id == case.id,
                                                        LawyerBinding.lawyer_id == lawyer)
                        .order_by(LawyerBinding.id.desc())).scalars().first()
    operator = staff_of(e, "pil_310120").scope("rivers.clues")
    months = R.sample_months(e, operator)
    from domain.models import registry
    from queries.models import run_model

    run_model(e, registry()["water_worse_than_v"], now)  # the build ran it too: stored episodes stay one hit
    with e.connect() as c:
        water_hits = c.execute(select(func.count()).select_from(ModelHit).where(
            ModelHit.model_key == "water_worse_than_v", ModelHit.district_id == 310120)).scalar_one()
    yield e, T(sid, code, sid2, aid, lid, did, t0, t1, case.id, case.case_no, case.accepted_at, bid, rid,
               months[-1], water_hits, now)
    e.dispose()


def huangpu_pil(e) -> Staff:
    """A public-interest prosecutor of 黄浦 (the sample has one only in 奉贤, where the rivers are)."""
    hp = staff_of(e, "leader_310101")
    return Staff(hp.user_id, "pil_310101", "公益诉讼检察官", hp.procuratorate_id, hp.procuratorate, HUANGPU,
                 frozenset({"pil"}))


def _df_has(col: str, value) -> Callable[[Any, T], bool]:
    return lambda r, t: bool(len(r)) and value(t) in set(r[col])


@dataclass(frozen=True)
class Spec:
    area: str  # the permission the scope is derived for
    home: str  # an account of the procuratorate holding the row: the call finds it
    foreign: str | Callable[[Any], Staff]  # another procuratorate's account: nothing comes back
    lacking: tuple[str, str]  # (account, area) whose scope lacks the permission
    call: Callable[[Any, Any, Actor, T], Any]
    found: Callable[[Any, T], bool] = lambda r, t: r is not None and (not hasattr(r, "__len__") or len(r) > 0)


SUP = dict(area="supervision", home="sup_310112", foreign="sup_310101", lacking=("pros_310112_1", "cases"))
CAS = dict(area="cases", home="pros_310112_1", foreign="pros_310101_1", lacking=("sup_310112", "supervision"))
RIV = dict(area="rivers", home="pil_310120", foreign="leader_310101", lacking=("pros_310120_1", "cases"))
CLU = dict(area="rivers.clues", home="pil_310120", foreign=huangpu_pil, lacking=("leader_310120", "rivers"))
BND = dict(area="bindings", home="pros_310112_1", foreign="pros_310101_1", lacking=("sup_310112", "supervision"))
KLU = dict(area="clues", home="pros_310112_1", foreign="pros_310101_1", lacking=("data", "import"))


def _clue(e, t: T) -> int:
    """A 不起诉 clue on 闵行's case with one history row (planted once; any test may come first)."""
    from queries.schema import ClueHistory, ModelHit
    key = f"matrix:{t.case_id}"
    with e.begin() as c:
        hid = c.execute(select(ModelHit.id).where(ModelHit.hit_key == key)).scalar()
        if hid is None:
            hid = c.execute(insert(ModelHit).values(
                model_key="non_prosecution_referral", hit_key=key, version="matrix", found_at=t.now, state="待分流",
                due_at=t.now, district_id=MINHANG, case_id=t.case_id, evidence='{"suspect_seq": 1}')
                .returning(ModelHit.id)).scalar_one()
            c.execute(insert(ClueHistory).values(hit_id=hid, to_state="待分流", actor_name="cli", at=t.now))
    return hid

# Reads that return person-level rows: name -> how to ask for 闵行's (奉贤's) row and recognise it.
def _odd_event_rows(e, s, a, t):
    """A 闵行 case's event with a type outside the code list (planted once), then that check's
    failing rows (data quality, issue 13: masked rows, by district)."""
    with e.begin() as c:
        if not c.execute(select(CaseEvent.id).where(CaseEvent.case_id == t.case_id,
                                                    CaseEvent.event_type == "不明节点")).first():
            c.execute(insert(CaseEvent).values(case_id=t.case_id, district_id=MINHANG, occurred_at=t.case_day,
                                               event_type="不明节点", stage_from=None, stage_to=None))
    return QL.failing_rows(e, s, "event_type_code", actor=a)


CAT = dict(area="catalogue", home="leader_310112", foreign="leader_310101", lacking=("pros_310112_1", "cases"))
PERSON_READS: dict[str, Spec] = {
    "quality.failing_rows": Spec(**CAT, call=_odd_event_rows, found=_df_has("case_id", lambda t: t.case_id)),
    "supervision.supervised_list": Spec(**SUP, call=lambda e, s, a, t: Q.supervised_list(e, s, search=t.code),
                                        found=_df_has("id", lambda t: t.sid)),
    "supervision.find_supervised": Spec(**SUP, call=lambda e, s, a, t: Q.find_supervised(e, s, t.code),
                                        found=_df_has("id", lambda t: t.sid)),
    "supervision.release_requests": Spec(**SUP, call=lambda e, s, a, t: Q.release_requests(e, s),
                                         found=_df_has("id", lambda t: t.sid2)),
    "supervision.staff_choices": Spec(**SUP, call=lambda e, s, a, t: Q.staff_choices(e, s),
                                      found=_df_has("district_id", lambda t: MINHANG)),
    "supervision.enrolment_candidates": Spec(**SUP, call=lambda e, s, a, t: Q.enrolment_candidates(e, s, 100_000),
                                             found=_df_has("district_id", lambda t: MINHANG)),
    "supervision.latest_positions": Spec(**SUP, call=lambda e, s, a, t: Q.latest_positions(e, s),
                                         found=_df_has("id", lambda t: t.sid)),
    "supervision.fences": Spec(**SUP, call=lambda e, s, a, t: Q.fences(e, s, t.sid),
                               found=_df_has("supervised_id", lambda t: t.sid)),
    "supervision.banned_zones": Spec(**SUP, call=lambda e, s, a, t: Q.banned_zones(e, s),
                                     found=_df_has("district_id", lambda t: MINHANG)),
    "supervision.person_track": Spec(**SUP, call=lambda e, s, a, t: Q.person_track(
        e, s, t.sid, t.t1 - dt.timedelta(hours=6), t.t1, actor=a, now=t.now, purpose="日常检查")),
    "supervision.track_bounds": Spec(**SUP, call=lambda e, s, a, t: Q.track_bounds(e, s, t.sid),
                                     found=lambda r, t: r[1] is not None),
    "supervision.leave_requests": Spec(**SUP, call=lambda e, s, a, t: Q.leave_requests(e, s),
                                       found=_df_has("id", lambda t: t.lid)),
    "supervision.checkin_tasks": Spec(**SUP, call=lambda e, s, a, t: Q.checkin_tasks(
        e, s, t.now - dt.timedelta(days=1)), found=_df_has("supervised_id", lambda t: t.sid)),
    "supervision.alerts": Spec(**SUP, call=lambda e, s, a, t: Q.alerts(e, s, ("新", "已确认", "已关闭")),
                               found=_df_has("id", lambda t: t.aid)),
    "supervision.alert_evidence": Spec(**SUP, call=lambda e, s, a, t: Q.alert_evidence(e, s, t.aid, actor=a, now=t.now),
                                       found=lambda r, t: r.get("distance_m") == 120),
    "supervision.devices": Spec(**SUP, call=lambda e, s, a, t: Q.devices(e, s, t.now),
                                found=_df_has("id", lambda t: t.did)),
    "supervision.device_history": Spec(**SUP, call=lambda e, s, a, t: Q.device_history(e, s, t.did)),
    "cases.case_list": Spec(**CAS, call=lambda e, s, a, t: C.case_list(
        e, s, t.case_day - dt.timedelta(days=1), t.case_day + dt.timedelta(days=1), district_id=MINHANG),
        found=_df_has("case_id", lambda t: t.case_id)),
    "cases.case_timeline": Spec(**CAS, call=lambda e, s, a, t: C.case_timeline(e, s, t.case_id)),
    "rivers.map_rivers": Spec(**RIV, call=lambda e, s, a, t: R.map_rivers(e, s, t.month),
                              found=_df_has("river_id", lambda t: t.rid)),
    "rivers.river_info": Spec(**RIV, call=lambda e, s, a, t: R.river_info(e, s, t.rid)),
    "rivers.river_prosecutors": Spec(**RIV, call=lambda e, s, a, t: R.river_prosecutors(e, s)),
    "rivers.pil_cases": Spec(**RIV, call=lambda e, s, a, t: R.pil_cases(e, s)),
    "rivers.suggestions": Spec(**RIV, call=lambda e, s, a, t: R.suggestions(e, s, t.now.date())),
    "clues.clue_list": Spec(**KLU, call=lambda e, s, a, t: (_clue(e, t), K.clue_list(e, s, district=MINHANG))[1],
                            found=_df_has("case_no", lambda t: t.case_no)),
    "clues.clue_detail": Spec(**KLU, call=lambda e, s, a, t: K.clue_detail(e, s, _clue(e, t), a)),
    "clues.clue_history": Spec(**KLU, call=lambda e, s, a, t: K.clue_history(e, s, _clue(e, t))),
    "clues.assignee_choices": Spec(**KLU, call=lambda e, s, a, t: K.assignee_choices(e, s, _clue(e, t))),
    # every status: a write test on the same worker may have decided the binding already
    "portal.bindings_for_review": Spec(**BND, call=lambda e, s, a, t: pd.concat(
        [P.bindings_for_review(e, s, status) for status in (P.BINDING_PENDING, P.BINDING_APPROVED,
                                                             P.BINDING_REJECTED)]),
                                       found=_df_has("id", lambda t: t.bid)),
}

# Writes on person-level rows: refused for another procuratorate's account (an exception, or a
# False/0 "nothing done"), AccessDenied without the permission. None of them may change anything.
PERSON_WRITES: dict[str, Spec] = {
    "supervision.enrol": Spec(**SUP, call=lambda e, s, a, t: Q.enrol(
        e, s, case_id=t.case_id, person_id=1, measure="取保候审", start=t.now.date(),
        end=t.now.date() + dt.timedelta(days=90), home_district_id=MINHANG, prosecutor_id=None, actor=a, now=t.now)),
    "supervision.transfer": Spec(**SUP, call=lambda e, s, a, t: Q.transfer(
        e, s, t.sid, to_district_id=HUANGPU, to_prosecutor_id=None, actor=a, now=t.now)),
    "supervision.request_release": Spec(**SUP, call=lambda e, s, a, t: Q.request_release(
        e, s, t.sid, actor=a, now=t.now, reason="期限届满")),
    "supervision.decide_release": Spec(**SUP, call=lambda e, s, a, t: Q.decide_release(
        e, s, t.sid2, approve=True, actor=a, now=t.now)),
    "supervision.request_leave": Spec(**SUP, call=lambda e, s, a, t: Q.request_leave(
        e, s, t.sid, destination="浙江省杭州市", dest_district_id=None, start=t.now + dt.timedelta(days=3),
        end=t.now + dt.timedelta(days=4), reason="探亲", now=t.now, actor=a)),
    "supervision.decide_leave": Spec(**SUP, call=lambda e, s, a, t: Q.decide_leave(
        e, s, t.lid, approve=True, note="", actor=a, now=t.now)),
    "supervision.roll_call": Spec(**SUP, call=lambda e, s, a, t: Q.roll_call(e, s, [t.sid], now=t.now, actor=a)),
    "supervision.act_on_alert": Spec(**SUP, call=lambda e, s, a, t: Q.act_on_alert(
        e, s, t.aid, "close", actor=a, now=t.now, note="核实")),
    "clues.transition": Spec(**KLU, call=lambda e, s, a, t: K.transition(
        e, s, _clue(e, t), "不成案", reason="矩阵测试", actor=a, now=t.now)),
    "clues.assign": Spec(**KLU, call=lambda e, s, a, t: K.assign(e, s, _clue(e, t), 1, actor=a, now=t.now)),
    "portal.decide_binding": Spec(**BND, call=lambda e, s, a, t: P.decide_binding(e, s, t.bid, True, actor=a)),
}

# Public functions of these modules that name people but take no scope: the engine and ingest side
# (the live feed, a device gateway), run by the operator, never by a page.
OPERATOR_ONLY = {"supervision.write_events"}
MODULES = {"supervision": Q, "cases": C, "rivers": R, "portal": P, "quality": QL, "clues": K}
PERSON_TOKENS = re.compile(r"person_code|name_masked|id_masked|full_name|parties|display_name|river_chief|"
                           r"law_firm|\bevidence\b")
WRITE_TOKENS = re.compile(r"\binsert\(|\bupdate\(")


def _scope_of(e, who, area: str):
    st = who(e) if callable(who) else staff_of(e, who)
    return st.scope(area), Actor.of(st, "203.0.113.7")


def _snapshot(e) -> tuple:
    """Everything a refused write could have touched."""
    with e.connect() as c:
        return tuple(c.execute(select(func.count()).select_from(t)).scalar_one() for t in
                     (SupervisedPerson, LeaveRequest, CheckinTask, Alert, LawyerBinding)) + (
            c.execute(select(SupervisedPerson.status, SupervisedPerson.home_district_id,
                             SupervisedPerson.release_requested_at).order_by(SupervisedPerson.id)).all(),
            c.execute(select(LeaveRequest.status).order_by(LeaveRequest.id)).all(),
            c.execute(select(Alert.status).order_by(Alert.id)).all(),
            c.execute(select(LawyerBinding.status).order_by(LawyerBinding.id)).all())


@pytest.mark.parametrize("name", sorted(PERSON_READS))
def test_another_procuratorate_gets_nothing(world, name):
    e, t = world
    spec = PERSON_READS[name]
    scope, actor = _scope_of(e, spec.home, spec.area)
    assert spec.found(spec.call(e, scope, actor, t), t), f"{name}: the home account must find the row"
    scope, actor = _scope_of(e, spec.foreign, spec.area)
    try:
        got = spec.call(e, scope, actor, t)
    except PermissionError:
        return
    assert not spec.found(got, t), f"{name} returned 闵行/奉贤 data to another procuratorate"


@pytest.mark.parametrize("name", sorted(PERSON_READS) + sorted(PERSON_WRITES))
def test_a_scope_without_the_permission_is_refused(world, name):
    e, t = world
    spec = PERSON_READS.get(name) or PERSON_WRITES[name]
    who, area = spec.lacking
    scope, actor = _scope_of(e, who, area)
    assert not scope.grants_permission(spec.area)
    before = _snapshot(e)
    with pytest.raises(AccessDenied):
        spec.call(e, scope, actor, t)
    assert _snapshot(e) == before


@pytest.mark.parametrize("name", sorted(PERSON_WRITES))
def test_another_procuratorate_cannot_write(world, name):
    e, t = world
    spec = PERSON_WRITES[name]
    scope, actor = _scope_of(e, spec.foreign, spec.area)
    before = _snapshot(e)
    try:
        done = spec.call(e, scope, actor, t)
    except PermissionError:
        done = None
    assert not done, f"{name} reported success for another procuratorate"
    assert _snapshot(e) == before, f"{name} changed 闵行/奉贤 data for another procuratorate"


def test_water_clues_stay_in_their_procuratorate(world):
    """The water model's hits (what the retired river clue list showed): 奉贤's public-interest
    prosecutor reads them, 黄浦's gets none, and a scope without the model's permission
    ("rivers.clues") is refused; their life cycle is the clue page's (queries.clues)."""
    from queries.models import hits

    e, t = world
    assert t.water_hits > 0
    scope, _ = _scope_of(e, CLU["home"], "clues")
    assert len(hits(e, scope, "water_worse_than_v")) == t.water_hits
    scope, _ = _scope_of(e, CLU["foreign"], "clues")
    assert hits(e, scope, "water_worse_than_v").empty
    who, area = CLU["lacking"]
    with pytest.raises(AccessDenied):
        hits(e, _scope_of(e, who, area)[0], "water_worse_than_v")


def test_the_lists_cover_every_person_level_function():
    """Every public function of the four modules that takes a scope and names people (or writes)
    is in the lists above; those without a scope are the operator's (the engine side)."""
    listed_reads, listed_writes = set(PERSON_READS), set(PERSON_WRITES)
    reads, writes, unscoped = set(), set(), set()
    for mod_name, mod in MODULES.items():
        for name, fn in vars(mod).items():
            if (name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != mod.__name__
                    or hasattr(fn, "uncached")):
                continue
            src = inspect.getsource(fn)
            params = inspect.signature(fn).parameters
            key = f"{mod_name}.{name}"
            if "scope" not in params:
                if PERSON_TOKENS.search(src) and mod is not P:  # the portal's own principals: test_portal_*
                    unscoped.add(key)
                continue
            if WRITE_TOKENS.search(src):
                writes.add(key)
            elif PERSON_TOKENS.search(src):
                reads.add(key)
    assert reads - listed_reads == set(), "person-level reads missing from PERSON_READS"
    assert writes - listed_writes == set(), "writes missing from PERSON_WRITES"
    assert listed_writes <= writes and unscoped == OPERATOR_ONLY
    for key in listed_reads | listed_writes:  # no stale or misspelt entry
        mod, name = key.split(".")
        assert inspect.isfunction(getattr(MODULES[mod], name, None)), key


def test_a_minhang_officer_cannot_see_a_huangpu_person(world):
    """The issue's words: 闵行's supervision officer asks for 黄浦's person in every way the
    supervision module offers; each answer is empty or a refusal, and the track refusal is audited."""
    e, t = world
    with e.connect() as c:
        hp_sid, hp_code = c.execute(select(SupervisedPerson.id, SupervisedPerson.person_code).where(
            SupervisedPerson.home_district_id == HUANGPU)  # one under supervision if the day has one
            .order_by(SupervisedPerson.status != "在管", SupervisedPerson.id)).first()
    sup = staff_of(e, "sup_310112")
    scope, actor = sup.scope("supervision"), Actor.of(sup, "10.0.0.8")
    assert Q.supervised_list(e, scope, search=hp_code).empty
    assert Q.find_supervised(e, scope, hp_code).empty
    assert hp_sid not in set(Q.latest_positions(e, scope)["id"])
    assert Q.track_bounds(e, scope, hp_sid) == (None, None)
    assert not (Q.alerts(e, scope, ("新", "已确认", "已关闭"))["supervised_id"] == hp_sid).any()
    assert hp_code not in set(Q.devices(e, scope, t.now)["person_code"])
    with pytest.raises(Q.TrackAccessDenied):
        Q.person_track(e, scope, hp_sid, t.now - dt.timedelta(days=7), t.now, actor=actor, now=t.now,
                       purpose="日常检查")
    with e.connect() as c:
        row = c.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.result, AuditLog.client_addr,
                               AuditLog.actor_procuratorate)
                        .where(AuditLog.event == "查看轨迹").order_by(AuditLog.id.desc())).first()
    assert tuple(row) == ("sup_310112", "监管", "拒绝", "10.0.0.8", "上海市闵行区人民检察院")
    # Huangpu's own officer does see the person (the test can fail)
    hp = staff_of(e, "sup_310101").scope("supervision")
    assert list(Q.supervised_list(e, hp, search=hp_code)["id"]) == [hp_sid]


def test_aggregates_need_supervision_or_its_statistics(world):
    e, t = world
    pros = staff_of(e, "pros_310112_1").scope("stats")
    for fn in (Q.supervision_summary, Q.profile, Q.enrolment_by_month, Q.alert_counts):
        with pytest.raises(AccessDenied):
            fn(e, pros)
    with pytest.raises(AccessDenied):
        Q.alerts_by_week(e, pros, t.now - dt.timedelta(days=30))
    lead = staff_of(e, "leader_310112").scope("supervision.stats")
    assert Q.profile(e, lead)["total"] > 0
    with e.connect() as c:  # 闵行's own persons only: as many as are under supervision there today
        minhang_active = c.execute(select(func.count()).select_from(SupervisedPerson).where(
            SupervisedPerson.home_district_id == MINHANG, SupervisedPerson.status == "在管")).scalar_one()
    assert minhang_active >= 2
    assert Q.supervision_summary(e, lead)["active"] == minhang_active
    city = staff_of(e, "leader").scope("supervision.stats")
    assert Q.supervision_summary(e, city)["active"] > Q.supervision_summary(e, lead)["active"]


def test_writes_take_the_signed_in_actor_not_a_name(world):
    e, t = world
    scope = staff_of(e, "sup_310112").scope("supervision")
    with pytest.raises(TypeError):
        Q.roll_call(e, scope, [t.sid], now=t.now, actor="sup_310112")
    with pytest.raises(TypeError):
        Q.person_track(e, scope, t.sid, t.t0, t.t1, actor="sup_310112")

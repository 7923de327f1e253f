"""Clues have a life (issue 13), on SQLite and PostgreSQL: the list and its filters, visibility by
the model's permission and the account's districts, names masked unless the assigned handler of the
model's role looks (each view audited as the real actor), every transition and refusal written with
its history and audit row, the concurrent-change guard, and a water clue made a case opening a
public-interest case on its river."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, insert, select, update

from domain.access import AccessDenied, Actor
from domain.clues import CASE, CHECKING, NO_CASE, PENDING, REFERRED, ClueRuleError
from domain.models import registry
from domain.models import recidivism, referral
from queries import clues as Q
from queries import models as M
from queries.accounts import staff_by_username
from queries.schema import (AppUser, AuditLog, ClueHistory, ModelHit, MonitoringSite, PilCase, Procuratorate, River,
                            UserRole, WaterSample)
from tests.test_models import FX, NOW, PD, _recidivism_world

WATER = dataclasses.replace(
    recidivism.MODEL, key="water_worse_than_v", name_zh="水质持续劣V", name_en="Water worse than V", role="pil",
    permission="rivers.clues", decision_days=15, query="water_worse_than_v", params=(), values=(),
    reads=("water_sample", "river"))
USERS = [  # id, username, procuratorate (1 浦东, 2 奉贤, 3 市院), role
    (10, "sup_pd", 1, "supervision"), (11, "sup_pd2", 1, "supervision"), (12, "pros_pd", 1, "prosecutor"),
    (13, "leader_city", 3, "leader"), (14, "pil_fx", 2, "pil"), (15, "sup_fx", 2, "supervision"),
    (16, "data", 3, "data")]


@pytest.fixture(autouse=True)
def _with_water(monkeypatch):
    """The water model is not registered yet on this branch: the one lookup is swapped, as the lead
    will swap in the installation's effective registry."""
    monkeypatch.setattr(Q, "models_in_effect", lambda engine: {**registry(), WATER.key: WATER})


@pytest.fixture
def world(any_engine):
    """Two 再犯 hits in 浦东 (run by the model), a 不起诉 hit in 浦东 and one in 奉贤, and a water hit on
    a 奉贤 river; seven accounts."""
    e = any_engine
    _recidivism_world(e)
    with e.begin() as c:
        c.execute(insert(Procuratorate), [
            dict(id=2, code="SHFX", name="上海市奉贤区人民检察院", level="区院", district_id=FX),
            dict(id=3, code="SH", name="上海市人民检察院", level="市院", district_id=None)])
        c.execute(insert(AppUser), [dict(id=i, username=u, display_name=f"{u}名", role=r, procuratorate_id=p,
                                         created_at=NOW, active=True) for i, u, p, r in USERS])
        c.execute(insert(UserRole), [dict(user_id=i, role=r) for i, _, _, r in USERS])
        c.execute(insert(River).values(id=1, code="FX001", name="金汇港", level="区级", length_km=12.0, town="南桥镇",
                                       district_id=FX, geojson="{}", river_chief="河长"))
        c.execute(insert(MonitoringSite).values(id=1, river_id=1, name="断面一", lon=121.4, lat=30.9))
        c.execute(insert(WaterSample), [dict(site_id=1, river_id=1, sampled_on=dt.date(2026, m, 5),
                                             month=f"2026-{m:02d}", water_class=6, nh3n=3.1) for m in (10, 11)])
    M.run_model(e, recidivism.MODEL, NOW)
    with e.begin() as c:
        base = dict(version="v1", found_at=NOW - dt.timedelta(days=20), state=PENDING)
        c.execute(insert(ModelHit), [
            dict(base, model_key=referral.MODEL.key, hit_key="case:7/suspect:1", district_id=PD, case_id=7,
                 due_at=NOW - dt.timedelta(days=2), evidence=json.dumps({"case_id": 7, "suspect_seq": 1,
                                                                        "days_since": 40})),
            dict(base, model_key=referral.MODEL.key, hit_key="case:8/suspect:1", district_id=FX, case_id=8,
                 due_at=NOW + dt.timedelta(days=5), evidence=json.dumps({"case_id": 8, "suspect_seq": 1})),
            dict(base, model_key=WATER.key, hit_key="river:1/2026-11", district_id=FX, case_id=None,
                 due_at=NOW + dt.timedelta(days=9), evidence=json.dumps(
                     {"river_id": 1, "code": "FX001", "name": "金汇港", "town": "南桥镇",
                      "months": ["2026-10", "2026-11"], "classes": [6, 6]}, ensure_ascii=False))])
        ids = dict(c.execute(select(ModelHit.hit_key, ModelHit.id)).all())
    return e, ids


def who(e, username: str, area: str = "clues"):
    st = staff_by_username(e, username)
    return st.scope(area), Actor.of(st, "10.1.2.3")


def audit(e, hit_id: int) -> list[tuple]:
    with e.connect() as c:
        return [tuple(r) for r in c.execute(select(AuditLog.actor, AuditLog.event, AuditLog.result, AuditLog.detail)
                                            .where(AuditLog.target == f"hit:{hit_id}").order_by(AuditLog.id))]


def hit(e, hit_id: int):
    with e.connect() as c:
        return c.execute(select(ModelHit.__table__).where(ModelHit.id == hit_id)).first()


# --------------------------------------------------------------------------- the list


def test_each_account_sees_the_clues_of_its_models_in_its_districts(world):
    e, ids = world
    seen = {u: set(Q.clue_list(e, who(e, u)[0], now=NOW)["hit_id"])
            for u in ("sup_pd", "sup_fx", "pros_pd", "leader_city", "pil_fx")}
    rec = {ids["sp:1/case:5"], ids["sp:2/case:6"]}
    assert seen["sup_pd"] == rec  # supervision: 再犯 in 浦东
    assert seen["sup_fx"] == set()  # 奉贤's officer: not 浦东's people
    assert seen["pros_pd"] == {ids["case:7/suspect:1"]}  # cases, 浦东 only
    assert seen["leader_city"] == {ids["case:7/suspect:1"], ids["case:8/suspect:1"]}  # cases, every district
    assert seen["pil_fx"] == {ids["river:1/2026-11"]}
    with pytest.raises(AccessDenied):
        Q.clue_list(e, who(e, "data", "import")[0])


def test_the_list_filters_and_its_columns(world):
    e, ids = world
    from domain.scope import ALL
    every = Q.clue_list(e, ALL, now=NOW)
    assert len(every) == 5 and list(every["hit_id"])[0] == ids["case:7/suspect:1"]  # nearest deadline first
    row = every.set_index("hit_id").loc[ids["case:7/suspect:1"]]
    assert row["overdue"] and row["model"] == referral.MODEL.name_zh and row["state"] == PENDING
    assert row["case_no"] == "沪浦检刑诉〔2026〕7号" and "第1名嫌疑人" in row["summary"]
    water = every.set_index("hit_id").loc[ids["river:1/2026-11"]]
    assert water["summary"] == "金汇港（南桥镇）水质劣Ⅴ类 2026-10、2026-11" and not water["overdue"]
    assert "测试人" not in every.to_string()  # no name in the list, whoever asks
    assert set(Q.clue_list(e, ALL, model=WATER.key, now=NOW)["hit_id"]) == {ids["river:1/2026-11"]}
    assert set(Q.clue_list(e, ALL, district=FX, now=NOW)["hit_id"]) == {ids["case:8/suspect:1"],
                                                                       ids["river:1/2026-11"]}
    assert set(Q.clue_list(e, ALL, due="overdue", now=NOW)["hit_id"]) == {ids["case:7/suspect:1"]}
    assert set(Q.clue_list(e, ALL, due="2天", now=NOW)["hit_id"]) == {ids["case:7/suspect:1"]}
    # the 再犯 clues, found at NOW with 3 days, are due at 24:00 of 7 December
    assert set(Q.clue_list(e, ALL, due="within 5 days", now=NOW)["hit_id"]) == {
        ids["case:7/suspect:1"], ids["case:8/suspect:1"], ids["sp:1/case:5"], ids["sp:2/case:6"]}
    assert set(Q.clue_list(e, ALL, due=10, now=NOW)["hit_id"]) == set(ids.values())
    with pytest.raises(ClueRuleError, match="期限筛选"):
        Q.clue_list(e, ALL, due="soon")
    scope, me = who(e, "sup_pd")
    Q.transition(e, scope, ids["sp:1/case:5"], CHECKING, assignee_id=10, actor=me, now=NOW)
    assert list(Q.clue_list(e, ALL, assignee=10, now=NOW)["hit_id"]) == [ids["sp:1/case:5"]]
    assert list(Q.clue_list(e, ALL, assignee=10, now=NOW)["assignee"]) == ["sup_pd名"]
    assert ids["sp:1/case:5"] not in set(Q.clue_list(e, ALL, assignee=0, now=NOW)["hit_id"])
    assert list(Q.clue_list(e, ALL, state=CHECKING, now=NOW)["hit_id"]) == [ids["sp:1/case:5"]]
    assert len(Q.clue_list(e, ALL, limit=2, now=NOW)) == 2


# --------------------------------------------------------------------------- the detail and its names


def test_names_are_masked_unless_the_assigned_handler_looks_and_every_view_is_audited(world):
    e, ids = world
    h = ids["sp:1/case:5"]
    scope, officer = who(e, "sup_pd")
    d = Q.clue_detail(e, scope, h, officer)
    assert not d.full_names and set(d.rows) >= {"被监管人", "新案件", "新案件犯罪嫌疑人"}
    assert list(d.rows["被监管人"]["name"]) == ["测*1"] and list(d.rows["新案件"]["case_no"]) == ["沪浦检刑诉〔2026〕5号"]
    assert list(d.rows["新案件犯罪嫌疑人"]["name"]) == ["测*1"]
    Q.transition(e, scope, h, CHECKING, assignee_id=10, actor=officer, now=NOW)
    d = Q.clue_detail(e, scope, h, officer)  # now the handler of the model's role: full names
    assert d.full_names and list(d.rows["被监管人"]["name"]) == ["测试人1"]
    assert list(d.history["to_state"]) == [CHECKING] and list(d.history["assignee"]) == ["sup_pd名"]
    scope2, other = who(e, "sup_pd2")
    d2 = Q.clue_detail(e, scope2, h, other)  # the same role, not the assignee: masked
    assert not d2.full_names and list(d2.rows["被监管人"]["name"]) == ["测*1"]
    views = [r for r in audit(e, h) if r[1] == "查看线索"]
    assert views == [("sup_pd", "查看线索", "成功", "脱敏显示"), ("sup_pd", "查看线索", "成功", "显示全名"),
                     ("sup_pd2", "查看线索", "成功", "脱敏显示")]


def test_a_clue_out_of_reach_is_not_shown_and_the_attempt_is_audited(world):
    e, ids = world
    h = ids["sp:1/case:5"]
    for user in ("sup_fx", "pros_pd"):  # another district; a role without the model's permission
        scope, me = who(e, user)
        assert Q.clue_detail(e, scope, h, me) is None
        assert Q.clue_history(e, scope, h).empty and Q.assignee_choices(e, scope, h).empty
    assert [r[:3] for r in audit(e, h)] == [("sup_fx", "查看线索", "拒绝"), ("pros_pd", "查看线索", "拒绝")]
    with pytest.raises(TypeError):
        Q.clue_detail(e, who(e, "sup_pd")[0], h, "sup_pd")


def test_the_drill_down_per_model(world):
    e, ids = world
    d = Q.clue_detail(e, who(e, "pros_pd")[0], ids["case:7/suspect:1"], who(e, "pros_pd")[1])
    assert list(d.rows["不起诉的犯罪嫌疑人"]["seq"]) == [1] and "案件" in d.rows
    scope, me = who(e, "pil_fx")
    d = Q.clue_detail(e, scope, ids["river:1/2026-11"], me)
    assert list(d.rows["河道"]["name"]) == ["金汇港"] and list(d.rows["逐月监测"]["month"]) == ["2026-11", "2026-10"]
    assert set(Q.assignee_choices(e, scope, ids["river:1/2026-11"])["user_id"]) == {14}
    assert set(Q.assignee_choices(e, who(e, "sup_pd")[0], ids["sp:1/case:5"])["user_id"]) == {10, 11}


# --------------------------------------------------------------------------- the life


def test_a_clue_walks_to_a_case_with_history_and_audit_in_step(world):
    e, ids = world
    h = ids["case:7/suspect:1"]
    scope, me = who(e, "pros_pd")
    at = NOW + dt.timedelta(hours=1)
    Q.transition(e, scope, h, CHECKING, assignee_id=12, reason="分流", actor=me, now=at)
    Q.transition(e, scope, h, CASE, outcome_kind="检察建议", outcome_ref="沪浦检建〔2026〕3号", reason="属实",
                 actor=me, now=at + dt.timedelta(days=1))
    row = hit(e, h)
    assert (row.state, row.assignee_id, row.outcome_kind, row.outcome_ref, row.reason, row.state_changed_at) == (
        CASE, 12, "检察建议", "沪浦检建〔2026〕3号", "属实", at + dt.timedelta(days=1))
    with e.connect() as c:
        hist = c.execute(select(ClueHistory.from_state, ClueHistory.to_state, ClueHistory.actor_id,
                                ClueHistory.actor_name, ClueHistory.at).where(ClueHistory.hit_id == h)
                         .order_by(ClueHistory.id)).all()
    assert [tuple(r) for r in hist] == [(PENDING, CHECKING, 12, "pros_pd", at),
                                        (CHECKING, CASE, 12, "pros_pd", at + dt.timedelta(days=1))]
    assert audit(e, h) == [("pros_pd", "线索流转", "成功", "待分流→核查中；分流"),
                           ("pros_pd", "线索流转", "成功", "核查中→成案；检察建议；沪浦检建〔2026〕3号；属实")]
    with pytest.raises(ClueRuleError, match="线索已成案，不能再变更"):  # an end is final
        Q.transition(e, scope, h, NO_CASE, reason="改判", actor=me, now=at)
    assert audit(e, h)[-1] == ("pros_pd", "线索流转", "拒绝", "线索已成案，不能再变更")


@pytest.mark.parametrize("target, kw, state_after", [
    (NO_CASE, dict(reason="已另案处理"), NO_CASE),
    (REFERRED, dict(outcome_ref="区市场监督管理局"), REFERRED),
])
def test_closing_straight_from_triage(world, target, kw, state_after):
    e, ids = world
    h = ids["case:7/suspect:1"]
    scope, me = who(e, "pros_pd")
    Q.transition(e, scope, h, target, actor=me, now=NOW, **kw)
    row = hit(e, h)
    assert row.state == state_after and row.assignee_id is None
    assert (row.reason, row.outcome_ref) == ((kw.get("reason"), None) if target == NO_CASE
                                             else (None, "区市场监督管理局"))


@pytest.mark.parametrize("target, kw, message", [
    (NO_CASE, dict(reason=" "), "不成案须填写理由"),
    (CASE, dict(outcome_kind="立案", outcome_ref="x"), "不能从“待分流”直接变为“成案”"),
    (CHECKING, dict(), "转入核查须指定承办人"),
    (CHECKING, dict(assignee_id=10), "承办人须为本辖区持有该模型处理角色的在职人员"),  # an officer, not a prosecutor
    (CHECKING, dict(assignee_id=13), "承办人须为"),  # the city leader: not the referral model's role
    (REFERRED, dict(outcome_ref=""), "须填写接收单位"),
])
def test_refusals_change_nothing_and_are_audited(world, target, kw, message):
    e, ids = world
    h = ids["case:7/suspect:1"]
    scope, me = who(e, "pros_pd")
    before = tuple(hit(e, h))
    with pytest.raises(ClueRuleError, match=message):
        Q.transition(e, scope, h, target, actor=me, now=NOW, **kw)
    assert tuple(hit(e, h)) == before
    assert audit(e, h)[-1][:3] == ("pros_pd", "线索流转", "拒绝") and message in audit(e, h)[-1][3]
    with e.connect() as c:
        assert c.execute(select(func.count()).select_from(ClueHistory)).scalar_one() == 0


def test_writes_out_of_reach_are_refused_and_audited(world):
    e, ids = world
    h = ids["sp:1/case:5"]
    for user, area in (("sup_fx", "clues"), ("pros_pd", "clues"), ("data", "import")):
        scope, me = who(e, user, area)
        with pytest.raises(AccessDenied):
            Q.transition(e, scope, h, NO_CASE, reason="无据", actor=me, now=NOW)
        with pytest.raises(AccessDenied):
            Q.assign(e, scope, h, 10, actor=me, now=NOW)
    assert hit(e, h).state == PENDING
    assert [r[2] for r in audit(e, h)] == ["拒绝"] * 6


def test_assign_changes_the_handler_only(world):
    e, ids = world
    h = ids["sp:2/case:6"]
    scope, me = who(e, "sup_pd")
    Q.transition(e, scope, h, CHECKING, assignee_id=10, actor=me, now=NOW)
    Q.assign(e, scope, h, 11, actor=me, now=NOW, note="换人核查")
    row = hit(e, h)
    assert (row.state, row.assignee_id) == (CHECKING, 11)
    assert list(Q.clue_history(e, scope, h)["assignee"]) == ["sup_pd名", "sup_pd2名"]
    with pytest.raises(ClueRuleError, match="承办人须为"):
        Q.assign(e, scope, h, 15, actor=me, now=NOW)  # 奉贤's officer
    Q.transition(e, scope, h, NO_CASE, reason="查无实据", actor=me, now=NOW)
    with pytest.raises(ClueRuleError, match="不能再变更"):
        Q.assign(e, scope, h, 10, actor=me, now=NOW)


def test_a_clue_changed_by_someone_else_is_not_overwritten(world):
    e, ids = world
    h = ids["sp:1/case:5"]
    scope, a = who(e, "sup_pd")
    scope2, b = who(e, "sup_pd2")
    Q.transition(e, scope, h, CHECKING, assignee_id=10, actor=a, now=NOW, expected_state=PENDING)
    with pytest.raises(ClueRuleError, match="线索已被他人处理"):  # b still sees 待分流
        Q.transition(e, scope2, h, NO_CASE, reason="无据", actor=b, now=NOW, expected_state=PENDING)
    assert hit(e, h).assignee_id == 10 and hit(e, h).state == CHECKING
    assert audit(e, h)[-1] == ("sup_pd2", "线索流转", "拒绝", "线索已被他人处理")


def test_the_update_is_guarded_against_a_change_between_read_and_write(world, monkeypatch):
    """Another session commits between this one's read and its update: the guarded update finds
    no row in the state it read, and nothing of this session's change is written."""
    e, ids = world
    h = ids["sp:1/case:5"]
    real = Q.check_transition

    def meddle(*args, **kw):
        with e.begin() as c:  # someone else closes it now
            c.execute(update(ModelHit).where(ModelHit.id == h).values(state=REFERRED, outcome_ref="别处"))
        return real(*args, **kw)

    monkeypatch.setattr(Q, "check_transition", meddle)
    scope, me = who(e, "sup_pd")
    with pytest.raises(ClueRuleError, match="线索已被他人处理"):
        Q.transition(e, scope, h, NO_CASE, reason="无据", actor=me, now=NOW)
    row = hit(e, h)
    assert (row.state, row.outcome_ref) == (REFERRED, "别处")
    with e.connect() as c:
        assert c.execute(select(func.count()).select_from(ClueHistory)).scalar_one() == 0


def test_a_water_clue_made_a_case_opens_a_public_interest_case(world):
    e, ids = world
    h = ids["river:1/2026-11"]
    scope, me = who(e, "pil_fx")
    Q.transition(e, scope, h, CHECKING, assignee_id=14, actor=me, now=NOW)
    Q.transition(e, scope, h, CASE, outcome_kind="立案", outcome_ref="", reason="连续两月劣V", actor=me, now=NOW)
    with e.connect() as c:
        cases = c.execute(select(PilCase.case_no, PilCase.river_id, PilCase.district_id, PilCase.procuratorate_id,
                                 PilCase.stage, PilCase.source, PilCase.summary)).all()
    assert [tuple(r)[:6] for r in cases] == [("沪奉检行公立〔2026〕水1-2026-11", 1, FX, 2, "立案", "水质线索")]
    assert "金汇港（南桥镇）" in cases[0].summary
    assert hit(e, h).outcome_ref == "沪奉检行公立〔2026〕水1-2026-11"
    # a second clue on the same river: the open case refuses another, nothing written
    with e.begin() as c:
        h2 = c.execute(insert(ModelHit).values(
            model_key=WATER.key, hit_key="river:1/2026-12", version="v1", found_at=NOW, state=CHECKING,
            assignee_id=14, due_at=NOW, district_id=FX, evidence=json.dumps({"river_id": 1}))
            .returning(ModelHit.id)).scalar_one()
    with pytest.raises(ClueRuleError, match="该河道已有在办案件"):
        Q.transition(e, scope, h2, CASE, outcome_kind="立案", outcome_ref="", actor=me, now=NOW)
    assert hit(e, h2).state == CHECKING
    # a suggestion on a water clue keeps the number given
    Q.transition(e, scope, h2, CASE, outcome_kind="检察建议", outcome_ref="沪奉检建〔2026〕9号", actor=me, now=NOW)
    assert hit(e, h2).outcome_ref == "沪奉检建〔2026〕9号"


def test_the_demo_sample_holds_clues_in_every_state(sample_engine):
    from domain.scope import ALL
    got = Q.clue_list(sample_engine, ALL)
    assert {PENDING, CHECKING, CASE, NO_CASE, REFERRED} <= set(got["state"])
    closed = got[got["state"] == NO_CASE]
    with sample_engine.connect() as c:
        ids = [int(i) for i in closed["hit_id"]]
        reasons = list(c.execute(select(ModelHit.reason).where(ModelHit.id.in_(ids))).scalars())
        assert len(reasons) == len(ids) > 0 and all(r and len(r) >= 2 for r in reasons)
        assert c.execute(select(func.count()).select_from(ClueHistory)).scalar_one() >= (got["state"] != PENDING).sum()


# --------------------------------------------------------------------------- the page (AppTest, entry point)


def _open_clues(staff, hit_id: int | None = None, lang: str | None = None):
    from streamlit.testing.v1 import AppTest

    from tests.browser import ROOT
    from tests.staff import sign_in
    from tests.test_role_matrix import open_page

    at = sign_in(AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120), staff)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if hit_id is not None:
        at.session_state["clue_hit"] = hit_id  # what selecting its row stores
    return open_page(at, "clues")


def test_the_page_lists_shows_and_acts_on_the_clue_held_by_its_id(page_db, sample_engine):
    from tests.staff import staff_of

    pros = staff_of(sample_engine, "pros_310112_1")
    mine = Q.clue_list(sample_engine, pros.scope("clues"), state=PENDING)
    assert len(mine), "the sample must hold a 待分流 clue in 闵行"
    h = int(mine["hit_id"].iloc[-1])
    at = _open_clues(pros)
    assert not at.exception and at.title[0].value == "法律监督线索"
    assert len(at.dataframe) == 1 and "测试人" not in at.dataframe[0].value.to_string()
    assert not at.button or all("#" not in b.label for b in at.button if b.label.startswith("转核查"))
    at = _open_clues(pros, h)
    assert not at.exception
    assert at.subheader[0].value.startswith(f"#{h} · ")
    labels = [b.label for b in at.button]
    assert f"转核查 #{h}" in labels and f"不成案 #{h}" in labels and f"移送 #{h}" in labels
    assert f"成案 #{h}" not in labels  # not without a check
    next(b for b in at.button if b.label == f"不成案 #{h}").click().run()
    at.text_area[0].input("经核查已另案处理")
    next(b for b in at.button if b.label == f"确认不成案 #{h}").click().run()
    assert not at.exception and not at.error
    row = hit(sample_engine, h)
    assert (row.state, row.reason) == (NO_CASE, "经核查已另案处理")
    trail = audit(sample_engine, h)
    assert [r[:3] for r in trail if r[1] == "线索流转"] == [("pros_310112_1", "线索流转", "成功")]
    assert ("pros_310112_1", "查看线索", "成功", "脱敏显示") in trail  # each showing of the detail
    assert any(f"线索 #{h} 已不成案" in s.value for s in at.success)


def test_a_clue_that_leaves_the_list_leaves_the_selection_empty(page_db, sample_engine):
    from tests.staff import staff_of

    pros = staff_of(sample_engine, "pros_310112_1")
    mine = Q.clue_list(sample_engine, pros.scope("clues"), state=PENDING)
    h = int(mine["hit_id"].iloc[0])
    at = _open_clues(pros, h)
    assert at.subheader[0].value.startswith(f"#{h} · ")
    at.selectbox(key="cf_sort").set_value("id").run()  # reordered: still the same clue
    assert not at.exception and at.subheader[0].value.startswith(f"#{h} · ")
    at.selectbox(key="cf_state").set_value(CASE).run()  # the clue is not in this list
    assert not at.exception and not any(s.value.startswith(f"#{h} ") for s in at.subheader)
    at.selectbox(key="cf_state").set_value("").run()  # back in the list, but no longer selected
    assert not at.exception and not at.subheader and "clue_hit" not in at.session_state


def test_the_page_in_english(page_db, sample_engine):
    from tests.staff import staff_of

    at = _open_clues(staff_of(sample_engine, "sup_310112"), lang="en")
    assert not at.exception and at.title[0].value == "Legal-supervision clues"

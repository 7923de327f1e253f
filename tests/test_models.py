"""Legal-supervision models (issue 13, the foundation): a model is a validated definition whose version
follows its content; a run stores each hit once, however often it runs; the two first models find
exactly the hits planted here (and none of the near misses), on SQLite and PostgreSQL.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, insert, select

from domain import clock
from domain.access import AccessDenied
from domain.models import Model, ModelError, Param, registry
from domain.models import overdue, recidivism, referral
from domain.scope import ALL, Scope
from queries import models as M
from queries.cli import main as cli
from queries.schema import (
    Case, CaseEvent, CaseParty, Department, District, ModelHit, ModelRun, QualityResult, Person, Procuratorate, SupervisedPerson, Suspect,
    metadata,
)

PD, FX = 310115, 310120
NOW = dt.datetime(2026, 12, 4, 15, 0)  # a Friday
REC, OVER, REF = recidivism.MODEL, overdue.MODEL, referral.MODEL


# --------------------------------------------------------------------------- definitions


def test_the_version_follows_the_definition_content():
    assert REC.version == recidivism.MODEL.version and len(REC.version) == 12
    assert REC.with_params(active_only=True).version == REC.version  # the default, spelled out
    changed = REC.with_params(min_days_after_start=3)
    assert changed.version != REC.version and changed.parameters["min_days_after_start"] == 3
    assert REC.with_params(min_days_after_start=3).version == changed.version  # deterministic
    assert dataclasses.replace(REC, query="other").version != REC.version  # query kind counts
    assert dataclasses.replace(REC, owner="另一个部门").version == REC.version  # prose does not
    # the order a list parameter is written in is kept; the same list twice is the same version
    assert REC.with_params(measures=["监视居住"]).version == REC.with_params(measures=("监视居住",)).version


@pytest.mark.parametrize("values, message", [
    (dict(min_days_after_start=-1), "below the minimum"),
    (dict(min_days_after_start=400), "above the maximum"),
    (dict(min_days_after_start=1.5), "expected int"),
    (dict(min_days_after_start=True), "expected int"),
    (dict(active_only="yes"), "expected bool"),
    (dict(measures=("拘留",)), "not one of"),
    (dict(measures="取保候审"), "expected a list"),
    (dict(measures=()), "must not be empty"),
    (dict(no_such=1), "unknown parameters"),
])
def test_parameters_are_typed_and_validated(values, message):
    with pytest.raises(ModelError, match=message):
        REC.with_params(**values)


def test_a_float_parameter_takes_an_int_and_definitions_are_checked():
    assert OVER.with_params(min_days_overdue=2).parameters["min_days_overdue"] == 2.0
    with pytest.raises(ModelError, match="lacks permission"):
        dataclasses.replace(REC, permission="cases")  # the supervision role cannot read cases
    with pytest.raises(ModelError, match="unknown role"):
        dataclasses.replace(REC, role="janitor")
    with pytest.raises(ModelError, match="decision_days"):
        dataclasses.replace(REC, decision_days=0)
    with pytest.raises(ModelError, match="duplicate"):
        dataclasses.replace(REC, params=REC.params + (Param("active_only", bool, False, "x", "x"),))
    with pytest.raises(ModelError, match="expected bool"):
        dataclasses.replace(REC, values=(("active_only", 1),))


def test_every_registered_model_is_complete_and_runnable():
    models = registry()
    assert set(models) == {"recidivism_on_measure", "overdue_cases", "non_prosecution_referral", "water_worse_than_v",
                           # case models (tests/test_models_cases.py)
                           "sentencing_deviation", "similar_case_cluster", "detention_after_arrest_refusal"}
    for m in models.values():
        assert m.query in M.QUERIES
        assert set(m.reads) <= set(metadata.tables), m.key
        assert m.legal_basis and m.purpose and m.shows and m.owner
    assert models["recidivism_on_measure"].role == "supervision"


# --------------------------------------------------------------------------- a small world


def _base(c) -> None:
    c.execute(insert(District), [dict(id=d, name_zh=z, name_en=e, label_lon=121.5, label_lat=31.2, geojson="{}")
                                 for d, z, e in ((PD, "浦东新区", "Pudong"), (FX, "奉贤区", "Fengxian"))])
    c.execute(insert(Procuratorate), [dict(id=1, code="SHPD", name="上海市浦东新区人民检察院", level="区院",
                                           district_id=PD)])
    c.execute(insert(Department), [dict(id=1, procuratorate_id=1, name="第二检察部", function="刑事")])


def _case(i: int, accepted: dt.datetime, **kw) -> dict:
    return dict(dict(id=i, case_no=f"沪浦检刑诉〔2026〕{i}号", procuratorate_id=1, district_id=PD, function="刑事",
                     charge="盗窃", stage="审查起诉", stage_entered_at=accepted, accepted_at=accepted, suspects=1,
                     procedure="普通", origin="公安机关", department_id=None, handling_department=None), **kw)


def _person(i: int) -> dict:
    return dict(id=i, public_id=f"p{i:031d}", full_name=f"测试人{i}", name_masked=f"测*{i}",
                id_hash=f"{i:064d}", id_masked="310115************")


def _sp(i: int, person: int, case: int, measure: str, start: dt.date, end: dt.date, status: str = "在管",
        released: dt.datetime | None = None) -> dict:
    return dict(id=i, person_code=f"JG{PD}-{i:04d}", person_id=person, case_id=case, measure=measure,
                start_date=start, end_date=end, status=status, home_district_id=PD, released_at=released)


def _recidivism_world(engine) -> None:
    """Hits: person 1 (bail from 10 June) is a suspect in case 5 (1 Oct); person 2 (surveillance from
    1 Sept) is named a suspect in case 6 (20 Nov) by ``case_party`` only. Near misses: person 1's own
    case; person 2's case 7 before the measure, and case 8 where they are the victim; person 3,
    released on 1 May, in case 9 after the release (case 10, before it, counts only with
    ``active_only`` off); person 4 in case 11 after the measure's end date."""
    d = dt.datetime
    with engine.begin() as c:
        _base(c)
        c.execute(insert(Person), [_person(i) for i in range(1, 6)])
        c.execute(insert(Case), [_case(1, d(2026, 6, 1)), _case(2, d(2026, 8, 20)), _case(3, d(2026, 1, 5)),
                                 _case(4, d(2026, 2, 20)), _case(5, d(2026, 10, 1, 9)),
                                 _case(6, d(2026, 11, 20, 14)), _case(7, d(2026, 8, 15)), _case(8, d(2026, 10, 1)),
                                 _case(9, d(2026, 6, 1)), _case(10, d(2026, 3, 1)), _case(11, d(2026, 10, 1))])
        named = [(1, 1), (5, 1), (2, 2), (7, 2), (3, 3), (9, 3), (10, 3), (4, 4), (11, 4)]  # (case, person)
        c.execute(insert(Suspect), [dict(case_id=k, district_id=PD, person_id=p, seq=1) for k, p in named])
        c.execute(insert(CaseParty), [dict(case_id=k, person_id=p, role="犯罪嫌疑人") for k, p in named if k != 5]
                  + [dict(case_id=6, person_id=2, role="犯罪嫌疑人"), dict(case_id=8, person_id=2, role="被害人"),
                     dict(case_id=6, person_id=5, role="犯罪嫌疑人")])
        c.execute(insert(SupervisedPerson), [
            _sp(1, 1, 1, "取保候审", dt.date(2026, 6, 10), dt.date(2027, 6, 5)),
            _sp(2, 2, 2, "监视居住", dt.date(2026, 9, 1), dt.date(2027, 3, 1)),
            _sp(3, 3, 3, "取保候审", dt.date(2026, 1, 10), dt.date(2027, 1, 5), "已解除", d(2026, 5, 1, 10)),
            _sp(4, 4, 4, "取保候审", dt.date(2026, 3, 1), dt.date(2026, 8, 27))])


def _keys(engine, model: Model) -> set[str]:
    return {h.hit_key for h in M.QUERIES[model.query](engine, model, NOW)}


def test_recidivism_finds_exactly_the_planted_reoffences(any_engine):
    _recidivism_world(any_engine)
    assert _keys(any_engine, REC) == {"sp:1/case:5", "sp:2/case:6"}
    assert _keys(any_engine, REC.with_params(active_only=False)) == {"sp:1/case:5", "sp:2/case:6", "sp:3/case:10"}
    assert _keys(any_engine, REC.with_params(measures=("监视居住",))) == {"sp:2/case:6"}
    assert _keys(any_engine, REC.with_params(min_days_after_start=100)) == {"sp:1/case:5"}  # 113 and 80 days


def test_hits_are_stored_once_with_their_version_and_no_clear_personal_data(any_engine):
    _recidivism_world(any_engine)
    first = M.run_model(any_engine, REC, NOW)
    assert (first.hits_found, first.new_hits, first.version) == (2, 2, REC.version)
    again = M.run_model(any_engine, REC, NOW)
    assert (again.hits_found, again.new_hits) == (2, 0)  # unchanged data: nothing new written
    changed = REC.with_params(active_only=False)
    third = M.run_model(any_engine, changed, NOW)  # a new version finds one more, not the old two again
    assert (third.version, third.hits_found, third.new_hits) == (changed.version, 3, 1)
    with any_engine.connect() as c:
        stored = dict(c.execute(select(ModelHit.hit_key, ModelHit.version)).all())
        runs = c.execute(select(ModelRun.version, ModelRun.hits_found, ModelRun.new_hits, ModelRun.finished_at)
                         .order_by(ModelRun.id)).all()
    assert stored == {"sp:1/case:5": REC.version, "sp:2/case:6": REC.version, "sp:3/case:10": changed.version}
    # the second run saw unchanged inputs and wrote no run row at all (see the incremental tests)
    assert again.mode == "skipped" and third.mode == "full"
    assert [tuple(r[:3]) for r in runs] == [(REC.version, 2, 2), (changed.version, 3, 1)]
    assert all(r.finished_at is not None for r in runs)
    got = M.hits(any_engine, ALL, REC.key)
    text = json.dumps(list(got["evidence"]), ensure_ascii=False)
    assert "测试人" not in text and "310115****" not in text and "0000000001" not in text
    ev = got.set_index("hit_key").loc["sp:2/case:6", "evidence"]
    assert ev["person_code"] == f"JG{PD}-0002" and ev["case_no"] == "沪浦检刑诉〔2026〕6号"
    assert ev["measure"] == "监视居住" and ev["accepted_at"].startswith("2026-11-20")


def test_the_same_hit_is_never_raised_twice_even_when_the_query_repeats_it(any_engine):
    _recidivism_world(any_engine)
    with any_engine.begin() as c:  # person 1 named in case 5 a second way: still one hit
        c.execute(insert(CaseParty).values(case_id=5, person_id=1, role="犯罪嫌疑人"))
    assert M.run_model(any_engine, REC, NOW).new_hits == 2
    with any_engine.begin() as c:  # a new reoffence arrives: only it is new
        c.execute(insert(Case).values(**_case(12, dt.datetime(2026, 12, 1, 10))))
        c.execute(insert(Suspect).values(case_id=12, district_id=PD, person_id=2, seq=1))
    r = M.run_model(any_engine, REC, NOW)
    assert (r.hits_found, r.new_hits) == (3, 1)
    with any_engine.connect() as c:
        assert c.execute(select(func.count()).select_from(ModelHit)).scalar_one() == 3


def test_reading_hits_checks_permission_and_scope(any_engine):
    _recidivism_world(any_engine)
    M.run_model(any_engine, REC, NOW)
    officer = Scope(district_ids=(PD,), role="supervision", grants=frozenset({"supervision"}))
    assert len(M.hits(any_engine, officer, REC.key)) == 2
    assert M.hits(any_engine, Scope(district_ids=(FX,), role="supervision", grants=frozenset({"supervision"})),
                  REC.key).empty
    with pytest.raises(AccessDenied):
        M.hits(any_engine, Scope(role="prosecutor", grants=frozenset({"cases"})), REC.key)
    with pytest.raises(ModelError, match="unknown model"):
        M.hits(any_engine, ALL, "no_such_model")


# --------------------------------------------------------------------------- 超期


def _overdue_world(engine) -> None:
    """Received 11 days and 5 hours before Friday: fast-track review (10 days) is overdue by 0.6 days
    (case 1, department 第二检察部) ; ordinary review (a month) is not (case 2); a fast-track case
    received 20 days before is overdue by 9.6 days (case 3, department known only by name); a closed
    one is not watched (case 4)."""
    received = NOW - dt.timedelta(days=11, hours=5)
    with engine.begin() as c:
        _base(c)
        c.execute(insert(Case), [_case(1, received, procedure="速裁", department_id=1),
                                 _case(2, received, department_id=1),
                                 _case(3, received - dt.timedelta(days=9), procedure="速裁",
                                       handling_department="第三检察部"),
                                 _case(4, received - dt.timedelta(days=9), procedure="速裁", stage="判决")])


def test_overdue_finds_exactly_the_cases_past_their_limit_with_stage_and_department(any_engine):
    _overdue_world(any_engine)
    hits = {h.hit_key: h for h in M.QUERIES[OVER.query](any_engine, OVER, NOW)}
    assert {h.case_id for h in hits.values()} == {1, 3}
    one = next(h for h in hits.values() if h.case_id == 1)
    assert one.group_key == "审查起诉/第二检察部" and one.evidence["days_overdue"] == 0.6
    assert one.evidence["deadline"].startswith("2026-12-03") and "速裁" in one.evidence["basis"]
    assert _keys(any_engine, OVER.with_params(min_days_overdue=1)) == {
        h.hit_key for h in hits.values() if h.case_id == 3}
    assert _keys(any_engine, OVER.with_params(stages=("审查逮捕",))) == set()
    M.run_model(any_engine, OVER, NOW)
    assert M.run_model(any_engine, OVER, NOW).new_hits == 0
    groups = M.hits_by_group(any_engine, ALL, OVER.key)
    assert dict(zip(groups["group_key"], groups["hits"])) == {"审查起诉/第二检察部": 1, "审查起诉/第三检察部": 1}


# --------------------------------------------------------------------------- 不起诉后反向衔接


def _referral_world(engine) -> None:
    """Case k's suspect(s), decided not to prosecute (酌定 unless said) ``days`` before now, with a
    移送行政处罚 event ``ref`` days after the decision (None: none). Hits: 1 (no referral), 3 (referral
    after 45 days), 7 seq 1 (the only event was before the decision). Not: 2 (referred on day 10),
    4 (decided 10 days ago: still in time), 5 (存疑, not counted by default), 6 (prosecuted), 7 seq 2
    (prosecuted)."""
    plan = [(1, 1, 60, "酌定不起诉", None), (2, 1, 60, "酌定不起诉", 10), (3, 1, 60, "酌定不起诉", 45),
            (4, 1, 10, "酌定不起诉", None), (5, 1, 60, "存疑不起诉", None), (6, 1, 60, None, None),
            (7, 1, 60, "酌定不起诉", -3), (7, 2, 60, None, None)]
    with engine.begin() as c:
        _base(c)
        c.execute(insert(Case), [_case(k, NOW - dt.timedelta(days=120), stage="办结") for k in range(1, 8)])
        c.execute(insert(Suspect), [
            dict(case_id=k, district_id=PD, seq=q, prosecution_decided_at=NOW - dt.timedelta(days=d),
                 prosecution_decision="不起诉" if t else "起诉", non_prosecution_type=t)
            for k, q, d, t, _ in plan])
        c.execute(insert(CaseEvent), [
            dict(case_id=k, district_id=PD, event_type="移送行政处罚",
                 occurred_at=NOW - dt.timedelta(days=d) + dt.timedelta(days=r))
            for k, _, d, _, r in plan if r is not None])


def test_referral_finds_exactly_the_non_prosecutions_without_a_timely_referral(any_engine):
    _referral_world(any_engine)
    assert _keys(any_engine, REF) == {"case:1/suspect:1", "case:3/suspect:1", "case:7/suspect:1"}
    assert _keys(any_engine, REF.with_params(types=("酌定不起诉", "存疑不起诉"))) == {
        "case:1/suspect:1", "case:3/suspect:1", "case:5/suspect:1", "case:7/suspect:1"}
    assert _keys(any_engine, REF.with_params(within_days=50)) == {"case:1/suspect:1", "case:7/suspect:1"}
    assert _keys(any_engine, REF.with_params(within_days=5)) == {
        "case:1/suspect:1", "case:2/suspect:1", "case:3/suspect:1", "case:4/suspect:1", "case:7/suspect:1"}
    assert M.run_model(any_engine, REF, NOW).new_hits == 3
    assert M.run_model(any_engine, REF, NOW).new_hits == 0
    ev = M.hits(any_engine, ALL, REF.key).set_index("hit_key").loc["case:1/suspect:1", "evidence"]
    assert ev["days_since"] == 60 and ev["non_prosecution_type"] == "酌定不起诉"


# --------------------------------------------------------------------------- the sample and the command


def test_the_sample_holds_reoffences_the_model_finds(sample_any_engine):
    """The sample builder plants a few supervised persons as suspects of later cases; the model finds
    them, and every hit is checked against the tables directly."""
    found = M.QUERIES[REC.query](sample_any_engine, REC, NOW)
    assert found
    with sample_any_engine.connect() as c:
        for h in found:
            sp = c.execute(select(SupervisedPerson.__table__)
                           .where(SupervisedPerson.id == h.evidence["supervised_id"])).mappings().one()
            case = c.execute(select(Case.__table__).where(Case.id == h.case_id)).mappings().one()
            named = c.execute(select(func.count()).select_from(Suspect).where(
                Suspect.case_id == case["id"], Suspect.person_id == sp["person_id"])).scalar_one()
            assert named == 1 and sp["status"] == "在管" and case["id"] != sp["case_id"]
            assert sp["start_date"] <= case["accepted_at"].date() <= sp["end_date"]


def test_the_sample_holds_non_prosecutions_with_and_without_a_referral(sample_any_engine):
    """The sample refers most decisions not to prosecute for an administrative penalty, some late, some
    never: the model finds some of them and not all, and each hit has no referral in its window."""
    now = clock.now()  # the sample is built around the product clock (JCY_CLOCK_START may move it)
    found = M.QUERIES[REF.query](sample_any_engine, REF, now)
    closed = now - dt.timedelta(days=30)
    with sample_any_engine.connect() as c:
        candidates = c.execute(select(func.count()).select_from(Suspect).where(
            Suspect.prosecution_decision == "不起诉", Suspect.non_prosecution_type == "酌定不起诉",
            Suspect.prosecution_decided_at <= closed)).scalar_one()
        assert 0 < len(found) < candidates
        for h in found[:20]:
            decided = dt.datetime.fromisoformat(h.evidence["decided_at"])
            assert c.execute(select(func.count()).select_from(CaseEvent).where(
                CaseEvent.case_id == h.case_id, CaseEvent.event_type == "移送行政处罚",
                CaseEvent.occurred_at >= decided,
                CaseEvent.occurred_at <= decided + dt.timedelta(days=30))).scalar_one() == 0


def test_models_run_command_prints_each_model(engine, capsys):
    _recidivism_world(engine)
    url = engine.url.render_as_string(hide_password=False)
    assert cli(["models", "run", "--url", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["model", "version", "mode", "hits", "new", "seconds"]
    rows = {line.split()[0]: line.split() for line in out[1:]}
    assert rows["recidivism_on_measure"][1:5] == [REC.version, "full", "2", "2"]
    assert rows["overdue_cases"][1] == OVER.version and rows["non_prosecution_referral"][1] == REF.version
    assert cli(["models", "run", "--url", url]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["recidivism_on_measure"][2:5] == ["skipped", "2", "0"]
    assert cli(["models", "run", "--full", "--url", url]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["recidivism_on_measure"][2:5] == ["full", "2", "0"]


# --------------------------------------------------------------------------- incremental runs


def _run_rows(engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(ModelRun)).scalar_one()


def test_a_second_run_over_unchanged_inputs_writes_nothing_at_all(any_engine):
    _recidivism_world(any_engine)
    first = M.run_all(any_engine, NOW)
    assert {r.mode for r in first} == {"full"}
    rows = _run_rows(any_engine)
    with any_engine.connect() as c:
        stored = c.execute(select(ModelHit.__table__).order_by(ModelHit.id)).all()
        checks = c.execute(select(func.count()).select_from(QualityResult)).scalar_one()
    assert checks > 0  # the data-quality checks ran with the first batch
    second = M.run_all(any_engine, NOW + dt.timedelta(minutes=10))  # same hour: the clock bucket is the same
    assert [(r.mode, r.new_hits) for r in second] == [("skipped", 0)] * len(registry())
    with any_engine.connect() as c:  # nor do the checks run again within the bucket
        assert c.execute(select(func.count()).select_from(QualityResult)).scalar_one() == checks
    assert second[[r.key for r in second].index(REC.key)].hits_found == 2  # the last run's figure
    with any_engine.connect() as c:
        assert c.execute(select(ModelHit.__table__).order_by(ModelHit.id)).all() == stored
    assert _run_rows(any_engine) == rows
    wm = json.loads(_last_watermark(any_engine, REC.key))
    assert wm["version"] == REC.version and wm["tables"]["suspect"] == [9, 9] and wm["mode"] == "full"
    assert wm["clock"] is None and "data_version" in wm


def _last_watermark(engine, key: str) -> str:
    with engine.connect() as c:
        return c.execute(select(ModelRun.watermark).where(ModelRun.model_key == key)
                         .order_by(ModelRun.id.desc()).limit(1)).scalar_one()


def test_a_new_event_makes_the_next_run_see_it_and_only_the_changed_cases(any_engine):
    _recidivism_world(any_engine)
    M.run_model(any_engine, REC, NOW)
    with any_engine.begin() as c:  # a new reoffence by person 1 (case 12), and a non-hit (victim role)
        c.execute(insert(Case).values(**_case(12, dt.datetime(2026, 12, 2, 10))))
        c.execute(insert(Suspect).values(case_id=12, district_id=PD, person_id=1, seq=1))
        c.execute(insert(CaseParty).values(case_id=12, person_id=2, role="被害人"))
    r = M.run_model(any_engine, REC, NOW)
    assert (r.mode, r.hits_found, r.new_hits) == ("incremental", 3, 1)
    since = json.loads(_last_watermark(any_engine, REC.key))["tables"]
    # what the incremental query looks at: only case 12 is changed since this watermark's previous
    first_since = {"case": [11, 11], "suspect": [9, 9], "case_party": [11, 11], "supervised_person": [4, 4]}
    assert {h.hit_key for h in M.recidivism_hits(any_engine, REC, NOW, since=first_since)} == {"sp:1/case:12"}
    assert M.recidivism_hits(any_engine, REC, NOW, since=since) == []
    assert M.run_model(any_engine, REC, NOW).mode == "skipped"
    with any_engine.begin() as c:  # a person newly enrolled, already a suspect in an older case (6)
        c.execute(insert(SupervisedPerson).values(**_sp(5, 5, 2, "取保候审", dt.date(2026, 11, 1), dt.date(2027, 5, 1))))
    r = M.run_model(any_engine, REC, NOW)
    assert (r.mode, r.hits_found, r.new_hits) == ("incremental", 4, 1)
    with any_engine.connect() as c:
        assert dict(c.execute(select(ModelHit.hit_key, ModelHit.run_id)).all()).keys() == {
            "sp:1/case:5", "sp:2/case:6", "sp:1/case:12", "sp:5/case:6"}
    # a new version runs in full, and --full forces a full run of an unchanged one
    assert M.run_model(any_engine, REC.with_params(min_days_after_start=1), NOW).mode == "full"
    assert M.run_model(any_engine, REC, NOW, full=True).mode == "full"


def test_a_clock_dependent_model_reruns_when_the_bucket_changes(any_engine):
    """超期 depends on the clock: the same data an hour later may hold a new overdue case."""
    assert OVER.clock_dependent and REF.clock_dependent and not REC.clock_dependent
    _overdue_world(any_engine)
    early = NOW - dt.timedelta(days=1)  # case 1 (deadline 3 Dec) is not overdue yet on 3 Dec at 15:00
    first = M.run_model(any_engine, OVER, early)
    assert (first.mode, first.new_hits) == ("full", 1)
    same_hour = M.run_model(any_engine, OVER, early + dt.timedelta(minutes=30))
    assert same_hour.mode == "skipped"
    later = M.run_model(any_engine, OVER, NOW)  # a day later: a new bucket, a full run, case 1 now overdue
    assert (later.mode, later.hits_found, later.new_hits) == ("full", 2, 1)
    rows = _run_rows(any_engine)
    assert M.run_model(any_engine, OVER, NOW + dt.timedelta(minutes=5)).mode == "skipped"
    assert _run_rows(any_engine) == rows


@pytest.fixture
def sample_copy(sample_engine, tmp_path):
    """A private copy of the tiny sample for a test that writes."""
    import sqlite3

    from queries.db import make_engine

    src, dst = sqlite3.connect(sample_engine.url.database), sqlite3.connect(tmp_path / "copy.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    e = make_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    yield e
    e.dispose()


def test_the_live_feed_runs_the_models_on_its_schedule(sample_copy):
    """Every ``models_every`` minutes (JCY_MODELS_EVERY) the feed's worker runs the models: at once, then
    incrementally over what it wrote since; with 0 it never does."""
    from sample_data.live_feed import run

    before = _run_rows(sample_copy)  # the sample's build ran the models once (sample_data.clues)
    with sample_copy.connect() as c:
        last_id = c.execute(select(func.max(ModelRun.id))).scalar() or 0
    run(sample_copy, rate=5, seconds=1.5, seed=1, models_every=0)
    assert _run_rows(sample_copy) == before
    import time

    deadline, seed, modes = time.monotonic() + 120, 2, []
    while len(modes) < 2 and time.monotonic() < deadline:  # a loaded machine may fit one run in a slice
        run(sample_copy, rate=5, seconds=2.5, seed=seed, models_every=1 / 60)  # every second
        seed += 1
        with sample_copy.connect() as c:
            modes = [json.loads(w)["mode"] for w in c.execute(
                select(ModelRun.watermark).where(ModelRun.model_key == REC.key, ModelRun.id > last_id)
                .order_by(ModelRun.id)).scalars()]
    # the build's full run is the watermark: the feed's runs look only at what it wrote since
    assert len(modes) >= 2 and set(modes) == {"incremental"}


def test_an_incremental_run_misses_nothing_a_full_run_would_find(sample_copy):
    """After the live feed writes new cases and events, the incremental run stores every hit a full
    run over the same data and hour would find: a full run right after it adds nothing, for every model."""
    import numpy as np

    from sample_data.live_feed import tick

    now = clock.now()
    first = M.run_all(sample_copy, now, full=True)
    assert {r.mode for r in first} == {"full"}
    tick(sample_copy, now, np.random.default_rng(7), 400)
    later = now + dt.timedelta(minutes=1)
    if later.hour != now.hour:  # stay in the same clock bucket, where incremental runs are allowed
        later = now
    inc = {r.key: r for r in M.run_all(sample_copy, later)}
    assert {inc[k].mode for k in ("non_prosecution_referral", "recidivism_on_measure",
                                  "detention_after_arrest_refusal", "similar_case_cluster")} == {"incremental"}
    assert inc["water_worse_than_v"].mode == "skipped"  # case events do not touch the rivers
    full = M.run_all(sample_copy, later, full=True)
    assert {r.key: r.new_hits for r in full} == {k: 0 for k in inc}
    assert {r.key: r.hits_found for r in full} == {k: r.hits_found for k, r in inc.items()}

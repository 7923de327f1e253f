"""Data-quality checks (issue 13): a small world with exactly known defects, one or two per check,
beside rows that pass; each check fails exactly the planted rows, the scores follow, and a model
whose input fails a check says so on its hits. Both engines."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, insert, select, update

from domain import clock
from domain.access import AccessDenied
from domain.catalogue import is_late, score
from domain.quality import CHECKS, STAGE_MOVES
from domain.scope import ALL, Scope
from queries import models as M
from queries import quality as Q
from queries.schema import (AuditLog, Case, CaseEvent, MonitoringSite, ModelHit, Person, QualityResult, River,
                            SupervisedPerson, Suspect, WaterSample)
from tests.test_models import NOW, PD, REC, _base, _case, _person, _recidivism_world, _sp

FX = 310120
FRESH = dt.datetime(2026, 11, 21)
d = dt.datetime


def _c(i: int, accepted: dt.datetime, **kw) -> dict:
    return _case(i, accepted, **{"cause": None, "closed_at": None, **kw})  # every row the same keys


def _sus(**kw) -> dict:
    blank = dict.fromkeys(("arrest_review_at", "arrest_decided_at", "arrest_decision", "prosecution_decision",
                           "prosecution_decided_at"))
    return {**blank, **kw}


def _world(engine) -> None:
    """Planted defects (→ the check that must catch them): case 2 criminal without charge
    (case_charge_present); case 3 civil without cause (case_cause_present); case 4 civil in a
    criminal stage (case_stage_code); case 5 judged without closing time (closed_stage_without_date);
    case 6 entered its stage before acceptance (case_dates_order); event 2 goes 审查起诉 → 一审
    (event_stage_skip); event 4 has an unknown type (event_type_code); suspect 2 has no person
    (suspect_person_present); suspect 3 was decided on while case 1 is still in 审查起诉
    (suspect_decision_vs_stage); suspect 4's arrest was decided before its review
    (suspect_arrest_after_review); suspect 5 has an unknown arrest decision (suspect_decision_codes);
    person 5 has an old-style mask (person_id_mask_format); sample 2 has no class
    (water_class_present), sample 3 class 7 (water_class_range); supervised person 2 ends before it
    starts (measure_dates_order). The newest case event is two weeks old (timely_case_event, live)
    and the newest suspect decision three days (timely_suspect, daily)."""
    with engine.begin() as c:
        _base(c)
        c.execute(insert(Person), [_person(i) for i in range(1, 5)]
                  + [dict(_person(5), id_masked="310115********1234")])
        closed = d(2026, 11, 30)
        c.execute(insert(Case), [
            _c(1, d(2026, 11, 1), stage_entered_at=d(2026, 12, 4, 10)),
            _c(2, d(2026, 11, 2), charge=None),
            _c(3, d(2026, 11, 3), function="民事", charge=None, cause=None, stage="审查"),
            _c(4, d(2026, 11, 4), function="民事", charge=None, cause="民事执行监督", stage="审查起诉"),
            _c(5, d(2026, 11, 5), stage="判决"),
            _c(6, d(2026, 11, 6), stage_entered_at=d(2026, 10, 1)),
            _c(7, d(2026, 10, 7), stage="判决", stage_entered_at=closed, closed_at=closed),
        ])
        c.execute(insert(CaseEvent), [
            dict(id=1, case_id=1, district_id=PD, occurred_at=d(2026, 11, 10), event_type="移送审查起诉",
                 stage_from="侦查", stage_to="审查起诉"),
            dict(id=2, case_id=7, district_id=PD, occurred_at=d(2026, 11, 15), event_type="开庭审理",
                 stage_from="审查起诉", stage_to="一审"),
            dict(id=3, case_id=1, district_id=PD, occurred_at=d(2026, 11, 1), event_type="受理", stage_from=None, stage_to=None),
            dict(id=4, case_id=1, district_id=PD, occurred_at=d(2026, 11, 11), event_type="不明节点", stage_from=None,
                 stage_to=None),
            dict(id=5, case_id=7, district_id=PD, occurred_at=d(2026, 11, 20), event_type="判决",
                 stage_from="一审", stage_to="判决"),
        ])
        c.execute(insert(Suspect), [
            _sus(id=1, case_id=1, district_id=PD, person_id=1, seq=1, arrest_review_at=d(2026, 9, 1),
                 arrest_decided_at=d(2026, 9, 3), arrest_decision="批准逮捕"),
            _sus(id=2, case_id=2, district_id=PD, person_id=None, seq=1),
            _sus(id=3, case_id=1, district_id=PD, person_id=2, seq=2, prosecution_decision="起诉",
                 prosecution_decided_at=d(2026, 12, 1, 9)),
            _sus(id=4, case_id=7, district_id=PD, person_id=3, seq=1, prosecution_decision="起诉",
                 prosecution_decided_at=d(2026, 11, 1), arrest_review_at=d(2026, 10, 12),
                 arrest_decided_at=d(2026, 10, 10), arrest_decision="批准逮捕"),
            _sus(id=5, case_id=7, district_id=PD, person_id=4, seq=2, arrest_decision="逮捕了"),
        ])
        c.execute(insert(River).values(id=1, code="FX001", name="测试河", level="镇级", length_km=1.0, town="南桥镇",
                                       district_id=PD, geojson="{}", river_chief="河长"))
        c.execute(insert(MonitoringSite).values(id=1, river_id=1, name="断面", lon=121.5, lat=30.9))
        c.execute(insert(WaterSample), [
            dict(id=i, site_id=1, river_id=1, sampled_on=dt.date(2026, 12 - i, 15), month=f"2026-{12 - i:02d}",
                 water_class=k)
            for i, k in ((1, 3), (2, None), (3, 7))])
        c.execute(insert(SupervisedPerson), [
            _sp(1, 1, 1, "取保候审", dt.date(2026, 6, 10), dt.date(2027, 6, 5)),
            _sp(2, 2, 2, "监视居住", dt.date(2026, 9, 1), dt.date(2026, 8, 1))])


EXPECTED = {  # check: (rows checked, the failing rows' ids)
    "case_charge_present": (5, [2]), "case_cause_present": (2, [3]), "case_stage_code": (7, [4]),
    "case_dates_order": (7, [6]), "closed_stage_without_date": (2, [5]),
    "event_type_code": (5, [4]), "event_stage_skip": (3, [2]),
    "suspect_person_present": (5, [2]), "suspect_decision_codes": (5, [5]),
    "suspect_arrest_after_review": (2, [4]), "suspect_decision_vs_stage": (2, [3]),
    "person_id_mask_format": (5, ["p0000000000000000000000000000005"]),
    "water_class_present": (3, [2]), "water_class_range": (2, [3]), "measure_dates_order": (2, [2]),
}
ID_COLUMN = {"case": "case_id", "case_event": "event_id", "suspect": "suspect_id", "person": "public_id",
             "water_sample": "sample_id", "supervised_person": "supervised_id"}


def test_every_declared_check_fails_exactly_the_planted_rows(any_engine):
    _world(any_engine)
    results = {r.key: r for r in Q.run_checks(any_engine, NOW)}
    assert set(EXPECTED) == {c.key for c in CHECKS}
    for key, (checked, ids) in EXPECTED.items():
        r = results[key]
        assert (r.checked, r.failed) == (checked, len(ids)), key
        with clock.frozen(NOW):
            rows = Q.failing_rows(any_engine, ALL, key)
        assert list(rows[ID_COLUMN[r.dataset]]) == ids, key
    late = {k for k, r in results.items() if k.startswith("timely_") and r.failed}
    assert late == {"timely_case_event", "timely_suspect"}
    assert results["timely_case"].checked == 1 and results["timely_case"].failed == 0
    assert results["timely_supervised_person"].checked == 0  # no position reported yet: not judged
    with any_engine.connect() as c:
        stored = c.execute(select(func.count()).select_from(QualityResult).where(QualityResult.run_at == NOW)).scalar()
    assert stored == len(results)


def test_scores_per_data_set_and_the_latest_run_only(any_engine):
    _world(any_engine)
    Q.run_checks(any_engine, NOW - dt.timedelta(days=1))  # an older run is ignored
    with any_engine.begin() as c:
        c.execute(update(Case).where(Case.id == 2).values(charge="盗窃"))  # one defect fixed since
    Q.run_checks(any_engine, NOW)
    s = Q.dataset_scores(any_engine, ALL).set_index("dataset")
    # case: charge 5/0, cause 2/1, stage code 7/1, dates 7/1, closed 2/1, timeliness 1/0
    assert (s.loc["case", "checked"], s.loc["case", "failed"], s.loc["case", "checks"]) == (24, 4, 6)
    assert s.loc["case", "score"] == pytest.approx(20 / 24)
    # case_event: type 5/1, skip 3/1, timeliness 1/1
    assert (s.loc["case_event", "checked"], s.loc["case_event", "failed"]) == (9, 3)
    assert s.loc["water_sample", "score"] == pytest.approx(score(3 + 2 + 1, 2))
    assert list(s.index)[0] == "supervised_person" and s["score"].dropna().is_monotonic_increasing  # lowest first (1 of 2)
    assert Q.failing_rows(any_engine, ALL, "case_charge_present").empty


def test_failing_rows_keep_to_the_readers_scope_permission_and_audit_masked_people(any_engine):
    _world(any_engine)
    Q.run_checks(any_engine, NOW)
    elsewhere = Scope(district_ids=(FX,), role="leader", grants=frozenset({"catalogue"}))
    assert Q.failing_rows(any_engine, elsewhere, "case_charge_present").empty
    with pytest.raises(AccessDenied):
        Q.failing_rows(any_engine, Scope(role="prosecutor", grants=frozenset({"cases"})), "case_charge_present")
    with pytest.raises(AccessDenied):
        Q.dataset_scores(any_engine, Scope(role="prosecutor", grants=frozenset({"cases"})))
    with pytest.raises(KeyError):
        Q.failing_rows(any_engine, ALL, "no_such_check")
    rows = Q.failing_rows(any_engine, ALL, "person_id_mask_format", actor="leader_310115")
    assert "full_name" not in rows.columns and "id_hash" not in rows.columns
    assert list(rows["name_masked"]) == ["测*5"]
    with any_engine.connect() as c:
        logged = c.execute(select(AuditLog.actor, AuditLog.target).where(AuditLog.event == "查看个人信息")).all()
    assert [tuple(r) for r in logged] == [("leader_310115", "quality:person_id_mask_format")]


def test_a_models_hits_say_when_its_input_fails_a_check(any_engine):
    _recidivism_world(any_engine)  # its newest case is of 20 Nov: checked on the 21st, the feed is fresh
    Q.run_checks(any_engine, FRESH)
    assert Q.input_warnings(any_engine, REC.reads) == []  # nothing fails on the model's inputs
    M.run_model(any_engine, REC, NOW)
    with any_engine.begin() as c:  # a chargeless case arrives, and a new reoffence in it
        c.execute(insert(Case).values(**_case(12, d(2026, 12, 1, 10), charge=None)))
        c.execute(insert(Suspect).values(case_id=12, district_id=PD, person_id=2, seq=1))
    Q.run_checks(any_engine, FRESH)
    warnings = Q.input_warnings(any_engine, REC.reads)
    assert len(warnings) == 1 and warnings[0].startswith("case.case_charge_present（完整性）：1/12 未通过")
    assert Q.input_warnings(any_engine, ("water_sample",)) == []
    M.run_model(any_engine, REC, NOW)
    with any_engine.connect() as c:
        notes = dict(c.execute(select(ModelHit.hit_key, ModelHit.quality_note)).all())
    assert notes["sp:1/case:5"] is None and notes["sp:2/case:6"] is None  # found before the defect
    assert json.loads(notes["sp:2/case:12"]) == warnings


def test_run_all_runs_the_checks_with_the_models(any_engine):
    _recidivism_world(any_engine)
    M.run_all(any_engine, NOW, models={REC.key: REC})
    with any_engine.connect() as c:
        assert c.execute(select(func.count()).select_from(QualityResult)).scalar() == len(Q.all_checks())


def test_jcy_quality_run(engine, capsys):
    """The operator's command (SQLite: the PostgreSQL test schema is not in a URL)."""
    from queries.cli import main as cli

    _recidivism_world(engine)
    assert cli(["quality", "run", "--url", engine.url.render_as_string(hide_password=False)]) == 0
    out = capsys.readouterr().out
    assert "case_charge_present" in out and "timely_case" in out


def test_stage_moves_and_lateness_are_pure_rules():
    assert ("审查起诉", "提起公诉") in STAGE_MOVES and ("审查起诉", "一审") not in STAGE_MOVES
    assert is_late(d(2026, 12, 1), "实时", d(2026, 12, 3)) is True
    assert is_late(d(2026, 12, 2, 16), "实时", d(2026, 12, 3)) is False
    assert is_late(None, "实时", d(2026, 12, 3)) is None and is_late(d(2020, 1, 1), "按需", NOW) is None
    assert score(0, 0) is None and score(4, 1) == 0.75

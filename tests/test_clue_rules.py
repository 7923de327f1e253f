"""The pure rules of a clue's life (``domain.clues``): every pair of states, allowed or refused with
its own message; what each end needs; deadlines across month and year ends; overdue; who sees names."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from domain import clues as C
from domain.clues import CASE, CHECKING, NO_CASE, PENDING, REFERRED, ClueRuleError, check_transition

# what each target needs to pass, so that only the state pair decides
GOOD = {CHECKING: dict(assignee_id=7), NO_CASE: dict(reason="查无实据"),
        CASE: dict(outcome_kind="检察建议", outcome_ref="沪检建〔2026〕1号"), REFERRED: dict(outcome_ref="区生态环境局"),
        PENDING: {}}
ALLOWED = {(PENDING, CHECKING), (PENDING, NO_CASE), (PENDING, REFERRED),
           (CHECKING, CASE), (CHECKING, NO_CASE), (CHECKING, REFERRED)}


@pytest.mark.parametrize("current, target", sorted(itertools.product(C.STATES, C.STATES)))
def test_every_pair_of_states(current, target):
    if (current, target) in ALLOWED:
        check_transition(current, target, **GOOD[target])
        return
    with pytest.raises(ClueRuleError) as exc:
        check_transition(current, target, **GOOD[target])
    if current in C.FINAL_STATES:
        assert str(exc.value) == f"线索已{current}，不能再变更"
    else:
        assert str(exc.value) == f"线索不能从“{current}”直接变为“{target}”"


def test_the_table_is_what_the_module_says():
    assert {(a, b) for a, bs in C.TRANSITIONS.items() for b in bs} == ALLOWED
    assert C.OPEN_STATES | C.FINAL_STATES == set(C.STATES) and not C.OPEN_STATES & C.FINAL_STATES
    assert set(C.STATE_EN) == set(C.STATES)


@pytest.mark.parametrize("current, target", [("已办结", CHECKING), (PENDING, "立案"), ("", CHECKING)])
def test_unknown_states_are_named(current, target):
    with pytest.raises(ClueRuleError, match="未知的线索状态"):
        check_transition(current, target)


def test_checking_needs_an_assignee():
    with pytest.raises(ClueRuleError, match="须指定承办人"):
        check_transition(PENDING, CHECKING)
    check_transition(PENDING, CHECKING, assignee_id=0)  # an id, even 0, is an assignee


@pytest.mark.parametrize("reason", [None, "", "   ", "无", " 无 \n"])
def test_no_case_needs_a_reason_of_two_characters(reason):
    for current in (PENDING, CHECKING):
        with pytest.raises(ClueRuleError, match="不成案须填写理由"):
            check_transition(current, NO_CASE, reason=reason)
    check_transition(CHECKING, NO_CASE, reason=" 无据 ")


def test_case_needs_what_it_opened_and_its_number():
    with pytest.raises(ClueRuleError, match="须选择"):
        check_transition(CHECKING, CASE, outcome_ref="x1")
    with pytest.raises(ClueRuleError, match="须选择"):
        check_transition(CHECKING, CASE, outcome_kind="起诉", outcome_ref="x1")
    for ref in (None, "", "  "):
        with pytest.raises(ClueRuleError, match="须填写案件编号或检察建议文号"):
            check_transition(CHECKING, CASE, outcome_kind="立案", outcome_ref=ref)
    for kind in C.OUTCOME_KINDS:
        check_transition(CHECKING, CASE, outcome_kind=kind, outcome_ref="沪检〔2026〕1号")
    with pytest.raises(ClueRuleError, match="不能从“待分流”直接变为“成案”"):  # not without a check
        check_transition(PENDING, CASE, outcome_kind="立案", outcome_ref="x1")


def test_referral_needs_the_receiving_body():
    for current in (PENDING, CHECKING):
        with pytest.raises(ClueRuleError, match="须填写接收单位"):
            check_transition(current, REFERRED, outcome_ref=" ")
        check_transition(current, REFERRED, outcome_ref="区市场监督管理局")


def test_text_lengths_are_bounded():
    check_transition(CHECKING, NO_CASE, reason="理" * C.TEXT_MAX)
    with pytest.raises(ClueRuleError, match="不能超过200字"):
        check_transition(CHECKING, NO_CASE, reason="理" * (C.TEXT_MAX + 1))
    check_transition(PENDING, REFERRED, outcome_ref="单" * 80)
    with pytest.raises(ClueRuleError, match="不能超过80字"):
        check_transition(PENDING, REFERRED, outcome_ref="单" * 81)


@pytest.mark.parametrize("found, days, due", [
    (dt.datetime(2026, 1, 31, 23, 59), 1, dt.datetime(2026, 2, 2)),  # month end: 1 Feb counted, due its 24:00
    (dt.datetime(2026, 2, 27, 10), 3, dt.datetime(2026, 3, 3)),  # February of a common year
    (dt.datetime(2028, 2, 27, 10), 3, dt.datetime(2028, 3, 2)),  # leap year: 29 Feb counts
    (dt.datetime(2026, 12, 30, 8), 3, dt.datetime(2027, 1, 3)),  # across the year end
    (dt.datetime(2026, 12, 31, 0, 0), 10, dt.datetime(2027, 1, 11)),
    (dt.datetime(2026, 11, 20, 14), 30, dt.datetime(2026, 12, 21)),
])
def test_the_decision_deadline_counts_from_the_next_day(found, days, due):
    assert C.decision_due(found, days) == due


def test_a_deadline_needs_at_least_one_day():
    with pytest.raises(ValueError):
        C.decision_due(dt.datetime(2026, 1, 1), 0)


def test_overdue_is_an_open_clue_at_or_past_its_deadline():
    due = dt.datetime(2027, 1, 3)
    assert not C.is_overdue(PENDING, due, due - dt.timedelta(microseconds=1))
    assert C.is_overdue(PENDING, due, due)  # 24:00 of the last day has passed
    assert C.is_overdue(CHECKING, due, due + dt.timedelta(days=40))
    for state in C.FINAL_STATES:
        assert not C.is_overdue(state, due, due + dt.timedelta(days=1))
    assert not C.is_overdue(PENDING, None, due)


def test_only_the_assigned_handler_of_the_models_role_sees_names():
    rule = C.reveals_identity
    assert rule(handler_role="supervision", viewer_roles={"supervision"}, viewer_id=5, assignee_id=5)
    assert not rule(handler_role="supervision", viewer_roles={"supervision"}, viewer_id=6, assignee_id=5)
    assert not rule(handler_role="supervision", viewer_roles={"leader"}, viewer_id=5, assignee_id=5)
    assert not rule(handler_role="supervision", viewer_roles={"supervision"}, viewer_id=None, assignee_id=None)
    assert not rule(handler_role="prosecutor", viewer_roles={"leader", "supervision"}, viewer_id=5, assignee_id=5)


def test_summaries_come_from_the_evidence_only():
    ev = {"supervised_id": 3, "person_code": "JG310112-0003", "measure": "取保候审", "case_no": "沪闵检〔2026〕9号",
          "accepted_at": "2026-11-20T14:00:00", "charge": "盗窃"}
    assert C.clue_summary("recidivism_on_measure", ev) == \
        "JG310112-0003（取保候审期间）于2026-11-20成为案件沪闵检〔2026〕9号（盗窃）的犯罪嫌疑人"
    assert "超期0.6天" in C.clue_summary("overdue_cases", {"case_no": "A1", "stage": "审查起诉", "days_overdue": 0.6,
                                                           "department": "第二检察部"})
    assert C.clue_summary("water_worse_than_v", {"name": "金汇港", "town": "南桥镇",
                                                 "months": ["2026-10", "2026-11"]}) == \
        "金汇港（南桥镇）水质劣Ⅴ类 2026-10、2026-11"
    assert C.clue_summary("some_new_model", {"case_no": "A2", "charge": "诈骗", "x_id": 4}) == "case_no=A2；charge=诈骗"
    assert C.clue_summary("some_new_model", {}) == ""


def test_the_case_models_summaries_read_as_sentences_from_their_evidence():
    from domain.clues import clue_summary

    assert clue_summary("sentencing_deviation", {
        "case_no": "沪闵检刑诉〔2025〕00015号", "suspect_seq": 1, "charge": "盗窃", "actual_months": 6.0,
        "compared": [28.8, 43.2], "direction": "低于幅度", "deviation_months": -22.8}) == \
        "沪闵检刑诉〔2025〕00015号 第1名被告人盗窃判处6个月，低于量刑尺区间28.8–43.2个月22.8个月"
    assert clue_summary("similar_case_cluster", {
        "town": "七宝镇", "charge": "盗窃", "month": "2026-11", "observed": 12, "baseline_mean": 0.8333,
        "agency": "公安派出所、街道综治中心"}) == \
        "七宝镇 盗窃 2026-11 受理12件，前12个月月均0.8件；建议向公安派出所、街道综治中心提出检察建议"
    assert clue_summary("detention_after_arrest_refusal", {
        "case_no": "X1", "suspect_seq": 2, "decision": "不批准逮捕", "still_detained": True,
        "hours_after_decision": 30.5}) == "X1 第2名嫌疑人不批准逮捕后至今仍在拘留30.5小时"
    # no name, no identity number can reach a summary: it is built from the evidence's own keys only
    assert "张三" not in clue_summary("similar_case_cluster", {"town": "七宝镇", "full_name": "张三"})

"""One legal deadline per case, wherever it is shown: the watch list, the drill-down and the
portal's case progress all restart review for prosecution on resubmission (CPL art. 175(3))."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, update

from domain.cases import clock_start, deadline
from queries import cases as C
from queries import portal as P
from queries.schema import Case, CaseEvent
from domain.scope import ALL
from tests.portal_fixtures import FX, NOW, seed

T0 = NOW - dt.timedelta(days=40)  # when the fixture's cases were accepted


def test_review_for_prosecution_restarts_on_the_latest_resubmission():
    first = dt.datetime(2024, 1, 10, 9)
    back = dt.datetime(2024, 2, 29, 15)
    assert deadline("审查起诉", first)[0] == dt.datetime(2024, 2, 10, 9)
    assert deadline("审查起诉", first, resubmitted=back)[0] == dt.datetime(2024, 3, 29, 15)
    assert deadline("审查起诉", first, resubmitted=back, extended=True)[0] == dt.datetime(2024, 4, 13, 15)
    # a resubmission before the stored stage time changes nothing; other stages ignore it
    assert clock_start("审查起诉", back, resubmitted=first) == back
    assert deadline("退回补充侦查", first, resubmitted=back)[0] == dt.datetime(2024, 2, 10, 9)
    assert deadline("审查逮捕", first, resubmitted=back)[0] == first + dt.timedelta(days=7)


def test_watch_list_drill_down_and_portal_give_the_same_deadline(any_engine):
    """Case 1 was transferred, returned twice and resubmitted twice; its stored stage time is still
    the first transfer (as an import stores it). Case 2 has no return."""
    w = seed(any_engine)
    transferred, resubmitted = T0 + dt.timedelta(days=5), T0 + dt.timedelta(days=30)
    steps = [(transferred, "移送审查起诉", "侦查", "审查起诉"),
             (T0 + dt.timedelta(days=8), "退回补充侦查", "审查起诉", "退回补充侦查"),
             (T0 + dt.timedelta(days=12), "重新移送审查起诉", "退回补充侦查", "审查起诉"),
             (T0 + dt.timedelta(days=20), "退回补充侦查", "审查起诉", "退回补充侦查"),
             (resubmitted, "重新移送审查起诉", "退回补充侦查", "审查起诉")]
    with any_engine.begin() as c:
        c.execute(update(Case).where(Case.id == 1).values(stage_entered_at=transferred, returns_count=2))
        c.execute(insert(CaseEvent), [dict(case_id=1, district_id=FX, occurred_at=at, event_type=e, stage_from=a,
                                           stage_to=b, counts_as_matter=e == "退回补充侦查") for at, e, a, b in steps])
    want = {w.case1: dt.datetime(2026, 12, 10, 10, 0),  # one month from the second resubmission
            w.case2: dt.datetime(2026, 12, 10, 10, 0)}  # one month from entering the stage
    now = want[w.case1] - dt.timedelta(days=1)  # both near their limit: on the watch list

    watch = C.time_limit_watch(any_engine, ALL, now=now, warn_days=2)
    drill = C.case_list(any_engine, ALL, T0 - dt.timedelta(days=1), now, now=now)
    party = _by_case(P.party_cases(any_engine, w.person_a, now=now), "time_limit")
    lawyer = _by_case(P.lawyer_cases(any_engine, w.lawyer_a, now=now), "time_limit")
    by_watch = _by_case(watch, "deadline")
    by_drill = _by_case(drill, "deadline")

    for case_no, due in want.items():
        assert by_watch[case_no] == due, case_no
        assert by_drill[case_no] == due, case_no
    assert party == {w.case1: "2026-12-10"}  # person A is a party to case 1 only
    assert lawyer == {w.case1: "2026-12-10"}  # lawyer A is bound to case 1 only
    assert set(watch["status"]) == {"临期"} and set(drill["status"]) == {"临期"}
    row = watch.set_index("case_no").loc[w.case1]
    assert row["stage_entered_at"] == resubmitted and "不得再退" in row["basis"]


def _by_case(df, col: str) -> dict:
    """case_no → the column's value, Timestamps as plain datetimes."""
    return {k: (v.to_pydatetime() if hasattr(v, "to_pydatetime") else v) for k, v in zip(df["case_no"], df[col])}

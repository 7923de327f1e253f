"""Counting legal periods (CPL art. 105) and the procedure-aware time limits, worked by hand.

Every expected date below was counted on a calendar from the law's words, not from the code: the
first day does not count, the period ends at the end of its last day, months run to the same date
(the last day of a month to the last day of the next), and a last day that is a rest day moves to the
next working day unless the suspect is in custody.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from domain.cases import SHORTEST_LIMIT_DAYS, deadline, time_limit_status
from domain.legal_days import add_legal_months, bundled_calendar, period_end

D = dt.date


# --------------------------------------------------------------------------- the example


def test_received_at_10_on_3_march_with_7_days_is_due_at_the_end_of_10_march():
    got = deadline("审查逮捕", dt.datetime(2026, 3, 3, 10, 0), detained=True)
    assert got.last_day == D(2026, 3, 10) and got.expires_at == dt.datetime(2026, 3, 11, 0, 0)
    assert time_limit_status(got.expires_at, dt.datetime(2026, 3, 10, 15, 0)) == "临期"  # not overdue yet
    assert time_limit_status(got.expires_at, dt.datetime(2026, 3, 10, 23, 59, 59)) == "临期"
    assert time_limit_status(got.expires_at, dt.datetime(2026, 3, 11, 0, 0)) == "超期"
    assert "第91条" in got.basis and got.custody  # a detained suspect: a custody period


# --------------------------------------------------------------------------- months


@pytest.mark.parametrize("start, months, last", [
    (D(2026, 3, 3), 1, D(2026, 4, 3)),  # same date next month
    (D(2025, 1, 31), 1, D(2025, 2, 28)),  # no 31 February: the month's last day
    (D(2025, 1, 30), 1, D(2025, 2, 28)),
    (D(2025, 4, 30), 1, D(2025, 5, 31)),  # from a month's last day: to the next month's last day
    (D(2026, 2, 28), 1, D(2026, 3, 31)),
    (D(2025, 12, 31), 1, D(2026, 1, 31)),  # across the year
    (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
    (D(2024, 2, 29), 1, D(2024, 3, 31)),  # 29 February is February's last day
    (D(2024, 2, 28), 1, D(2024, 3, 28)),  # 28 February 2024 is not
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2023, 2, 28), 12, D(2024, 2, 29)),  # last day of February to the last day of February
])
def test_a_month_runs_to_the_same_date_or_the_month_end(start, months, last):
    assert add_legal_months(start, months) == last


def test_month_end_landing_on_a_weekend_moves_on_unless_in_custody():
    # 29 February 2024 + one month = Sunday 31 March 2024 → Monday 1 April
    free = period_end(D(2024, 2, 29), months=1, custody=False)
    held = period_end(D(2024, 2, 29), months=1, custody=True)
    assert (free.nominal_last_day, free.last_day, free.extended) == (D(2024, 3, 31), D(2024, 4, 1), True)
    assert (held.last_day, held.extended) == (D(2024, 3, 31), False)
    # 30 April 2025 + one month = Saturday 31 May 2025, 端午 31 May – 2 June → Tuesday 3 June
    assert period_end(D(2025, 4, 30), months=1, custody=False).last_day == D(2025, 6, 3)
    assert period_end(D(2025, 4, 30), months=1, custody=True).last_day == D(2025, 5, 31)


def test_review_for_prosecution_extended_by_half_a_month_is_15_days_after_the_month():
    got = deadline("审查起诉", dt.datetime(2025, 1, 31, 9), extended=True)
    assert got.last_day == D(2025, 3, 17)  # 28 February + 15 days = 15 March (Sat) → Monday 17 March
    assert got.extended_for_rest_day and "顺延" in got.note


# --------------------------------------------------------------------------- holidays


def test_a_last_day_in_the_national_day_holiday_moves_to_the_first_working_day_after_it():
    # not detained, 15 days from 17 September 2026: 2 October, in 国庆 (1–7 October) → Thursday 8 October
    got = deadline("审查逮捕", dt.datetime(2026, 9, 17, 16), detained=False)
    assert got.last_day == D(2026, 10, 8) and got.expires_at == dt.datetime(2026, 10, 9)
    assert not got.custody and got.extended_for_rest_day and got.calendar_note == ""
    # 2025: 国庆 and 中秋 together, 1–8 October: a last day of 1 October ends on Thursday 9 October
    assert period_end(D(2025, 9, 24), days=7, custody=False).last_day == D(2025, 10, 9)
    # a holiday in the middle of a period does not lengthen it
    assert period_end(D(2026, 9, 28), days=15, custody=False).last_day == D(2026, 10, 13)


def test_custody_periods_end_on_their_last_day_even_in_a_holiday():
    # detained: 7 days from 24 September 2026 = 1 October, national day: still 1 October
    got = deadline("审查逮捕", dt.datetime(2026, 9, 24, 9), detained=True)
    assert got.last_day == D(2026, 10, 1) and got.custody and not got.extended_for_rest_day
    assert "在押" in got.note
    # review for prosecution of a suspect held now (逮捕) ends in the spring festival all the same
    held = deadline("审查起诉", dt.datetime(2026, 1, 16, 9), detained=False, in_custody=True)
    free = deadline("审查起诉", dt.datetime(2026, 1, 16, 9), detained=False, in_custody=False)
    assert held.last_day == D(2026, 2, 16) and held.custody
    assert free.last_day == D(2026, 2, 24)  # 春节 15–23 February 2026


def test_adjusted_working_days_are_working_days():
    # Saturday 10 October 2026 is a working day (调休): a period ending then does not move
    assert period_end(D(2026, 10, 3), days=7, custody=False).last_day == D(2026, 10, 10)
    # Saturday 14 February 2026 too; the Saturday before it is not
    assert period_end(D(2026, 2, 4), days=10, custody=False).last_day == D(2026, 2, 14)
    assert period_end(D(2026, 1, 28), days=10, custody=False).last_day == D(2026, 2, 9)


def test_a_year_without_a_bundled_notice_counts_weekends_only_and_says_so():
    got = period_end(D(2027, 2, 27), days=7, custody=False)  # Saturday 6 March 2027 → Monday 8 March
    assert got.last_day == D(2027, 3, 8) and got.uncovered_years == (2027,)
    assert "2027" in got.calendar_note
    d = deadline("审查逮捕", dt.datetime(2027, 2, 27, 9))
    assert "2027" in d.note
    # late December of the last bundled year: the next year's notice may rearrange it
    assert period_end(D(2026, 12, 19), days=7, custody=False).uncovered_years == (2026,)
    assert period_end(D(2026, 12, 1), days=7, custody=False).uncovered_years == ()
    # a custody period never looks at the calendar, so it has nothing to say about it
    assert period_end(D(2027, 2, 27), days=7, custody=True).calendar_note == ""


# The notices' own day counts (共N天; a single day where the notice gives one date), typed from their
# text: the bundled ranges must add up to them.
NOTICE_DAYS = {
    2023: {"元旦": 3, "春节": 7, "清明节": 1, "劳动节": 5, "端午节": 3, "中秋节、国庆节": 8},
    2024: {"元旦": 1, "春节": 8, "清明节": 3, "劳动节": 5, "端午节": 1, "中秋节": 3, "国庆节": 7},
    2025: {"元旦": 1, "春节": 8, "清明节": 3, "劳动节": 5, "端午节": 3, "国庆节、中秋节": 8},
    2026: {"元旦": 3, "春节": 9, "清明节": 3, "劳动节": 5, "端午节": 3, "中秋节": 3, "国庆节": 7},
}


def test_the_bundled_calendar_matches_the_notices():
    import json
    from pathlib import Path

    import domain.legal_days as L

    raw = json.loads(Path(L.__file__).parent.joinpath("data", "holidays_cn.json").read_text("utf-8"))["notices"]
    assert {int(y) for y in raw} == set(NOTICE_DAYS) == set(bundled_calendar().years)
    for year, n in raw.items():
        assert n["notice"] and n["issued"] and n["source"], year
        counts = {k: (D.fromisoformat(b) - D.fromisoformat(a)).days + 1 for k, (a, b) in n["holidays"].items()}
        assert counts == NOTICE_DAYS[int(year)], year
        work = [D.fromisoformat(x) for x in n["workdays"]]
        assert all(w.weekday() >= 5 and w.year == int(year) for w in work), year  # 调休 is always a weekend day
    cal = bundled_calendar()
    assert not cal.holidays & cal.workdays
    assert cal.is_rest_day(D(2026, 2, 17)) and not cal.is_rest_day(D(2026, 2, 28))  # 春节; 调休 Saturday
    assert cal.is_rest_day(D(2026, 3, 7)) and not cal.is_rest_day(D(2026, 3, 9))  # ordinary weekend, Monday


# --------------------------------------------------------------------------- limits by procedure


def test_arrest_review_of_a_suspect_not_detained_takes_20_days_only_when_complex():
    t = dt.datetime(2026, 6, 1, 9)  # Monday
    assert deadline("审查逮捕", t).last_day == D(2026, 6, 16)  # 15 days
    assert deadline("审查逮捕", t, complex_case=True).last_day == D(2026, 6, 22)  # 21 June is 端午 (Sunday)
    assert deadline("审查逮捕", t, extended=True).last_day == D(2026, 6, 16)  # an extension is not complexity
    assert "第282条" in deadline("审查逮捕", t).basis


def test_fast_track_review_takes_10_days_or_15_when_over_one_year():
    t = dt.datetime(2026, 11, 23, 10)  # Monday
    fast = deadline("审查起诉", t, procedure="速裁")
    assert fast.last_day == D(2026, 12, 3) and "速裁" in fast.basis
    assert deadline("审查起诉", t, procedure="速裁", over_one_year=True).last_day == D(2026, 12, 8)
    assert deadline("审查起诉", t, procedure="简易").last_day == D(2026, 12, 23)  # one month, like 普通
    assert deadline("审查起诉", t, procedure="普通", extended=True).last_day == D(2027, 1, 7)


def test_supervisory_commission_cases_decide_the_measure_first_and_that_time_does_not_count():
    t = dt.datetime(2026, 11, 16, 10)  # Monday; the suspect is held (先行拘留) on receipt
    first = deadline("审查起诉", t, origin="监察机关", detained=True)
    assert first.last_day == D(2026, 11, 26) and first.custody and "第170条" in first.basis
    decided = dt.datetime(2026, 11, 24, 15)
    then = deadline("审查起诉", t, origin="监察机关", detained=True, in_custody=False, measure_decided=decided)
    assert then.clock_start == decided and then.last_day == D(2026, 12, 24) and "第172条" in then.basis
    # not held (no 留置): no art. 170 period; a police case is unaffected by a measure's date
    assert deadline("审查起诉", t, origin="监察机关", detained=False).last_day == D(2026, 12, 16)
    assert deadline("审查起诉", t, origin="公安机关", detained=True, measure_decided=decided).clock_start == t


def test_review_restarts_on_the_latest_resubmission():
    first, back = dt.datetime(2024, 1, 10, 9), dt.datetime(2024, 2, 29, 15)
    # 10 February 2024 is in 春节 (10–17 February); Sunday 18 February is a working day (调休)
    assert deadline("审查起诉", first).last_day == D(2024, 2, 18)
    assert deadline("审查起诉", first, in_custody=True).last_day == D(2024, 2, 10)
    got = deadline("审查起诉", first, resubmitted=back, in_custody=True)
    assert got.clock_start == back and got.last_day == D(2024, 3, 31) and "第175条" in got.basis
    assert deadline("审查起诉", back, resubmitted=first).clock_start == back  # an earlier one changes nothing
    assert deadline("退回补充侦查", first, resubmitted=back).clock_start == first
    assert deadline("审查", first) is None


def test_no_limit_is_shorter_than_the_watch_lists_sql_prefilter_assumes():
    t = dt.datetime(2026, 12, 4, 23, 59)
    for stage, detained, held, proc, origin, cx, over, ext in itertools.product(
            SHORTEST_LIMIT_DAYS, (False, True), (None, False, True), (None, "普通", "简易", "速裁"),
            (None, "公安机关", "监察机关", "检察机关"), (False, True), (False, True), (False, True)):
        d = deadline(stage, t, detained=detained, in_custody=held, procedure=proc, origin=origin,
                     complex_case=cx, over_one_year=over, extended=ext)
        assert d.expires_at - t >= dt.timedelta(days=SHORTEST_LIMIT_DAYS[stage]), (stage, proc, origin)

"""Calendar months (``domain.periods``): the one rule behind legal time limits, reply deadlines,
环比/同比 periods and every 'YYYY-MM' key, checked at the edges of months and years."""
from __future__ import annotations

import calendar
import datetime as dt

import pytest

from domain.periods import add_months, month_key, month_keys, month_start, shift_month

D = dt.date
T = dt.datetime


@pytest.mark.parametrize("start, months, want", [
    # the 31st into shorter months
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
    (D(2000, 1, 31), 1, D(2000, 2, 29)),  # divisible by 400: leap
    (D(2100, 1, 31), 1, D(2100, 2, 28)),  # divisible by 100 only: not leap
    (D(2024, 3, 31), 1, D(2024, 4, 30)),
    (D(2024, 8, 31), 1, D(2024, 9, 30)),
    (D(2024, 10, 31), 1, D(2024, 11, 30)),
    (D(2024, 1, 30), 1, D(2024, 2, 29)),
    (D(2024, 1, 29), 1, D(2024, 2, 29)),
    (D(2024, 1, 28), 1, D(2024, 2, 28)),
    # 29 February a year on and four years on
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2024, 2, 29), 1, D(2024, 3, 29)),
    # December → January and across several years
    (D(2024, 12, 31), 1, D(2025, 1, 31)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2024, 11, 30), 2, D(2025, 1, 30)),
    (D(2024, 12, 31), 2, D(2025, 2, 28)),
    (D(2023, 12, 31), 2, D(2024, 2, 29)),
    (D(2024, 1, 15), 25, D(2026, 2, 15)),
    # negative months
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
    (D(2023, 3, 31), -1, D(2023, 2, 28)),
    (D(2025, 1, 31), -1, D(2024, 12, 31)),
    (D(2025, 1, 15), -1, D(2024, 12, 15)),
    (D(2024, 1, 15), -13, D(2022, 12, 15)),
    (D(2024, 5, 31), -3, D(2024, 2, 29)),
    (D(2025, 2, 28), -12, D(2024, 2, 28)),
    (D(2024, 2, 29), -12, D(2023, 2, 28)),
    (D(2024, 7, 31), -25, D(2022, 6, 30)),
    # nothing to add
    (D(2024, 2, 29), 0, D(2024, 2, 29)),
])
def test_add_months_clamps_to_the_end_of_the_month(start, months, want):
    assert add_months(start, months) == want
    # a datetime keeps its type and its time of day
    got = add_months(T(start.year, start.month, start.day, 9, 30, 15), months)
    assert type(got) is T and got == T(want.year, want.month, want.day, 9, 30, 15)


def test_add_months_keeps_the_type_of_a_date():
    assert type(add_months(D(2024, 1, 31), 1)) is D


def test_add_months_rule_holds_for_every_day_of_four_years():
    """Same day of the target month, or its last day when it has no such day."""
    d = D(2023, 1, 1)
    while d < D(2027, 1, 1):
        for n in (-25, -13, -12, -1, 1, 2, 11, 12, 13, 48):
            got = add_months(d, n)
            months = (got.year - d.year) * 12 + got.month - d.month
            assert months == n, (d, n, got)
            assert got.day == min(d.day, calendar.monthrange(got.year, got.month)[1]), (d, n, got)
        d += dt.timedelta(days=1)


def test_month_keys():
    assert month_key(D(2024, 2, 29)) == "2024-02"
    assert month_key(T(2025, 12, 31, 23, 59)) == "2025-12"
    assert month_key(D(987, 3, 1)) == "0987-03"  # zero-padded, so keys sort as text
    assert month_start("2024-02") == D(2024, 2, 1)
    assert shift_month("2025-01", -1) == "2024-12"
    assert shift_month("2024-12", 1) == "2025-01"
    assert shift_month("2024-11", 3) == "2025-02"
    assert shift_month("2024-03", -27) == "2021-12"
    assert shift_month("2024-03", 0) == "2024-03"
    # the key arithmetic agrees with the date arithmetic
    for n in range(-30, 31):
        assert shift_month("2024-01", n) == month_key(add_months(D(2024, 1, 31), n))


def test_month_keys_run_oldest_first_to_the_given_month():
    assert month_keys(D(2025, 2, 28), 4) == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_keys(T(2024, 1, 31, 8), 1) == ["2024-01"]
    assert month_keys(D(2024, 3, 31), 13)[0] == "2023-03"
    assert month_keys(D(2024, 3, 31), 0) == []

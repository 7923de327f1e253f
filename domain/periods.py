"""Calendar months and reporting periods: the one place for month arithmetic and month keys.

Legal time limits (``domain.cases``), reply deadlines (``domain.water``) and the dashboard's
periods all count months by the calendar, and every "YYYY-MM" key is built here, so the clamping
rule (31 January + 1 month = 28/29 February) and the key format cannot drift apart.

Reporting periods of the statistics dashboard: presets, 同比 (same period last year) and 环比 (the
previous period). Every range is half-open ``[start, end)`` in naive Asia/Shanghai wall-clock time,
and "to date" periods end at the start of tomorrow.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import TypeVar

PRESETS: tuple[str, ...] = ("today", "week", "month", "quarter", "year", "custom")
PRESET_LABELS = {
    "today": ("今日", "Today"), "week": ("本周", "This week"), "month": ("本月", "This month"),
    "quarter": ("本季度", "This quarter"), "year": ("本年", "This year"), "custom": ("自定义", "Custom"),
}
# How far a preset steps back for 环比, in calendar months (0 = by its length in days).
_STEP_MONTHS = {"today": 0, "week": 0, "month": 1, "quarter": 3, "year": 12, "custom": 0}


_D = TypeVar("_D", dt.date, dt.datetime)


def _midnight(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day)


def _month_plus(year: int, month: int, months: int) -> tuple[int, int]:
    y, m = divmod(month - 1 + months, 12)
    return year + y, m + 1


def add_months(d: _D, months: int) -> _D:
    """Same day (and time) ``months`` calendar months away, clamped to that month's last day.

    A legal "one month" ends on the same day of the next month, or on its last day when it has no
    such day (31 January + 1 month = 28/29 February, not 3 March). Dates and datetimes alike.
    """
    year, month = _month_plus(d.year, d.month, months)
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------- month keys
# A month is stored and grouped as "YYYY-MM" (water samples, SQL ``month_of``): sortable as text.


def month_key(d: dt.date) -> str:
    """'YYYY-MM' of a date or datetime."""
    return f"{d.year:04d}-{d.month:02d}"


def month_start(month: str) -> dt.date:
    """The first day of a 'YYYY-MM' month."""
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def shift_month(month: str, delta: int) -> str:
    """The 'YYYY-MM' month ``delta`` months after (or before, if negative) ``month``."""
    return month_key(dt.date(*_month_plus(int(month[:4]), int(month[5:7]), delta), 1))


def month_keys(last: dt.date, n: int) -> list[str]:
    """The ``n`` months ending with ``last``'s month, oldest first."""
    end = month_key(last)
    return [shift_month(end, -k) for k in range(n - 1, -1, -1)]


def preset_range(preset: str, today: dt.date, custom: tuple[dt.date, dt.date] | None = None
                 ) -> tuple[dt.datetime, dt.datetime]:
    """The period a preset means on ``today`` (periods run to the end of today)."""
    end = _midnight(today + dt.timedelta(days=1))
    if preset == "today":
        return _midnight(today), end
    if preset == "week":  # Monday-based week, as Chinese calendars print it
        return _midnight(today - dt.timedelta(days=today.weekday())), end
    if preset == "month":
        return _midnight(today.replace(day=1)), end
    if preset == "quarter":
        return _midnight(dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)), end
    if preset == "year":
        return _midnight(dt.date(today.year, 1, 1)), end
    if preset == "custom":
        if not custom:
            raise ValueError("custom period needs a start and an end date")
        a, b = custom
        if b < a:
            raise ValueError("the end date is before the start date")
        return _midnight(a), _midnight(b + dt.timedelta(days=1))
    raise ValueError(f"unknown period preset {preset!r}")


def previous_period(start: dt.datetime, end: dt.datetime, preset: str = "custom"
                    ) -> tuple[dt.datetime, dt.datetime]:
    """环比: the period just before. Month/quarter/year-to-date step back by calendar months (so
    1–15 March compares with 1–15 February); other periods step back by their own length."""
    months = _STEP_MONTHS.get(preset, 0)
    if months:
        return add_months(start, -months), add_months(end, -months)
    length = end - start
    return start - length, start


def same_period_last_year(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """同比: the same dates one year earlier (29 February becomes 28 February)."""
    return add_months(start, -12), add_months(end, -12)


def change(current: float | None, base: float | None) -> float | None:
    """Relative change ``current / base - 1``; None when there is no base to compare with."""
    if current is None or base is None or base == 0:
        return None
    return current / base - 1.0

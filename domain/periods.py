"""Reporting periods of the statistics dashboard: presets, 同比 (same period last year) and 环比
(the previous period). Pure date arithmetic; every range is half-open ``[start, end)`` in naive
Asia/Shanghai wall-clock time, and "to date" periods end at the start of tomorrow.
"""
from __future__ import annotations

import calendar
import datetime as dt

PRESETS: tuple[str, ...] = ("today", "week", "month", "quarter", "year", "custom")
PRESET_LABELS = {
    "today": ("今日", "Today"), "week": ("本周", "This week"), "month": ("本月", "This month"),
    "quarter": ("本季度", "This quarter"), "year": ("本年", "This year"), "custom": ("自定义", "Custom"),
}
# How far a preset steps back for 环比, in calendar months (0 = by its length in days).
_STEP_MONTHS = {"today": 0, "week": 0, "month": 1, "quarter": 3, "year": 12, "custom": 0}


def _midnight(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day)


def shift_months(t: dt.datetime, months: int) -> dt.datetime:
    """Same day and time ``months`` calendar months away, clamped to the month's last day."""
    y, m = divmod(t.month - 1 + months, 12)
    year, month = t.year + y, m + 1
    return t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))


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
        return shift_months(start, -months), shift_months(end, -months)
    length = end - start
    return start - length, start


def same_period_last_year(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """同比: the same dates one year earlier (29 February becomes 28 February)."""
    return shift_months(start, -12), shift_months(end, -12)


def change(current: float | None, base: float | None) -> float | None:
    """Relative change ``current / base - 1``; None when there is no base to compare with."""
    if current is None or base is None or base == 0:
        return None
    return current / base - 1.0

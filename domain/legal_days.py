"""Counting a legal period in days or months (CPL art. 105) over the State Council's holiday calendar.

Why its own module: every time limit the product shows (arrest review, review for prosecution,
returns for supplementary investigation) ends by the same rules, and they are easy to get wrong:

- The day the period starts does not count; the period ends at the END of its last day (24:00), so a
  file received at 10:00 on 3 March with 7 days is due on 10 March and overdue from 11 March 00:00.
- A month runs from a day to the same day of the next month; from the last day of a month to the last
  day of the next; to the last day of the next month when it has no such day; half a month is 15 days
  (SPC interpretation of the CPL, 2012, art. 165 — the rule courts and procuratorates count by).
- A last day that is a rest day (a public holiday of the State Council's notice, or a Saturday or
  Sunday that the notice does not make a working day) moves to the next working day — except while
  the suspect is in custody (在押), when the period ends on its last day all the same (CPL art. 105(2)).

The holiday calendar is ``domain/data/holidays_cn.json`` (one State Council notice per year, with its
number and date). A day whose year has no bundled notice is counted with weekends only, and the result
says so (``PeriodEnd.uncovered_years``): never silently.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "holidays_cn.json"

ART_105 = ("刑事诉讼法第105条：期间开始的日不算在期间以内；最后一日为节假日的，以节假日后的第一日为期满日期，"
           "但犯罪嫌疑人、被告人或者罪犯在押期间，应当至期满之日为止，不得因节假日而延长")
MONTH_RULE = ("最高人民法院关于适用刑事诉讼法的解释（2012）第165条：自本月某日至下月同日为一个月；起算日为本月最后一日的，"
              "至下月最后一日为一个月；下月同日不存在的，至下月最后一日为一个月；半个月一律按十五日计算")


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays and adjusted working days, with the notice each year comes from.

    A notice for year Y may rearrange the last days of December of year Y-1 (元旦 can start on 30 or
    31 December, and 29 December has been a working Saturday), so a date from 25 December on is only
    known when the next year's notice is bundled too.
    """

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # 调休上班: Saturdays and Sundays that are working days
    sources: tuple[tuple[int, str], ...] = field(default=())  # (year, notice and date)

    @property
    def years(self) -> frozenset[int]:
        return frozenset(y for y, _ in self.sources)

    def covers(self, d: dt.date) -> bool:
        """Whether the bundled notices say what ``d`` is (see the class note on late December)."""
        if d.year not in self.years:
            return False
        return not (d.month == 12 and d.day >= 25) or (d.year + 1) in self.years

    def is_rest_day(self, d: dt.date) -> bool:
        """A public holiday, or a Saturday/Sunday that is not an adjusted working day."""
        return d in self.holidays or (d.weekday() >= 5 and d not in self.workdays)


def _days(first: str, last: str) -> list[dt.date]:
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


@functools.lru_cache(maxsize=1)
def bundled_calendar() -> HolidayCalendar:
    """The State Council calendar shipped with the product (``domain/data/holidays_cn.json``)."""
    raw = json.loads(_DATA.read_text(encoding="utf-8"))["notices"]
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    sources = []
    for year, n in sorted(raw.items()):
        for first, last in n["holidays"].values():
            holidays.update(_days(first, last))
        workdays.update(dt.date.fromisoformat(x) for x in n["workdays"])
        sources.append((int(year), f"{n['notice']}（{n['issued']}）"))
    return HolidayCalendar(frozenset(holidays), frozenset(workdays), tuple(sources))


def add_legal_months(start: dt.date, months: int) -> dt.date:
    """The last day of a period of ``months`` months starting on ``start`` (SPC interpretation art. 165).

    Same date ``months`` months on; from a month's last day, the target month's last day (30 April +
    1 month = 31 May; 29 February 2024 + 1 month = 31 March); the target month's last day when it has
    no such date (31 January 2025 + 1 month = 28 February).
    """
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    if start.day == calendar.monthrange(start.year, start.month)[1]:
        return dt.date(year, month, last)
    return dt.date(year, month, min(start.day, last))


@dataclass(frozen=True)
class PeriodEnd:
    """When a legal period ends. ``expires_at`` is the first instant past it (00:00 after the last day):
    a file is overdue from then on, not during its last day."""

    nominal_last_day: dt.date  # the last day counted, before any rest-day extension
    last_day: dt.date  # 期满日: after the extension, if any
    custody: bool  # counted as a custody period: a rest day does not extend it
    uncovered_years: tuple[int, ...] = ()  # years looked at whose holidays are not bundled

    @property
    def expires_at(self) -> dt.datetime:
        nxt = self.last_day + dt.timedelta(days=1)
        return dt.datetime(nxt.year, nxt.month, nxt.day)

    @property
    def extended(self) -> bool:
        """The last day fell on a rest day and the period runs on to the next working day."""
        return self.last_day != self.nominal_last_day

    @property
    def calendar_note(self) -> str:
        """'' when the holiday calendar covered every day looked at; else which years it did not."""
        if not self.uncovered_years:
            return ""
        years = "、".join(str(y) for y in self.uncovered_years)
        return f"节假日安排未收录{years}年（或其年末调休），仅按周末计算"


def period_end(start: dt.date | dt.datetime, *, days: int = 0, months: int = 0, custody: bool,
               cal: HolidayCalendar | None = None) -> PeriodEnd:
    """The end of a period of ``months`` months and then ``days`` days that starts on ``start``.

    ``start`` is the day of the event that starts the period (its time of day does not matter: that
    day is not counted). ``custody`` must be said explicitly: in custody, a rest day does not extend.
    """
    cal = cal or bundled_calendar()
    day = start.date() if isinstance(start, dt.datetime) else start
    if months:
        day = add_legal_months(day, months)
    nominal = day + dt.timedelta(days=days)
    if custody:
        return PeriodEnd(nominal, nominal, True)
    uncovered: set[int] = set()
    last = nominal
    while True:
        if not cal.covers(last):
            uncovered.add(last.year)
        if not cal.is_rest_day(last):
            break
        last += dt.timedelta(days=1)
    return PeriodEnd(nominal, last, False, tuple(sorted(uncovered)))

"""Surface-water classes per GB 3838-2002 Table 1, the single-factor rule, and the river rules
built on them (suggestion reply deadlines, water-quality clues).

Sources: ``shared/domain/water_quality.md`` §1–2 and ``procuratorate.md`` §3. Pure Python.

- Limits are inclusive: NH3-N = 1.0 is Class III, DO = 5 is Class III.
- Dissolved oxygen is a minimum (Class I: 7.5 mg/L, the saturation-90 % alternative in mg/L).
- Total phosphorus uses the river limits by default (lakes and reservoirs have their own row).
- pH has no per-class range: a value outside 6–9 meets no class and is 劣V; inside it says nothing.
- A site and month takes the worst class among the indicators present; missing indicators are
  skipped and never counted as Class I. Total nitrogen is recorded but not used for river classes.
- Main pollutants (主要污染指标): indicators worse than Class III, worst class first, then by how far
  they exceed the Class III limit; at most three.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from domain.periods import add_months, shift_month

# Class numbers: 1..5 = Class I..V, 6 = 劣V (worse than V).
WORSE_THAN_V = 6
CLASSES: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
CLASS_LABELS = {1: "Ⅰ类", 2: "Ⅱ类", 3: "Ⅲ类", 4: "Ⅳ类", 5: "Ⅴ类", 6: "劣Ⅴ类"}
CLASS_LABELS_EN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "worse than V"}
# Wording of Chinese bulletins (water_quality.md §2).
CLASS_QUALITY = {1: "优", 2: "优", 3: "良好", 4: "轻度污染", 5: "中度污染", 6: "重度污染"}
# Colours Chinese bulletins use: I–II blue, III green, IV yellow, V orange, 劣V red (RGB).
CLASS_COLORS: dict[int, tuple[int, int, int]] = {
    1: (30, 110, 235), 2: (30, 110, 235), 3: (20, 170, 70), 4: (240, 200, 0), 5: (255, 130, 0),
    6: (220, 20, 30),
}
NO_DATA_COLOR = (150, 150, 150)

# The indicators assessed for a river class, in display order.
ASSESSED: tuple[str, ...] = ("do_mg", "codmn", "cod", "bod5", "nh3n", "tp")
INDICATOR_NAMES = {
    "do_mg": "溶解氧", "codmn": "高锰酸盐指数", "cod": "化学需氧量", "bod5": "五日生化需氧量",
    "nh3n": "氨氮", "tp": "总磷", "tn": "总氮", "ph": "pH",
}
INDICATOR_NAMES_EN = {
    "do_mg": "Dissolved oxygen", "codmn": "Permanganate index", "cod": "COD", "bod5": "BOD5",
    "nh3n": "Ammonia nitrogen", "tp": "Total phosphorus", "tn": "Total nitrogen", "ph": "pH",
}
UNITS = {k: "mg/L" for k in INDICATOR_NAMES} | {"ph": ""}

# GB 3838-2002 Table 1, Class I..V, mg/L.
LIMITS: dict[str, tuple[float, float, float, float, float]] = {
    "do_mg": (7.5, 6.0, 5.0, 3.0, 2.0),  # minimum (≥)
    "codmn": (2.0, 4.0, 6.0, 10.0, 15.0),
    "cod": (15.0, 15.0, 20.0, 30.0, 40.0),
    "bod5": (3.0, 3.0, 4.0, 6.0, 10.0),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),  # rivers
}
TP_LAKE: tuple[float, ...] = (0.01, 0.025, 0.05, 0.1, 0.2)  # lakes and reservoirs (湖、库)
TN_LAKE: tuple[float, ...] = (0.2, 0.5, 1.0, 1.5, 2.0)  # lakes and reservoirs only
MINIMUM_INDICATORS = frozenset({"do_mg"})
PH_RANGE = (6.0, 9.0)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def limits_for(indicator: str, water_body: str = "river") -> tuple[float, ...]:
    """The Class I..V limits of one indicator; ``water_body`` is 'river' or 'lake'."""
    if water_body not in ("river", "lake"):
        raise ValueError("water_body must be 'river' or 'lake'")
    if indicator == "tp" and water_body == "lake":
        return TP_LAKE
    if indicator == "tn":
        if water_body != "lake":
            raise ValueError("总氮不参与河流水质类别评价")
        return TN_LAKE
    if indicator not in LIMITS:
        raise ValueError(f"未知指标：{indicator}")
    return LIMITS[indicator]


def indicator_class(indicator: str, value: float | None, water_body: str = "river") -> int | None:
    """Class 1..6 of one value (6 = 劣V); None when the value is missing.

    pH: 6 outside 6–9, else None (pH sets no class of its own inside its range).
    """
    if _missing(value):
        return None
    value = float(value)
    if indicator == "ph":
        lo, hi = PH_RANGE
        return None if lo <= value <= hi else WORSE_THAN_V
    lim = limits_for(indicator, water_body)
    if indicator in MINIMUM_INDICATORS:
        for k, limit in enumerate(lim, start=1):
            if value >= limit:
                return k
        return WORSE_THAN_V
    if value < 0:
        raise ValueError(f"{INDICATOR_NAMES.get(indicator, indicator)}浓度不能为负")
    for k, limit in enumerate(lim, start=1):
        if value <= limit:
            return k
    return WORSE_THAN_V


def _exceedance(indicator: str, value: float, water_body: str = "river") -> float:
    """How far a value is beyond the Class III limit, as a multiple (for ranking pollutants)."""
    if indicator == "ph":
        lo, hi = PH_RANGE
        return max(lo - value, value - hi) / (hi - lo)
    lim3 = limits_for(indicator, water_body)[2]
    if indicator in MINIMUM_INDICATORS:
        return (lim3 - value) / lim3
    return (value - lim3) / lim3


@dataclass(frozen=True)
class Classification:
    water_class: int | None  # None when no assessed indicator was present
    by_indicator: tuple[tuple[str, int], ...]  # (indicator, class) for the indicators present
    main_pollutants: tuple[str, ...]  # indicator keys worse than Class III, worst first, ≤ 3

    @property
    def label(self) -> str:
        return CLASS_LABELS[self.water_class] if self.water_class else "无数据"

    def pollutants_text(self) -> str:
        return "、".join(INDICATOR_NAMES[p] for p in self.main_pollutants)


def classify(sample: Mapping[str, float | None], water_body: str = "river") -> Classification:
    """A site and month's class: the worst class among the assessed indicators present.

    ``sample`` maps indicator keys (``do_mg``, ``codmn``, ``cod``, ``bod5``, ``nh3n``, ``tp``, ``ph``;
    ``tn`` is ignored for rivers) to values. Unknown keys are ignored.
    """
    keys = ASSESSED + ("ph",) + (("tn",) if water_body == "lake" else ())
    found: list[tuple[str, int, float]] = []
    for k in keys:
        v = sample.get(k)
        c = indicator_class(k, v, water_body)
        if c is not None:
            found.append((k, c, float(v)))
    if not found:
        return Classification(None, (), ())
    worst = max(c for _, c, _ in found)
    bad = [(k, c, v) for k, c, v in found if c > 3]
    bad.sort(key=lambda t: (-t[1], -_exceedance(t[0], t[2], water_body), keys.index(t[0])))
    return Classification(worst, tuple((k, c) for k, c, _ in found), tuple(k for k, _, _ in bad[:3]))


# --------------------------------------------------------------------------- suggestions


REPLY_MONTHS = 2  # written reply within two months (SPP/SPC PIL interpretation art. 21)
EMERGENCY_REPLY_DAYS = 15  # within 15 days when the damage is spreading
DUE_SOON_DAYS = 14


def reply_due(issued_on: dt.date, emergency: bool = False) -> dt.date:
    """When the agency's written reply to a pre-litigation suggestion is due."""
    if emergency:
        return issued_on + dt.timedelta(days=EMERGENCY_REPLY_DAYS)
    return add_months(issued_on, REPLY_MONTHS)


def suggestion_status(reply_due_on: dt.date, replied_on: dt.date | None, rectified_on: dt.date | None,
                      today: dt.date, due_soon_days: int = DUE_SOON_DAYS) -> str:
    """已整改 / 已回复 / 逾期回复 (replied after the due date) / 超期未回复 / 临期 / 待回复.

    The due date itself is still in time (the period ends at the end of that day).
    """
    if rectified_on is not None:
        return "已整改"
    if replied_on is not None:
        return "逾期回复" if replied_on > reply_due_on else "已回复"
    if today > reply_due_on:
        return "超期未回复"
    if (reply_due_on - today).days <= due_soon_days:
        return "临期"
    return "待回复"


# --------------------------------------------------------------------------- clues


CLUE_WINDOW_MONTHS = 6


def clue_reasons(history: Sequence[tuple[str, int]], as_of: str, *, months_at_worst: int = 2,
                 decline_classes: int = 2, window_months: int = CLUE_WINDOW_MONTHS) -> list[str]:
    """Why a river's monthly classes make it a possible public-interest clue at month ``as_of``.

    ``history``: (month 'YYYY-MM', class 1..6) pairs, one per month (the river's worst site).
    - 劣V in ``as_of`` and the ``months_at_worst - 1`` months before it (default: two consecutive
      months);
    - ``as_of``'s class at least ``decline_classes`` classes worse than the best class of the
      ``window_months - 1`` months before it (default: a fall of two classes within six months).
    Months without data break a run: they never count as 劣V or as a good month. The defaults are
    the rule the river pages used; the water model (``domain.models.water``) passes its parameters.
    """
    by_month = {m: c for m, c in history if c is not None}
    cur = by_month.get(as_of)
    if cur is None:
        return []
    reasons: list[str] = []
    run = [shift_month(as_of, -d) for d in range(months_at_worst - 1, -1, -1)]
    if all(by_month.get(m) == WORSE_THAN_V for m in run):
        if months_at_worst == 2:
            reasons.append(f"连续两个月劣Ⅴ类（{run[0]}、{as_of}）")
        else:
            reasons.append(f"连续{months_at_worst}个月劣Ⅴ类（{run[0]}至{as_of}）")
    earlier = [(m, by_month[m]) for m in (shift_month(as_of, -d) for d in range(1, window_months))
               if m in by_month]
    if earlier:
        best_m, best_c = min(earlier, key=lambda t: (t[1], t[0]))
        if cur - best_c >= decline_classes:
            span = "六" if window_months == 6 else str(window_months)
            reasons.append(f"{span}个月内下降{cur - best_c}个类别（{best_m} {CLASS_LABELS[best_c]} → "
                           f"{as_of} {CLASS_LABELS[cur]}）")
    return reasons

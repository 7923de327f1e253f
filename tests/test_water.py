"""GB 3838-2002 classification at every limit, and the river rules built on it."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from domain import water
from domain.periods import shift_month
from domain.water import (
    LIMITS, TP_LAKE, WORSE_THAN_V, classify, clue_reasons, indicator_class, reply_due,
    suggestion_status,
)

EPS = 1e-6

# (indicator, Class I..V limits) exactly as printed in Table 1 — written out again on purpose so a
# typo in the module's table fails here.
TABLE_1 = {
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
}


def test_table_matches_the_standard():
    for k, lim in TABLE_1.items():
        assert LIMITS[k] == tuple(float(x) for x in lim)
    assert LIMITS["do_mg"] == (7.5, 6.0, 5.0, 3.0, 2.0)
    assert TP_LAKE == (0.01, 0.025, 0.05, 0.1, 0.2)


@pytest.mark.parametrize("indicator", sorted(TABLE_1))
def test_max_indicators_at_every_limit(indicator):
    lim = TABLE_1[indicator]
    for k in range(5):
        # exactly at the limit: still in that class, unless an earlier class shares the same limit
        expected_at = min(j for j in range(5) if lim[j] >= lim[k]) + 1
        assert indicator_class(indicator, lim[k]) == expected_at, (indicator, lim[k])
        # just above the limit: the next class whose limit admits it (or 劣V)
        above = lim[k] + EPS
        nxt = next((j + 1 for j in range(5) if lim[j] >= above), WORSE_THAN_V)
        assert indicator_class(indicator, above) == nxt, (indicator, above)
        assert nxt > k + 1
    assert indicator_class(indicator, 0.0) == 1
    assert indicator_class(indicator, lim[4] * 10) == WORSE_THAN_V


def test_shared_limits_of_class_i_and_ii():
    # COD 15 and BOD5 3 are both Class I and II limits: at the limit it is Class I
    assert indicator_class("cod", 15) == 1
    assert indicator_class("cod", 15.01) == 3
    assert indicator_class("bod5", 3) == 1
    assert indicator_class("bod5", 3.01) == 3


def test_examples_from_the_notes():
    assert indicator_class("nh3n", 1.0) == 3
    assert indicator_class("do_mg", 5) == 3


def test_dissolved_oxygen_is_a_minimum():
    lim = (7.5, 6, 5, 3, 2)
    for k, v in enumerate(lim, start=1):
        assert indicator_class("do_mg", v) == k
        below = v - EPS
        assert indicator_class("do_mg", below) == (k + 1 if k < 5 else WORSE_THAN_V)
    assert indicator_class("do_mg", 12.0) == 1
    assert indicator_class("do_mg", 1.99) == WORSE_THAN_V
    assert indicator_class("do_mg", 0.0) == WORSE_THAN_V


def test_ph_outside_6_to_9_is_worse_than_v():
    assert indicator_class("ph", 6.0) is None
    assert indicator_class("ph", 9.0) is None
    assert indicator_class("ph", 7.2) is None
    assert indicator_class("ph", 5.99) == WORSE_THAN_V
    assert indicator_class("ph", 9.01) == WORSE_THAN_V
    good = {"do_mg": 8, "codmn": 1, "cod": 10, "bod5": 2, "nh3n": 0.1, "tp": 0.01}
    assert classify(good | {"ph": 7}).water_class == 1
    c = classify(good | {"ph": 9.5})
    assert c.water_class == WORSE_THAN_V
    assert c.main_pollutants == ("ph",)
    assert classify(good | {"ph": 5.5}).water_class == WORSE_THAN_V


def test_river_and_lake_phosphorus():
    assert indicator_class("tp", 0.05) == 2
    assert indicator_class("tp", 0.05, "lake") == 3
    assert indicator_class("tp", 0.2, "lake") == 5
    assert indicator_class("tp", 0.2) == 3
    assert indicator_class("tp", 0.21, "lake") == WORSE_THAN_V
    with pytest.raises(ValueError):
        indicator_class("tp", 0.1, "sea")


def test_total_nitrogen_not_used_for_rivers():
    good = {"do_mg": 8, "codmn": 1, "cod": 10, "bod5": 2, "nh3n": 0.1, "tp": 0.01}
    assert classify(good | {"tn": 9.0}).water_class == 1
    assert classify(good | {"tn": 9.0}, "lake").water_class == WORSE_THAN_V
    with pytest.raises(ValueError):
        indicator_class("tn", 1.0)


def test_worst_indicator_decides():
    s = {"do_mg": 6.5, "codmn": 5, "cod": 18, "bod5": 3.5, "nh3n": 1.2, "tp": 0.15, "ph": 7.5}
    c = classify(s)
    assert dict(c.by_indicator) == {"do_mg": 2, "codmn": 3, "cod": 3, "bod5": 3, "nh3n": 4, "tp": 3}
    assert c.water_class == 4
    assert c.main_pollutants == ("nh3n",)
    assert c.label == "Ⅳ类"


def test_missing_indicators_skipped_never_class_i():
    assert classify({}).water_class is None
    assert classify({"ph": 7.0}).water_class is None  # pH in range alone says nothing
    only_tp = classify({"tp": 0.25, "nh3n": None, "do_mg": float("nan")})
    assert only_tp.water_class == 4
    assert [k for k, _ in only_tp.by_indicator] == ["tp"]
    # a single Class III value must not be averaged with absent "Class I" indicators
    assert classify({"cod": 20, "bod5": None}).water_class == 3


def test_main_pollutants_ordering_and_limit():
    s = {"do_mg": 1.0, "codmn": 12, "cod": 45, "bod5": 12, "nh3n": 3.0, "tp": 0.35, "ph": 7}
    c = classify(s)
    assert c.water_class == WORSE_THAN_V
    # all of do, cod, bod5, nh3n are 劣V; exceedance over III: nh3n 2.0, bod5 2.0, cod 1.25, do 0.8
    assert len(c.main_pollutants) == 3
    assert set(c.main_pollutants) == {"nh3n", "bod5", "cod"}
    assert c.main_pollutants[2] == "cod"
    assert "氨氮" in c.pollutants_text()
    # Class III or better: no main pollutants
    assert classify({"cod": 20, "nh3n": 1.0}).main_pollutants == ()


def test_negative_concentration_rejected():
    with pytest.raises(ValueError):
        indicator_class("nh3n", -0.1)


def test_reply_due_two_months_or_15_days():
    assert reply_due(dt.date(2025, 3, 10)) == dt.date(2025, 5, 10)
    assert reply_due(dt.date(2024, 12, 31)) == dt.date(2025, 2, 28)
    assert reply_due(dt.date(2023, 12, 31)) == dt.date(2024, 2, 29)
    assert reply_due(dt.date(2025, 3, 10), emergency=True) == dt.date(2025, 3, 25)
    assert reply_due(dt.date(2025, 12, 20), emergency=True) == dt.date(2026, 1, 4)


def test_suggestion_status():
    due = dt.date(2025, 5, 10)
    assert suggestion_status(due, None, None, dt.date(2025, 5, 10)) == "临期"
    assert suggestion_status(due, None, None, dt.date(2025, 5, 11)) == "超期未回复"
    assert suggestion_status(due, None, None, dt.date(2025, 4, 26)) == "临期"
    assert suggestion_status(due, None, None, dt.date(2025, 4, 25)) == "待回复"
    assert suggestion_status(due, dt.date(2025, 5, 10), None, dt.date(2025, 6, 1)) == "已回复"
    assert suggestion_status(due, dt.date(2025, 5, 11), None, dt.date(2025, 6, 1)) == "逾期回复"
    assert suggestion_status(due, dt.date(2025, 5, 1), dt.date(2025, 7, 1), dt.date(2025, 8, 1)) == "已整改"


def test_months():
    assert shift_month("2025-01", -1) == "2024-12"
    assert shift_month("2024-11", 3) == "2025-02"
    assert shift_month("2024-09", 6) == "2025-03"


def test_clue_two_consecutive_worse_than_v():
    h = [("2025-01", 3), ("2025-02", 6), ("2025-03", 6)]
    r = clue_reasons(h, "2025-03")
    assert any("连续两个月劣Ⅴ类" in x for x in r)
    # one 劣V month after a Class III month: a fall of three classes, but not two 劣V months
    r2 = clue_reasons(h, "2025-02")
    assert len(r2) == 1 and "下降3个类别" in r2[0]
    # a gap month breaks the run
    assert not any("连续" in x for x in clue_reasons([("2025-01", 6), ("2025-03", 6)], "2025-03"))
    # 劣V then V: no
    assert not any("连续" in x for x in clue_reasons([("2025-02", 6), ("2025-03", 5)], "2025-03"))


def test_clue_down_two_classes_within_six_months():
    # best in the five months before as_of is III (2024-10); now V: down two
    h = [("2024-09", 2), ("2024-10", 3), ("2024-11", 4), ("2025-01", 4), ("2025-03", 5)]
    r = clue_reasons(h, "2025-03")
    assert len(r) == 1 and "下降2个类别" in r[0] and "2024-10" in r[0]
    # the Class II month is six months before: outside the window
    assert "2024-09" not in r[0]
    # down one class only: no clue
    assert clue_reasons([("2025-01", 4), ("2025-03", 5)], "2025-03") == []
    # getting better is never a clue
    assert clue_reasons([("2025-01", 6), ("2025-03", 3)], "2025-03") == []
    # both reasons at once
    both = clue_reasons([("2024-12", 3), ("2025-02", 6), ("2025-03", 6)], "2025-03")
    assert len(both) == 2
    # no data in the as-of month: no clue
    assert clue_reasons([("2025-01", 6), ("2025-02", 6)], "2025-03") == []


def test_colours_follow_bulletins():
    c = water.CLASS_COLORS
    assert c[1] == c[2]
    assert len({c[2], c[3], c[4], c[5], c[6]}) == 5
    r, g, b = c[6]
    assert r > 200 and g < 60  # red
    assert c[3][1] > c[3][0]  # green
    assert math.isclose(len(water.CLASS_LABELS), 6)

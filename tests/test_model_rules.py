"""Pure rules behind the supervision models (issue 13), tested without a database.

# ---- case models: sentencing deviation, clusters, detention after arrest refusal
The Poisson tail against values computed by hand (60-digit decimal sums; scipy is not installed), the
baseline and the hit rule at their edges; the deviation arithmetic beside the ruler's own range; the
late-release rule at exactly its grace.
"""
from __future__ import annotations

import datetime as dt
import math

import pytest

from domain.models import cluster as CL, release as RL, sentencing_deviation as SD
from domain.sentencing.rules import compute

# ---- case models: sentencing deviation, clusters, detention after arrest refusal

# (k, λ, P(X ≥ k)) summed by hand in 60-digit decimal arithmetic: 1 − e^{−λ} Σ_{i<k} λ^i / i!
POISSON = [
    (1, 1.0, 0.63212055882855767),
    (5, 0.5, 0.00017211562995584078),
    (10, 10.0, 0.54207028552814784),
    (3, 2.0, 0.32332358381693654),  # 1 − 5e^{−2}
    (8, 0.75, 1.2784691461727022e-06),
    (6, 1.5, 0.0044559807752478494),
    (30, 0.5, 2.1644672981498644e-42),  # the far tail keeps its precision
]


@pytest.mark.parametrize("k, lam, expected", POISSON)
def test_poisson_upper_tail_matches_hand_computed_values(k, lam, expected):
    assert CL.poisson_sf(k, lam) == pytest.approx(expected, rel=1e-9)


def test_poisson_tail_edges_and_shape():
    assert CL.poisson_sf(0, 3.0) == 1.0 and CL.poisson_sf(-2, 3.0) == 1.0
    assert CL.poisson_sf(1, 2.5) == pytest.approx(1 - math.exp(-2.5), rel=1e-12)
    tails = [CL.poisson_sf(k, 4.0) for k in range(0, 25)]
    assert all(a > b for a, b in zip(tails, tails[1:]))  # strictly falling in k
    assert CL.poisson_sf(6, 2.0) < CL.poisson_sf(6, 3.0)  # rising in λ
    # both branches (k ≤ λ: complement; k > λ: the tail summed) agree with the pmf around the switch
    pmf = lambda i, lam: math.exp(-lam) * lam ** i / math.factorial(i)  # noqa: E731
    for lam in (3.0, 7.5):
        for k in range(1, 15):
            assert CL.poisson_sf(k, lam) - CL.poisson_sf(k + 1, lam) == pytest.approx(pmf(k, lam), rel=1e-9)
    with pytest.raises(ValueError):
        CL.poisson_sf(3, 0.0)


def test_baseline_is_the_mean_raised_to_the_floor():
    assert CL.baseline_lambda([0] * 12, 0.5) == (0.0, 0.5)
    assert CL.baseline_lambda([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 6], 0.5) == (1.0, 1.0)
    assert CL.baseline_lambda([0, 0, 0, 1], 0.5) == (0.25, 0.5)
    with pytest.raises(ValueError):
        CL.baseline_lambda([], 0.5)


def test_a_cell_is_a_hit_only_with_enough_cases_and_a_small_tail():
    flat = [2] * 12
    assert not CL.assess_cell(2, flat, 0.001, 5, 0.5).hit  # a flat series
    quiet = [0] * 12  # λ = floor 0.5
    four = CL.assess_cell(4, quiet, 0.01, 5, 0.5)
    assert four.p < 0.01 and not four.hit  # significant at 1 %, but below the minimum count
    assert CL.assess_cell(4, quiet, 0.01, 4, 0.5).hit
    five = CL.assess_cell(5, quiet, 0.001, 5, 0.5)
    assert five.hit and five.p == pytest.approx(0.00017211562995584078, rel=1e-9) and five.lam == 0.5
    # at λ = 1.5 six cases give p ≈ 0.00446: a hit at α = 0.01, not at α = 0.001 (and α is strict)
    series = [1, 2] * 6
    assert CL.assess_cell(6, series, 0.01, 5, 0.5).hit and not CL.assess_cell(6, series, 0.001, 5, 0.5).hit
    p = CL.poisson_sf(6, 1.5)
    assert not CL.assess_cell(6, series, p, 5, 0.5).hit  # p < α strictly
    assert CL.assess_cell(6, series, 0.01, 5, 0.5).baseline == tuple(series)


def test_every_charge_family_of_the_demo_names_an_agency():
    from domain.cases import CHARGE_MIX

    assert CL.agency_for("盗窃").startswith("公安派出所")
    assert CL.agency_for("没有这种罪") == CL.DEFAULT_AGENCY
    assert all(CL.agency_for(c) for c, _ in CHARGE_MIX)


P = SD.MODEL.parameters  # band, > 3 months and > 10 %, 0–12 months for the amount


def test_deviation_arithmetic():
    assert SD.deviation(10, 12, 20) == (SD.BELOW, 2.0, 16.67)
    assert SD.deviation(25, 12, 20) == (SD.ABOVE, 5.0, 25.0)
    assert SD.deviation(12, 12, 20) == (None, 0.0, 0.0) and SD.deviation(20, 12, 20) == (None, 0.0, 0.0)
    assert SD.deviation(17.4, 1, 14.399999999999999) == (SD.ABOVE, 3.0, 20.83)  # rounded to 0.01 months
    assert SD.deviation(3, 0, 0) == (SD.ABOVE, 3.0, 100.0)
    assert not SD.is_deviation(3.0, 50.0, 3.0, 10.0)  # exactly the months: no hit
    assert not SD.is_deviation(30.0, 10.0, 3.0, 10.0)  # exactly the percent: no hit
    assert SD.is_deviation(3.01, 10.01, 3.0, 10.0)


def test_the_range_is_the_rulers_own_computation():
    """盗窃 tier 2 (amount 150,000), plea only: the ruler's compute with the plea over its legal range and
    0–12 months for the amount; the plea is no mitigation, so the statutory minimum of 36 months holds."""
    a = SD.assess("盗窃", None, 150_000, {"c_plea": True}, 24, P)
    res = compute("盗窃", 2, ("plea",), extra_months=(0.0, 12.0))
    assert a.assessable and a.tier == 2 and a.tier_from == "amount" and a.circumstances == ("plea",)
    assert a.range == (36.0, 60.0) == res.range and a.band == (36.0, 72.0) == res.band
    assert a.compared == a.band and [s["key"] for s in a.steps] == [s.key for s in res.steps]
    assert (a.direction, a.deviation_months, a.deviation_pct, a.hit) == (SD.BELOW, 12.0, 33.33, True)
    # compared with the adjusted range instead of the band: 73 months is above 60 by 13 (21.67 %)
    r = SD.assess("盗窃", None, 150_000, {"c_plea": True}, 73, {**P, "compare_to": SD.RANGE})
    assert (r.direction, r.deviation_months, r.hit) == (SD.ABOVE, 13.0, True)
    assert not SD.assess("盗窃", None, 150_000, {"c_plea": True}, 72, P).hit  # inside the band


def test_exactly_the_threshold_is_no_hit_and_just_beyond_is():
    # 盗窃 tier 1, no circumstance, amount allowance 3: range 1–15, band 1–18 (15 × 1.2)
    p = {**P, "amount_extra_max_months": 3}
    assert SD.assess("盗窃", 1, None, {}, 18, p).band == (1.0, 18.0)
    at = SD.assess("盗窃", 1, None, {}, 21, p)  # 3 months above = the threshold (16.7 % > 10 %)
    assert (at.direction, at.deviation_months, at.hit) == (SD.ABOVE, 3.0, False)
    assert SD.assess("盗窃", 1, None, {}, 22, p).hit
    # the percent threshold: 36–72 band, 76 months is 4 above (5.56 %): a hit at 5 %, not at 5.56 % or 10 %
    t2 = {"c_plea": True}
    assert SD.assess("盗窃", 2, None, t2, 76, {**P, "min_pct": 5.0}).hit
    assert not SD.assess("盗窃", 2, None, t2, 76, {**P, "min_pct": 5.56}).hit
    assert not SD.assess("盗窃", 2, None, t2, 76, P).hit


@pytest.mark.parametrize("charge, tier, amount, months, life, reason", [
    ("危险驾驶", None, None, 3, False, SD.DIRECT),
    ("帮助信息网络犯罪活动", None, None, 8, False, SD.NOT_GUIDELINE),
    ("盗窃", None, 50_000, 18, False, SD.NO_TIER),  # 3万–10万元: a range each province fixes
    ("盗窃", None, None, 18, False, SD.NO_TIER),
    ("故意伤害", None, None, 18, False, SD.NO_TIER),
    ("故意伤害", 2, None, None, True, SD.NO_TERM),
    ("盗窃", 1, None, None, False, SD.NO_TERM),
])
def test_what_the_ruler_cannot_assess_is_said_not_guessed(charge, tier, amount, months, life, reason):
    a = SD.assess(charge, tier, amount, {}, months, P, life=life)
    assert not a.assessable and not a.hit and a.reason == reason


def test_a_refusal_of_the_ruler_is_not_assessable_with_its_words():
    a = SD.assess("盗窃", 7, None, {}, 10, P)  # no such tier
    assert not a.assessable and a.reason.startswith(SD.REFUSED) and "档次" in a.reason


def test_a_recorded_tier_wins_over_the_amount():
    a = SD.assess("盗窃", 1, 150_000, {}, 10, P)
    assert a.tier == 1 and a.tier_from == "recorded" and not a.hit


def test_late_release_at_exactly_the_grace_is_no_hit():
    t = dt.datetime(2026, 12, 1, 9, 0)
    now = dt.datetime(2026, 12, 8, 9, 0)
    assert RL.hours_held_after(t, t + dt.timedelta(hours=30), now) == 30.0
    assert not RL.is_late_release(t, t + dt.timedelta(hours=24), now, 24)
    assert RL.is_late_release(t, t + dt.timedelta(hours=24, minutes=1), now, 24)
    assert RL.is_late_release(t, None, now, 24)  # still held a week later
    assert not RL.is_late_release(t, None, t + dt.timedelta(hours=20), 24)  # still held, but within the grace
    assert RL.hours_held_after(t, t - dt.timedelta(hours=1), now) == 0.0

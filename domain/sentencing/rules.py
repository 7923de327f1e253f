"""The guideline's step-by-step arithmetic on ranges, with honest refusals.

    who may be sentenced (age, art. 17; recidivism, art. 65) → starting point → base sentence →
    tier-1 circumstances one after another → tier-2 circumstances netted (同向相加、逆向相减) and
    applied once → statutory bracket limits → the judge's ±20 % band

Every bound is carried through every step (never a single point), and every step records its
input, output, citation and confidence label. A circumstance left without a percentage carries its
whole legal range as an interval: tier-1 factors multiply the interval ends (lo × (1 − max %) …
hi × (1 − min %)), tier-2 factors net their ends (the lower end takes every reduction at its largest
and every increase at its smallest, the upper end the reverse). Pure Python: no database, no Streamlit.

Readings the text leaves open, chosen here and labelled as such on the steps that use them:
- two or more tier-1 circumstances are multiplied one after another (PRACTICE: Shandong, Shanxi);
- plea leniency (认罪认罚) is "not counted twice" with surrender, confession, restitution, compensation
  and forgiveness, reconciliation, plea in court and custody conduct: those are absorbed into it and
  the larger of (the plea's figure) and (their sum) counts, so a plea never worsens the result
  (INTERPRETATION); the plea's own figure may reach 60 % only together with surrender, major
  confession, restitution, compensation and forgiveness or reconciliation (otherwise 30 %, text);
- a plea in court does not add to surrender or confession: the larger of the two counts (INTERPRETATION);
- a recidivist's increase is at least 3 months ("一般不少于3个月").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from domain.sentencing.guideline import (
    CIRCUMSTANCES_BY_KEY, CONFIRMED, COURT_PLEA_EXCLUDED_BY, CRIMES_BY_NAME, DOC, INTERPRETATION, JUDGE_BAND,
    PLEA_ABSORBS, PLEA_COMBINED_MAX, PLEA_RAISES_CEILING, PRACTICE, PROVINCIAL, RECIDIVIST_MIN_MONTHS,
    RULESET_VERSION, SRC_FIX, SRC_INTERP_COURT_PLEA, SRC_INTERP_PLEA, SRC_METHOD, SRC_PRACTICE_T1,
    Circumstance, ruleset_hash, weakest,
)
from domain.sentencing.liability import (
    AGE_ZH, CIRCUMSTANCE_AGES, CONFIRM_TEXT, Finding, ages_of, implied_circumstance, liability, recidivism,
)

DETENTION_MAX_MONTHS = 6.0  # 拘役 runs 1–6 months; the 2021 guideline's scope is 有期徒刑
POINT, RANGE, LEGAL_RANGE = "point", "range", "legal_range"


@dataclass(frozen=True)
class Chosen:
    """A circumstance the user ticked, with the percentage (a magnitude, 0–100) chosen for it:
    a point, a (lo, hi) range, or None for its whole legal range (never a silent middle value)."""

    key: str
    pct: float | tuple[float, float] | None = None


@dataclass(frozen=True)
class Pct:
    """The percentage a circumstance entered the arithmetic with, and whether it was a point."""

    key: str
    name_zh: str
    name_en: str
    lo: float  # magnitudes, 0–100
    hi: float
    kind: str  # point / range (the user's) / legal_range (none chosen: the law's whole range)
    direction: int

    @property
    def is_point(self) -> bool:
        return self.kind == POINT


@dataclass(frozen=True)
class Notice:
    level: str  # info / warning / refusal
    zh: str
    en: str
    article: str = ""  # the article a refusal rests on, shown with it
    confirm: str = ""  # a refusal the user may lift by confirming this (liability.CONFIRM_TEXT)


@dataclass(frozen=True)
class Step:
    key: str
    title_zh: str
    title_en: str
    lo_in: float | None
    hi_in: float | None
    lo: float
    hi: float
    detail_zh: str
    detail_en: str
    citation: str
    label: str
    pcts: tuple[Pct, ...] = ()  # the circumstances applied in this step


@dataclass(frozen=True)
class Effect:
    """How much one circumstance (or the statutory limit) moves the range: for the waterfall."""

    key: str
    name_zh: str
    name_en: str
    tier: int  # 1, 2, or 3 for the statutory limit
    d_lo: float
    d_hi: float
    pct: tuple[float, float]  # signed effective percentage at the lower and the upper end (0 when absorbed)
    label: str


@dataclass(frozen=True)
class Result:
    crime: str
    tier: int | None
    ok: bool
    steps: tuple[Step, ...] = ()
    range: tuple[float, float] | None = None  # after statutory limits: the recommended range
    band: tuple[float, float] | None = None  # with the judge's ±20 %, still within the law's limits
    statutory: tuple[float, float] | None = None
    notices: tuple[Notice, ...] = ()
    effects: tuple[Effect, ...] = ()
    base: tuple[float, float] | None = None
    inputs: tuple[tuple[str, str], ...] = ()
    ruleset: str = field(default_factory=lambda: f"{RULESET_VERSION}#{ruleset_hash()}")
    pcts: tuple[Pct, ...] = ()

    @property
    def refusals(self) -> tuple[Notice, ...]:
        return tuple(n for n in self.notices if n.level == "refusal")

    @property
    def label(self) -> str:
        """The label the recommended range carries: its weakest step (the band step excluded)."""
        return weakest(s.label for s in self.steps if s.key != "band")

    @property
    def band_label(self) -> str:
        """The label the ±20 % band carries: the weakest of every step."""
        return weakest(s.label for s in self.steps)

    @property
    def base_label(self) -> str:
        return weakest(s.label for s in self.steps if s.key in ("start", "base"))


class _Refuse(Exception):
    def __init__(self, zh: str, en: str, article: str = "", confirm: str = ""):
        super().__init__(en)
        self.notice = Notice("refusal", zh, en, article, confirm)


def _fmt(m: float) -> str:
    return f"{m:.1f}".rstrip("0").rstrip(".")


def _signed(p: float) -> str:
    return ("+" if p > 0 else "−" if p < 0 else "") + _fmt(abs(p))


def _rng(lo: float, hi: float) -> str:
    return _fmt(lo) if abs(hi - lo) < 1e-9 else f"{_fmt(lo)}–{_fmt(hi)}"


def _normalise(circumstances: Iterable[Chosen | str | tuple]) -> list[Chosen]:
    out = []
    for c in circumstances:
        if isinstance(c, Chosen):
            out.append(c)
        elif isinstance(c, str):
            out.append(Chosen(c))
        else:
            out.append(Chosen(c[0], None if len(c) < 2 else c[1]))
    return out


def allowed_max(c: Circumstance, chosen_keys: Sequence[str], minor_crime: bool = False) -> float | None:
    """The largest percentage the law allows for ``c`` given the other circumstances chosen."""
    if c.pct_max is None:
        return None
    if minor_crime and c.minor_max is not None:
        return c.minor_max
    if c.key == "plea" and any(k in PLEA_RAISES_CEILING for k in chosen_keys):
        return PLEA_COMBINED_MAX
    return c.pct_max


def legal_range(c: Circumstance, chosen_keys: Sequence[str], minor_crime: bool = False) -> tuple[float, float] | None:
    """The whole range the law allows for ``c`` in this combination: what an unchosen figure carries."""
    mx = allowed_max(c, chosen_keys, minor_crime)
    if c.pct_min is None or mx is None:
        return None
    return float(c.pct_min), float(mx)


def _as_range(pct: float | tuple[float, float]) -> tuple[float, float]:
    if isinstance(pct, (tuple, list)):
        if len(pct) != 2:
            raise _Refuse("比例幅度须为（下限，上限）两个数。", "A percentage range needs exactly (low, high).")
        return float(pct[0]), float(pct[1])
    return float(pct), float(pct)


def _resolve(crime: str, chosen: list[Chosen], minor_crime: bool) -> list[tuple[Circumstance, Pct]]:
    keys = [c.key for c in chosen]
    if len(set(keys)) != len(keys):
        raise _Refuse("同一情节重复选择。", "A circumstance was chosen twice.")
    out: list[tuple[Circumstance, Pct]] = []
    groups: dict[str, str] = {}
    for ch in chosen:
        c = CIRCUMSTANCES_BY_KEY.get(ch.key)
        if c is None:
            raise _Refuse(f"未知的量刑情节“{ch.key}”。", f"Unknown circumstance '{ch.key}'.")
        if c.crimes and crime not in c.crimes:
            raise _Refuse(f"“{c.name_zh}”只适用于{'、'.join(c.crimes)}罪。",
                          f"'{c.name_en}' applies only to {', '.join(c.crimes)}.")
        if c.group:
            if c.group in groups:
                other = CIRCUMSTANCES_BY_KEY[groups[c.group]]
                raise _Refuse(f"“{c.name_zh}”与“{other.name_zh}”相互排斥，只能选择其一。",
                              f"'{c.name_en}' and '{other.name_en}' exclude each other; choose one.")
            groups[c.group] = c.key
        if c.needs_provincial:
            if ch.pct is None:
                raise _Refuse(f"“{c.name_zh}”：2021年全国文本没有规定调节比例，请输入本省实施细则的比例。",
                              f"'{c.name_en}': the 2021 national text gives no percentage; enter your "
                              "province's figure.")
            lo, hi = _as_range(ch.pct)
            if not 0 < lo <= hi <= 100:
                raise _Refuse(f"“{c.name_zh}”的比例须在0%–100%之间（下限不大于上限）。",
                              f"'{c.name_en}': the percentage must be between 0 % and 100 % (low not above high).")
            kind = POINT if lo == hi else RANGE
        else:
            mn, mx = legal_range(c, keys, minor_crime)
            if ch.pct is None:
                lo, hi, kind = mn, mx, LEGAL_RANGE
            else:
                lo, hi = _as_range(ch.pct)
                kind = POINT if lo == hi else RANGE
            if not (mn - 1e-9 <= lo <= hi <= mx + 1e-9):
                extra = ""
                if c.key == "plea" and mx < PLEA_COMBINED_MAX:
                    extra = "（同时具有自首、重大坦白、退赃退赔、赔偿谅解或刑事和解的，上限为60%）"
                raise _Refuse(f"“{c.name_zh}”的比例须在{_fmt(mn)}%–{_fmt(mx)}%之间（下限不大于上限）{extra}。",
                              f"'{c.name_en}': the percentage must be within {_fmt(mn)}–{_fmt(mx)} % "
                              "(low not above high).")
        out.append((c, Pct(c.key, c.name_zh, c.name_en, lo, hi, kind, c.direction)))
    return out


def _finding(f: Finding, confirmations: frozenset[str]) -> Notice:
    """A legal bar becomes a refusal, unless it is one the user may lift and has confirmed."""
    if f.level == "refusal" and f.confirm and f.confirm in confirmations:
        zh, en = CONFIRM_TEXT[f.confirm]
        return Notice("warning", zh, en, f.article, f.confirm)
    if f.level == "refusal":
        raise _Refuse(f.zh, f.en, f.article, f.confirm)
    return Notice(f.level, f.zh, f.en, f.article)


def _bands(age: str | None, keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """The age bands the inputs allow; refuses two age circumstances or an age that contradicts one."""
    ages = [CIRCUMSTANCES_BY_KEY[k] for k in keys if k in CIRCUMSTANCE_AGES]
    if len(ages) > 1:
        raise _Refuse(f"“{ages[0].name_zh}”与“{ages[1].name_zh}”相互排斥，只能选择其一（年龄只有一个）。",
                      f"'{ages[0].name_en}' and '{ages[1].name_en}' exclude each other; choose one.", "刑法第17条")
    bands, bad = ages_of(age, keys)
    if bad:
        raise _Refuse(bad.zh, bad.en, bad.article)
    return bands


def _age_checks(cr, tier: int | None, age: str | None, chosen: list[Chosen],
                confirmations: frozenset[str]) -> tuple[list[Chosen], list[Notice]]:
    """Art. 17, 17-1 and 65 before any arithmetic: refuse, or add the circumstance the age requires."""
    keys = tuple(c.key for c in chosen)
    bands = _bands(age, keys)
    notices: list[Notice] = []
    if "elderly" in keys and cr.negligent:
        raise _Refuse(f"{cr.name}罪是过失犯罪：75周岁以上应选“过失犯罪”一项（减少20%–50%，刑法第17条之一）。",
                      f"{cr.name_en} is a negligent crime: choose the 75+ negligent band (−20 % to −50 %, art. 17-1).",
                      "刑法第17条之一")
    if "elderly_negligent" in keys and not cr.negligent:
        raise _Refuse(f"{cr.name}罪是故意犯罪：75周岁以上应选“故意犯罪”一项（减少40%以下，刑法第17条之一）。",
                      f"{cr.name_en} is an intentional crime: choose the 75+ intentional band (up to −40 %, art. 17-1).",
                      "刑法第17条之一")
    for f in liability(cr.name, tier, bands) + recidivism(cr.negligent, bands, keys):
        notices.append(_finding(f, confirmations))
    if age is not None:
        implied = implied_circumstance(age, cr.negligent)
        if implied and implied not in keys:
            c = CIRCUMSTANCES_BY_KEY[implied]
            chosen = chosen + [Chosen(implied)]
            notices.append(Notice("info", f"年龄段“{AGE_ZH[age]}”：依法加入“{c.name_zh}”（{c.source}），未选定比例，按法定幅度计算。",
                                  f"Age {age}: '{c.name_en}' is added as the law requires ({c.source}), "
                                  "over its whole legal range.", c.source))
    return chosen, notices


def confirmations_needed(crime: str, tier: int | None, age: str | None = None,
                         keys: Sequence[str] = ()) -> tuple[str, ...]:
    """The confirmations that could lift a refusal for these inputs: the page offers a checkbox for each."""
    cr = CRIMES_BY_NAME.get(crime)
    if cr is None:
        return ()
    bands, bad = ages_of(age, tuple(keys))
    if bad:
        return ()
    found = liability(crime, tier, bands) + recidivism(cr.negligent, bands, tuple(keys))
    return tuple(f.confirm for f in found if f.confirm)


def _pct_text(p: Pct, zh: bool) -> str:
    sign = "+" if p.direction > 0 else "−"
    if p.kind == POINT:
        return f"{sign}{_fmt(p.lo)}%" if zh else f"{sign}{_fmt(p.lo)} %"
    tail = ("（未选定比例：按法定幅度全程）" if p.kind == LEGAL_RANGE else "（选定幅度）") if zh else \
        (" (no figure chosen: the whole legal range)" if p.kind == LEGAL_RANGE else " (range chosen)")
    return f"{sign}{_fmt(p.lo)}–{_fmt(p.hi)}%{tail}" if zh else f"{sign}{_fmt(p.lo)}–{_fmt(p.hi)} %{tail}"


def _merge_tier2(eff: dict[str, float], merged: dict[str, tuple[str, str]]) -> tuple[float | None, bool, bool]:
    """Apply the court-plea and plea-absorption rules to one end's magnitudes (in place).

    Returns (the combined plea figure or None, court plea merged, plea absorbed). Both rules are
    monotone in every figure, so applying them to each interval end separately keeps the interval.
    """
    court = absorbed_any = False
    if "court_plea" in eff and any(k in eff for k in COURT_PLEA_EXCLUDED_BY):
        other = next(k for k in COURT_PLEA_EXCLUDED_BY if k in eff)
        eff[other] = max(eff[other], eff["court_plea"])
        eff["court_plea"] = 0.0
        merged["court_plea"] = ("不与自首、坦白重复计算", "not added to surrender or confession")
        court = True
    combined = None
    if "plea" in eff:
        absorbed = [k for k in eff if k in PLEA_ABSORBS]
        if absorbed:
            combined = max(eff["plea"], sum(eff[k] for k in absorbed))
            for k in absorbed:
                eff[k] = 0.0
                merged[k] = ("并入认罪认罚，不重复计算", "merged into plea leniency, not counted twice")
            eff["plea"] = combined
            absorbed_any = True
    return combined, court, absorbed_any


def _months_left(x: float) -> float:
    """Months after the tier-2 reductions: never negative, and what float rounding leaves of a
    reduction capped at 100 % (4e-16 months on one end, 0 on the other) is zero, so lo <= hi holds."""
    return 0.0 if x < 1e-9 else x


def compute(crime: str, tier: int | None, circumstances: Iterable[Chosen | str | tuple] = (), *,
            extra_months: float | tuple[float, float] = 0.0, start: float | tuple[float, float] | None = None,
            minor_crime: bool = False, several_crimes: bool = False, life_or_death: bool = False,
            age: str | None = None, confirmations: Iterable[str] = ()) -> Result:
    """The guideline's arithmetic for one crime and one offender; refuses rather than guesses.

    ``age`` is a key of ``liability.AGE_BANDS`` (None: not stated; an age circumstance then implies it);
    ``confirmations`` lift the refusals that need a fact the tool cannot see (``liability.CONFIRM_TEXT``).
    """
    chosen = _normalise(circumstances)
    confirmed = frozenset(confirmations)

    def _ptxt(p):
        if p is None:
            return "legal range"
        return "–".join(_fmt(float(x)) for x in p) if isinstance(p, (tuple, list)) else _fmt(p)

    inputs = (("crime", crime), ("tier", str(tier)), ("start", "tier range" if start is None else str(start)),
              ("extra_months", str(extra_months)),
              ("circumstances", ", ".join(f"{c.key}={_ptxt(c.pct)}" for c in chosen) or "—"),
              ("age", "not stated" if age is None else age), ("confirmations", ", ".join(sorted(confirmed)) or "—"),
              ("minor_crime", str(minor_crime)), ("several_crimes", str(several_crimes)),
              ("life_or_death", str(life_or_death)))
    cr = CRIMES_BY_NAME.get(crime)
    pre: list[Notice] = []
    try:
        if cr is None:
            raise _Refuse(f"“{crime}”不在2021年量刑指导意见的23种常见犯罪之列，没有全国统一的量刑起点；下方仅显示实际判决分布。",
                          f"'{crime}' is not one of the 23 crimes of the 2021 guideline: no national "
                          "starting point. Only the real distribution is shown.")
        # a bar that holds at every tier comes before asking for the tier (a 14-year-old's theft)
        for f in liability(crime, None, _bands(age, tuple(c.key for c in chosen))):
            if not f.confirm:
                raise _Refuse(f.zh, f.en, f.article)
        if cr.direct_only:
            _age_checks(cr, None, age, chosen, confirmed)
            lo, hi = cr.direct_range
            return Result(crime, tier, False, statutory=(lo, hi), inputs=inputs, notices=(Notice(
                "refusal",
                f"{crime}罪不按量刑起点—基准刑的步骤计算：{cr.notes_zh}（{_rng(lo, hi)}个月拘役）。",
                f"{cr.name_en} has no step arithmetic: the declared sentence is set directly within "
                f"{_rng(lo, hi)} months' criminal detention, with a fine.", f"{DOC} 四({cr.no})"),))
        if several_crimes:
            raise _Refuse("数罪并罚：量刑指导意见要求先对每一罪分别确定基准刑并调节，再依刑法第69条并罚；本工具不计算并罚结果，请逐罪计算。",
                          "Several crimes: each crime's sentence is fixed separately and then combined under "
                          "Criminal Law art. 69; this tool does not compute the combined sentence.", "刑法第69条")
        if life_or_death:
            raise _Refuse("拟判处无期徒刑、死刑的，量刑指导意见规定直接适用该刑罚，不作步骤计算。",
                          "Where life imprisonment or death is called for, the guideline applies it directly; "
                          "no step arithmetic.", SRC_FIX)
        t = cr.tier_of(tier)
        if t is None:
            raise _Refuse("缺少量刑起点档次（基本犯罪构成事实），无法计算。请选择档次。",
                          "The tier (basic constituent facts) is missing; no result without it.", f"{DOC} 二(一)1")
        chosen, pre = _age_checks(cr, tier, age, chosen, confirmed)
        ex = extra_months if isinstance(extra_months, tuple) else (extra_months, extra_months)
        ex_lo, ex_hi = float(ex[0]), float(ex[1])
        if ex_lo < 0 or ex_hi < ex_lo:
            raise _Refuse("增加刑罚量须为非负数，且下限不大于上限。",
                          "Extra months must be non-negative, with the lower bound not above the upper.")
        sp = (t.sp_min, t.sp_max) if start is None else (start if isinstance(start, tuple) else (start, start))
        sp = (float(sp[0]), float(sp[1]))
        if not (t.sp_min - 1e-9 <= sp[0] <= sp[1] <= t.sp_max + 1e-9):
            raise _Refuse(f"所选量刑起点须在本档 {_rng(t.sp_min, t.sp_max)} 个月以内。",
                          f"The chosen starting point must lie within this tier's {_rng(t.sp_min, t.sp_max)} months.")
        resolved = _resolve(crime, chosen, minor_crime)
    except _Refuse as r:
        return Result(crime, tier, False, inputs=inputs, notices=(r.notice,))

    notices: list[Notice] = list(pre)
    steps: list[Step] = []
    effects: list[Effect] = []

    # 1. starting point
    lo, hi = sp
    chosen_sp_zh = "" if start is None else f"（本档 {_rng(t.sp_min, t.sp_max)} 个月内选定）"
    chosen_sp_en = "" if start is None else f" (chosen within the tier's {_rng(t.sp_min, t.sp_max)} months)"
    steps.append(Step("start", "量刑起点", "Starting point", None, None, lo, hi,
                      f"第{t.tier}档：{t.condition_zh}{chosen_sp_zh}；法定刑幅度 {_rng(t.stat_min, t.stat_max)} 个月",
                      f"tier {t.tier}: {t.condition_en}{chosen_sp_en}; statutory bracket "
                      f"{_rng(t.stat_min, t.stat_max)} months",
                      f"{DOC} 四({cr.no}); {t.source}", t.label))
    # 2. base sentence
    lo_in, hi_in = lo, hi
    lo, hi = lo + ex_lo, hi + ex_hi
    steps.append(Step("base", "基准刑", "Base sentence", lo_in, hi_in, lo, hi,
                      f"量刑起点 + 其他影响犯罪构成的事实增加 {_rng(ex_lo, ex_hi)} 个月（数额、次数、后果；增加标准由各省细则规定）",
                      f"starting point + {_rng(ex_lo, ex_hi)} months for amount, count or consequences "
                      "beyond the tier (rates set by provincial rules)",
                      f"{DOC} 二(一)2", PROVINCIAL if (ex_lo or ex_hi) else CONFIRMED))
    base = (lo, hi)

    # 3. tier-1 circumstances, one after another; each interval end takes the factor that keeps it an end
    tier1 = [(c, p) for c, p in resolved if c.tier == 1]
    if len(tier1) > 1:
        notices.append(Notice("info", "多个第一类情节依次连乘：全国文本未规定，此为山东、山西等地实施细则的做法（标注“地方做法”）。",
                              "Several tier-1 circumstances are multiplied one after another: the national "
                              "text is silent; this is provincial practice (Shandong, Shanxi), labelled PRACTICE.",
                              SRC_PRACTICE_T1))
    for i, (c, p) in enumerate(tier1):
        f_a, f_b = 1 + c.direction * p.lo / 100, 1 + c.direction * p.hi / 100
        f_lo, f_hi = min(f_a, f_b), max(f_a, f_b)
        lo_in, hi_in = lo, hi
        lo, hi = lo * f_lo, hi * f_hi
        fac = f"×{f_lo:.2f}" if abs(f_hi - f_lo) < 1e-12 else f"×{f_lo:.2f}…{f_hi:.2f}（下限×{f_lo:.2f}，上限×{f_hi:.2f}）"
        fac_en = f"×{f_lo:.2f}" if abs(f_hi - f_lo) < 1e-12 else f"×{f_lo:.2f}…{f_hi:.2f} (low end ×{f_lo:.2f}, high end ×{f_hi:.2f})"
        label, cite = c.label, f"{SRC_METHOD}2; {c.source}"
        if i > 0:  # multiplying onto another tier-1 result: provincial practice, not national text
            label, cite = weakest((c.label, PRACTICE)), f"{cite}; {SRC_PRACTICE_T1}"
        steps.append(Step(f"t1:{c.key}", f"第一类情节：{c.name_zh}", f"Tier 1: {c.name_en}", lo_in, hi_in, lo, hi,
                          f"{_pct_text(p, True)}：{fac}", f"{_pct_text(p, False)}: {fac_en}", cite, label, (p,)))
        effects.append(Effect(c.key, c.name_zh, c.name_en, 1, lo - lo_in, hi - hi_in,
                              ((f_lo - 1) * 100, (f_hi - 1) * 100), label))

    # 4. tier-2 circumstances netted and applied once, each interval end separately
    tier2 = [(c, p) for c, p in resolved if c.tier == 2]
    if tier2:
        # the lower end takes reductions at their largest and increases at their smallest; the upper the reverse
        e_lo = {c.key: (p.hi if c.direction < 0 else p.lo) for c, p in tier2}
        e_hi = {c.key: (p.lo if c.direction < 0 else p.hi) for c, p in tier2}
        merged: dict[str, tuple[str, str]] = {}
        comb_lo, court, absorbed = _merge_tier2(e_lo, merged)
        comb_hi, _, _ = _merge_tier2(e_hi, merged)
        label = weakest(c.label for c, _ in tier2)
        cites = [f"{SRC_METHOD}1"] + [c.source for c, _ in tier2]
        if court:
            label = weakest((label, INTERPRETATION))
            cites.append(SRC_INTERP_COURT_PLEA)
            notices.append(Notice("info", "当庭自愿认罪与自首、坦白不重复评价：只按其中较大的比例计算（解释，非条文原文）。",
                                  "A plea in court does not add to surrender or confession: only the larger "
                                  "percentage counts (interpretation, not text).", SRC_INTERP_COURT_PLEA))
        if absorbed:
            label = weakest((label, INTERPRETATION))
            cites.append(SRC_INTERP_PLEA)
            names = "、".join(CIRCUMSTANCES_BY_KEY[k].name_zh for k in merged if k != "court_plea" or not court)
            comb = _rng(comb_hi, comb_lo)
            notices.append(Notice(
                "info",
                f"认罪认罚与{names}不作重复评价：合并为一个比例 {comb}%（取认罪认罚比例与被吸收情节之和的较大者；“吸收”为通行理解，非条文原文）。",
                f"Plea leniency is not counted twice with the circumstances it covers: one combined "
                f"figure of {comb} % (the larger of the plea's figure and their sum; the "
                "'absorbed' reading is interpretation, not text).", SRC_INTERP_PLEA))
        lo_in, hi_in = lo, hi
        # Reductions are capped at 100 % of the sentence (beyond that the arithmetic means exemption,
        # which is for the court); increases are added on top, the recidivist's at least 3 months.
        scales = []
        for eff in (e_lo, e_hi):
            m_total = sum(eff[c.key] for c, _ in tier2 if c.direction < 0) / 100
            scales.append(1.0 if m_total <= 1 else 1 / m_total)
        if sum(e_lo[c.key] for c, _ in tier2 if c.direction < 0) >= 100:
            notices.append(Notice("warning", "第二类从宽情节合计达到或超过100%：减少量以基准刑的100%为限，是否免予刑事处罚由法院依法决定。",
                                  "Tier-2 reductions add up to 100 % or more: the reduction is capped at the "
                                  "whole sentence; exemption is for the court to decide."))
        d_lo_total = d_hi_total = 0.0
        parts_zh, parts_en = [], []
        for c, p in tier2:
            k_lo = scales[0] if c.direction < 0 else 1.0
            k_hi = scales[1] if c.direction < 0 else 1.0
            d_lo = c.direction * e_lo[c.key] / 100 * lo_in * k_lo
            d_hi = c.direction * e_hi[c.key] / 100 * hi_in * k_hi
            if c.key == "recidivist":
                d_lo, d_hi = max(d_lo, RECIDIVIST_MIN_MONTHS), max(d_hi, RECIDIVIST_MIN_MONTHS)
            d_lo_total += d_lo
            d_hi_total += d_hi
            effects.append(Effect(c.key, c.name_zh, c.name_en, 2, d_lo, d_hi,
                                  (c.direction * e_lo[c.key], c.direction * e_hi[c.key]), label))
            if c.key in merged:
                parts_zh.append(f"{c.name_zh}（{merged[c.key][0]}）")
                parts_en.append(f"{c.name_en} ({merged[c.key][1]})")
            elif c.key == "plea" and absorbed:
                parts_zh.append(f"{c.name_zh}{_signed(-comb_hi) if comb_hi == comb_lo else '−' + _rng(comb_hi, comb_lo)}%（合并）")
                parts_en.append(f"{c.name_en} −{_rng(comb_hi, comb_lo)} % (combined)")
            else:
                parts_zh.append(f"{c.name_zh}{_pct_text(p, True)}")
                parts_en.append(f"{c.name_en} {_pct_text(p, False)}")
        net_lo = sum(c.direction * e_lo[c.key] for c, _ in tier2)
        net_hi = sum(c.direction * e_hi[c.key] for c, _ in tier2)
        net = _signed(net_lo) if abs(net_hi - net_lo) < 1e-9 else f"{_signed(net_lo)}% 至 {_signed(net_hi)}"
        net_en = _signed(net_lo) if abs(net_hi - net_lo) < 1e-9 else f"{_signed(net_lo)} % to {_signed(net_hi)}"
        lo, hi = _months_left(lo_in + d_lo_total), _months_left(hi_in + d_hi_total)
        rec = " （累犯增加不少于3个月）" if "recidivist" in e_lo else ""
        steps.append(Step("t2", "第二类情节（同向相加、逆向相减）", "Tier 2 (netted, applied once)", lo_in, hi_in, lo, hi,
                          f"{'；'.join(parts_zh)}；合计 {net}%{rec}（下限取从宽最大、从重最小，上限相反）"
                          if abs(net_hi - net_lo) >= 1e-9 else f"{'；'.join(parts_zh)}；合计 {net}%{rec}",
                          f"{'; '.join(parts_en)}; net {net_en} %", "; ".join(cites), label,
                          tuple(p for _, p in tier2)))

    # 5. statutory bracket limits
    mitig = [c for c, _ in resolved if c.mitigation]
    pcts = tuple(p for _, p in resolved)
    floor = 0.0 if mitig else t.stat_min
    ceil = t.stat_max
    lo_in, hi_in = lo, hi
    lo, hi = min(max(lo, floor), ceil), min(max(hi, floor), ceil)
    detail_zh, detail_en = [], []
    if hi_in > t.stat_max:
        detail_zh.append(f"超过法定最高刑 {_fmt(t.stat_max)} 个月的部分按最高刑")
        detail_en.append(f"above the statutory maximum of {_fmt(t.stat_max)} months: the maximum is used")
    if lo_in < t.stat_min:
        if mitig:
            names = "、".join(c.name_zh for c in mitig)
            detail_zh.append(f"低于法定最低刑 {_fmt(t.stat_min)} 个月：具有法定减轻处罚情节（{names}），可以在法定刑以下判处")
            detail_en.append(f"below the statutory minimum of {_fmt(t.stat_min)} months: allowed by a statutory "
                             f"mitigation circumstance ({', '.join(c.name_en for c in mitig)})")
        else:
            detail_zh.append(f"低于法定最低刑 {_fmt(t.stat_min)} 个月且只有从轻情节：按法定最低刑")
            detail_en.append(f"below the statutory minimum of {_fmt(t.stat_min)} months with lenient circumstances "
                             "only: the minimum is used (going lower needs Supreme People's Court approval)")
    if not detail_zh:
        detail_zh.append(f"在法定刑幅度 {_rng(t.stat_min, t.stat_max)} 个月以内")
        detail_en.append(f"within the statutory bracket of {_rng(t.stat_min, t.stat_max)} months")
    steps.append(Step("statutory", "法定刑幅度限制", "Statutory limits", lo_in, hi_in, lo, hi, "；".join(detail_zh),
                      "; ".join(detail_en), f"{SRC_FIX}1–3; 刑法第63条", CONFIRMED))
    if abs(lo - lo_in) > 1e-9 or abs(hi - hi_in) > 1e-9:
        effects.append(Effect("statutory", "法定刑限制", "statutory limits", 3, lo - lo_in, hi - hi_in, (0.0, 0.0),
                              CONFIRMED))
    must = [c for c, _ in resolved if c.must_mitigate]
    if must and hi >= t.stat_min:
        notices.append(Notice("warning", f"{'、'.join(c.name_zh for c in must)}：法律规定应当减轻或者免除处罚，宣告刑应低于法定最低刑 {_fmt(t.stat_min)} 个月。",
                              f"{', '.join(c.name_en for c in must)}: the law requires a mitigated penalty or "
                              f"exemption, below the statutory minimum of {_fmt(t.stat_min)} months."))
    final = (lo, hi)

    # 6. the judge's ±20 % band, still inside the law's limits
    b_lo, b_hi = min(max(lo * (1 - JUDGE_BAND), floor), ceil), min(max(hi * (1 + JUDGE_BAND), floor), ceil)
    steps.append(Step("band", "法官综合考量 ±20%", "Judge's ±20 % band", lo, hi, b_lo, b_hi,
                      "综合全案可在调节结果基础上增减20%以内（仍受法定刑限制）；仍不符合罪责刑相适应的，提交审判委员会",
                      "after weighing the whole case the result may move by up to 20 % (still within the law's "
                      "limits); otherwise the adjudication committee decides",
                      f"{SRC_FIX}4", CONFIRMED))

    if lo < DETENTION_MAX_MONTHS:
        notices.append(Notice("info", "结果低于6个月，进入拘役幅度：2021年指导意见只适用于判处有期徒刑的案件，拘役可不按步骤计算。",
                              "The result dips below 6 months, into criminal detention: the 2021 guideline "
                              "covers fixed-term imprisonment only; detention need not follow the steps."))
    if cr.strict_leniency and any(c.direction < 0 for c, _ in resolved):
        notices.append(Notice("info", "本罪属严重暴力、毒品或性侵类犯罪：从宽比例应从严掌握。",
                              "A serious violent, drug or sexual crime: leniency percentages are applied "
                              "strictly."))
    if t.above_note_zh:
        notices.append(Notice("info", f"本档{t.above_note_zh}：拟判无期徒刑以上的不适用本计算。",
                              "This tier excludes life imprisonment and above: the arithmetic does not apply "
                              "if such a penalty is called for."))
    if t.label != CONFIRMED:
        notices.append(Notice("warning", f"本罪量刑起点的可信度标签为“{t.label}”，作为法律依据使用前请核对官方文本。",
                              f"This crime's starting point is labelled '{t.label}': verify against the official "
                              "text before relying on it as law."))
    ranges = [p for p in pcts if not p.is_point]
    if ranges:
        names = "、".join(p.name_zh for p in ranges)
        notices.append(Notice("info", f"以下情节按幅度而非点值计算，结果随之放宽：{names}。可在各情节下收窄为一个比例。",
                              "These circumstances entered as ranges, not points, and widen the result: "
                              f"{', '.join(p.name_en for p in ranges)}. Narrow any of them to one figure."))
    return Result(crime, tier, True, tuple(steps), final, (b_lo, b_hi), (t.stat_min, t.stat_max),
                  tuple(notices), tuple(effects), base, inputs, pcts=pcts)

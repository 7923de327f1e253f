"""The guideline's step-by-step arithmetic on ranges, with honest refusals.

    starting point → base sentence → tier-1 circumstances one after another → tier-2 circumstances
    netted (同向相加、逆向相减) and applied once → statutory bracket limits → the judge's ±20 % band

Every bound is carried through every step (never a single point), and every step records its
input, output, citation and confidence label. Pure Python: no database, no Streamlit.

Readings the text leaves open, chosen here and shown to the user as such:
- two or more tier-1 circumstances are multiplied one after another (provincial practice, §1);
- plea leniency (认罪认罚) is "not counted twice" with surrender, confession, restitution, compensation
  and forgiveness, reconciliation, plea in court and custody conduct: those are absorbed into it and
  the larger of (the plea's figure) and (their sum) counts, so a plea never worsens the result;
  the plea's own figure may reach 60 % only together with surrender, major confession, restitution,
  compensation and forgiveness or reconciliation (otherwise 30 %);
- a plea in court does not add to surrender or confession: the larger of the two counts;
- a recidivist's increase is at least 3 months ("一般不少于3个月").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from domain.sentencing.guideline import (
    CIRCUMSTANCES_BY_KEY, COURT_PLEA_EXCLUDED_BY, CRIMES_BY_NAME, DOC, JUDGE_BAND, PLEA_ABSORBS,
    PLEA_COMBINED_MAX, PLEA_RAISES_CEILING, PROVINCIAL, RECIDIVIST_MIN_MONTHS, RULESET_VERSION, SRC_FIX,
    SRC_METHOD, CONFIRMED, Circumstance, ruleset_hash,
)

DETENTION_MAX_MONTHS = 6.0  # 拘役 runs 1–6 months; the 2021 guideline's scope is 有期徒刑


@dataclass(frozen=True)
class Chosen:
    """A circumstance the user ticked, with the percentage (a magnitude, 0–100) chosen for it."""

    key: str
    pct: float | None = None  # None = the documented default (middle of the legal range)


@dataclass(frozen=True)
class Notice:
    level: str  # info / warning / refusal
    zh: str
    en: str


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


@dataclass(frozen=True)
class Effect:
    """How much one circumstance (or the statutory limit) moves the range: for the waterfall."""

    key: str
    name_zh: str
    name_en: str
    tier: int  # 1, 2, or 3 for the statutory limit
    d_lo: float
    d_hi: float
    pct: float  # signed effective percentage (0 when absorbed or displaced)
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

    @property
    def refusals(self) -> tuple[Notice, ...]:
        return tuple(n for n in self.notices if n.level == "refusal")


class _Refuse(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.notice = Notice("refusal", zh, en)


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


def default_pct(c: Circumstance, chosen_keys: Sequence[str], minor_crime: bool = False) -> float | None:
    """The documented default: the middle of the range the law allows in this combination."""
    mx = allowed_max(c, chosen_keys, False)  # the minor-crime extension is never assumed
    if c.pct_min is None or mx is None:
        return None
    return round((c.pct_min + mx) / 2, 1)


def _resolve(crime: str, chosen: list[Chosen], minor_crime: bool) -> list[tuple[Circumstance, float]]:
    keys = [c.key for c in chosen]
    if len(set(keys)) != len(keys):
        raise _Refuse("同一情节重复选择。", "A circumstance was chosen twice.")
    out: list[tuple[Circumstance, float]] = []
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
        pct = ch.pct
        if c.needs_provincial:
            if pct is None:
                raise _Refuse(f"“{c.name_zh}”：2021年全国文本没有规定调节比例，请输入本省实施细则的比例。",
                              f"'{c.name_en}': the 2021 national text gives no percentage; enter your "
                              "province's figure.")
            if not 0 < pct <= 100:
                raise _Refuse(f"“{c.name_zh}”的比例须在0%–100%之间。",
                              f"'{c.name_en}': the percentage must be between 0 % and 100 %.")
        else:
            mx = allowed_max(c, keys, minor_crime)
            if pct is None:
                pct = default_pct(c, keys, minor_crime)
            if not (c.pct_min - 1e-9 <= pct <= mx + 1e-9):
                extra = ""
                if c.key == "plea" and mx < PLEA_COMBINED_MAX:
                    extra = "（同时具有自首、重大坦白、退赃退赔、赔偿谅解或刑事和解的，上限为60%）"
                raise _Refuse(f"“{c.name_zh}”的比例须在{_fmt(c.pct_min)}%–{_fmt(mx)}%之间{extra}。",
                              f"'{c.name_en}': the percentage must be within {_fmt(c.pct_min)}–{_fmt(mx)} %.")
        out.append((c, float(pct)))
    return out


def _months_left(x: float) -> float:
    """Months after the tier-2 reductions: never negative, and what float rounding leaves of a
    reduction capped at 100 % (4e-16 months on one end, 0 on the other) is zero, so lo <= hi holds."""
    return 0.0 if x < 1e-9 else x


def compute(crime: str, tier: int | None, circumstances: Iterable[Chosen | str | tuple] = (), *,
            extra_months: float | tuple[float, float] = 0.0, start: float | tuple[float, float] | None = None,
            minor_crime: bool = False,
            several_crimes: bool = False, life_or_death: bool = False) -> Result:
    """The guideline's arithmetic for one crime and one offender; refuses rather than guesses."""
    chosen = _normalise(circumstances)
    inputs = (("crime", crime), ("tier", str(tier)), ("start", "tier range" if start is None else str(start)),
              ("extra_months", str(extra_months)),
              ("circumstances", ", ".join(f"{c.key}={'default' if c.pct is None else _fmt(c.pct)}"
                                          for c in chosen) or "—"),
              ("minor_crime", str(minor_crime)), ("several_crimes", str(several_crimes)),
              ("life_or_death", str(life_or_death)))
    cr = CRIMES_BY_NAME.get(crime)
    try:
        if cr is None:
            raise _Refuse(f"“{crime}”不在2021年量刑指导意见的23种常见犯罪之列，没有全国统一的量刑起点；下方仅显示实际判决分布。",
                          f"'{crime}' is not one of the 23 crimes of the 2021 guideline: no national "
                          "starting point. Only the real distribution is shown.")
        if cr.direct_only:
            lo, hi = cr.direct_range
            return Result(crime, tier, False, statutory=(lo, hi), inputs=inputs, notices=(Notice(
                "refusal",
                f"{crime}罪不按量刑起点—基准刑的步骤计算：{cr.notes_zh}（{_rng(lo, hi)}个月拘役）。",
                f"{cr.name_en} has no step arithmetic: the declared sentence is set directly within "
                f"{_rng(lo, hi)} months' criminal detention, with a fine."),))
        if several_crimes:
            raise _Refuse("数罪并罚：量刑指导意见要求先对每一罪分别确定基准刑并调节，再依刑法第69条并罚；本工具不计算并罚结果，请逐罪计算。",
                          "Several crimes: each crime's sentence is fixed separately and then combined under "
                          "Criminal Law art. 69; this tool does not compute the combined sentence.")
        if life_or_death:
            raise _Refuse("拟判处无期徒刑、死刑的，量刑指导意见规定直接适用该刑罚，不作步骤计算。",
                          "Where life imprisonment or death is called for, the guideline applies it directly; "
                          "no step arithmetic.")
        t = cr.tier_of(tier)
        if t is None:
            raise _Refuse("缺少量刑起点档次（基本犯罪构成事实），无法计算。请选择档次。",
                          "The tier (basic constituent facts) is missing; no result without it.")
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

    notices: list[Notice] = []
    steps: list[Step] = []
    effects: list[Effect] = []
    keys = [c.key for c, _ in resolved]

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

    # 3. tier-1 circumstances, one after another
    tier1 = [(c, p) for c, p in resolved if c.tier == 1]
    if len(tier1) > 1:
        notices.append(Notice("info", "多个第一类情节依次连乘：全国文本未规定，此为山东、山西等地实施细则的做法。",
                              "Several tier-1 circumstances are multiplied one after another: the national "
                              "text is silent; this is provincial practice (Shandong, Shanxi)."))
    for c, p in tier1:
        f = 1 + c.direction * p / 100
        lo_in, hi_in = lo, hi
        lo, hi = lo * f, hi * f
        steps.append(Step(f"t1:{c.key}", f"第一类情节：{c.name_zh}", f"Tier 1: {c.name_en}", lo_in, hi_in, lo, hi,
                          f"×(1{'+' if c.direction > 0 else '−'}{_fmt(p)}%) = ×{f:.2f}",
                          f"×(1{'+' if c.direction > 0 else '−'}{_fmt(p)}%) = ×{f:.2f}",
                          f"{SRC_METHOD}2; {c.source}", c.label))
        effects.append(Effect(c.key, c.name_zh, c.name_en, 1, lo - lo_in, hi - hi_in, c.direction * p, c.label))

    # 4. tier-2 circumstances netted and applied once
    tier2 = [(c, p) for c, p in resolved if c.tier == 2]
    if tier2:
        eff: dict[str, float] = {c.key: p for c, p in tier2}
        merged: dict[str, tuple[str, str]] = {}  # key -> (zh, en) note for circumstances not counted again
        if "court_plea" in eff and any(k in eff for k in COURT_PLEA_EXCLUDED_BY):
            other = next(k for k in COURT_PLEA_EXCLUDED_BY if k in eff)
            if eff["court_plea"] > eff[other]:
                eff[other] = eff["court_plea"]
            eff["court_plea"] = 0.0
            merged["court_plea"] = ("不与自首、坦白重复计算", "not added to surrender or confession")
            notices.append(Notice("info", "当庭自愿认罪与自首、坦白不重复评价：只按其中较大的比例计算。",
                                  "A plea in court does not add to surrender or confession: only the larger "
                                  "percentage counts."))
        if "plea" in eff:
            absorbed = [k for k in eff if k in PLEA_ABSORBS and eff[k] > 0]
            if absorbed:
                s = sum(eff[k] for k in absorbed)
                combined = max(eff["plea"], s)
                for k in absorbed:
                    eff[k] = 0.0
                    merged[k] = ("并入认罪认罚，不重复计算", "merged into plea leniency, not counted twice")
                eff["plea"] = combined
                names = "、".join(CIRCUMSTANCES_BY_KEY[k].name_zh for k in absorbed)
                notices.append(Notice(
                    "info",
                    f"认罪认罚与{names}不作重复评价：合并为一个比例 {_fmt(combined)}%（取认罪认罚比例与被吸收情节之和的较大者；“吸收”为通行理解，非条文原文）。",
                    f"Plea leniency is not counted twice with the circumstances it covers: one combined "
                    f"figure of {_fmt(combined)} % (the larger of the plea's figure and their sum; the "
                    "'absorbed' reading is interpretation, not text)."))
        lo_in, hi_in = lo, hi
        parts_zh, parts_en = [], []
        # Reductions are capped at 100 % of the sentence (beyond that the arithmetic means exemption,
        # which is for the court); increases are added on top, the recidivist's at least 3 months.
        m_total = sum(eff[c.key] for c, _ in tier2 if c.direction < 0) / 100
        scale = 1.0 if m_total <= 1 else 1 / m_total
        if m_total >= 1:
            notices.append(Notice("warning", "第二类从宽情节合计达到或超过100%：减少量以基准刑的100%为限，是否免予刑事处罚由法院依法决定。",
                                  "Tier-2 reductions add up to 100 % or more: the reduction is capped at the "
                                  "whole sentence; exemption is for the court to decide."))
        d_lo_total = d_hi_total = 0.0
        for c, _p in tier2:
            p = eff[c.key]
            k = scale if c.direction < 0 else 1.0
            d_lo = c.direction * p / 100 * lo_in * k
            d_hi = c.direction * p / 100 * hi_in * k
            if c.key == "recidivist":
                d_lo, d_hi = max(d_lo, RECIDIVIST_MIN_MONTHS), max(d_hi, RECIDIVIST_MIN_MONTHS)
            d_lo_total += d_lo
            d_hi_total += d_hi
            effects.append(Effect(c.key, c.name_zh, c.name_en, 2, d_lo, d_hi, c.direction * p, c.label))
            sign = "+" if c.direction > 0 else "−"
            if c.key in merged:
                parts_zh.append(f"{c.name_zh}（{merged[c.key][0]}）")
                parts_en.append(f"{c.name_en} ({merged[c.key][1]})")
            else:
                parts_zh.append(f"{c.name_zh}{sign}{_fmt(p)}%")
                parts_en.append(f"{c.name_en} {sign}{_fmt(p)} %")
        net = sum(c.direction * eff[c.key] for c, _ in tier2)
        lo, hi = _months_left(lo_in + d_lo_total), _months_left(hi_in + d_hi_total)
        rec = " （累犯增加不少于3个月）" if "recidivist" in eff else ""
        steps.append(Step("t2", "第二类情节（同向相加、逆向相减）", "Tier 2 (netted, applied once)", lo_in, hi_in, lo, hi,
                          f"{'；'.join(parts_zh)}；合计 {_signed(net)}%{rec}",
                          f"{'; '.join(parts_en)}; net {_signed(net)} %",
                          f"{SRC_METHOD}1; {'; '.join(c.source for c, _ in tier2)}",
                          min((c.label for c, _ in tier2), key=_label_rank)))

    # 5. statutory bracket limits
    mitig = [c for c, _ in resolved if c.mitigation]
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
        effects.append(Effect("statutory", "法定刑限制", "statutory limits", 3, lo - lo_in, hi - hi_in, 0.0, CONFIRMED))
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
    return Result(crime, tier, True, tuple(steps), final, (b_lo, b_hi), (t.stat_min, t.stat_max),
                  tuple(notices), tuple(effects), base, inputs)


_RANK = {PROVINCIAL: 0, "UNCONFIRMED": 1, "EARLIER-VERSION": 2, "CONFIRMED (one source)": 3, CONFIRMED: 4}


def _label_rank(label: str) -> int:
    """The weakest label wins when a step combines several rows."""
    return _RANK.get(label, 0)

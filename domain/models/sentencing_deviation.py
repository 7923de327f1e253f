"""量刑偏离 (a judgment outside the guideline range): a candidate for appeal review (抗诉审查).

Why it matters: the procuratorate shall protest a first-instance judgment it finds "确有错误"
(CPL art. 228), and a sentence clearly too light or too heavy is such an error; the guideline (最高法
最高检《关于常见犯罪的量刑指导意见（试行）》, 法发〔2021〕21号) and Criminal Law art. 61 (sentence
according to the facts, nature, circumstances and harm) give the yardstick. A prosecutor reads each
judgment once, within the 10-day protest window (CPL art. 229); a model that lays every judgment of
the procuratorate's own cases beside the ruler's range points at the few that need a second look.

The range is the smart sentencing ruler's own: ``domain.sentencing.rules.compute`` with the charge,
the tier (recorded, or fixed by the amount through ``extract.tier_from_amount``) and the recorded
circumstance flags (``extract.chosen_from_flags``, each over its whole legal range, as the back-test
does), so the range is the widest the guideline allows for those facts; no second copy of the rules.
The amount beyond the tier's threshold raises the base sentence at a provincial rate the national
text does not give: the upper end allows ``amount_extra_max_months`` for it, the lower end none.

A hit: the actual term (months of 拘役 / 有期徒刑 / 管制, 0 for exemption or a fine alone) lies outside
the compared range (the judge's ±20 % band by default, or the adjusted range itself) by MORE than
``min_months`` AND by more than ``min_pct`` percent of the bound it passes (deviation rounded to
0.01 months first, so "exactly the threshold" is no hit). Not assessable (no hit, counted by reason):
a charge outside the guideline's 23 crimes or without step arithmetic (危险驾驶), no tier and no
amount that fixes one, a refusal of the ruler, life or death, or no term recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from domain.access import PROSECUTOR
from domain.models import Model, Param
from domain.sentencing.extract import chosen_from_flags, tier_from_amount
from domain.sentencing.guideline import CRIMES_BY_NAME
from domain.sentencing.rules import compute

BAND, RANGE = "band", "range"
BELOW, ABOVE = "低于幅度", "高于幅度"  # 畸轻 / 畸重 candidates
# reasons a judgment cannot be assessed (the query counts them)
NO_TERM = "无刑期记录（无期徒刑、死刑或未记录）"
NO_TIER = "无量刑档次，且金额不能确定档次（各省在幅度内确定的数额区间或未记录金额）"
NOT_GUIDELINE = "罪名不在量刑指导意见23种常见犯罪之列"
DIRECT = "该罪不按量刑起点—基准刑步骤计算（危险驾驶：直接在法定幅度内确定宣告刑）"
REFUSED = "量刑尺拒绝计算"

MODEL = Model(
    key="sentencing_deviation",
    name_zh="量刑偏离（抗诉审查线索）",
    name_en="Sentence outside the guideline range (appeal review)",
    purpose="本院案件的一审判决刑期偏离智能量刑尺按同一罪名、档次（或数额）和量刑情节计算的幅度，超过设定阈值的，"
            "提示承办检察官在抗诉期限内进行抗诉审查（刑诉法第228条），防止量刑畸轻畸重。",
    legal_basis=("刑事诉讼法第228条", "刑事诉讼法第229条", "刑法第61条",
                 "最高人民法院、最高人民检察院《关于常见犯罪的量刑指导意见（试行）》（法发〔2021〕21号）"),
    reads=("sentencing_record", "suspect", "case"),
    params=(
        Param("compare_to", str, BAND, "比较的幅度：band=含法官±20%的幅度，range=调节后幅度",
              "range compared: band = with the judge's ±20 %, range = the adjusted range", choices=(BAND, RANGE)),
        Param("min_months", float, 3.0, "偏离超过的月数", "deviation must exceed this many months",
              minimum=0, maximum=60),
        Param("min_pct", float, 10.0, "偏离超过幅度边界的百分比", "deviation must exceed this percent of the bound passed",
              minimum=0, maximum=100),
        Param("amount_extra_max_months", int, 12, "数额超出起点部分至多增加的基准刑月数（幅度上端）",
              "months the amount beyond the tier may add to the base sentence (upper end only)",
              minimum=0, maximum=120),
    ),
    shows="案件编号、被告人序号、罪名、档次及来源、金额、量刑情节、量刑尺步骤与幅度、实际刑期、偏离月数和比例（无姓名和身份证号）",
    role=PROSECUTOR,
    permission="cases",
    decision_days=10,
    owner="第二检察部（刑事检察）",
    query="sentencing_deviation",
)


@dataclass(frozen=True)
class Assessment:
    """One judgment beside the ruler: assessable or why not, and how far outside the range it lies."""

    assessable: bool
    reason: str | None = None  # why not assessable (one of the reasons above, with the ruler's words)
    tier: int | None = None
    tier_from: str | None = None  # recorded / amount
    circumstances: tuple[str, ...] = ()
    range: tuple[float, float] | None = None
    band: tuple[float, float] | None = None
    compared: tuple[float, float] | None = None
    direction: str | None = None  # BELOW / ABOVE / None inside
    deviation_months: float = 0.0
    deviation_pct: float = 0.0
    hit: bool = False
    steps: tuple[dict[str, Any], ...] = ()
    ruleset: str | None = None


def deviation(months: float, lo: float, hi: float) -> tuple[str | None, float, float]:
    """(direction, months outside, percent of the bound passed), months rounded to 0.01; inside: (None, 0, 0).
    Passing a bound of 0 months cannot happen below; above it the percent is taken as 100."""
    if months < lo:
        d = round(lo - months, 2)
        return (BELOW, d, round(100.0 * d / lo, 2)) if d > 0 else (None, 0.0, 0.0)
    if months > hi:
        d = round(months - hi, 2)
        return (ABOVE, d, round(100.0 * d / hi, 2) if hi > 0 else 100.0) if d > 0 else (None, 0.0, 0.0)
    return None, 0.0, 0.0


def is_deviation(d_months: float, d_pct: float, min_months: float, min_pct: float) -> bool:
    """Strictly more than both thresholds (exactly the threshold is no hit)."""
    return d_months > min_months and d_pct > min_pct


def assess(charge: str, tier: int | None, amount_yuan: float | None, flags: Mapping[str, bool],
           months: float | None, params: Mapping[str, Any], life: bool = False, death: bool = False) -> Assessment:
    """The ruler's range for this judgment's facts and the judgment's place beside it (``params``: the
    model's parameter values)."""
    if life or death or months is None:
        return Assessment(False, NO_TERM)
    return place(ruler_range(charge, tier, amount_yuan, flags, params), months, params)


def ruler_range(charge: str, tier: int | None, amount_yuan: float | None, flags: Mapping[str, bool],
                params: Mapping[str, Any]) -> Assessment:
    """The ruler's range for a judgment's facts, before its term is looked at (the same for every
    judgment with the same charge, tier and circumstances), or why it cannot be computed."""
    tier_from = "recorded" if tier is not None else None
    if tier is None:
        tier = tier_from_amount(charge, amount_yuan)
        tier_from = "amount" if tier is not None else None
    chosen = tuple(chosen_from_flags(dict(flags)))
    cr = CRIMES_BY_NAME.get(charge)
    if cr is None:
        return Assessment(False, NOT_GUIDELINE, tier, tier_from, chosen)
    if cr.direct_only:
        return Assessment(False, DIRECT, tier, tier_from, chosen)
    if tier is None:
        return Assessment(False, NO_TIER, tier, tier_from, chosen)
    res = ruler_result(charge, tier, chosen, params["amount_extra_max_months"])
    if not res.ok:
        why = res.refusals[0].zh.split("。")[0] if res.refusals else ""
        return Assessment(False, f"{REFUSED}：{why}", tier, tier_from, chosen)
    compared = res.band if params["compare_to"] == BAND else res.range
    steps = tuple(dict(key=s.key, title=s.title_zh, lo=round(s.lo, 2), hi=round(s.hi, 2), detail=s.detail_zh,
                       citation=s.citation, label=s.label) for s in res.steps)
    return Assessment(True, None, tier, tier_from, chosen, _r(res.range), _r(res.band), compared, steps=steps,
                      ruleset=res.ruleset)


def place(ranged: Assessment, months: float | None, params: Mapping[str, Any]) -> Assessment:
    """A judgment's term beside an assessable range: the direction, the deviation and whether it is a hit."""
    if months is None:
        return Assessment(False, NO_TERM)
    if not ranged.assessable:
        return ranged
    direction, d, pct = deviation(float(months), *ranged.compared)
    hit = direction is not None and is_deviation(d, pct, params["min_months"], params["min_pct"])
    return replace(ranged, compared=_r(ranged.compared), direction=direction, deviation_months=d,
                   deviation_pct=pct, hit=hit)


def ruler_result(charge: str, tier: int | None, chosen: tuple[str, ...], extra_max_months: int):
    """The smart sentencing ruler's ``compute`` for these facts: every circumstance over its whole legal
    range, the starting point over the tier's range, 0…``extra_max_months`` for the amount."""
    return _cached(charge, tier, chosen, int(extra_max_months))


_CACHE: dict[tuple, Any] = {}


def _cached(charge: str, tier: int | None, chosen: tuple[str, ...], extra: int):
    key = (charge, tier, chosen, extra)
    if key not in _CACHE:
        _CACHE[key] = compute(charge, tier, chosen, extra_months=(0.0, float(extra)))
    return _CACHE[key]


def _r(pair: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if pair is None else (round(pair[0], 2), round(pair[1], 2))

"""类案 cluster: the same charge in the same town or street rising above its trailing baseline.

Why it matters: "一定时期某类违法犯罪案件多发、频发" is the first ground on which a procuratorate
sends a social-governance 检察建议 to the agency responsible (《人民检察院检察建议工作规定》第11条第2项;
人民检察院组织法第21条). One prosecutor sees one case; the rise in one street shows only when cases are
counted together. This is the step from cases (个案) to similar cases (类案) to governance (社会治理).

The stated method (all parameters below, written into the version):
- count the criminal cases of each (district, town, charge) per calendar month of acceptance (Shanghai
  time; acceptance is the first date every case has);
- for each of the last ``recent_months`` complete months, the baseline λ is the mean count of the
  ``baseline_months`` months before it (months with no case count 0), raised to ``floor`` so that a
  town with no history does not make every second case "significant";
- a hit when the month's count is at least ``min_count`` AND P(X ≥ count | X ~ Poisson(λ)) < ``alpha``.
Many cells are tested each run (towns × charges × months), so ``alpha`` is small by default (0.001):
at that level about one cell in a thousand of pure noise is flagged, and ``min_count`` keeps thin
cells out altogether. A hit is keyed by (district, town, charge, month): raised once.

Handler: the leader (院领导). A cluster spans cases of several prosecutors and departments, and a
检察建议 goes out in the procuratorate's name on the chief's decision (《人民检察院检察建议工作规定》); the
leader assigns the drafting. The evidence names the kind of agency the suggestion would go to.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from domain.access import LEADER
from domain.models import Model, Param

MODEL = Model(
    key="similar_case_cluster",
    name_zh="类案多发（街镇同类案件高于基线）",
    name_en="Similar cases rising in one town or street",
    purpose="同一街道（镇）同一罪名的案件数在某月显著高于其前12个月基线（泊松检验），提示院领导研判类案成因，"
            "向负有监管职责的机关或街镇制发社会治理检察建议，从个案办理走向类案监督和诉源治理。",
    legal_basis=("人民检察院组织法第21条", "《人民检察院检察建议工作规定》第11条第2项"),
    reads=("case",),
    params=(
        Param("baseline_months", int, 12, "基线月数（当月之前）", "months of baseline before the month", minimum=3,
              maximum=36),
        Param("recent_months", int, 3, "检查的最近完整月数", "recent complete months checked", minimum=1, maximum=12),
        Param("alpha", float, 0.001, "显著性水平 P(X≥观测数)", "significance level for P(X ≥ observed)",
              minimum=1e-9, maximum=0.2),
        Param("min_count", int, 5, "当月最少案件数", "minimum cases in the month", minimum=1, maximum=1000),
        Param("floor", float, 0.5, "基线下限（每月案件数）", "baseline floor (cases per month)", minimum=0.01,
              maximum=100),
        Param("function", str, "刑事", "案件类别", "case function counted", choices=("刑事",)),
    ),
    shows="区、街道（镇）、罪名、月份、当月案件数、前12个月各月案件数与基线、泊松尾概率、建议的检察建议对象（无个人信息）",
    role=LEADER,
    permission="cases",
    decision_days=15,
    owner="案件管理办公室（类案分析）",
    query="similar_case_cluster",
    clock_dependent=True,  # the months checked follow the calendar
)

# charge family -> the kind of agency a governance suggestion goes to (a small table, zh)
AGENCY_BY_CHARGE: dict[str, str] = {
    "盗窃": "公安派出所、街道（镇）综治中心（治安防控、电动自行车与非机动车停放管理）",
    "抢夺": "公安派出所、街道（镇）综治中心",
    "抢劫": "公安派出所、街道（镇）综治中心",
    "诈骗": "公安派出所（反诈中心）、街道（镇）社区反诈宣传",
    "帮助信息网络犯罪活动": "通信管理局、人民银行及商业银行网点（“两卡”管理）、公安反诈中心",
    "信用卡诈骗": "商业银行、金融监管部门",
    "掩饰、隐瞒犯罪所得、犯罪所得收益": "公安派出所、商业银行（“两卡”管理）",
    "危险驾驶": "公安交警支队、街道（镇）（酒驾整治）",
    "交通肇事": "公安交警支队、交通运输管理部门",
    "故意伤害": "公安派出所、街道（镇）人民调解委员会（矛盾纠纷排查化解）",
    "寻衅滋事": "公安派出所、街道（镇）综治中心",
    "聚众斗殴": "公安派出所、街道（镇）综治中心",
    "开设赌场": "公安派出所、文化和旅游执法部门",
    "走私、贩卖、运输、制造毒品": "公安禁毒部门、街道（镇）禁毒办",
    "容留他人吸毒": "公安禁毒部门、街道（镇）禁毒办",
    "非法持有毒品": "公安禁毒部门、街道（镇）禁毒办",
    "引诱、容留、介绍卖淫": "公安派出所、市场监督管理部门（场所经营）",
    "非法吸收公众存款": "地方金融管理部门、市场监督管理部门",
    "集资诈骗": "地方金融管理部门、市场监督管理部门",
    "合同诈骗": "市场监督管理部门",
    "职务侵占": "涉案企业及其行业主管部门（内控制度）",
    "侵犯公民个人信息": "网信部门、通信管理局、涉案行业主管部门",
}
DEFAULT_AGENCY = "街道办事处（镇人民政府）综治中心及相关行业主管部门"


def agency_for(charge: str) -> str:
    """The kind of agency a 检察建议 on this charge's cluster goes to."""
    return AGENCY_BY_CHARGE.get(charge, DEFAULT_AGENCY)


def poisson_sf(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam): 1 − Σ_{i<k} e^{−λ} λ^i / i!, summed in log space (k ≥ 0, λ > 0).
    For large k against a small λ the upper tail is summed directly so tiny probabilities keep precision."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        raise ValueError("lam must be positive")

    def term(i: int) -> float:
        return math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1))

    if k > lam:  # the upper tail directly, until the terms vanish
        total, i = 0.0, k
        while True:
            t = term(i)
            total += t
            if t < 1e-18 * max(total, 1e-300) or i > k + 1000:
                break
            i += 1
        return min(1.0, total)
    return max(0.0, 1.0 - sum(term(i) for i in range(k)))


@dataclass(frozen=True)
class Cell:
    """One (town, charge, month) beside its baseline."""

    observed: int
    baseline: tuple[int, ...]  # counts of the baseline months, oldest first
    mean: float  # their mean
    lam: float  # max(mean, floor)
    p: float  # P(X ≥ observed | Poisson(lam))
    hit: bool


def baseline_lambda(counts: Sequence[int], floor: float) -> tuple[float, float]:
    """(mean of the baseline months' counts, λ = the mean raised to ``floor``)."""
    if not counts:
        raise ValueError("a baseline needs at least one month")
    mean = sum(counts) / len(counts)
    return mean, max(mean, floor)


def assess_cell(observed: int, baseline: Sequence[int], alpha: float, min_count: int, floor: float) -> Cell:
    """The month's count against its baseline: a hit when observed ≥ ``min_count`` and the Poisson upper
    tail is below ``alpha``."""
    mean, lam = baseline_lambda(baseline, floor)
    p = poisson_sf(observed, lam)
    return Cell(observed, tuple(int(c) for c in baseline), round(mean, 4), round(lam, 4), p,
                observed >= min_count and p < alpha)

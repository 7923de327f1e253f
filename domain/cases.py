"""Procuratorial functions, case stages, legal time limits and the charge catalogue.

Sources: ``shared/domain/procuratorate.md`` §1.1–1.2 (CPL arts. 91, 172, 175; SPP Rules arts. 273,
282, 351) and §7 (charge mix). Pure data and arithmetic; no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.periods import add_months

FUNCTIONS: tuple[str, ...] = ("刑事", "民事", "行政", "公益诉讼")
FUNCTIONS_EN = {"刑事": "Criminal", "民事": "Civil", "行政": "Administrative", "公益诉讼": "Public interest"}

# Criminal stages in order (procuratorate.md §1.2 suggested enum).
CRIMINAL_STAGES: tuple[str, ...] = (
    "受理", "审查逮捕", "侦查", "审查起诉", "退回补充侦查", "提起公诉", "不起诉", "一审", "判决", "上诉抗诉",
)
OTHER_STAGES: tuple[str, ...] = ("受理", "审查", "办结")
STAGES_EN = {
    "受理": "Accepted", "审查逮捕": "Arrest review", "侦查": "Investigation", "审查起诉": "Prosecution review",
    "退回补充侦查": "Returned for investigation", "提起公诉": "Prosecuted", "不起诉": "Not prosecuted",
    "一审": "First instance", "判决": "Judgment", "上诉抗诉": "Appeal/protest", "审查": "Review", "办结": "Closed",
}
# Stages in which the procuratorate itself holds the file and a legal clock runs.
OPEN_STAGES: tuple[str, ...] = ("受理", "审查逮捕", "审查起诉", "退回补充侦查", "审查")
CLOSED_STAGES: tuple[str, ...] = ("不起诉", "判决", "办结")

MAX_RETURNS = 2  # CPL art. 175: at most two returns for supplementary investigation


@dataclass(frozen=True)
class CaseFilter:
    """The dashboard's filter bar (districts travel in the ``Scope``). Hashable: it keys the cache.
    ``queries.cases.filter_conditions`` turns it into SQL."""

    function: str | None = None
    charge: str | None = None
    stage: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.function or self.charge or self.stage)


NOFILTER = CaseFilter()


@dataclass(frozen=True)
class TimeLimit:
    stage: str
    days: int
    basis: str
    note: str = ""


def clock_start(stage: str, entered: dt.datetime, resubmitted: dt.datetime | None = None) -> dt.datetime:
    """When a stage's legal clock started. Review for prosecution restarts when the file comes back
    from supplementary investigation (CPL art. 175(3)): the latest resubmission, if later than
    ``entered`` (a stored stage time may still be the first transfer)."""
    if stage == "审查起诉" and resubmitted is not None and resubmitted > entered:
        return resubmitted
    return entered


def deadline(stage: str, entered: dt.datetime, *, detained: bool = True, extended: bool = False,
             fast_track: bool = False, resubmitted: dt.datetime | None = None
             ) -> tuple[dt.datetime, str] | None:
    """Legal deadline of a stage entered at ``entered``, with its legal basis; None if no clock runs.

    - 审查逮捕: 7 days if detained (CPL 91), else 15 days, 20 if serious (Rules 282).
    - 审查起诉: one month, +15 days when extended (CPL 172); fast track 10 days (Rules 351); counted
      from the latest resubmission ``resubmitted`` after a return (CPL 175(3), ``clock_start``).
    - 退回补充侦查: one month per return (CPL 175).
    """
    entered = clock_start(stage, entered, resubmitted)
    if stage == "审查逮捕":
        if detained:
            return entered + dt.timedelta(days=7), "刑事诉讼法第91条：7日内作出决定"
        days = 20 if extended else 15
        return entered + dt.timedelta(days=days), f"刑事诉讼规则第282条：未羁押{days}日"
    if stage == "审查起诉":
        if fast_track:
            return entered + dt.timedelta(days=10), "刑事诉讼法第172条：速裁10日"
        end = add_months(entered, 1)
        if extended:
            return end + dt.timedelta(days=15), "刑事诉讼法第172条：一个月，延长半个月"
        return end, "刑事诉讼法第172条：一个月"
    if stage == "退回补充侦查":
        return add_months(entered, 1), "刑事诉讼法第175条：每次不超过一个月"
    if stage == "受理":
        return entered + dt.timedelta(days=3), "案件管理：受理后3日内分案（内部规范）"
    return None


def time_limit_status(due: dt.datetime, now: dt.datetime, warn_days: float = 2.0) -> str:
    """'超期' past the deadline, '临期' within ``warn_days`` of it, else '正常'."""
    if now > due:
        return "超期"
    if (due - now).total_seconds() <= warn_days * 86400:
        return "临期"
    return "正常"


# Charge mix for generated criminal cases (procuratorate.md §7: dangerous driving 20–25 %, theft
# 12–15 %, 帮信 8–10 %, fraud 5–8 %, 掩隐 4–6 %; the rest spread over common charges).
CHARGE_MIX: tuple[tuple[str, float], ...] = (
    ("危险驾驶", 0.22), ("盗窃", 0.135), ("帮助信息网络犯罪活动", 0.09), ("诈骗", 0.065),
    ("掩饰、隐瞒犯罪所得、犯罪所得收益", 0.05), ("故意伤害", 0.05), ("开设赌场", 0.04),
    ("寻衅滋事", 0.035), ("交通肇事", 0.03), ("走私、贩卖、运输、制造毒品", 0.03),
    ("引诱、容留、介绍卖淫", 0.025), ("信用卡诈骗", 0.025), ("合同诈骗", 0.02), ("聚众斗殴", 0.015),
    ("妨害公务", 0.015), ("容留他人吸毒", 0.015), ("职务侵占", 0.015), ("非法吸收公众存款", 0.015),
    ("强奸", 0.01), ("抢劫", 0.01), ("敲诈勒索", 0.01), ("非法拘禁", 0.01), ("抢夺", 0.005),
    ("集资诈骗", 0.005), ("非法持有毒品", 0.005), ("侵犯公民个人信息", 0.01), ("故意杀人", 0.002),
)

CIVIL_CAUSES = ("民事生效裁判监督", "民事执行监督", "民事审判程序监督", "支持起诉")
ADMIN_CAUSES = ("行政生效裁判监督", "行政非诉执行监督", "行政争议实质性化解")
PIL_CAUSES = ("生态环境和资源保护", "食品药品安全", "国有财产保护", "国有土地使用权出让", "个人信息保护")

# Procedural steps that each add one 件 to the case-to-matter ratio: the SPP counts 16 kinds in
# criminal work (procuratorate.md §1.3: workercn.cn/32935/202004/28/200428145520122_2.shtml and
# victorzhang.cn/page/2021/0129/16083510.shtml name 延长审查起诉期限, 退回补充侦查, 上诉 and
# 不捕复议复核 among them). The SPP's own list could not be read here: the other twelve are the
# procedural steps its 2020 commentary names, and the list is labelled as reconstructed.
MATTER_EVENTS: tuple[str, ...] = (
    "不捕复议", "不捕复核", "延长侦查羁押期限", "重新计算侦查羁押期限", "退回补充侦查", "延长审查起诉期限",
    "改变管辖", "不诉复议", "不诉复核", "不诉申诉", "撤回起诉", "建议延期审理", "上诉", "抗诉", "发回重审",
    "刑事申诉",
)
MATTER_EVENTS_SOURCE = ("最高人民检察院“案-件比”（2020）列举的16种刑事检察“件”：延长审查起诉期限、退回补充侦查、上诉、"
                        "不捕复议复核见 workercn.cn 2020-04-28、victorzhang.cn 2021-01-29；其余各项为本系统据程序环节整理，"
                        "官方清单未能读取（未核实）")

# Every kind of case event (the live stream, the sample builder and the importer share this list).
EVENT_TYPES: tuple[str, ...] = (
    "受理", "批准逮捕", "不批准逮捕", "决定逮捕", "不予逮捕", "移送审查起诉", "重新移送审查起诉", "不起诉", "提起公诉",
    "开庭审理", "判决", "二审裁判", "立案审查", "办结",
) + tuple(e for e in MATTER_EVENTS if e not in ("受理",))

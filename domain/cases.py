"""Procuratorial functions, case stages, legal time limits and the charge catalogue.

Sources: ``shared/domain/procuratorate.md`` §1.1–1.2 (CPL arts. 91, 105, 170, 172, 175; SPP Rules art.
282) and §7 (charge mix). Days are counted by ``domain.legal_days``. Pure data and arithmetic; no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.legal_days import HolidayCalendar, period_end

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


# The legal limits by stage and procedure. Each says whether it is a custody period, because a custody
# period is not extended when its last day is a rest day (CPL art. 105(2)); see ``deadline``.
BASIS_ARREST_DETAINED = "刑事诉讼法第91条第3款：对被拘留的犯罪嫌疑人，应当在收到提请批准逮捕书后7日以内作出决定"
BASIS_ARREST_FREE = "人民检察院刑事诉讼规则第282条：犯罪嫌疑人未被拘留的，应当在15日以内作出决定，重大、复杂案件不得超过20日"
BASIS_REVIEW = "刑事诉讼法第172条第1款：审查起诉应当在一个月以内作出决定，重大、复杂案件可以延长15日"
BASIS_FAST = "刑事诉讼法第172条第1款：适用速裁程序的，应当在10日以内作出决定，可能判处有期徒刑超过一年的可以延长至15日"
BASIS_SUPERVISION = ("刑事诉讼法第170条第2款：监察机关移送起诉的留置案件，先行拘留后10日以内作出是否逮捕、取保候审或者监视居住的决定"
                     "（特殊情况可以延长1至4日）；该期间不计入审查起诉期限")
BASIS_RETURN = "刑事诉讼法第175条第3款：补充侦查以一次为限不超过一个月，至多两次；补充侦查完毕移送后重新计算审查起诉期限"
BASIS_INTAKE = "案件管理：受理后3日内分案（内部规范，非法定期限）"

# The shortest limit a stage can have, in days. A file entered later than now − (this − warn days)
# cannot be near its limit yet, so the watch list's SQL leaves it out before the calendar count;
# tests/test_time_limits.py checks every combination of ``deadline``'s inputs against it.
SHORTEST_LIMIT_DAYS: dict[str, int] = {"受理": 3, "审查逮捕": 7, "审查起诉": 10, "退回补充侦查": 28}


@dataclass(frozen=True)
class Deadline:
    """A stage's legal time limit for one case: when its clock started, its last day and why.

    ``expires_at`` is 00:00 after ``last_day``: the period ends at the end of its last day (CPL art.
    105), so the file is overdue from then on. ``custody`` says the period was counted as a custody
    period (no extension past a rest day); ``calendar_note`` is non-empty when the bundled holiday
    calendar did not cover a day the count looked at (weekends only were used there).
    """

    stage: str
    clock_start: dt.datetime
    last_day: dt.date
    expires_at: dt.datetime
    basis: str
    custody: bool
    extended_for_rest_day: bool = False
    calendar_note: str = ""

    @property
    def note(self) -> str:
        """The basis with what the count did: the rest-day extension or custody, the calendar's gaps."""
        parts = [self.basis]
        if self.custody:
            parts.append("犯罪嫌疑人在押，不因节假日延长")
        elif self.extended_for_rest_day:
            parts.append("期满日为节假日，顺延至节假日后第一个工作日")
        if self.calendar_note:
            parts.append(self.calendar_note)
        return "；".join(parts)


def clock_start(stage: str, entered: dt.datetime, resubmitted: dt.datetime | None = None,
                measure_decided: dt.datetime | None = None, origin: str | None = None,
                detained: bool = False) -> dt.datetime:
    """When a stage's legal clock started.

    Review for prosecution restarts when the file comes back from supplementary investigation (CPL
    art. 175(3)): the latest resubmission, if later than ``entered`` (a stored stage time may still be
    the first transfer). For a detained suspect sent by a supervisory commission, the days up to the
    decision on a coercive measure do not count (CPL art. 170(2)): the review clock starts at that
    decision.
    """
    if stage == "审查起诉":
        if resubmitted is not None and resubmitted > entered:
            return resubmitted
        if origin == "监察机关" and detained and measure_decided is not None and measure_decided > entered:
            return measure_decided
    return entered


def deadline(stage: str, entered: dt.datetime, *, detained: bool = False, in_custody: bool | None = None,
             procedure: str | None = None, origin: str | None = None, complex_case: bool = False,
             over_one_year: bool = False, extended: bool = False, resubmitted: dt.datetime | None = None,
             measure_decided: dt.datetime | None = None, cal: HolidayCalendar | None = None) -> Deadline | None:
    """The legal time limit of a stage entered at ``entered``; None where no clock runs.

    - 审查逮捕: 7 days for a detained suspect (CPL art. 91); else 15 days, 20 for a major or complex
      case (``complex_case``; SPP Rules art. 282).
    - 审查起诉: one month, +15 days when extended (``extended``, CPL art. 172); 速裁 10 days, 15 when
      the likely sentence exceeds one year (``over_one_year``); counted from the latest resubmission
      (CPL art. 175(3)). From a supervisory commission with the suspect held: first 10 days for the
      decision on a coercive measure (CPL art. 170(2)); the review clock starts at that decision.
    - 退回补充侦查: one month per return (CPL art. 175).
    - 受理: 3 days to assign the file (internal norm, labelled so).

    ``detained``: held when the stage began (chooses art. 91 over Rules art. 282). ``in_custody``: held
    now (defaults to ``detained``); a custody period is not extended past a rest day (CPL art. 105).
    """
    held = detained if in_custody is None else in_custody
    start = clock_start(stage, entered, resubmitted, measure_decided, origin, detained)
    custody = held
    days = months = 0
    if stage == "审查逮捕":
        if detained:
            days, basis, custody = 7, BASIS_ARREST_DETAINED, True
        else:
            days, basis = (20 if complex_case else 15), BASIS_ARREST_FREE
    elif stage == "审查起诉":
        restarted = resubmitted is not None and resubmitted > entered
        if origin == "监察机关" and detained and not restarted and measure_decided is None:
            days, basis, custody = 10, BASIS_SUPERVISION, True  # 先行拘留: the suspect is held
        elif procedure == "速裁":
            days, basis = (15 if over_one_year else 10), BASIS_FAST
        else:
            months, days, basis = 1, (15 if extended else 0), BASIS_REVIEW
        if restarted:
            basis += "；" + BASIS_RETURN
    elif stage == "退回补充侦查":
        months, basis = 1, BASIS_RETURN
    elif stage == "受理":
        days, basis = 3, BASIS_INTAKE
    else:
        return None
    end = period_end(start, days=days, months=months, custody=custody, cal=cal)
    return Deadline(stage=stage, clock_start=start, last_day=end.last_day, expires_at=end.expires_at,
                    basis=basis, custody=custody, extended_for_rest_day=end.extended,
                    calendar_note=end.calendar_note)


def time_limit_status(expires_at: dt.datetime, now: dt.datetime, warn_days: float = 2.0) -> str:
    """'超期' from ``expires_at`` on (00:00 after the last day), '临期' within ``warn_days`` of it, else
    '正常'."""
    if now >= expires_at:
        return "超期"
    if (expires_at - now).total_seconds() <= warn_days * 86400:
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

ADMIN_REFERRAL = "移送行政处罚"

# Every kind of case event (the live stream, the sample builder and the importer share this list).
EVENT_TYPES: tuple[str, ...] = (
    "受理", "批准逮捕", "不批准逮捕", "决定逮捕", "不予逮捕", "移送审查起诉", "重新移送审查起诉", "不起诉", "提起公诉",
    "开庭审理", "判决", "二审裁判", "立案审查", "办结",
) + tuple(e for e in MATTER_EVENTS if e not in ("受理",)) + (
    ADMIN_REFERRAL,  # 不起诉后提出检察意见、移送主管机关行政处罚 (CPL art. 177 para. 3; domain.models.referral)
)

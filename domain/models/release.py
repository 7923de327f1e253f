"""不批准逮捕后未及时释放 (still held in police detention after the procuratorate refused to arrest).

Why it matters: when the procuratorate does not approve (or decide) an arrest, the police shall
release the detained person at once on receiving the notice and report the execution to the
procuratorate (CPL art. 91 para. 3); bail or residential surveillance may follow, custody may not.
A person kept in 拘留 after that is held without a legal ground: the kind of continued custody CPL
art. 117 para. 1 item 1 makes a ground for complaint, and illegal investigative conduct the
procuratorate notifies the police to correct (CPL art. 100; art. 8, legal supervision). The decision
and the custody spell are recorded in different places (the suspect's decision, the custody
register), so only a model sees them together.

A hit: a suspect whose arrest decision is one of ``decisions`` (不批准逮捕 / 不予逮捕), taken at t, with a
拘留 spell that started before t and was still open ``grace_hours`` after t (ended later, or not ended
by now when now is past t + grace). The grace covers the notice's delivery and the release formalities;
it is this product's parameter (default 24 hours), not a figure from the statute ("立即").
"""
from __future__ import annotations

import datetime as dt

from domain.access import PROSECUTOR
from domain.models import Model, Param
from domain.procedure import NOT_ARRESTED

MODEL = Model(
    key="detention_after_arrest_refusal",
    name_zh="不批准逮捕后未及时释放",
    name_en="Still detained after arrest was refused",
    purpose="检察机关不批准逮捕（不予逮捕）后，公安机关应当立即释放被拘留人并通知执行情况（刑诉法第91条第3款）。"
            "决定作出后超过设定时限仍处于拘留状态的，提示承办检察官开展侦查活动监督，纠正违法羁押。",
    legal_basis=("刑事诉讼法第8条", "刑事诉讼法第91条第3款", "刑事诉讼法第100条",
                 "刑事诉讼法第117条第1款第1项"),
    reads=("suspect", "custody_period", "case"),
    params=(
        Param("grace_hours", int, 24, "决定后允许的释放时限（小时）", "hours allowed for the release after the decision",
              minimum=1, maximum=240),
        Param("decisions", str, NOT_ARRESTED, "计入的审查逮捕结论", "arrest decisions counted", choices=NOT_ARRESTED,
              many=True),
    ),
    shows="案件编号、犯罪嫌疑人序号、审查逮捕结论及时间、拘留开始时间、拘留结束时间或仍在拘留、超出小时数（无姓名和身份证号）",
    role=PROSECUTOR,
    permission="cases",
    decision_days=3,
    owner="第二检察部（刑事检察·侦查活动监督）",
    query="detention_after_arrest_refusal",
    clock_dependent=True,  # a detention still open becomes late as time passes
)


def hours_held_after(decided_at: dt.datetime, ended_at: dt.datetime | None, now: dt.datetime) -> float:
    """Hours the 拘留 spell lasted after the decision (to its end, or to now while it is open)."""
    end = ended_at if ended_at is not None else now
    return max(0.0, (end - decided_at).total_seconds() / 3600.0)


def is_late_release(decided_at: dt.datetime, ended_at: dt.datetime | None, now: dt.datetime,
                    grace_hours: int) -> bool:
    """Held MORE than ``grace_hours`` after the decision (exactly the grace is no hit)."""
    return hours_held_after(decided_at, ended_at, now) > grace_hours

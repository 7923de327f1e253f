"""超期: open cases past their legal time limit (办案超期).

Why it matters: a case held past its limit keeps a suspect in custody or in uncertainty without a
legal basis (CPL arts. 91, 156, 172; Rules art. 282), and the 案件管理 office watches the limits.
One overdue case is a reminder; many in one stage and one
department are a pattern, so each hit carries stage and department and hits are counted by them.

A hit: a case whose time limit in its current stage (computed by ``domain.cases.deadline`` through
``queries.cases.time_limit_watch``, the one deadline function) has passed by more than
``min_days_overdue``. The same case overdue again in a later stage is a new hit.
"""
from __future__ import annotations

from domain.access import LEADER
from domain.cases import SHORTEST_LIMIT_DAYS
from domain.models import Model, Param

STAGES = tuple(SHORTEST_LIMIT_DAYS)

MODEL = Model(
    key="overdue_cases",
    name_zh="办案超期",
    name_en="Cases past their legal time limit",
    purpose="案件超过法定办案期限仍未办结：可能造成超期羁押或久拖不决。按环节和部门汇总，"
            "看出集中超期的环节和部门，从个案提示走向类案治理。",
    legal_basis=("刑事诉讼法第91条", "刑事诉讼法第172条", "刑事诉讼法第175条", "人民检察院刑事诉讼规则第282条"),
    reads=("case", "case_event", "suspect", "custody_period", "department"),
    params=(
        Param("min_days_overdue", float, 0.0, "超期至少天数", "days past the limit at least",
              minimum=0, maximum=365),
        Param("stages", str, STAGES, "检查的办案环节", "stages checked", choices=STAGES, many=True),
    ),
    shows="案件编号、区、环节、程序、承办部门、期限届满日、超期天数、期限依据（无个人信息）",
    role=LEADER,
    permission="cases",
    decision_days=5,
    owner="案件管理办公室",
    query="overdue_cases",
    clock_dependent=True,
)

"""再犯 while on non-custodial measures (取保候审 / 监视居住 期间再犯).

Why it matters: a person released on bail or under residential surveillance who is named as a
suspect in a new case broke the first duty of the measure (CPL arts. 71, 77: not to commit a new
offence); the measure may have to be changed to arrest (CPL art. 81 para. 4, art. 71 para. 4), and
the supervision officer must know at once. The two facts sit in different places (the supervision
register and the case files), so no one sees them together unless a model joins them.

A hit: a supervised person (``supervised_person``) who is a suspect (``suspect`` or ``case_party``
犯罪嫌疑人, the same ``person``) in a case other than the one the measure belongs to, accepted on or
after the day the measure started and before it ended (its end date, or its release).
"""
from __future__ import annotations

from domain.access import SUPERVISION
from domain.models import Model, Param

MEASURES = ("取保候审", "监视居住")

MODEL = Model(
    key="recidivism_on_measure",
    name_zh="取保候审、监视居住期间再犯",
    name_en="New offence while on a non-custodial measure",
    purpose="被取保候审、监视居住人在措施期间又作为犯罪嫌疑人出现在新案件中：违反刑诉法第71、77条规定的义务，"
            "可能需要变更强制措施（第81条第4款），应当立即告知监管人员。",
    legal_basis=("刑事诉讼法第71条", "刑事诉讼法第77条", "刑事诉讼法第81条第4款"),
    reads=("supervised_person", "suspect", "case_party", "case"),
    params=(
        Param("measures", str, MEASURES, "计入的强制措施", "measures counted", choices=MEASURES, many=True),
        Param("active_only", bool, True, "仅在管人员", "only persons currently supervised (在管)"),
        Param("min_days_after_start", int, 0, "措施开始后至少天数", "days after the measure started",
              minimum=0, maximum=365),
    ),
    shows="监管编号、强制措施及起止日期、新案件编号与受理时间、所在区（不显示姓名和身份证号）",
    role=SUPERVISION,
    permission="supervision",
    decision_days=3,
    owner="第五检察部（刑事执行检察）",
    query="recidivism_on_measure",
)

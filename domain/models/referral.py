"""不起诉后行政处罚反向衔接 (referral for an administrative penalty after non-prosecution).

Why it matters: when the procuratorate decides not to prosecute, the person may still deserve an
administrative penalty or sanction, or their illegal gains must be confiscated; the procuratorate
shall then give a procuratorial opinion and refer the matter to the competent authority (CPL art.
177 para. 3). Without the referral, the decision not to prosecute becomes "no consequence at all"
(不刑不罚). The two records (the decision and the referral) are kept apart, so only a model sees
the missing second one.

A hit: a suspect's decision not to prosecute, of one of the counted kinds, decided at least
``within_days`` ago, with no ``移送行政处罚`` event recorded on the case within ``within_days`` after
the decision. The number of days is this product's parameter (default 30), not a limit quoted from
the rules: a procuratorate sets it to its own practice.
"""
from __future__ import annotations

from domain.access import PROSECUTOR
from domain.models import Model, Param
from domain.procedure import NON_PROSECUTION_TYPES

MODEL = Model(
    key="non_prosecution_referral",
    name_zh="不起诉后行政处罚反向衔接",
    name_en="Non-prosecution without referral for an administrative penalty",
    purpose="作出不起诉决定后，对需要给予行政处罚、处分或没收违法所得的被不起诉人，应当提出检察意见、移送有关主管机关"
            "（刑诉法第177条第3款）。决定后规定天数内没有移送记录的，提示承办检察官核查，防止“不刑不罚”。",
    legal_basis=("刑事诉讼法第177条第3款",),
    reads=("suspect", "case", "case_event"),
    params=(
        Param("within_days", int, 30, "决定后移送期限（天）", "days after the decision for the referral",
              minimum=1, maximum=365),
        Param("types", str, ("酌定不起诉",), "计入的不起诉种类", "kinds of non-prosecution counted",
              choices=NON_PROSECUTION_TYPES, many=True),
    ),
    shows="案件编号、犯罪嫌疑人序号、不起诉种类、决定时间、已过天数（无姓名和身份证号）",
    role=PROSECUTOR,
    permission="cases",
    decision_days=10,
    owner="第二检察部（刑事检察）",
    query="non_prosecution_referral",
    clock_dependent=True,
)

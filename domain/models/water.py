"""水质持续劣V: a river whose water stays worse than Class V, or falls sharply, with no case open on it.

Why it matters: a river at 劣V month after month is damage to the public interest (ecological
environment and resources) that its responsible agencies have not stopped; when the river chief's
office and the environment bureau have not acted, the procuratorate may open a public-interest case
and issue a pre-litigation suggestion (行政诉讼法 art. 25 para. 4) or, where no one else sues, bring a
civil public-interest action (民事诉讼法 art. 58). 水污染防治法 (2017) art. 5 puts every river under a
river chief (河长制), and the 《关于全面推行河长制的意见》 (中办发〔2016〕42号) asks for the water
quality of each river to be monitored and the chiefs held to it; the monitoring data the product
already holds are the first place a prosecutor can see a river left bad. This is the clue rule the
river pages used (today's hard-wired clue), now one model among others with its parameters written
down.

A hit: a river (not under an open ``pil_case``) whose monthly class (the worst of its sites, per
``domain.water``) qualifies under ``domain.water.clue_reasons`` in its latest month with samples, i.e.
劣V for ``months_at_worst`` months running or ``decline_classes`` classes worse than its best of the
``window_months - 1`` months before. The months in a row that qualify up to that latest month are one
episode, and the episode is ONE hit, keyed by its first month: ``river:{river_id}/{YYYY-MM}``. A river
whose episode already holds a stored hit (any month of it, e.g. a decision carried over from the old
river clue list) is not raised again.
"""
from __future__ import annotations

from domain.access import PIL
from domain.models import Model, Param

KEY = "water_worse_than_v"

MODEL = Model(
    key=KEY,
    name_zh="水质持续劣Ⅴ类",
    name_en="River persistently worse than Class V",
    purpose="河道水质连续劣Ⅴ类或短期内明显下降，且无在办公益诉讼案件：说明负有监管职责的部门可能未依法履职，"
            "检察机关可立案并发出诉前检察建议（行政诉讼法第25条第4款），或在无适格主体起诉时提起民事公益诉讼"
            "（民事诉讼法第58条）；河长制下每条河道都有责任人，水质数据是发现线索的第一来源。",
    legal_basis=("水污染防治法第5条（河长制）", "民事诉讼法第58条", "行政诉讼法第25条第4款",
                 "《关于全面推行河长制的意见》（中办发〔2016〕42号）"),
    reads=("water_sample", "river", "pil_case"),
    params=(
        Param("months_at_worst", int, 2, "连续劣Ⅴ类月数", "months running at worse than V",
              minimum=1, maximum=12),
        Param("decline_classes", int, 2, "下降类别数", "classes of decline", minimum=1, maximum=5),
        Param("window_months", int, 6, "下降比较窗口（月，含当月）", "decline window in months (incl. this one)",
              minimum=2, maximum=12),
        Param("lookback_months", int, 12, "回溯月数（一次持续期最早可追溯）", "look-back months for an episode",
              minimum=1, maximum=36),
        Param("skip_open_case", bool, True, "已有在办公益诉讼案件的河道不列入", "leave out rivers with an open case"),
    ),
    shows="河道编号、名称、所属街镇、持续期各月水质类别、判定理由、主要污染指标（不含个人信息）",
    role=PIL,
    permission="rivers.clues",
    decision_days=30,
    owner="第八检察部（公益诉讼检察）",
    query=KEY,
    clock_dependent=True,  # the months looked at follow the calendar
)

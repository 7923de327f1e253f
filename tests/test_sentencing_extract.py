"""Circumstances and tiers derived from CAIL fact text."""
from __future__ import annotations

import pytest

from domain.sentencing.extract import amounts_yuan, circumstances_from_text, has_circumstance, tier_from_text


@pytest.mark.parametrize("text, col, expected", [
    ("被告人到案后如实供述自己的罪行", "c_confession", True),
    ("被告人拒不如实供述", "c_confession", False),
    ("被告人主动到派出所投案", "c_surrender", True),
    ("系自首", "c_surrender", True),
    ("不构成自首", "c_surrender", False),
    ("赔偿被害人损失并取得谅解", "c_forgiveness", True),
    ("未取得被害人谅解", "c_forgiveness", False),
    ("未能取得被害人的谅解", "c_forgiveness", False),
    ("已赔偿", "c_compensation", True),
    ("至今未赔偿", "c_compensation", False),
    ("系累犯", "c_recidivist", True),
    ("不构成累犯", "c_recidivist", False),
    ("被告人曾有前科", "c_prior_record", True),
    ("被告人无前科", "c_prior_record", False),
    ("犯罪未遂", "c_attempt", True),
    ("在共同犯罪中起次要作用，系从犯", "c_accomplice", True),
    ("自愿认罪认罚", "c_plea", True),
    ("未取得谅解，后又取得谅解", "c_forgiveness", True),  # one un-negated mention is enough
])
def test_keyword_with_negation(text, col, expected):
    assert has_circumstance(text, col) is expected


def test_all_flags_returned():
    flags = circumstances_from_text("")
    assert len(flags) == 9 and not any(flags.values())


def test_amounts():
    assert amounts_yuan("窃得人民币4700余元，另有现金2000元") == [4700, 2000]
    assert amounts_yuan("骗取12.5万元") == [125000]


@pytest.mark.parametrize("crime, text, tier", [
    ("盗窃", "盗窃价值人民币4700余元的财物", 1),
    ("盗窃", "盗窃人民币2000元", None),  # between 1,000 and 3,000: depends on the province
    ("盗窃", "盗窃财物共计价值15万元", 2),
    ("盗窃", "盗窃财物价值60000元", None),  # between the 巨大 range's ends: ambiguous
    ("盗窃", "盗窃财物价值600000元", 3),
    ("诈骗", "骗取被害人人民币5000元", None),
    ("诈骗", "骗取被害人人民币2万元", 1),
    ("故意伤害", "致被害人轻伤二级", 1),
    ("故意伤害", "致被害人重伤二级", 2),
    ("故意伤害", "致被害人死亡", None),
    ("交通肇事", "致一人死亡，负事故全部责任", 1),
    ("交通肇事", "肇事后逃逸", 2),
    ("交通肇事", "因逃逸致被害人死亡", 3),
    ("走私、贩卖、运输、制造毒品", "贩卖甲基苯丙胺0.5克", 1),
    ("走私、贩卖、运输、制造毒品", "贩卖海洛因20克", 3),
    ("走私、贩卖、运输、制造毒品", "运输甲基苯丙胺1.2千克", 4),
    ("走私、贩卖、运输、制造毒品", "贩卖毒品", None),
    ("强奸", "强行与被害人发生性关系", 1),
    ("强奸", "奸淫不满十四周岁的幼女", 2),
    ("强奸", "伙同他人轮奸", 3),
    ("危险驾驶", "醉酒驾驶", None),
    ("合同诈骗", "骗取货款50万元", None),
])
def test_tier_from_text(crime, text, tier):
    assert tier_from_text(crime, text) == tier


def test_chosen_from_flags_respects_exclusions():
    from domain.sentencing import compute
    from domain.sentencing.extract import chosen_from_flags

    all_on = {c: True for c in circumstances_from_text("")}
    chosen = chosen_from_flags(all_on)
    assert chosen == ["accomplice", "attempt", "surrender", "comp_forgiveness", "plea", "recidivist"]
    assert compute("盗窃", 1, chosen).ok  # a valid combination for the rules
    assert chosen_from_flags({"c_confession": True, "c_forgiveness": True}) == ["confession", "forgiveness"]
    assert chosen_from_flags({}) == []

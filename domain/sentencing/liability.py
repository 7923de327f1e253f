"""Who may be sentenced at all: age of criminal responsibility (Criminal Law art. 17) and recidivism
(art. 65). Checked before any arithmetic, so the ruler refuses what the law forbids instead of
computing a term for it.

Criminal Law art. 17 as amended by Amendment XI (in force 2021-03-01):
- (1) from 16, liable for every crime;
- (2) from 14 to under 16, liable only for 故意杀人, 故意伤害致人重伤或者死亡, 强奸, 抢劫, 贩卖毒品, 放火,
  爆炸, 投放危险物质;
- (3) from 12 to under 14, liable only for 故意杀人 or 故意伤害 causing death, or serious injury with
  severe disability by especially cruel means, where the circumstances are vile (情节恶劣), and only
  with the Supreme People's Procuratorate's approval of prosecution (经最高人民检察院核准追诉);
- (4) under 18: the penalty must be lighter or mitigated;
- under 12: no criminal liability.

Criminal Law art. 65: recidivism needs an intentional crime committed at 18 or over ("过失犯罪和不满十八周岁
的人犯罪的除外"). A prior conviction counted as recidivism is not counted again as a prior record (前科).

Pure Python: the findings are data; ``domain.sentencing.rules`` turns them into refusals and notices.
"""
from __future__ import annotations

from dataclasses import dataclass

ART17 = "刑法第17条（刑法修正案（十一）修正）"
ART17_1 = "刑法第17条之一"
ART65 = "刑法第65条"

# (key, zh, en, the circumstance the age implies or None)
AGE_BANDS: tuple[tuple[str, str, str], ...] = (
    ("under_12", "不满十二周岁", "under 12"),
    ("12_14", "已满十二周岁不满十四周岁", "12–13"),
    ("14_16", "已满十四周岁不满十六周岁", "14–15"),
    ("16_18", "已满十六周岁不满十八周岁", "16–17"),
    ("adult", "已满十八周岁不满七十五周岁", "18–74"),
    ("75_plus", "已满七十五周岁", "75 or over"),
)
AGE_KEYS = tuple(k for k, _, _ in AGE_BANDS)
AGE_ZH = {k: zh for k, zh, _ in AGE_BANDS}
AGE_EN = {k: en for k, _, en in AGE_BANDS}
MINOR_BANDS = ("12_14", "14_16", "16_18")
# the age bands each age circumstance stands for
CIRCUMSTANCE_AGES = {"minor_12_16": ("12_14", "14_16"), "minor_16_18": ("16_18",),
                     "elderly": ("75_plus",), "elderly_negligent": ("75_plus",)}

# art. 17(2): the guideline crimes a 14–15-year-old answers for, with the tiers that qualify (None = all)
# and, where the charge is wider than the article, the confirmation the user must give.
ART17_2: dict[str, tuple[tuple[int, ...] | None, str]] = {
    "故意伤害": ((2, 3), ""),  # 致人重伤或者死亡: tier 1 (轻伤) is outside
    "强奸": (None, ""),
    "抢劫": (None, ""),
    "走私、贩卖、运输、制造毒品": (None, "art17_2_selling"),  # only 贩卖 is listed
}
# art. 17(3): 12–13-year-olds, only 故意伤害 with especially cruel means and severe disability (tier 3)
ART17_3: dict[str, tuple[tuple[int, ...], str]] = {"故意伤害": ((3,), "art17_3_spp")}

CONFIRM_TEXT = {
    "art17_2_selling": ("已确认：行为为贩卖毒品（已满十四周岁不满十六周岁的人对走私、运输、制造毒品不负刑事责任，刑法第17条第2款）",
                        "Confirmed: the act was selling drugs (a 14–15-year-old is not liable for smuggling, "
                        "transporting or making drugs, Criminal Law art. 17(2))"),
    "art17_3_spp": ("已确认：以特别残忍手段致人重伤造成严重残疾、情节恶劣，且经最高人民检察院核准追诉（刑法第17条第3款）",
                    "Confirmed: serious injury with severe disability by especially cruel means, vile "
                    "circumstances, and the Supreme People's Procuratorate approved prosecution (art. 17(3))"),
    "prior_record_distinct": ("已确认：所选“前科”是认定累犯所依据的前罪以外的另一次犯罪",
                              "Confirmed: the prior record is a different conviction from the one that makes "
                              "the offender a recidivist"),
}


@dataclass(frozen=True)
class Finding:
    """One legal bar or caution. ``confirm`` names the confirmation that lifts a refusal, if one can."""

    level: str  # refusal / warning / info
    zh: str
    en: str
    article: str
    confirm: str = ""


def ages_of(age: str | None, chosen_keys: tuple[str, ...]) -> tuple[tuple[str, ...] | None, Finding | None]:
    """The age bands the inputs allow: the explicit age, or those an age circumstance implies.

    Returns (bands or None when nothing says the age, a refusal when the inputs contradict each other).
    """
    if age is not None and age not in AGE_KEYS:
        return None, Finding("refusal", f"未知的年龄段“{age}”。", f"Unknown age band '{age}'.", ART17)
    implied = [CIRCUMSTANCE_AGES[k] for k in chosen_keys if k in CIRCUMSTANCE_AGES]
    if age is None:
        return (implied[0] if implied else None), None
    for bands in implied:
        if age not in bands:
            k = next(k for k in chosen_keys if CIRCUMSTANCE_AGES.get(k) == bands)
            return None, Finding("refusal", f"所选年龄段（{AGE_ZH[age]}）与所选情节“{k}”代表的年龄不一致。",
                                 f"The age chosen ({AGE_EN[age]}) contradicts the circumstance '{k}'.", ART17)
    return (age,), None


def implied_circumstance(age: str, negligent: bool) -> str | None:
    """The age circumstance the law attaches to an age band (art. 17(4), art. 17-1)."""
    if age in ("12_14", "14_16"):
        return "minor_12_16"
    if age == "16_18":
        return "minor_16_18"
    if age == "75_plus":
        return "elderly_negligent" if negligent else "elderly"
    return None


def _band_liable(band: str, crime: str, tier: int | None) -> tuple[bool, str]:
    """(liable, the confirmation that liability needs) for one age band; tier None = any tier."""
    if band == "under_12":
        return False, ""
    if band == "12_14":
        tiers, confirm = ART17_3.get(crime, ((), ""))
        return (tier is None and crime in ART17_3) or tier in tiers, confirm
    if band == "14_16":
        if crime not in ART17_2:
            return False, ""
        tiers, confirm = ART17_2[crime]
        return (tiers is None or tier is None or tier in tiers), confirm
    return True, ""


def liability(crime: str, tier: int | None, bands: tuple[str, ...] | None) -> list[Finding]:
    """Art. 17: a refusal when no age band allowed by the inputs is liable for this crime and tier."""
    if not bands:
        return []
    if bands == ("under_12",):
        return [Finding("refusal", "不满十二周岁的人不负刑事责任（刑法第17条），不计算刑期。",
                        "Nobody under 12 is criminally liable (Criminal Law art. 17): no sentence is computed.", ART17)]
    results = {b: _band_liable(b, crime, tier) for b in bands}
    liable = [b for b, (ok, _) in results.items() if ok]
    if not liable:
        if "14_16" in bands:
            zh = (f"不满十六周岁的人只对刑法第17条第2款所列八种犯罪（故意杀人、故意伤害致人重伤或者死亡、强奸、抢劫、贩卖毒品、放火、爆炸、"
                  f"投放危险物质）负刑事责任，已满十二周岁不满十四周岁的只限第3款情形；{crime}罪"
                  + ("（本档）" if crime in ART17_2 else "") + "不在其列，不负刑事责任，不计算刑期。")
            en = (f"Under 16, liability covers only the eight crimes of Criminal Law art. 17(2) (intentional homicide, "
                  f"intentional injury causing serious injury or death, rape, robbery, selling drugs, arson, "
                  f"explosion, poisoning), and at 12–13 only the case of art. 17(3); {crime}"
                  + (" at this tier" if crime in ART17_2 else "") + " is not among them: no criminal liability.")
        else:
            zh = ("已满十二周岁不满十四周岁的人只对故意杀人、故意伤害罪致人死亡或者以特别残忍手段致人重伤造成严重残疾、情节恶劣、"
                  f"经最高人民检察院核准追诉的负刑事责任（刑法第17条第3款）；{crime}罪本档不在其列，不计算刑期。")
            en = ("At 12–13, liability covers only intentional homicide or injury causing death, or serious injury "
                  "with severe disability by especially cruel means, vile circumstances, with the Supreme People's "
                  f"Procuratorate's approval (Criminal Law art. 17(3)); {crime} at this tier is not among them.")
        return [Finding("refusal", zh, en, ART17)]
    if len(liable) < len(bands):
        return [Finding("refusal", "已满十二周岁不满十四周岁与已满十四周岁不满十六周岁的人负刑事责任的范围不同（刑法第17条第2、3款）：请选择具体年龄段。",
                        "Liability at 12–13 and at 14–15 differs (Criminal Law art. 17(2) and (3)): choose the exact "
                        "age band.", ART17)]
    out = []
    for b in liable:
        confirm = results[b][1]
        if confirm:
            zh, en = CONFIRM_TEXT[confirm]
            out.append(Finding("refusal", "须确认后方可计算：" + zh.removeprefix("已确认："),
                               "Confirm before any result: " + en.removeprefix("Confirmed: "), ART17, confirm))
    return out


def recidivism(negligent: bool, bands: tuple[str, ...] | None, chosen_keys: tuple[str, ...]) -> list[Finding]:
    """Art. 65 and the guideline's item 16: when 累犯 and 前科 may not be counted."""
    out = []
    minor = bool(bands) and all(b in MINOR_BANDS or b == "under_12" for b in bands)
    if "prior_record" in chosen_keys and minor:
        out.append(Finding("refusal", "未成年人的前罪均为未成年人犯罪，依量刑指导意见不作为前科从重（法发〔2021〕21号 三(十六)）。",
                           "A minor's earlier crimes were all committed as a minor and do not count as a prior "
                           "record (2021 guideline part 三 item 16).", "法发〔2021〕21号 三(十六)"))
    if "recidivist" in chosen_keys:
        if negligent:
            out.append(Finding("refusal", "过失犯罪不构成累犯（刑法第65条），不能选择“累犯”。",
                               "A negligent crime cannot make a recidivist (Criminal Law art. 65).", ART65))
        elif minor:
            out.append(Finding("refusal", "不满十八周岁的人犯罪不构成累犯（刑法第65条），不能选择“累犯”。",
                               "A crime committed under 18 cannot make a recidivist (Criminal Law art. 65).", ART65))
        elif "prior_record" in chosen_keys:
            out.append(Finding("refusal", "同一前罪不能既认定累犯又作为前科重复评价；只有前科是另一次犯罪时才可同时选择，须确认。",
                               "The same prior conviction cannot count both as recidivism and as a prior record; "
                               "both may be chosen only if the prior record is a different conviction (confirm).",
                               f"{ART65}; 法发〔2021〕21号 三(十五)(十六)", "prior_record_distinct"))
    return out

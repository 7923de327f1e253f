"""Circumstances and tiers read from a judgment's fact text (CAIL rows), marked as derived from text.

Keyword rules with simple negation: "未取得谅解", "无前科", "拒不如实供述" do not count. The CAIL fact text is
mostly the prosecution's allegation and is cut at 300 characters, so these flags understate what the
court found; the page says so.
"""
from __future__ import annotations

import re

# record column -> keyword regexes (issue 4: 自首, 坦白, 如实供述, 累犯, 前科, 谅解, 赔偿, 未遂, 从犯; plus 认罪认罚)
KEYWORDS: dict[str, tuple[str, ...]] = {
    "c_surrender": ("自首", "主动[^，。；,]{0,12}投案", "自动投案"),
    "c_confession": ("坦白", "如实供述"),
    "c_recidivist": ("累犯",),
    "c_prior_record": ("前科",),
    "c_forgiveness": ("谅解",),
    "c_compensation": ("赔偿", "赔付"),
    "c_attempt": ("未遂",),
    "c_accomplice": ("从犯",),
    "c_plea": ("认罪认罚",),
}
FLAG_COLUMNS: tuple[str, ...] = tuple(KEYWORDS)

_NEG = r"(?:未|没有|没|无|不|拒不|尚未|未能|并未|不能|不予)"
_MID = r"(?:取得|获得|得到|达成|构成|属于|具有|有|予|能|认定|成立|被)?"


def _pattern(word: str) -> re.Pattern:
    return re.compile(rf"(?P<neg>{_NEG}{_MID}(?:被害人|对方|家属)?(?:的)?)?{word}")


_PATTERNS = {col: [_pattern(w) for w in words] for col, words in KEYWORDS.items()}


def has_circumstance(text: str, col: str) -> bool:
    """True if any keyword for ``col`` occurs at least once without a negation right before it."""
    for pat in _PATTERNS[col]:
        for m in pat.finditer(text or ""):
            if not m.group("neg"):
                return True
    return False


def circumstances_from_text(text: str) -> dict[str, bool]:
    return {col: has_circumstance(text, col) for col in FLAG_COLUMNS}


# ----------------------------------------------------------------------------- tiers from text

_NUM = r"(\d+(?:\.\d+)?|[〇一二两三四五六七八九十百千万]+)"
_CN = {"〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        pass
    total, section, num = 0, 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for ch in s:
        if ch in _CN:
            num = _CN[ch]
        elif ch in units:
            section += (num or 1) * units[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section, num = 0, 0
        else:
            return None
    return float(total + section + num)


_YUAN = re.compile(r"(?:共计|合计|总计|价值|计|约|人民币|现金)?\s*(\d+(?:\.\d+)?)\s*(万)?\s*余?元")
_GRAM = re.compile(r"(海洛因|甲基苯丙胺|冰毒|鸦片)[^。；，,]{0,20}?(\d+(?:\.\d+)?)\s*(千克|公斤|克)")


def amounts_yuan(text: str) -> list[float]:
    out = []
    for m in _YUAN.finditer(text or ""):
        v = float(m.group(1)) * (10000 if m.group(2) else 1)
        out.append(v)
    return out


# National thresholds (sentencing_products.md §2) as (较大 upper end, 巨大 lower, 巨大 upper, 特别巨大 lower,
# 特别巨大 upper): provinces choose a value inside each range, so an amount between the two ends of a
# range is ambiguous without the province and yields no tier.
_AMOUNT_TIERS = {
    "盗窃": (3_000, 30_000, 100_000, 300_000, 500_000),
    "诈骗": (10_000, 30_000, 100_000, 500_000, 500_000),
    "抢夺": (3_000, 30_000, 80_000, 200_000, 400_000),
    "敲诈勒索": (5_000, 30_000, 100_000, 300_000, 500_000),
}


AMOUNT_CHARGES: tuple[str, ...] = tuple(_AMOUNT_TIERS)


def tier_from_amount(crime: str, yuan: float | None) -> int | None:
    """The guideline tier an amount in yuan fixes unambiguously at national thresholds; None for a charge
    without amount tiers, no amount, or an amount inside a range the province chooses within."""
    if crime not in _AMOUNT_TIERS or yuan is None:
        return None
    a = float(yuan)
    big_lo, big_hi, huge_lo, huge_hi = _AMOUNT_TIERS[crime][1:]
    lg_hi = _AMOUNT_TIERS[crime][0]
    if a >= huge_hi:
        return 3
    if big_hi <= a < huge_lo:
        return 2
    if lg_hi <= a < big_lo:
        return 1
    return None


def _amount_tier(crime: str, text: str) -> int | None:
    amts = amounts_yuan(text)
    if not amts:
        return None
    return tier_from_amount(crime, max(amts))  # the largest sum named; cumulative totals come last and largest


def _drug_tier(text: str) -> int | None:
    grams = []
    for m in _GRAM.finditer(text or ""):
        g = float(m.group(2)) * (1000 if m.group(3) in ("千克", "公斤") else 1)
        kind = m.group(1)
        # express in heroin/meth-equivalent thresholds: opium 200 g / 1 kg ≙ 10 g / 50 g
        grams.append(g / 20 if kind == "鸦片" else g)
    if not grams:
        return None
    g = sum(grams)
    if g >= 50:
        return 4
    if g >= 10:
        return 3
    return 1


def tier_from_text(crime: str, text: str) -> int | None:
    """The guideline tier where the fact text states it unambiguously; None otherwise."""
    t = text or ""
    if crime in _AMOUNT_TIERS:
        return _amount_tier(crime, t)
    if crime == "故意伤害":
        if "死亡" in t or "六级" in t or "特别残忍" in t:
            return None
        if "重伤" in t:
            return 2
        if "轻伤" in t:
            return 1
        return None
    if crime == "交通肇事":
        if re.search(r"因逃逸致[^。；]{0,6}死亡", t):
            return 3
        if "逃逸" in t:
            return 2
        return 1
    if crime == "走私、贩卖、运输、制造毒品":
        return _drug_tier(t)
    if crime == "强奸":
        if re.search(r"轮奸|当众|三名|多名|重伤|死亡|不满十周岁", t):
            return 3
        if "幼女" in t or re.search(r"不满十四周岁", t):
            return 2
        return 1
    if crime == "寻衅滋事":
        return None if "纠集" in t else 1
    if crime in ("容留他人吸毒", "妨害公务"):
        return 1
    return None


def chosen_from_flags(flags: dict[str, bool]) -> list[str]:
    """Rule circumstances (each over its whole legal range) for the flags a record carries.

    Used by the back-test: 赔偿+谅解 → comp_forgiveness; surrender wins over confession and
    recidivism over a prior record (they exclude each other in the rules).
    """
    out = []
    if flags.get("c_accomplice"):
        out.append("accomplice")
    if flags.get("c_attempt"):
        out.append("attempt")
    if flags.get("c_surrender"):
        out.append("surrender")
    elif flags.get("c_confession"):
        out.append("confession")
    comp, forg = flags.get("c_compensation"), flags.get("c_forgiveness")
    if comp and forg:
        out.append("comp_forgiveness")
    elif comp:
        out.append("compensation")
    elif forg:
        out.append("forgiveness")
    if flags.get("c_plea"):
        out.append("plea")
    if flags.get("c_recidivist"):
        out.append("recidivist")
    elif flags.get("c_prior_record"):
        out.append("prior_record")
    return out

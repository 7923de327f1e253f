"""The bins in which actual sentences are shown beside the rule range (issue 4), and which bin a
sentence falls in. Shared by the query that counts them and the pages that grey the thin ones."""
from __future__ import annotations

# (code, zh, en), shortest first
BINS: tuple[tuple[str, str, str], ...] = (
    ("none", "未判处监禁刑", "none"), ("le6", "≤6个月", "≤6 months"), ("6_12", "6–12个月", "6–12 months"),
    ("1_3y", "1–3年", "1–3 years"), ("3_5y", "3–5年", "3–5 years"), ("5_10y", "5–10年", "5–10 years"),
    ("10y", "10年以上", "10 years+"), ("life", "无期徒刑", "life"), ("death", "死刑", "death"),
)
BIN_ORDER = {code: i for i, (code, _, _) in enumerate(BINS)}
SMALL_BIN = 5  # bins with fewer rows are greyed


def bin_of(months: float | None, life: bool, death: bool) -> str:
    """The bin of one sentence; upper bounds are inclusive (6 months is "≤6个月")."""
    if death:
        return "death"
    if life:
        return "life"
    m = months
    return ("none" if m == 0 else "le6" if m <= 6 else "6_12" if m <= 12 else "1_3y" if m <= 36
            else "3_5y" if m <= 60 else "5_10y" if m <= 120 else "10y")


# The kinds of sentence, as far as the data can tell them apart (sentencing_record holds a term in months,
# life, death, and a probation flag that only the synthetic rows record; CAIL2018 holds months, life,
# death and the fine). 拘役 runs 1–6 months and 有期徒刑 starts at 6 months (Criminal Law arts 42, 45), so
# a 6-month term can be either; a zero-month row is exemption, 管制 or a fine alone, which no source
# here distinguishes.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("none", "无监禁刑期（免予刑事处罚、管制或单处罚金等，数据不区分）", "no custodial term (exemption, surveillance or a fine alone; not told apart)"),
    ("suspended", "缓刑", "suspended sentence"),
    ("detention", "拘役（不满6个月）", "criminal detention (under 6 months)"),
    ("six", "6个月（拘役或有期徒刑，无法区分）", "6 months (detention or prison, not told apart)"),
    ("fixed", "有期徒刑（6个月以上）", "fixed-term imprisonment (over 6 months)"),
    ("life", "无期徒刑", "life imprisonment"),
    ("death", "死刑", "death"),
)
KIND_ORDER = {code: i for i, (code, _, _) in enumerate(KINDS)}
CUSTODIAL_KINDS = ("detention", "six", "fixed")  # the terms behind the term distribution and the median
TERM_BINS = tuple(b for b in BINS if b[0] not in ("none", "life", "death"))


def kind_of(months: float | None, life: bool, death: bool, probation: bool | None) -> str:
    """The kind of one sentence (the query computes the same in SQL)."""
    if death:
        return "death"
    if life:
        return "life"
    if months == 0:
        return "none"
    if probation:
        return "suspended"
    return "detention" if months < 6 else "six" if months == 6 else "fixed"

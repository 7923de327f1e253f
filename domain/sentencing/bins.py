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

"""The six case-quality indicators: what each one means, and a computed value that carries its
numerator, denominator and definition so a reader can check it (procuratorate.md §1.3).

Plain data: ``queries.cases`` computes them, the pages and the smart screen show them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """A case-quality indicator with everything needed to check it: numerator, denominator and
    the definition it was computed from (procuratorate.md §1.3)."""

    key: str
    name_zh: str
    name_en: str
    numerator: int
    denominator: int
    unit: str  # "%" (numerator / denominator × 100) or "1:x" (件 per 案)
    definition_zh: str
    definition_en: str
    lower_is_better: bool = False

    @property
    def value(self) -> float | None:
        """The rate (0–1) or, for 案件比, 件 per 案; None when the denominator is zero."""
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    def formatted(self) -> str:
        v = self.value
        if v is None:
            return "—"
        return f"1:{v:.2f}" if self.unit == "1:x" else f"{v * 100:.1f}%"


INDICATOR_DEFS: dict[str, tuple[str, str, str, str, str, bool]] = {
    # key: (name_zh, name_en, unit, definition_zh, definition_en, lower_is_better)
    "plea": ("认罪认罚适用率", "Plea-leniency rate", "%",
             "本期审查起诉审结（作出起诉或不起诉决定）的案件中适用认罪认罚的犯罪嫌疑人数 ÷ 本期审查起诉审结的犯罪嫌疑人总数（按案件嫌疑人数计人）",
             "Suspects whose prosecution review concluded in the period with plea leniency ÷ all suspects "
             "whose prosecution review concluded in the period (each case weighted by its suspects)", False),
    "detention": ("诉前羁押率", "Pre-trial detention rate", "%",
                  "本期审查起诉审结的犯罪嫌疑人中曾被批准逮捕的人数 ÷ 本期起诉人数与不起诉人数之和",
                  "Suspects concluded in the period who had been arrested (approved) ÷ people prosecuted "
                  "plus people not prosecuted in the period", True),
    "non_arrest": ("不捕率", "Non-arrest rate", "%",
                   "本期审查逮捕审结中不批准逮捕的人数 ÷ 本期审查逮捕审结人数",
                   "People not arrested ÷ people whose arrest review concluded in the period", False),
    "non_prosecution": ("不诉率", "Non-prosecution rate", "%",
                        "本期不起诉人数 ÷（本期起诉人数 + 不起诉人数）",
                        "People not prosecuted ÷ (people prosecuted + people not prosecuted) in the period",
                        False),
    "adoption": ("量刑建议采纳率", "Sentencing-recommendation adoption rate", "%",
                 "本期法院判决的提出量刑建议的案件中建议被采纳的件数 ÷ 本期法院判决且提出量刑建议的件数（按件计）",
                 "Cases judged in the period whose sentencing recommendation the court adopted ÷ cases "
                 "judged in the period in which a recommendation was made (counted per case)", False),
    "case_matter": ("案件比", "Case-to-matter ratio", "1:x",
                    "件 ÷ 案。案 = 本期受理审查逮捕案件数 + 受理审查起诉案件数 − 受理审查起诉中已批准逮捕的案件数；"
                    "件 = 案 + 本期退回补充侦查、延长审查起诉期限、上诉等非必经程序环节数。理想值 1:1，越低越好",
                    "Matters ÷ cases. Cases = arrest reviews accepted + prosecution reviews accepted − "
                    "prosecution reviews of already-arrested suspects, in the period; matters = cases + "
                    "non-routine procedural steps in the period (returns for investigation, extensions, "
                    "appeals). Ideal 1:1; lower is better", True),
}
INDICATOR_ORDER: tuple[str, ...] = tuple(INDICATOR_DEFS)

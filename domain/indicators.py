"""The case-quality indicators (检察机关案件质量主要评价指标), each defined once, as data: what is counted
above and below the line, which date puts a person in the period, where the definition comes from
and how sure we are of it (shared/domain/procuratorate.md §1.3).

The SPP counts persons (犯罪嫌疑人), not cases: every person-based figure here is counted from the
per-suspect record (``queries.schema.Suspect``, vocabulary in ``domain.procedure``), one row per
person. Only 案件比 counts cases (案) and procedural steps (件).

Plain data: ``queries.cases`` computes the counts, the dashboard and the smart screen show them with
their definition and source, the README's indicator table is ``markdown_table()`` (a test keeps the
two the same: ``python -m domain.indicators`` prints it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.cases import MATTER_EVENTS, MATTER_EVENTS_SOURCE
from domain.procedure import (APPROVED, ARREST_DECISIONS, DECIDED, NOT_APPROVED, NOT_DECIDED, NOT_PROSECUTE,
                              PROSECUTE, REC_FIXED)

# Confidence labels, as in the domain notes: CONFIRMED = the ratio is read in the cited source(s);
# UNCONFIRMED = part of the definition is this product's reading (the note says which part).
CONFIRMED, UNCONFIRMED = "CONFIRMED", "UNCONFIRMED"


@dataclass(frozen=True)
class Definition:
    """One indicator's written definition: the pandas check in tests/test_indicator_honesty.py is
    computed from these words, and the query must agree with it."""

    key: str
    name_zh: str
    name_en: str
    numerator_zh: str
    numerator_en: str
    denominator_zh: str
    denominator_en: str
    unit: str  # "%" (numerator / denominator × 100) or "1:x" (件 per 案)
    period_zh: str  # which date puts a person (or a case, a step) in the period
    period_en: str
    source: tuple[str, ...]  # documents / pages the definition is taken from
    confidence: str  # CONFIRMED / UNCONFIRMED
    lower_is_better: bool = False
    note_zh: str = ""
    note_en: str = ""
    short_zh: str = ""  # one line for the smart screen
    short_en: str = ""

    @property
    def definition_zh(self) -> str:
        note = f"{self.note_zh}。" if self.note_zh else ""
        return f"{self.numerator_zh} ÷ {self.denominator_zh}。{self.period_zh}。{note}"

    @property
    def definition_en(self) -> str:
        note = f" {self.note_en}." if self.note_en else ""
        return f"{self.numerator_en} ÷ {self.denominator_en}. {self.period_en}.{note}"

    @property
    def source_text(self) -> str:
        return "; ".join(self.source)

    def source_hosts(self) -> tuple[str, ...]:
        """The sites the sources are on, in order, each once (one short line on the smart screen)."""
        hosts = re.findall(r"[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(?=/)", " ".join(self.source))
        return tuple(dict.fromkeys(hosts))


@dataclass(frozen=True)
class Indicator:
    """A computed indicator with everything needed to check it: numerator, denominator and the
    definition (with its source) it was computed from."""

    definition: Definition
    numerator: int
    denominator: int

    key = property(lambda self: self.definition.key)
    name_zh = property(lambda self: self.definition.name_zh)
    name_en = property(lambda self: self.definition.name_en)
    unit = property(lambda self: self.definition.unit)
    definition_zh = property(lambda self: self.definition.definition_zh)
    definition_en = property(lambda self: self.definition.definition_en)
    source = property(lambda self: self.definition.source_text)
    confidence = property(lambda self: self.definition.confidence)
    lower_is_better = property(lambda self: self.definition.lower_is_better)

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


_ARREST_DATE_ZH = "按作出逮捕决定的日期计入期间"
_ARREST_DATE_EN = "Counted in the period by the date of the arrest decision"
_PROS_DATE_ZH = "按作出起诉或不起诉决定的日期计入期间"
_PROS_DATE_EN = "Counted in the period by the date of the prosecution decision (起诉 or 不起诉)"
_CITITIC = "cititic.com/news/mm/1725543-20220731.htm（全国2022年上半年）"
_CJCN = "te.cjcn.com/te/20230427/042739626.html（全国2023年一季度）"
_CNR = "cnr.cn/newscenter/dj/20201208/t20201208_525355987.shtml"
_HUANQIU = "lianghui.huanqiu.com/article/42DtFsRzF4G"

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "non_arrest", "不捕率", "Non-arrest rate",
        f"{NOT_APPROVED}、{NOT_DECIDED}的犯罪嫌疑人人数",
        f"persons not arrested ({NOT_APPROVED} + {NOT_DECIDED})",
        f"审查逮捕审结人数（{'、'.join(ARREST_DECISIONS)}四种决定之和）",
        f"persons whose arrest review concluded (all four decisions: {', '.join(ARREST_DECISIONS)})",
        "%", _ARREST_DATE_ZH, _ARREST_DATE_EN,
        ("不批捕人数 ÷ 审查逮捕审结人数：szcs.jsjc.gov.cn/jianwu/baxiang/202212/t20221221_1466182.shtml"
         "（常熟2022年三季度 48/235 = 20.43%）", _CITITIC, _CJCN),
        CONFIRMED,
        note_zh=f"“不批捕”含检察机关自行决定的{NOT_DECIDED}（本系统口径）",
        note_en=f"\"Not arrested\" includes the procuratorate's own {NOT_DECIDED} (this product's reading)",
        short_zh="不批准逮捕+不予逮捕 ÷ 审查逮捕审结（人）", short_en="not arrested ÷ arrest reviews concluded (persons)"),
    Definition(
        "detention", "诉前羁押率", "Pre-trial detention rate",
        f"{APPROVED}、{DECIDED}的人数（{_ARREST_DATE_ZH}）",
        f"persons {APPROVED} or {DECIDED} (by the date of the arrest decision)",
        f"{PROSECUTE}人数 + {NOT_PROSECUTE}人数（{_PROS_DATE_ZH}）",
        f"persons prosecuted + persons not prosecuted (by the date of the prosecution decision)",
        "%", "分子、分母各按本身的日期计入期间", "Numerator and denominator each by their own date",
        ("全国 54.9%（2018）→ 42.7%（2021）→ 32.7%（2022年6月）：fx361.cc/page/2023/1110/22877192.shtml（孙长永）",
         "m.ccschy.com/news/112447.html", "tz.gqsoso.com/tz/20230301/729045.html"),
        CONFIRMED, lower_is_better=True,
        note_zh="分子、分母是不同的人群，范围小、期间短时比值可能超过100%",
        note_en="The two counts are different people: in a small scope or a short period the ratio can exceed 100%",
        short_zh="批准+决定逮捕 ÷ 起诉+不起诉（人）", short_en="arrested ÷ prosecuted + not prosecuted (persons)"),
    Definition(
        "non_prosecution", "不诉率", "Non-prosecution rate",
        f"{NOT_PROSECUTE}人数", "persons not prosecuted",
        f"{PROSECUTE}人数 + {NOT_PROSECUTE}人数", "persons prosecuted + persons not prosecuted",
        "%", _PROS_DATE_ZH, _PROS_DATE_EN,
        ("全国2022年上半年 20.9 ÷ (68.1 + 20.9) = 23.5%：" + _CITITIC, _CJCN),
        CONFIRMED,
        short_zh="不起诉 ÷ 起诉+不起诉（人）", short_en="not prosecuted ÷ prosecuted + not prosecuted (persons)"),
    Definition(
        "non_pros_after_arrest", "捕后不诉率", "Non-prosecution after arrest",
        f"在本案中被{APPROVED}或{DECIDED}、审查起诉决定{NOT_PROSECUTE}的人数",
        f"persons {APPROVED} or {DECIDED} in the case whom the prosecution review did not prosecute",
        f"在本案中被{APPROVED}或{DECIDED}、审查起诉审结（{PROSECUTE}或{NOT_PROSECUTE}）的人数（不是逮捕人数）",
        f"persons {APPROVED} or {DECIDED} in the case whose prosecution review concluded "
        f"({PROSECUTE} or {NOT_PROSECUTE}; not all persons arrested)",
        "%", _PROS_DATE_ZH, _PROS_DATE_EN,
        ("董坤，检察日报，转载于 cslai.org/wenyikeyan/zhuanjia/20201125/19448.html",),
        CONFIRMED, lower_is_better=True,
        short_zh="逮捕后不起诉 ÷ 逮捕后审查起诉审结（人）", short_en="arrested, not prosecuted ÷ arrested, review concluded (persons)"),
    Definition(
        "plea", "认罪认罚适用率", "Plea-leniency rate",
        "审查起诉审结时适用认罪认罚的人数", "persons whose prosecution review concluded with a plea (认罪认罚)",
        f"审查起诉审结人数（{PROSECUTE} + {NOT_PROSECUTE}）",
        f"all persons whose prosecution review concluded ({PROSECUTE} + {NOT_PROSECUTE})",
        "%", _PROS_DATE_ZH, _PROS_DATE_EN,
        ("认罪认罚从宽制度适用人数 ÷ 同期审结刑事案件总人数：" + _CNR, _HUANQIU),
        CONFIRMED,
        note_zh="“审结”指审查起诉作出起诉或不起诉决定（本系统口径）",
        note_en="\"Concluded\" read as the prosecution review's decision to prosecute or not (this product's reading)",
        short_zh="认罪认罚 ÷ 审查起诉审结（人）", short_en="plea ÷ prosecution reviews concluded (persons)"),
    Definition(
        "adoption", "确定刑量刑建议采纳率", "Determinate-sentence adoption rate",
        "分母所列被告人中法院采纳其量刑建议的人数", "persons in the denominator whose recommendation the court adopted",
        f"本期法院判决、适用认罪认罚且检察机关提出{REC_FIXED}量刑建议的被告人人数",
        f"persons judged who pleaded (认罪认罚) and had a {REC_FIXED} (determinate) sentencing recommendation",
        "%", "按法院判决日期计入期间", "Counted in the period by the date of the judgment",
        ("量刑建议采纳率 = 法院采纳数 ÷ 法院审结的提出量刑建议的认罪认罚案件：" + _CNR, _HUANQIU,
         "xuhuinews.com/news.php?id=5535",
         "“一般应当提出确定刑”：victorzhang.cn/page/2022/0809/10636012.shtml"),
        UNCONFIRMED,
        note_zh=f"限于{REC_FIXED}、按人计，是本系统据政策的口径，最高检的原文未能核实",
        note_en=f"Restricting it to {REC_FIXED} and counting persons is this product's reading of the policy; "
                "the SPP's own wording could not be verified",
        short_zh="采纳 ÷ 认罪认罚、确定刑建议的判决（人）",
        short_en="adopted ÷ judged with plea and a determinate recommendation (persons)"),
    Definition(
        "case_matter", "案件比", "Case-to-matter ratio",
        f"件 = 案 + 本期发生的{len(MATTER_EVENTS)}种程序性“件”（{'、'.join(MATTER_EVENTS)}）",
        f"matters (件) = cases (案) + the {len(MATTER_EVENTS)} kinds of procedural step in the period "
        f"({', '.join(MATTER_EVENTS)})",
        f"案 = 本期受理审查逮捕案件数 + 受理审查起诉案件数 − 受理审查起诉时已有犯罪嫌疑人被{APPROVED}或{DECIDED}的案件数",
        "cases (案) = arrest-review cases accepted + prosecution-review cases accepted − prosecution-review "
        f"cases in which a suspect had already been {APPROVED} or {DECIDED} when it was accepted",
        "1:x", "案按受理审查逮捕、受理审查起诉的日期，件按程序环节发生的日期计入期间",
        "Cases by the date the arrest or prosecution review was accepted; steps by the date they occurred",
        ("workercn.cn/32935/202004/28/200428145520122_2.shtml", "victorzhang.cn/page/2021/0129/16083510.shtml",
         MATTER_EVENTS_SOURCE),
        UNCONFIRMED, lower_is_better=True,
        note_zh="理想值1:1，越低越好；16种“件”的清单为本系统重构（见来源）",
        note_en="Ideal 1:1, lower is better; the list of 16 kinds of 件 is reconstructed (see the source)",
        short_zh="（案 + 16种程序件）÷ 案", short_en="(cases + 16 kinds of step) ÷ cases"),
)

INDICATOR_DEFS: dict[str, Definition] = {d.key: d for d in DEFINITIONS}
INDICATOR_ORDER: tuple[str, ...] = tuple(INDICATOR_DEFS)


def markdown_table() -> str:
    """The README's indicator table, from the definitions above."""
    rows = ["| indicator | numerator | denominator | unit | in the period by | source | confidence |",
            "|---|---|---|---|---|---|---|"]
    for d in DEFINITIONS:
        cells = (f"{d.name_zh} {d.name_en}", d.numerator_en, d.denominator_en,
                 "件 per 案 (1:x)" if d.unit == "1:x" else "%", d.period_en + (f". {d.note_en}" if d.note_en else ""),
                 d.source_text, d.confidence)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())

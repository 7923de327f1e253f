"""The printable 量刑计算说明: inputs, every step with its citation and label, rule-set version, time.

PDF via ReportLab with the bundled CJK font (apps/static/NotoSansSC-Subset.ttf), so it prints the same
on an offline machine. Pure rendering: the page records the audit entry.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from xml.sax.saxutils import escape

from domain.sentencing import CIRCUMSTANCES_BY_KEY, CRIMES_BY_NAME, Result
from domain.sentencing.guideline import LABELS_ZH
from domain.sentencing.liability import AGE_ZH, CONFIRM_TEXT

FONT_PATH = Path(__file__).resolve().parent.parent / "apps" / "static" / "NotoSansSC-Subset.ttf"
FONT = "NotoSansSC"
DISCLAIMER = ("本说明按《关于常见犯罪的量刑指导意见（试行）》（法发〔2021〕21号）的步骤计算，给出的是幅度而非确定刑期；"
              "各省实施细则可能收窄幅度，实际判决由人民法院依法综合全案作出。标注“单一来源”“未核实”“地方细则”“地方做法”“解释”的数字须核对官方文本后方可作为法律依据。")


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH)))


def _t(s: str) -> str:
    """Escape for ReportLab paragraphs; the subset font has no U+2212, so use a hyphen-minus."""
    return escape(str(s).replace("−", "-"))


def _m(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _pct(p) -> str:
    sign = "+" if p.direction > 0 else "-"
    if p.is_point:
        return f"点值 {sign}{_m(p.lo)}%"
    return f"幅度 {sign}{_m(p.lo)}–{_m(p.hi)}%" + ("，未选定比例，按法定幅度" if p.kind == "legal_range" else "，用户选定")


def _r(lo: float, hi: float) -> str:
    return _m(lo) if abs(hi - lo) < 1e-9 else f"{_m(lo)}–{_m(hi)}"


def reasoning_pdf(res: Result, *, when: dt.datetime, real_summary: str = "", prepared_by: str = "") -> bytes:
    _register()
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("b", fontName=FONT, fontSize=9.5, leading=14)
    small = ParagraphStyle("s", parent=body, fontSize=8, leading=11)
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=3)
    P = lambda s, st=body: Paragraph(_t(s), st)  # noqa: E731

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title="量刑计算说明", author="检察工作台 · 智能量刑尺")
    story = [P("量刑计算说明", h1),
             P(f"生成时间：{when:%Y-%m-%d %H:%M:%S}　　规则版本：{res.ruleset}" + (f"　　导出人：{prepared_by}" if prepared_by else ""), small),
             Spacer(1, 4)]
    cr = CRIMES_BY_NAME.get(res.crime)
    story.append(P("一、输入", h2))
    inp = dict(res.inputs)
    names = [f"{p.name_zh}（{_pct(p)}）" for p in res.pcts]
    if not names:  # refused before the circumstances were read: list what was entered
        for part in (inp.get("circumstances") or "—").split(", "):
            k, _, v = part.partition("=")
            c = CIRCUMSTANCES_BY_KEY.get(k)
            names.append(f"{c.name_zh}（{'未选定比例，按法定幅度' if v == 'legal range' else v + '%'}）" if c else part)
    rows = [["罪名", res.crime + ("" if cr is None else f"（量刑指导意见 四({cr.no})）")],
            ["量刑起点档次", "—" if res.tier is None else f"第{res.tier}档" + (
                f"：{cr.tier_of(res.tier).condition_zh}" if cr and cr.tier_of(res.tier) else "")],
            ["选定起点", inp.get("start", "—")], ["增加刑罚量（月）", inp.get("extra_months", "0")],
            ["量刑情节（点值/幅度）", "；".join(names)],
            ["行为时年龄", AGE_ZH.get(inp.get("age", ""), "未说明")],
            ["用户确认", "；".join(CONFIRM_TEXT[k][0] for k in inp.get("confirmations", "—").split(", ") if k in CONFIRM_TEXT)
             or "—"],
            ["其他", f"犯罪较轻={inp.get('minor_crime')}；数罪={inp.get('several_crimes')}；拟判无期以上={inp.get('life_or_death')}"]]
    story.append(_table([[P(a), P(b)] for a, b in rows], [32 * mm, 146 * mm], Table, TableStyle, colors))

    story.append(P("二、计算步骤", h2))
    if res.ok:
        head = [P(x, small) for x in ("步骤", "输入（月）", "结果（月）", "计算", "依据", "可信度")]
        data = [head] + [[P(s.title_zh, small), P("" if s.lo_in is None else _r(s.lo_in, s.hi_in), small),
                          P(_r(s.lo, s.hi), small), P(s.detail_zh, small), P(s.citation, small),
                          P(LABELS_ZH.get(s.label, s.label), small)] for s in res.steps]
        story.append(_table(data, [24 * mm, 18 * mm, 18 * mm, 52 * mm, 50 * mm, 16 * mm], Table, TableStyle, colors,
                            header=True))
        story.append(Spacer(1, 4))
        story.append(P(f"结论：规则计算幅度 {_r(*res.range)} 个月〔{LABELS_ZH.get(res.label, res.label)}〕；"
                       f"法官综合考量 ±20% 后 {_r(*res.band)} 个月〔{LABELS_ZH.get(res.band_label, res.band_label)}〕；"
                       f"法定刑幅度 {_r(*res.statutory)} 个月〔已核实〕。每个数字的可信度取其所依赖的最弱一步。"))
    else:
        story.append(P("不作步骤计算，原因如下："))
    if res.notices:
        story.append(P("三、提示与拒绝计算的理由", h2))
        for n in res.notices:
            story.append(P(("【拒绝】" if n.level == "refusal" else "【注意】" if n.level == "warning" else "【说明】") + n.zh
                           + (f"（依据：{n.article}）" if n.level == "refusal" and n.article else "")))
    if real_summary:
        story.append(P("四、实际判决（与规则结果分列，未混合）", h2))
        story.append(P(real_summary))
    if cr is not None:
        r = cr.reference
        story.append(P("五、法律依据", h2))
        story.append(P(f"刑法条文：{r.article}；数额/情节标准：{r.thresholds_zh}（{LABELS_ZH.get(r.thresholds_label)}）；"
                       f"司法解释：{r.interpretation}" + (f"；指导性案例：{'；'.join(r.guiding_cases)}" if r.guiding_cases else "")))
    story.append(Spacer(1, 8))
    story.append(P(DISCLAIMER, small))
    doc.build(story)
    return buf.getvalue()


def _table(data, widths, Table, TableStyle, colors, header=False):
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")))
    t.setStyle(TableStyle(style))
    return t

"""Altair charts of the sentencing ruler: the ruler, kinds of real sentence and custodial terms, yearly
trend, waterfall. Every rule number carries its confidence label; real data is one source per chart."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.i18n import lang, tr
from domain.sentencing import Result
from domain.sentencing.bins import KINDS, TERM_BINS
from domain.sentencing.guideline import CONFIRMED, LABELS_ZH

RULE = "#1f4e9c"
BAND = "#9dbbe8"
STAT = "#d9d9d9"
DOWN = "#2e8b57"
UP = "#c0392b"
GREY = "#b0b0b0"
SOURCE_COLORS = {"CAIL2018": "#1f4e9c", "synthetic": "#e08a2c"}


def _m(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _pc(p: float) -> str:
    """A signed percentage without "-0"."""
    p = round(p, 1)
    return "0" if p == 0 else f"{p:+g}".replace("-", "−")


def _lab(label: str) -> str:
    return f"[{LABELS_ZH.get(label, label)}]" if lang() == "zh" else f"[{label}]"


def ruler(res: Result) -> alt.Chart:
    """The recommended range on a month scale, the statutory bracket behind it, the ±20 % band marked;
    each layer named with the label of its weakest step."""
    stat = res.statutory
    rows = [dict(layer=tr("法定刑幅度", "Statutory bracket") + " " + _lab(CONFIRMED), lo=stat[0], hi=stat[1], size=38,
                 color=STAT, z=0, tag=CONFIRMED)]
    if res.ok:
        rows += [dict(layer=tr("法官 ±20% 幅度", "Judge's ±20 % band") + " " + _lab(res.band_label), lo=res.band[0],
                      hi=res.band[1], size=24, color=BAND, z=1, tag=res.band_label),
                 dict(layer=tr("规则计算幅度", "Rule range") + " " + _lab(res.label), lo=res.range[0], hi=res.range[1],
                      size=12, color=RULE, z=2, tag=res.label)]
    df = pd.DataFrame(rows)
    df["label"] = df.apply(lambda r: (f"{_m(r.lo)}–{_m(r.hi)}" if abs(r.hi - r.lo) > 1e-9 else _m(r.lo))
                           + " " + _lab(r.tag), axis=1)
    df["row"] = tr("月", "months")
    top = max(df.hi.max() * 1.08, 12)
    x = alt.X("lo:Q", title=tr("刑期（月）", "Sentence (months)"), scale=alt.Scale(domain=[0, top], nice=False))
    bars = alt.Chart(df).mark_bar(cornerRadius=3).encode(
        x=x, x2="hi:Q", y=alt.Y("row:N", title=None, axis=None),
        size=alt.Size("size:Q", legend=None, scale=None),
        color=alt.Color("layer:N", scale=alt.Scale(domain=list(df.layer), range=list(df.color)),
                        legend=alt.Legend(orient="bottom", title=None, labelLimit=320)),
        order="z:Q", tooltip=[alt.Tooltip("layer:N", title=tr("层", "Layer")), alt.Tooltip("label:N", title=tr("月", "Months"))],
    )
    rule_rows = df[df.z == 2] if res.ok else df
    labels = alt.Chart(rule_rows).mark_text(dy=-26, fontSize=13, fontWeight="bold", color=RULE).encode(
        x=alt.X("mid:Q"), y="row:N", text="label:N").transform_calculate(mid="(datum.lo + datum.hi) / 2")
    years = pd.DataFrame({"m": [m for m in range(12, int(top) + 1, 12)]})
    ticks = alt.Chart(years).mark_rule(strokeDash=[2, 3], color="#888").encode(x="m:Q")
    return (ticks + bars + labels).properties(height=110)


KIND_SHORT = {"none": ("无监禁刑期", "no custodial term"), "suspended": ("缓刑", "suspended"),
              "detention": ("拘役", "detention"), "six": ("6个月（不明）", "6 months (either)"),
              "fixed": ("有期徒刑", "prison"), "life": ("无期徒刑", "life"), "death": ("死刑", "death")}


def kind_bars(kinds: tuple[tuple[str, int], ...]) -> alt.Chart:
    """How many judgments of each kind of sentence (one source): the mix beside the custodial terms.
    Short names on the axis; the full meaning of each kind is in the tooltip and the page's caption."""
    names = {c: tr(*KIND_SHORT[c]) for c, _, _ in KINDS}
    full = {c: (zh if lang() == "zh" else en) for c, zh, en in KINDS}
    df = pd.DataFrame([dict(code=c, kind=names[c], meaning=full[c], n=n) for c, n in kinds])
    total = max(int(df["n"].sum()), 1)
    df["share"] = (df["n"] / total).map(lambda x: f"{x:.0%}")
    df["custodial"] = df["code"].isin(("detention", "six", "fixed"))
    order = [names[c] for c, _, _ in KINDS]
    base = alt.Chart(df).encode(y=alt.Y("kind:N", sort=order, title=None, axis=alt.Axis(labelLimit=160, labelOverlap=False)),
                                x=alt.X("n:Q", title=tr("判决数", "Judgments")))
    bars = base.mark_bar().encode(
        color=alt.condition("datum.custodial", alt.value(RULE), alt.value(GREY)),
        tooltip=[alt.Tooltip("meaning:N", title=tr("刑种", "Kind")), alt.Tooltip("n:Q", title="n"),
                 alt.Tooltip("share:N", title=tr("占比", "Share"))])
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(text=alt.Text("share:N"))
    return (bars + text).properties(height=alt.Step(24))


def term_bars(terms: tuple[tuple[str, int], ...], small: int) -> alt.Chart:
    """Terms of the custodial sentences only (拘役 and 有期徒刑 imposed), in the issue's bins; thin bins grey."""
    names = {c: (zh if lang() == "zh" else en) for c, zh, en in TERM_BINS}
    df = pd.DataFrame([dict(code=c, label=names[c], n=n) for c, n in terms])
    df["small"] = df["n"] < small
    order = [names[c] for c, _, _ in TERM_BINS]
    base = alt.Chart(df).encode(
        x=alt.X("label:N", sort=order, title=tr("刑期（仅实际执行的拘役、有期徒刑）", "Term (custodial only)"),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=tr("判决数", "Judgments")),
        tooltip=[alt.Tooltip("label:N", title=tr("刑期", "Term")), alt.Tooltip("n:Q", title="n")])
    bars = base.mark_bar().encode(color=alt.condition("datum.small", alt.value(GREY), alt.value(RULE)))
    text = base.mark_text(dy=-7, fontSize=11).encode(text="n:Q")
    return (bars + text).properties(height=240)


def trend_chart(df: pd.DataFrame) -> alt.Chart:
    """Median with the quartile band by judgment year."""
    d = df.copy()
    d["year"] = d["year"].astype(str)
    base = alt.Chart(d).encode(x=alt.X("year:O", title=tr("判决年份", "Judgment year"), axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.25, color=RULE).encode(
        y=alt.Y("p25:Q", title=tr("刑期（月）", "Months")), y2="p75:Q")
    line = base.mark_line(point=True, color=RULE).encode(
        y="median:Q", tooltip=[alt.Tooltip("year:O", title=tr("年份", "Year")), alt.Tooltip("n:Q", title="n"),
                               alt.Tooltip("p25:Q", title="P25"), alt.Tooltip("median:Q", title=tr("中位数", "Median")),
                               alt.Tooltip("p75:Q", title="P75")])
    n = base.mark_text(dy=-10, fontSize=10, color="#555").encode(y="p75:Q", text=alt.Text("n:Q", format="d"))
    return (band + line + n).properties(height=220)


def waterfall(res: Result) -> alt.Chart:
    """How each chosen circumstance moves the lower and upper bound, in tier order."""
    rows = []
    lo, hi = res.base
    base_name = tr("基准刑", "Base")
    rows += [dict(step=base_name, bound=tr("下限", "lower"), start=0, end=lo, kind="base"),
             dict(step=base_name, bound=tr("上限", "upper"), start=0, end=hi, kind="base")]
    for e in res.effects:
        name = (e.name_zh if lang() == "zh" else e.name_en)
        if e.tier in (1, 2):
            a, b = sorted(e.pct)
            if e.tier == 2 and abs(a) < 1e-9 and abs(b) < 1e-9 and abs(e.d_lo) < 1e-9 and abs(e.d_hi) < 1e-9:
                name = f"{name}（{tr('不计', 'not counted')}）"  # absorbed or merged: not counted again
            else:
                name = f"{name}（{_pc(a)}%）" if abs(b - a) < 1e-9 else f"{name}（{_pc(a)}…{_pc(b)}%）"
        for bound, cur, d in ((tr("下限", "lower"), lo, e.d_lo), (tr("上限", "upper"), hi, e.d_hi)):
            rows.append(dict(step=name, bound=bound, start=cur, end=cur + d,
                             kind="down" if d < -1e-9 else "up" if d > 1e-9 else "none"))
        lo, hi = lo + e.d_lo, hi + e.d_hi
    res_name = tr("调节结果", "Result") + " " + _lab(res.label)
    rows += [dict(step=res_name, bound=tr("下限", "lower"), start=0, end=res.range[0], kind="result"),
             dict(step=res_name, bound=tr("上限", "upper"), start=0, end=res.range[1], kind="result")]
    df = pd.DataFrame(rows)
    df["delta"] = (df["end"] - df["start"]).round(2)
    order = list(dict.fromkeys(df["step"]))
    kinds = ["base", "down", "up", "none", "result"]
    names = [tr("起点", "start"), tr("降低", "lowers"), tr("提高", "raises"), tr("不计（被吸收）", "not counted"),
             tr("结果", "result")]
    df["kind_label"] = df["kind"].map(dict(zip(kinds, names)))
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("step:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=200, labelOverlap=False, labelFontSize=11)),
        xOffset=alt.XOffset("bound:N", sort=[tr("下限", "lower"), tr("上限", "upper")]),
        y=alt.Y("start:Q", title=tr("刑期（月）", "Months")), y2="end:Q",
        color=alt.Color("kind_label:N", scale=alt.Scale(domain=names, range=[GREY, DOWN, UP, "#dddddd", RULE]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("step:N", title=tr("步骤", "Step")), alt.Tooltip("bound:N", title=tr("边界", "Bound")),
                 alt.Tooltip("delta:Q", title=tr("变化（月）", "Change (months)"))],
    ).properties(height=280)

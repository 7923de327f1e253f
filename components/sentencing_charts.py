"""Altair charts of the sentencing ruler: the ruler, real sentences by bin, yearly trend, waterfall."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.i18n import lang, tr
from domain.sentencing import Result

RULE = "#1f4e9c"
BAND = "#9dbbe8"
STAT = "#d9d9d9"
DOWN = "#2e8b57"
UP = "#c0392b"
GREY = "#b0b0b0"
SOURCE_COLORS = {"CAIL2018": "#1f4e9c", "synthetic": "#e08a2c"}


def _m(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def ruler(res: Result) -> alt.Chart:
    """The recommended range on a month scale, the statutory bracket behind it, the ±20 % band marked."""
    stat = res.statutory
    rows = [dict(layer=tr("法定刑幅度", "Statutory bracket"), lo=stat[0], hi=stat[1], size=38, color=STAT, z=0)]
    if res.ok:
        rows += [dict(layer=tr("法官 ±20% 幅度", "Judge's ±20 % band"), lo=res.band[0], hi=res.band[1], size=24,
                      color=BAND, z=1),
                 dict(layer=tr("规则计算幅度", "Rule range"), lo=res.range[0], hi=res.range[1], size=12, color=RULE,
                      z=2)]
    df = pd.DataFrame(rows)
    df["label"] = df.apply(lambda r: f"{_m(r.lo)}–{_m(r.hi)}" if abs(r.hi - r.lo) > 1e-9 else _m(r.lo), axis=1)
    df["row"] = tr("月", "months")
    top = max(df.hi.max() * 1.08, 12)
    x = alt.X("lo:Q", title=tr("刑期（月）", "Sentence (months)"), scale=alt.Scale(domain=[0, top], nice=False))
    bars = alt.Chart(df).mark_bar(cornerRadius=3).encode(
        x=x, x2="hi:Q", y=alt.Y("row:N", title=None, axis=None),
        size=alt.Size("size:Q", legend=None, scale=None),
        color=alt.Color("layer:N", scale=alt.Scale(domain=list(df.layer), range=list(df.color)),
                        legend=alt.Legend(orient="bottom", title=None)),
        order="z:Q", tooltip=[alt.Tooltip("layer:N", title=tr("层", "Layer")), alt.Tooltip("label:N", title=tr("月", "Months"))],
    )
    rule_rows = df[df.z == 2] if res.ok else df
    labels = alt.Chart(rule_rows).mark_text(dy=-26, fontSize=13, fontWeight="bold", color=RULE).encode(
        x=alt.X("mid:Q"), y="row:N", text="label:N").transform_calculate(mid="(datum.lo + datum.hi) / 2")
    years = pd.DataFrame({"m": [m for m in range(12, int(top) + 1, 12)]})
    ticks = alt.Chart(years).mark_rule(strokeDash=[2, 3], color="#888").encode(x="m:Q")
    return (ticks + bars + labels).properties(height=110)


def distribution_bars(bins: pd.DataFrame, small: int, by_source: bool) -> alt.Chart:
    """Actual sentences in the issue's bins; bins with fewer than ``small`` rows are greyed."""
    df = bins.copy()
    df["label"] = df["label_zh"] if lang() == "zh" else df["label_en"]
    tot = df.groupby("code")["n"].transform("sum")
    df["small"] = tot < small
    df["src"] = df["source"].map({"CAIL2018": tr("CAIL2018 真实判决", "CAIL2018 real"),
                                  "synthetic": tr("合成样例（已校准）", "Synthetic (calibrated)")})
    order = list(df.sort_values("order")["label"].drop_duplicates())
    base = alt.Chart(df).encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("n:Q", title=tr("判决数", "Judgments")),
        tooltip=[alt.Tooltip("label:N", title=tr("刑期", "Sentence")), alt.Tooltip("src:N", title=tr("来源", "Source")),
                 alt.Tooltip("n:Q", title="n")],
    )
    if by_source:
        bars = base.mark_bar().encode(
            color=alt.Color("src:N", title=None, legend=alt.Legend(orient="bottom")),
            opacity=alt.condition("datum.small", alt.value(0.3), alt.value(1.0)))
    else:
        bars = base.mark_bar().encode(color=alt.condition("datum.small", alt.value(GREY), alt.value(RULE)))
    text = alt.Chart(df.groupby(["code", "label"], as_index=False)["n"].sum()).mark_text(dy=-7, fontSize=11).encode(
        x=alt.X("label:N", sort=order), y="n:Q", text="n:Q")
    return (bars + text).properties(height=260)


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
        name = f"{name}（{'%+g' % e.pct}%）" if e.tier in (1, 2) else name
        for bound, cur, d in ((tr("下限", "lower"), lo, e.d_lo), (tr("上限", "upper"), hi, e.d_hi)):
            rows.append(dict(step=name, bound=bound, start=cur, end=cur + d,
                             kind="down" if d < -1e-9 else "up" if d > 1e-9 else "none"))
        lo, hi = lo + e.d_lo, hi + e.d_hi
    res_name = tr("调节结果", "Result")
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

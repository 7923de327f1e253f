"""Charts and tables for the river pages: indicator history against class bands, a case
timeline, and lists with overdue / due-soon rows highlighted."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.i18n import lang, tr
from domain.water import (
    CLASS_COLORS, CLASS_LABELS, CLASS_LABELS_EN, INDICATOR_NAMES, INDICATOR_NAMES_EN, LIMITS,
    MINIMUM_INDICATORS,
)


def _hex(c: int) -> str:
    r, g, b = CLASS_COLORS[c]
    return f"#{r:02x}{g:02x}{b:02x}"


def _lab(c: int) -> str:
    return CLASS_LABELS[c] if lang() == "zh" else f"Class {CLASS_LABELS_EN[c]}"


def class_bands(indicator: str, top: float) -> pd.DataFrame:
    """The class bands of one indicator as (y0, y1, class) rows; empty bands (COD and BOD5 share
    the Class I and II limits) are left out."""
    lim = LIMITS[indicator]
    rows = []
    if indicator in MINIMUM_INDICATORS:
        edges = [max(top, lim[0] * 1.2), *lim, 0.0]
        for k in range(6):
            hi, lo = edges[k], edges[k + 1]
            if hi > lo:
                rows.append((lo, hi, k + 1))
    else:
        edges = [0.0, *lim, max(top, lim[4] * 1.2)]
        for k in range(6):
            lo, hi = edges[k], edges[k + 1]
            if hi > lo:
                rows.append((lo, hi, k + 1))
    return pd.DataFrame(rows, columns=["y0", "y1", "cls"]).assign(
        label=lambda d: d["cls"].map(_lab), color=lambda d: d["cls"].map(_hex))


def indicator_chart(history: pd.DataFrame, indicator: str, height: int = 230) -> alt.LayerChart:
    """Monthly values per monitoring site over the Class I..劣V bands (band colours are the class
    colours; each band's tooltip names the class and its limits)."""
    name = INDICATOR_NAMES[indicator] if lang() == "zh" else INDICATOR_NAMES_EN[indicator]
    d = history[["month", "site", indicator]].dropna().rename(columns={indicator: "v"})
    top = float(d["v"].max()) * 1.1 if len(d) else 0.0
    bands = class_bands(indicator, top)
    ymax = max(top, float(LIMITS[indicator][4]) * 1.15, float(LIMITS[indicator][0]) * 1.15)
    bands["y1"] = bands["y1"].clip(upper=ymax)
    months = sorted(history["month"].unique().tolist())
    y_scale = alt.Scale(domain=[0, ymax], nice=False, zero=True)
    band = alt.Chart(bands).mark_rect(opacity=0.22).encode(
        y=alt.Y("y0:Q", title="mg/L", scale=y_scale), y2="y1:Q",
        color=alt.Color("color:N", scale=None, legend=None),
        tooltip=[alt.Tooltip("label:N", title=tr("类别", "Class")), alt.Tooltip("y0:Q", title=tr("下限", "from")),
                 alt.Tooltip("y1:Q", title=tr("上限", "to"))])
    line = alt.Chart(d).mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.6).encode(
        x=alt.X("month:O", title=None, sort=months, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("v:Q", scale=y_scale),
        color=alt.Color("site:N", title=None, scale=alt.Scale(scheme="dark2"),
                        legend=alt.Legend(orient="top", direction="horizontal", labelLimit=160)),
        tooltip=[alt.Tooltip("month:O", title=tr("月份", "Month")), alt.Tooltip("site:N", title=tr("断面", "Site")),
                 alt.Tooltip("v:Q", title=name)])
    return (alt.layer(band, line).resolve_scale(color="independent")
            .properties(height=height, title=alt.TitleParams(name, anchor="start")))


def class_timeline(monthly: pd.DataFrame, events: pd.DataFrame) -> alt.LayerChart:
    """The river's monthly class (worst site) with case and suggestion events on the same time axis."""
    m = monthly.assign(date=pd.to_datetime(monthly["month"] + "-15"),
                       label=monthly["water_class"].map(lambda c: _lab(int(c)) if pd.notna(c) else "—"),
                       color=monthly["water_class"].map(lambda c: _hex(int(c)) if pd.notna(c) else "#999999"))
    base = alt.Chart(m).mark_bar(size=10).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("water_class:Q", title=tr("水质类别（6=劣Ⅴ）", "Class (6 = worse than V)"),
                scale=alt.Scale(domain=[0, 6.5])),
        color=alt.Color("color:N", scale=None),
        tooltip=[alt.Tooltip("month:N", title=tr("月份", "Month")), alt.Tooltip("label:N", title=tr("类别", "Class"))])
    layers = [base]
    if len(events):
        e = events.assign(y=6.3)
        layers.append(alt.Chart(e).mark_point(shape="triangle-down", size=120, filled=True, color="#333").encode(
            x="date:T", y="y:Q",
            tooltip=[alt.Tooltip("date:T", title=tr("日期", "Date")), alt.Tooltip("what:N", title=tr("事项", "Event")),
                     alt.Tooltip("ref:N", title=tr("文号/案号", "Number"))]))
    return alt.layer(*layers).properties(height=220)


def highlight_status(df: pd.DataFrame, status_col: str = "status"):
    """Style overdue rows red and due-soon rows amber (a pandas Styler for st.dataframe)."""
    colours = {"超期未回复": "background-color: #fbd5d5", "逾期回复": "background-color: #fde8d8",
               "临期": "background-color: #fff1c2"}
    colours |= {STATUS_EN[k]: v for k, v in list(colours.items())}

    col = status_col if status_col in df.columns else next(
        (c for c in df.columns if c in ("状态", "Status")), status_col)

    def row_style(row):
        css = colours.get(row.get(col), "")
        return [css] * len(row)

    return df.style.apply(row_style, axis=1)


STATUS_EN = {"已整改": "Rectified", "已回复": "Replied", "逾期回复": "Replied late", "超期未回复": "Overdue",
             "临期": "Due soon", "待回复": "Awaiting reply"}


_COLUMNS = {
    "code": ("编号", "Code"), "name": ("河道", "River"), "river": ("河道", "River"), "level": ("级别", "Level"),
    "town": ("镇（街道）", "Town"), "prosecutor": ("检察官", "Prosecutor"), "water_class": ("水质类别", "Class"),
    "main_pollutants": ("主要污染指标", "Main pollutants"), "history": ("近六个月类别", "Last six months"),
    "reasons": ("依据", "Evidence"), "doc_no": ("文号", "Doc no."), "case_no": ("案号", "Case no."),
    "recipient": ("被建议单位", "Recipient"), "emergency": ("紧急", "Emergency"), "issued_on": ("发出日期", "Issued"),
    "reply_due": ("回复期限", "Reply due"), "replied_on": ("回复日期", "Replied"), "rectified_on": ("整改日期", "Rectified"),
    "content": ("建议内容", "Content"), "status": ("状态", "Status"), "days_left": ("剩余天数", "Days left"),
    "source": ("线索来源", "Source"), "stage": ("阶段", "Stage"), "clue_at": ("线索时间", "Clue"),
    "filed_at": ("立案时间", "Filed"), "stage_entered_at": ("进入本阶段", "Stage since"),
    "closed_at": ("结案时间", "Closed"), "outcome": ("结果", "Outcome"), "summary": ("摘要", "Summary"),
    "month": ("月份", "Month"), "sampled_on": ("采样日期", "Sampled"), "site": ("断面", "Site"),
}


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """The same frame with Chinese-first column headers for display."""
    return df.rename(columns={c: (zh if lang() == "zh" else en) for c, (zh, en) in _COLUMNS.items()})


def history_text(history: str) -> str:
    """'2026-06:4;2026-07:6' → '06月 Ⅳ类 → 07月 劣Ⅴ类'."""
    parts = []
    for item in (history or "").split(";"):
        if ":" in item:
            m, c = item.split(":")
            parts.append(f"{m[5:]}{tr('月', '')} {_lab(int(c))}")
    return " → ".join(parts)

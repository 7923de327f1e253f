"""Altair charts shared by the smart screen (dark) and the dashboard (light), and their PNG/SVG
export. Export renders with vl-convert offline, using the bundled CJK font so Chinese labels are
drawn, not boxes."""
from __future__ import annotations

import functools
from pathlib import Path

import altair as alt
import pandas as pd

FONT = "NotoSansSC"
FONT_DIR = Path(__file__).resolve().parent.parent / "apps" / "static"
ACCENT = "#3fb6ff"
ACCENT_2 = "#ffb547"


def _style(chart: alt.Chart, dark: bool, height: int) -> alt.Chart:
    fg = "#d8e6f5" if dark else "#1f2d3d"
    grid = "#23405f" if dark else "#e3e8ee"
    return (chart.properties(height=height)
            .configure(font=FONT, background="transparent" if dark else "white")
            .configure_axis(labelColor=fg, titleColor=fg, gridColor=grid, domainColor=grid,
                            tickColor=grid, labelFont=FONT, titleFont=FONT,
                            labelFontSize=14 if dark else 11, titleFontSize=14 if dark else 12)
            .configure_view(strokeWidth=0)
            .configure_legend(labelColor=fg, titleColor=fg, labelFont=FONT, titleFont=FONT))


def trend_chart(df: pd.DataFrame, *, dark: bool = False, height: int = 260, title: str = "") -> alt.Chart:
    """Daily counts as an area line. ``df``: day ('YYYY-MM-DD'), cases."""
    data = df.assign(date=pd.to_datetime(df["day"]))
    base = alt.Chart(data, title=title or alt.Undefined)
    area = base.mark_area(line={"color": ACCENT}, color=alt.Gradient(
        gradient="linear", stops=[alt.GradientStop(color="rgba(63,182,255,0.05)", offset=0),
                                  alt.GradientStop(color="rgba(63,182,255,0.55)", offset=1)],
        x1=1, x2=1, y1=1, y2=0)).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%m-%d", labelAngle=0, tickCount=8)),
        y=alt.Y("cases:Q", title=None),
        tooltip=[alt.Tooltip("day:N"), alt.Tooltip("cases:Q")])
    return _style(area, dark, height)


def bar_chart(df: pd.DataFrame, cat: str, val: str, *, dark: bool = False, height: int = 260,
              horizontal: bool = True, sort: bool = True, color: str = ACCENT, title: str = "",
              cat_title: str | None = None, val_title: str | None = None) -> alt.Chart:
    """One bar per category; labels with the value at the bar's end."""
    order = "-x" if horizontal else "-y"
    enc_cat = alt.Y if horizontal else alt.X
    enc_val = alt.X if horizontal else alt.Y
    base = alt.Chart(df, title=title or alt.Undefined)
    bars = base.mark_bar(color=color, cornerRadiusEnd=3).encode(
        enc_cat(f"{cat}:N", sort=order if sort else None, title=cat_title,
                axis=alt.Axis(labelLimit=220, labelAngle=0)),
        enc_val(f"{val}:Q", title=val_title),
        tooltip=[alt.Tooltip(f"{cat}:N"), alt.Tooltip(f"{val}:Q")])
    text = base.mark_text(align="left" if horizontal else "center", dx=4 if horizontal else 0,
                          dy=0 if horizontal else -8, color="#d8e6f5" if dark else "#1f2d3d",
                          font=FONT, fontSize=13 if dark else 11).encode(
        enc_cat(f"{cat}:N", sort=order if sort else None), enc_val(f"{val}:Q"), text=alt.Text(f"{val}:Q"))
    return _style(alt.layer(bars, text), dark, height)


_SPECS: dict[tuple, dict] = {}


def cached_spec(kind: str, df: pd.DataFrame, *args, **kwargs) -> dict:
    """The Vega-Lite dict of ``trend_chart``/``bar_chart`` for this data, built once.

    A wall screen re-renders the same figures every few seconds; building and validating an Altair
    chart each time costs ~10 ms of the server's single core, the cached dict costs nothing.
    Callers get a shallow copy (Streamlit moves ``datasets`` out of the dict it is given)."""
    key = (kind, tuple(map(tuple, df.astype(str).to_numpy())), args, tuple(sorted(kwargs.items())))
    spec = _SPECS.get(key)
    if spec is None:
        chart = trend_chart(df, *args, **kwargs) if kind == "trend" else bar_chart(df, *args, **kwargs)
        spec = _SPECS[key] = chart.to_dict()
        while len(_SPECS) > 64:  # bounded: a screen that runs for weeks keeps a flat memory
            _SPECS.pop(next(iter(_SPECS)))
    return {**spec}


@functools.lru_cache(maxsize=1)
def _fonts_registered() -> bool:
    import vl_convert as vlc

    vlc.register_font_directory(str(FONT_DIR))
    return True


def to_svg(chart: alt.Chart) -> bytes:
    import vl_convert as vlc

    _fonts_registered()
    return vlc.vegalite_to_svg(chart.to_dict()).encode("utf-8")


def to_png(chart: alt.Chart, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    _fonts_registered()
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def chart_downloads(chart: alt.Chart, basename: str, key: str) -> None:
    """PNG and SVG download buttons for a chart (rendered on demand, offline)."""
    import streamlit as st

    from components.i18n import tr

    c1, c2 = st.columns(2)
    c1.download_button(tr("下载 PNG", "Download PNG"), data=lambda: to_png(chart),
                       file_name=f"{basename}.png", mime="image/png", key=f"{key}_png")
    c2.download_button(tr("下载 SVG", "Download SVG"), data=lambda: to_svg(chart),
                       file_name=f"{basename}.svg", mime="image/svg+xml", key=f"{key}_svg")

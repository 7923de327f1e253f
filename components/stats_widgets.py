"""Building blocks of the statistics pages: indicator cards with 同比/环比 and their definition,
counts and source one click away, counts with changes, and tables/charts that can always be downloaded."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from components.charts import chart_downloads
from components.export import csv_download
from components.i18n import lang, tr
from domain.indicators import CONFIRMED, UNCONFIRMED, Indicator
from domain.periods import change


# The shell's CJK font rule also hits Material icon ligatures ("expand_more" shown as text).
ICON_FIX = ('<style>[data-testid="stIconMaterial"], span[class*="material"] '
            '{ font-family: "Material Symbols Rounded" !important; }</style>')


def fix_icons() -> None:
    st.markdown(ICON_FIX, unsafe_allow_html=True)  # constant CSS only


def _pp(cur: Indicator, base: Indicator | None) -> str | None:
    """Difference in percentage points (or in 件 per 案 for the ratio); None without a base."""
    if base is None or cur.value is None or base.value is None:
        return None
    d = cur.value - base.value
    return f"{d:+.2f}" if cur.unit == "1:x" else f"{d * 100:+.1f} pp"


def indicator_card(cur: Indicator, prev: Indicator | None, yoy: Indicator | None, key: str) -> None:
    en = lang() == "en"
    name = cur.name_en if en else cur.name_zh
    mom = _pp(cur, prev)
    with st.container(border=True):
        st.metric(name, cur.formatted(), delta=mom, delta_description=tr("环比", "vs previous period") if mom else None,
                  delta_color="inverse" if cur.lower_is_better else "normal")
        y = _pp(cur, yoy)
        st.caption(tr("同比 ", "YoY ") + (f"{y}（{tr('去年同期', 'last year')} {yoy.formatted()}）" if y and yoy
                                          else tr("无去年同期数据", "no data for last year")))
        with st.popover(tr("口径与分子分母", "Definition, numerator, denominator"), width="stretch"):
            definition_panel(cur, prev, yoy, key)


def definition_panel(cur: Indicator, prev: Indicator | None, yoy: Indicator | None, key: str) -> None:
    """What the figure counts, both counts for this period and the two it is compared with, and where
    the definition comes from (domain.indicators)."""
    d = cur.definition
    en = lang() == "en"
    st.markdown(f"**{d.name_en if en else d.name_zh}**" + ("" if en else f" · {d.name_en}"))
    st.markdown(tr("**分子**：", "**Numerator**: ") + (d.numerator_en if en else d.numerator_zh) + "  \n"
                + tr("**分母**：", "**Denominator**: ") + (d.denominator_en if en else d.denominator_zh) + "  \n"
                + tr("**期间**：", "**Period**: ") + (d.period_en if en else d.period_zh)
                + ((tr("  \n**说明**：", "  \n**Note**: ") + (d.note_en if en else d.note_zh)) if d.note_zh else ""))
    rows = [(tr("本期", "This period"), cur), (tr("上期（环比）", "Previous period"), prev),
            (tr("去年同期（同比）", "Same period last year"), yoy)]
    st.dataframe(pd.DataFrame(
        [{tr("期间", "Period"): lbl, tr("分子", "Numerator"): i.numerator if i else None,
          tr("分母", "Denominator"): i.denominator if i else None,
          tr("数值", "Value"): i.formatted() if i else "—"} for lbl, i in rows]),
        hide_index=True, width="stretch", key=f"{key}_parts")
    label = {CONFIRMED: tr("已核实", "confirmed"), UNCONFIRMED: tr("部分未核实", "partly unconfirmed")}[d.confidence]
    st.caption(tr(f"口径来源（{label}）：", f"Source ({label}): ") + tr("；", "; ").join(d.source))


def count_metric(label: str, cur: int, prev: int | None, yoy: int | None) -> None:
    c = change(cur, prev)
    y = change(cur, yoy)
    with st.container(border=True):
        st.metric(label, f"{cur:,}", delta=f"{c:+.1%}" if c is not None else None,
                  delta_description=tr("环比", "vs previous period") if c is not None else None)
        st.caption(tr("同比 ", "YoY ") + (f"{y:+.1%}（{tr('去年同期', 'last year')} {yoy:,}）" if y is not None
                                          else tr("无去年同期数据", "no data for last year")))


def table(df: pd.DataFrame, filename: str, key: str, **kwargs) -> None:
    """A dataframe with its CSV download (formula-looking cells escaped by components.export)."""
    st.dataframe(df, hide_index=True, width="stretch", key=f"{key}_df", **kwargs)
    csv_download(df, filename, key=f"{key}_csv")


def chart(c: alt.Chart, basename: str, key: str) -> None:
    """An Altair chart with PNG/SVG downloads."""
    st.altair_chart(c, width="stretch", key=f"{key}_chart")
    chart_downloads(c, basename, key)

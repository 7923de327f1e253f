"""The statistics pages' shared filter bar. Its state lives in the URL (``st.query_params``), so a
view can be shared as a link and survives a reload:

    ?period=quarter&d=310115,310120&fn=刑事&charge=盗窃&stage=审查起诉
    ?period=custom&from=2025-01-01&to=2025-03-31
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

import pandas as pd
import streamlit as st

from components.i18n import lang, tr
from domain import clock
from domain.cases import CRIMINAL_STAGES, FUNCTIONS, FUNCTIONS_EN, OTHER_STAGES, STAGES_EN, CaseFilter
from domain.periods import PRESET_LABELS, PRESETS, preset_range, previous_period, same_period_last_year
from domain.scope import ALL, Scope

STAGES = tuple(dict.fromkeys(CRIMINAL_STAGES + OTHER_STAGES))


@dataclass(frozen=True)
class StatsView:
    preset: str
    start: dt.datetime
    end: dt.datetime
    prev: tuple[dt.datetime, dt.datetime]
    yoy: tuple[dt.datetime, dt.datetime]
    scope: Scope
    flt: CaseFilter
    district_names: dict[int, str]

    @property
    def label(self) -> str:
        last = self.end - dt.timedelta(days=1)
        return f"{self.start:%Y-%m-%d} ~ {last:%Y-%m-%d}"


def _date(s: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(s) if s else None
    except ValueError:
        return None


def _set(key: str, value: str | None) -> None:
    if value:
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def filter_bar(districts: pd.DataFrame | None, charges: Sequence[str] | None, base_scope: Scope = ALL,
               today: dt.date | None = None) -> StatsView:
    """Draw the bar over the options the page fetched and return what it selects.

    ``districts`` (district_id, name_zh, name_en) and ``charges`` (most frequent first) may be None
    while the database is away: the bar still draws. Unknown URL values are ignored, never fatal.
    """
    from components.stats_widgets import fix_icons

    fix_icons()
    today = today or clock.today()
    en = lang() == "en"
    qp = st.query_params
    names = ({} if districts is None
             else dict(zip(districts["district_id"], districts["name_en" if en else "name_zh"])))
    charges = tuple(charges or ())

    preset = qp.get("period", "month")
    preset = preset if preset in PRESETS else "month"
    want_d = [int(x) for x in (qp.get("d") or "").split(",") if x.strip().isdigit() and int(x) in names]
    fn = qp.get("fn") if qp.get("fn") in FUNCTIONS else ""
    charge = qp.get("charge") if qp.get("charge") in charges else ""
    stage = qp.get("stage") if qp.get("stage") in STAGES else ""
    d_from = _date(qp.get("from")) or today.replace(day=1)
    d_to = _date(qp.get("to")) or today

    with st.container(border=True):
        c = st.columns([1.1, 1.7, 2.4, 1.0, 1.6, 1.2])
        preset = c[0].selectbox(tr("统计期间", "Period"), PRESETS, index=PRESETS.index(preset),
                                format_func=lambda p: PRESET_LABELS[p][1 if en else 0], key="f_period")
        custom = None
        if preset == "custom":
            picked = c[1].date_input(tr("起止日期", "From – to"), value=(d_from, d_to), max_value=today,
                                     key="f_range")
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                custom = (picked[0], picked[1])
            else:
                custom = (d_from, d_to)
                c[1].caption(tr("请选择结束日期", "Pick an end date"))
        else:
            c[1].markdown(" ")
        chosen = c[2].multiselect(tr("区（不选为全部）", "Districts (none = all)"), list(names),
                                  default=want_d, format_func=lambda d: names.get(d, str(d)), key="f_districts",
                                  placeholder=tr("全部区", "All districts"))
        fn = c[3].selectbox(tr("检察职能", "Function"), ["", *FUNCTIONS], index=["", *FUNCTIONS].index(fn),
                            format_func=lambda f: (FUNCTIONS_EN.get(f, f) if en else f) or tr("全部", "All"),
                            key="f_fn")
        charge = c[4].selectbox(tr("罪名", "Charge"), ["", *charges], index=["", *charges].index(charge),
                                format_func=lambda x: x or tr("全部", "All"), key="f_charge")
        stage = c[5].selectbox(tr("阶段", "Stage"), ["", *STAGES], index=["", *STAGES].index(stage),
                               format_func=lambda s: (STAGES_EN.get(s, s) if en else s) or tr("全部", "All"),
                               key="f_stage")

    try:
        start, end = preset_range(preset, today, custom)
    except ValueError:
        st.warning(tr("结束日期早于开始日期，已改为本月。", "The end date is before the start; showing this month."))
        preset, custom = "month", None
        start, end = preset_range("month", today)
    _set("period", preset if preset != "month" else None)
    _set("from", custom[0].isoformat() if custom else None)
    _set("to", custom[1].isoformat() if custom else None)
    _set("d", ",".join(str(d) for d in sorted(chosen)) or None)
    _set("fn", fn or None)
    _set("charge", charge or None)
    _set("stage", stage or None)
    return StatsView(preset, start, end, previous_period(start, end, preset), same_period_last_year(start, end),
                     base_scope.narrowed(tuple(chosen)), CaseFilter(fn or None, charge or None, stage or None),
                     names)

"""The smart screen's panels. Each takes the snapshot (``None`` when no data could ever be fetched)
and draws one card; every dynamic string goes through ``html.escape``. A failed fetch shows "—"
and says so; a true zero shows 0."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from components.charts import ACCENT_2, cached_spec
from components.district_map import cached_choropleth
from domain.cases import CRIMINAL_STAGES, FUNCTIONS, FUNCTIONS_EN, OTHER_STAGES, STAGES_EN
from domain.indicators import CONFIRMED

E = html.escape
NO_DATA = ('<div class="jcy-empty">— 暂无数据（数据源不可用）</div>', '<div class="jcy-empty">— no data (source unavailable)</div>')

TITLES = {
    "intake": ("案件受理", "Cases accepted", "四大检察 · 今日 / 本月 / 本年", "four functions · today / month / year"),
    "stages": ("在办案件阶段", "Cases by stage", "当前所处阶段（已办结除外）", "current stage, closed excluded"),
    "trend": ("近30日受理趋势", "Last 30 days", "每日受理件数", "cases accepted per day"),
    "charges": ("本年主要罪名", "Top charges this year", "刑事案件受理前十", "criminal cases accepted, top 10"),
    "indicators": ("办案质效指标", "Case-quality indicators", "本年 · 分子/分母 · 口径", "this year · numerator/denominator · definition"),
    "map": ("各区受理分布", "Intake by district", "本年受理件数", "cases accepted this year"),
    "watch": ("办案期限预警", "Time-limit watch", "临期（2日内）与超期案件", "near (2 days) or past the legal limit"),
    "ticker": ("实时动态", "Live events", "最新办案节点（不含个人信息）", "latest steps, nothing personal"),
    "clues": ("法律监督线索", "Supervision clues", "各监督模型命中 · 不含个人信息", "all models' hits · nothing personal"),
    "clue_districts": ("各区线索", "Clues by district", "累计命中（括号内为待处理）", "all hits (open in brackets)"),
    "clue_models": ("各模型待处理线索", "Open clues by model", "待分流与核查中", "to triage or being checked"),
    "clue_months": ("线索发现趋势", "Clues found per month", "近六个月新发现线索", "new clues, last six months"),
}
HEIGHTS = {"top": 490, "bottom": 455}


def _title(panel: str, zh: bool) -> str:
    t = TITLES[panel]
    return f"<h3>{E(t[0] if zh else t[1])}<small>{E(t[2] if zh else t[3])}</small></h3>"


def _md(body: str) -> None:
    st.markdown(body, unsafe_allow_html=True)


def intake(snap, zh: bool, height: int) -> None:
    _md(_title("intake", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    df = snap.intake.set_index("function") if len(snap.intake) else pd.DataFrame(columns=["today", "month", "year"])
    cells = []
    tot = {c: int(df[c].sum()) if len(df) else 0 for c in ("today", "month", "year")}
    rows = [(("合计" if zh else "Total"), tot)] + [
        ((f if zh else FUNCTIONS_EN[f]), {c: int(df.loc[f, c]) if f in df.index else 0 for c in ("today", "month", "year")})
        for f in FUNCTIONS]
    for name, v in rows:
        cells.append(f'<div class="jcy-kpi"><div class="l">{E(name)}</div>'
                     f'<div class="v">{v["today"]:,}</div>'
                     f'<div class="s">{"本月" if zh else "Month"} <b>{v["month"]:,}</b> · '
                     f'{"本年" if zh else "Year"} <b>{v["year"]:,}</b></div></div>')
    lead = cells[0].replace('class="jcy-kpi"', 'class="jcy-kpi" style="grid-column: span 2"')
    _md(f'<div class="jcy-grid" style="grid-template-columns: 1fr 1fr">{lead}{"".join(cells[1:])}</div>'
        f'<div class="jcy-foot">{"大字为今日受理件数" if zh else "Large figure: accepted today"}</div>')


def stages(snap, zh: bool, height: int) -> None:
    _md(_title("stages", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    order = [s for s in CRIMINAL_STAGES + OTHER_STAGES]
    df = snap.stages.copy()
    df["rank"] = df["stage"].map(lambda s: order.index(s) if s in order else 99)
    df = df.sort_values("rank")
    df["label"] = df["stage"] if zh else df["stage"].map(lambda s: STAGES_EN.get(s, s))
    if df.empty:
        return _md('<div class="jcy-empty">0</div>')
    st.vega_lite_chart(cached_spec("bar", df[["label", "cases"]], "label", "cases", dark=True, height=height - 70,
                                   sort=False), width="stretch")


def trend(snap, zh: bool, height: int) -> None:
    _md(_title("trend", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    st.vega_lite_chart(cached_spec("trend", snap.trend, dark=True, height=height - 70), width="stretch")


def charges(snap, zh: bool, height: int) -> None:
    _md(_title("charges", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    if snap.charges.empty:
        return _md('<div class="jcy-empty">0</div>')
    st.vega_lite_chart(cached_spec("bar", snap.charges, "charge", "cases", dark=True, height=height - 70,
                                   color=ACCENT_2), width="stretch")


def indicators(snap, zh: bool, height: int) -> None:
    _md(_title("indicators", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    tiles = []
    for i in snap.indicators:
        v, d = i.formatted(), i.definition
        hosts = d.source_hosts() or (d.source[0][:24],)
        src = (("来源 " if zh else "Source ") + hosts[0] + (f" 等{len(hosts)}处" if zh else f" +{len(hosts) - 1}")
               * (len(hosts) > 1) + ("（部分未核实）" if zh else " (partly unconfirmed)") * (d.confidence != CONFIRMED))
        full = (d.definition_zh if zh else d.definition_en) + ("\n来源：" if zh else "\nSource: ") + d.source_text
        tiles.append(
            f'<div class="jcy-kpi" title="{E(full)}"><div class="l">{E(d.name_zh if zh else d.name_en)}</div>'
            f'<div class="v{" na" if v == "—" else ""}">{E(v)}</div>'
            f'<div class="s">{"分子" if zh else "num."} <b>{i.numerator:,}</b> / {"分母" if zh else "den."} '
            f'<b>{i.denominator:,}</b></div>'
            f'<div class="d">{E(d.short_zh if zh else d.short_en)}</div><div class="d">{E(src)}</div></div>')
    cols = 4 if len(tiles) > 6 else 3  # seven indicators: two rows of four fit the panel, three rows do not
    _md(f'<div class="jcy-grid" style="grid-template-columns: repeat({cols}, 1fr)">{"".join(tiles)}</div>')


def district_map(snap, zh: bool, height: int, geo: pd.DataFrame | None = None, highlight=None) -> None:
    _md(_title("map", zh))
    if snap is None or geo is None or geo.empty:
        return _md(NO_DATA[0 if zh else 1])
    deck = cached_choropleth(geo, snap.districts, dark=True, name_col="name_zh" if zh else "name_en",
                      value_label="受理" if zh else "cases", highlight=highlight)
    st.pydeck_chart(deck, height=height - 60, width="stretch")


def watch(snap, zh: bool, height: int) -> None:
    _md(_title("watch", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    head = (f'<div class="jcy-grid" style="grid-template-columns: 1fr 1fr">'
            f'<div class="jcy-kpi"><div class="l">{"超期" if zh else "Overdue"}</div><div class="v" style="color:#ff8a7a">{snap.watch_over}</div></div>'
            f'<div class="jcy-kpi"><div class="l">{"临期" if zh else "Due soon"}</div><div class="v" style="color:#ffd27a">{snap.watch_near}</div></div></div>')
    if snap.watch.empty:
        return _md(head + f'<div class="jcy-empty">{"无临期或超期案件" if zh else "No case near or past its limit"}</div>')
    cols = ("案号", "区", "案由", "阶段", "期限", "状态") if zh else ("Case", "District", "Charge", "Stage", "Due", "Status")
    rows = []
    for r in snap.watch.itertuples(index=False):
        tag = "over" if r.status == "超期" else "near"
        rows.append(f"<tr><td>{E(r.case_no)}</td><td>{E(r.name_zh if zh else r.name_en)}</td>"
                    f"<td>{E(str(r.charge or ''))}</td><td>{E(r.stage if zh else STAGES_EN.get(r.stage, r.stage))}</td>"
                    f"<td>{pd.Timestamp(r.deadline):%m-%d}</td>"
                    f'<td><span class="jcy-tag {tag}">{E(r.status if zh else ("overdue" if tag == "over" else "due soon"))}</span></td></tr>')
    _md(head + '<table class="jcy-table" style="margin-top:0.4rem"><tr>' + "".join(f"<th>{c}</th>" for c in cols)
        + "</tr>" + "".join(rows) + "</table>")


def ticker(snap, zh: bool, height: int) -> None:
    _md(_title("ticker", zh))
    if snap is None:
        return _md(NO_DATA[0 if zh else 1])
    if snap.events.empty:
        return _md(f'<div class="jcy-empty">{"暂无办案动态" if zh else "No events yet"}</div>')
    rows = []
    for r in snap.events.itertuples(index=False):
        fn = r.function if zh else FUNCTIONS_EN.get(r.function, r.function)
        step = r.event_type + (f" → {r.stage_to}" if r.stage_to and r.stage_to != r.event_type else "")
        rows.append(f'<tr><td class="t">{pd.Timestamp(r.occurred_at):%H:%M:%S}</td>'
                    f"<td>{E(r.name_zh if zh else r.name_en)}</td><td>{E(fn)}</td>"
                    f"<td>{E(str(r.charge or ''))}</td><td>{E(step)}</td></tr>")
    _md('<table class="jcy-table jcy-ticker">' + "".join(rows) + "</table>")


def _clues_or_none(snap, panel: str, zh: bool):
    _md(_title(panel, zh))
    c = None if snap is None else getattr(snap, "clues", None)
    if c is None:
        _md(NO_DATA[0 if zh else 1])
    return c


def clues(snap, zh: bool, height: int) -> None:
    """Six figures: new this week / month, open, overdue, turned into cases / suggestions."""
    c = _clues_or_none(snap, "clues", zh)
    if c is None:
        return
    tiles = [(("本周新增", "New this week"), c.new_week, ""), (("本月新增", "New this month"), c.new_month, ""),
             (("待处理", "Open"), c.open, ""), (("超期未决", "Overdue"), c.overdue, "#ff8a7a"),
             (("成案·立案", "Became cases"), c.cases, "#7be3a0"),
             (("成案·检察建议", "Became suggestions"), c.suggestions, "#7be3a0")]
    cells = "".join(f'<div class="jcy-kpi"><div class="l">{E(zh_en[0] if zh else zh_en[1])}</div>'
                    f'<div class="v"' + (f' style="color:{color}"' if color else "") + f'>{v:,}</div></div>'
                    for zh_en, v, color in tiles)
    _md(f'<div class="jcy-grid" style="grid-template-columns: 1fr 1fr 1fr">{cells}</div>'
        f'<div class="jcy-foot">{"累计线索" if zh else "All clues"} <b>{c.total:,}</b> · '
        f'{"统计时点" if zh else "as of"} {c.as_of:%m-%d %H:%M}</div>')


def clue_districts(snap, zh: bool, height: int) -> None:
    c = _clues_or_none(snap, "clue_districts", zh)
    if c is None:
        return
    if c.by_district.empty:
        return _md('<div class="jcy-empty">0</div>')
    df = c.by_district.head(12)
    df = pd.DataFrame({"label": [f"{z if zh else e}（{o}）" for z, e, o in zip(df["name_zh"], df["name_en"], df["open"])],
                       "hits": df["hits"]})
    st.vega_lite_chart(cached_spec("bar", df, "label", "hits", dark=True, height=height - 70), width="stretch")


def clue_models(snap, zh: bool, height: int) -> None:
    c = _clues_or_none(snap, "clue_models", zh)
    if c is None:
        return
    df = pd.DataFrame({"model": c.by_model["model_zh" if zh else "model_en"], "open": c.by_model["open"]})
    st.vega_lite_chart(cached_spec("bar", df, "model", "open", dark=True, height=height - 70, color=ACCENT_2),
                       width="stretch")


def clue_months(snap, zh: bool, height: int) -> None:
    c = _clues_or_none(snap, "clue_months", zh)
    if c is None:
        return
    st.vega_lite_chart(cached_spec("bar", c.by_month, "month", "hits", dark=True, height=height - 70,
                                   horizontal=False, sort=False), width="stretch")


RENDER = {"intake": intake, "stages": stages, "trend": trend, "charges": charges,
          "indicators": indicators, "map": district_map, "watch": watch, "ticker": ticker,
          "clues": clues, "clue_districts": clue_districts, "clue_models": clue_models, "clue_months": clue_months}

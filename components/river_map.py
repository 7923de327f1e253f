"""The offline river map: real district boundaries as the base layer, rivers coloured by class.

No tiles, no basemap (``map_provider=None`` with map_style unset: the no-basemap sentinel, see
shared/domain/offline_maps.md §4). The payload is kept light: one short record per river, short
keys, coordinates already simplified and rounded to 1e-5° by the builder.
"""
from __future__ import annotations

import html
import json

import pandas as pd
import pydeck as pdk

from components.deck import offline_deck
from components.i18n import lang, tr
from domain.water import CLASS_COLORS, CLASS_LABELS, CLASS_LABELS_EN, NO_DATA_COLOR

WIDTH_PX = {"市级": 6.0, "区级": 3.6, "镇级": 1.6, "农场级": 1.4, "村级": 0.8}
LEVEL_EN = {"市级": "city", "区级": "district", "镇级": "town", "农场级": "farm", "村级": "village"}
FENGXIAN = 310120
VIEW = pdk.ViewState(longitude=121.56, latitude=30.925, zoom=10.45, pitch=0, bearing=0)
RIVER_LAYER_ID = "rivers"


def class_label(c) -> str:
    if c is None or pd.isna(c):
        return tr("无数据", "no data")
    return CLASS_LABELS[int(c)] if lang() == "zh" else f"Class {CLASS_LABELS_EN[int(c)]}"


# Districts drawn around Fengxian (the rest of Shanghai is outside the view): lon/lat box.
VIEW_BOX = (121.15, 30.65, 121.95, 31.20)


def _bbox(coords) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for x in c:
                walk(x)

    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def district_geojson(districts: pd.DataFrame, focus: int = FENGXIAN) -> dict:
    """FeatureCollection of the district boundaries near the view; the focus district lighter."""
    feats = []
    for r in districts.itertuples(index=False):
        geom = json.loads(r.geojson)
        x0, y0, x1, y1 = _bbox(geom["coordinates"])
        if x1 < VIEW_BOX[0] or x0 > VIEW_BOX[2] or y1 < VIEW_BOX[1] or y0 > VIEW_BOX[3]:
            continue
        fill = [236, 240, 244, 255] if r.id == focus else [205, 212, 220, 255]
        feats.append({"type": "Feature", "geometry": geom,
                      "properties": {"n": r.name_zh if lang() == "zh" else r.name_en, "f": fill}})
    return {"type": "FeatureCollection", "features": feats}


def river_records(rivers: pd.DataFrame, paths: dict[int, list]) -> list[dict]:
    """One small record per river; worse classes last so they are drawn on top. Labels are worked
    out once per distinct value (4,041 rows: ~20 ms instead of ~200 ms row by row)."""
    zh = lang() == "zh"
    order = rivers.assign(_c=rivers["water_class"].fillna(0).astype(int)).sort_values(["_c", "river_id"])
    esc = lambda col: order[col].fillna("—").astype(str).map(html.escape).tolist()  # noqa: E731
    cls_label = {c: html.escape(class_label(c if c else None)) for c in range(7)}
    colour = {c: list(CLASS_COLORS.get(c, NO_DATA_COLOR)) for c in range(7)}
    level_text = {lv: html.escape(lv if zh else LEVEL_EN.get(lv, lv)) for lv in order["level"].unique()}
    recs = []
    # tooltip text is escaped because deck.gl inserts it as HTML
    for rid, c, level, n, t, m, h, r, o in zip(
            order["river_id"].tolist(), order["_c"].tolist(), order["level"].tolist(), esc("name"),
            esc("town"), esc("main_pollutants"), esc("river_chief"), esc("prosecutor"),
            order["open_cases"].astype(int).tolist()):
        path = paths.get(int(rid))
        if not path:
            continue
        recs.append({"id": int(rid), "p": path, "c": colour[c], "w": WIDTH_PX.get(level, 1.0), "n": n,
                     "l": level_text[level], "t": t, "k": cls_label[c], "m": m, "h": h, "r": r, "o": o})
    return recs


def river_deck(rivers: pd.DataFrame, paths: dict[int, list], districts: pd.DataFrame) -> pdk.Deck:
    base = pdk.Layer("GeoJsonLayer", id="districts", data=district_geojson(districts), stroked=True,
                     filled=True, get_fill_color="properties.f", get_line_color=[120, 130, 145, 255],
                     line_width_min_pixels=1, pickable=False)
    lines = pdk.Layer("PathLayer", id=RIVER_LAYER_ID, data=river_records(rivers, paths), get_path="p",
                      get_color="c", get_width="w", width_units="'pixels'", width_min_pixels=1,
                      cap_rounded=True, joint_rounded=True, pickable=True, auto_highlight=True)
    tooltip = {"html": tr(
        "<b>{n}</b>（{l}，{t}）<br/>水质：{k}　主要污染指标：{m}<br/>河长：{h}<br/>检察官：{r}<br/>在办案件：{o}",
        "<b>{n}</b> ({l}, {t})<br/>Class: {k}; main pollutants: {m}<br/>River chief: {h}<br/>"
        "Prosecutor: {r}<br/>Open cases: {o}"),
        "style": {"fontSize": "12px"}}
    return offline_deck([base, lines], VIEW, tooltip)


def legend_html() -> str:
    """Colour legend (constant markup built from the domain's colours; no user data)."""
    items = [(1, tr("Ⅰ–Ⅱ类", "I–II")), (3, tr("Ⅲ类", "III")), (4, tr("Ⅳ类", "IV")), (5, tr("Ⅴ类", "V")),
             (6, tr("劣Ⅴ类", "worse than V"))]
    spans = "".join(
        f'<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;width:22px;'
        f'height:6px;background:rgb{CLASS_COLORS[c]};vertical-align:middle;margin-right:4px"></span>{t}</span>'
        for c, t in items)
    spans += (f'<span style="display:inline-block"><span style="display:inline-block;width:22px;height:6px;'
              f'background:rgb{NO_DATA_COLOR};vertical-align:middle;margin-right:4px"></span>'
              f'{tr("无数据", "no data")}</span>')
    return f'<div style="font-size:0.9rem">{spans}</div>'


"""Offline choropleth of Shanghai's 16 real district boundaries (pydeck, no basemap, no tiles).

``map_provider=None`` with ``map_style`` left unset is the one combination that makes Streamlit
drop the basemap entirely (shared/domain/offline_maps.md §4): no request leaves the machine.
"""
from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk

VIEW = pdk.ViewState(longitude=121.47, latitude=31.16, zoom=7.65, pitch=0, bearing=0)
# the seven small central districts get their figure only (names would overlap)
CENTRAL = {310101, 310104, 310105, 310106, 310107, 310109, 310110}
# light → deep blue; the top of the scale turns amber so the busiest district stands out
_STOPS = [(0.0, (28, 62, 99)), (0.5, (38, 126, 196)), (0.8, (63, 182, 255)), (1.0, (255, 181, 71))]


def color_for(share: float) -> list[int]:
    """Linear colour ramp over ``_STOPS`` for a value scaled to 0–1."""
    share = min(max(share, 0.0), 1.0)
    for (a, ca), (b, cb) in zip(_STOPS, _STOPS[1:]):
        if share <= b:
            t = 0.0 if b == a else (share - a) / (b - a)
            return [round(x + (y - x) * t) for x, y in zip(ca, cb)] + [230]
    return list(_STOPS[-1][1]) + [230]


_DECKS: dict[tuple, pdk.Deck] = {}


def cached_choropleth(geo: pd.DataFrame, values: pd.DataFrame, **kwargs) -> pdk.Deck:
    """``choropleth`` whose JSON (≈140 kB of real boundaries, ~20 ms to serialise) is built once
    per set of values and reused by every rerun of every screen; bounded LRU."""
    key = (tuple(zip(values["district_id"], values["cases"])), tuple(geo["district_id"]),
           tuple(sorted(kwargs.items())))
    deck = _DECKS.get(key)
    if deck is None:
        deck = choropleth(geo, values, **kwargs)
        text = deck.to_json()
        deck.to_json = lambda: text  # what st.pydeck_chart serialises
        _DECKS[key] = deck
        while len(_DECKS) > 32:
            _DECKS.pop(next(iter(_DECKS)))
    return deck


def choropleth(geo: pd.DataFrame, values: pd.DataFrame, *, dark: bool = True, labels: bool = True,
               name_col: str = "name_zh", value_label: str = "受理", view: pdk.ViewState = VIEW,
               highlight: int | None = None) -> pdk.Deck:
    """``geo``: district_id, name_zh, name_en, label_lon, label_lat, geojson;
    ``values``: district_id, cases. Returns a Deck with no basemap."""
    vals = dict(zip(values["district_id"], values["cases"])) if len(values) else {}
    top = max(vals.values(), default=0) or 1
    features, texts = [], []
    for r in geo.itertuples(index=False):
        v = int(vals.get(r.district_id, 0))
        name = getattr(r, name_col)
        features.append({"type": "Feature", "geometry": json.loads(r.geojson),
                         "properties": {"name": name, "cases": v, "fill": color_for(v / top),
                                        "line": [255, 214, 102, 255] if r.district_id == highlight
                                        else ([150, 200, 240, 200] if dark else [60, 60, 60, 200])}})
        short = name.replace("新区", "").rstrip("区")
        texts.append({"position": [r.label_lon, r.label_lat],
                      "text": f"{v}" if r.district_id in CENTRAL else f"{short}\n{v}"})
    layers = [pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features},
                        id="districts", stroked=True, filled=True, pickable=True,
                        get_fill_color="properties.fill", get_line_color="properties.line",
                        line_width_min_pixels=1.2)]
    if labels:
        layers.append(pdk.Layer("TextLayer", texts, id="labels", get_position="position",
                                get_text="text", get_size=13, size_units='"pixels"',
                                get_color=[240, 246, 252, 255] if dark else [20, 30, 40, 255],
                                character_set='"' + "".join(sorted(set("".join(t["text"] for t in texts).replace("\n", "")) | set("0123456789 "))) + '"', font_family='"NotoSansSC, sans-serif"',
                                get_text_anchor='"middle"', get_alignment_baseline='"center"',
                                font_weight=600))
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"text": "{name}\n" + value_label + " {cases}"})

"""Offline pydeck maps for the supervision platform (no tiles, no CDN: shared/domain/offline_maps.md).

Base layer: the real district boundaries (simplified for the browser). On top: fences (home district
outlined, banned zones filled), latest positions coloured by risk and open alerts, or one person's
track as a path. When there are more points than the browser needs, quiet persons are aggregated to
grid cells and only persons with alerts or a red/yellow code stay individual points.
"""
from __future__ import annotations

import functools
import json
from typing import Iterable

import pandas as pd
import pydeck as pdk
import shapely
from shapely.geometry import mapping, shape

from components.deck import offline_deck

RISK_RGB = {"green": [46, 160, 67], "yellow": [236, 177, 26], "red": [220, 50, 47]}
ALERT_RGB = [255, 0, 128]
MAX_POINTS = 1500  # individual points above this are aggregated
GRID_DEG = 0.01
VIEW = pdk.ViewState(longitude=121.47, latitude=31.16, zoom=8.7, pitch=0)


@functools.lru_cache(maxsize=8)
def _simplified(items: tuple[tuple[int, str], ...], tolerance: float = 0.0008) -> str:
    feats = []
    for did, gj in items:
        g = shapely.simplify(shape(json.loads(gj)), tolerance, preserve_topology=True)
        geom = json.loads(json.dumps(mapping(g)), parse_float=lambda v: round(float(v), 4))
        feats.append({"type": "Feature", "properties": {"id": did}, "geometry": geom})
    return json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))


def district_collection(districts: pd.DataFrame, highlight: Iterable[int] = ()) -> dict:
    fc = json.loads(_simplified(tuple(zip(districts["id"].astype(int), districts["geojson"]))))
    hl = set(int(h) for h in highlight)
    for f in fc["features"]:
        on = f["properties"]["id"] in hl
        f["properties"]["fill"] = [38, 84, 124, 200] if on else [24, 44, 64, 200]
        f["properties"]["line"] = [120, 200, 255] if on else [80, 110, 140]
    return fc


def base_layer(districts: pd.DataFrame, highlight: Iterable[int] = ()) -> pdk.Layer:
    """District boundaries; home districts (the default fences) drawn brighter."""
    return pdk.Layer("GeoJsonLayer", data=district_collection(districts, highlight), id="districts",
                     stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line",
                     line_width_min_pixels=1, get_line_width=40, pickable=False)


def _ring(geojson: str, max_vertices: int = 12) -> list[list[float]]:
    """The outer ring of a zone, thinned to at most ``max_vertices`` and rounded to ~10 m."""
    g = json.loads(geojson)
    ring = g["coordinates"][0] if g["type"] == "Polygon" else g["coordinates"][0][0]
    step = max(1, -(-len(ring) // max_vertices))
    return [[round(x, 4), round(y, 4)] for x, y in ring[::step]]


def zones_layer(zones: pd.DataFrame) -> pdk.Layer:
    data = [{"p": _ring(g)} for g in zones["geojson"] if g]
    return pdk.Layer("PolygonLayer", data=data, id="banned", get_polygon="p", stroked=True, filled=True,
                     get_fill_color=[220, 50, 47, 90], get_line_color=[255, 80, 80],
                     line_width_min_pixels=1, pickable=False)


def split_for_payload(points: pd.DataFrame, max_points: int = MAX_POINTS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(individual points, aggregated cells). Persons with open alerts or a red/yellow code always
    stay individual; the others are binned when the total exceeds ``max_points``."""
    if len(points) <= max_points:
        return points, points.iloc[0:0]
    keep = (points["open_alerts"] > 0) | points["risk_code"].isin(["red", "yellow"])
    rest = points[~keep]
    cells = (rest.assign(gx=(rest["lon"] / GRID_DEG).round(), gy=(rest["lat"] / GRID_DEG).round())
             .groupby(["gx", "gy"], as_index=False).size().rename(columns={"size": "n"}))
    cells["lon"], cells["lat"] = cells["gx"] * GRID_DEG, cells["gy"] * GRID_DEG
    return points[keep], cells[["lon", "lat", "n"]].assign(risk_n=0, with_alerts=0)


def positions_layers(points: pd.DataFrame, individual: bool) -> list[pdk.Layer]:
    """Latest positions: individual points (with codes) or grid cells with counts."""
    layers = []
    if individual:
        pts, cells = split_for_payload(points)
        if len(pts):
            data = pd.DataFrame({"lon": pts["lon"].round(5), "lat": pts["lat"].round(5),
                                 "code": pts["person_code"], "risk": pts["risk_code"],
                                 "alerts": pts["open_alerts"].astype(int)})
            # one layer per colour: constant colours keep the payload small
            groups = [("alert", data["alerts"] > 0, ALERT_RGB, 160)] + [
                (code, (data["alerts"] == 0) & (data["risk"] == code), rgb, 90) for code, rgb in RISK_RGB.items()]
            for name, mask, rgb, radius in groups:
                if mask.any():
                    layers.append(pdk.Layer(
                        "ScatterplotLayer", data=data[mask], id=f"people_{name}", get_position="[lon, lat]",
                        get_fill_color=rgb, get_radius=radius, radius_min_pixels=3, radius_max_pixels=12,
                        stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=0.5, pickable=True))
    else:
        cells = points
    if len(cells):
        data = pd.DataFrame({"lon": cells["lon"].round(3), "lat": cells["lat"].round(3),
                             "n": cells["n"].astype(int),
                             "k": cells.get("risk_n", pd.Series(0, index=cells.index)).astype(int)})
        for k, rgb in ((0, [80, 170, 230]), (1, RISK_RGB["yellow"]), (2, RISK_RGB["red"])):
            part = data[data["k"] == k].drop(columns="k")
            if len(part):
                layers.append(pdk.Layer("ScatterplotLayer", data=part, id=f"cells_{k}", get_position="[lon, lat]",
                                        get_fill_color=rgb, opacity=0.6, get_radius="200 + 120 * Math.sqrt(n)",
                                        radius_min_pixels=2, pickable=True))
    return layers


def track_layers(track: pd.DataFrame, upto: pd.Timestamp | None = None) -> list[pdk.Layer]:
    """One person's track up to ``upto``: the path, the pings, and the position at that moment."""
    t = track if upto is None else track[track["ts"] <= upto]
    if t.empty:
        return []
    path = [{"path": [[round(x, 6), round(y, 6)] for x, y in zip(t["lon"], t["lat"])]}]
    pts = pd.DataFrame({"lon": t["lon"].round(6), "lat": t["lat"].round(6),
                        "ts": t["ts"].astype(str), "acc": t["accuracy_m"].round(0)})
    last = pts.iloc[[-1]]
    return [
        pdk.Layer("PathLayer", data=path, id="track", get_path="path", get_color=[255, 200, 0],
                  width_min_pixels=2, get_width=6),
        pdk.Layer("ScatterplotLayer", data=pts, id="pings", get_position="[lon, lat]",
                  get_fill_color=[255, 230, 120, 160], get_radius="acc", radius_min_pixels=2, pickable=True),
        pdk.Layer("ScatterplotLayer", data=last, id="now", get_position="[lon, lat]",
                  get_fill_color=[255, 0, 128], get_radius=60, radius_min_pixels=7, stroked=True,
                  get_line_color=[255, 255, 255], line_width_min_pixels=2),
    ]


def make_deck(layers: list[pdk.Layer], view: pdk.ViewState | None = None,
              tooltip: dict | bool = False) -> pdk.Deck:
    """A no-basemap deck, over all of Shanghai unless told otherwise."""
    return offline_deck(layers, view or VIEW, tooltip)


def view_for(lon: Iterable[float], lat: Iterable[float]) -> pdk.ViewState:
    lon, lat = list(lon), list(lat)
    if not lon:
        return VIEW
    span = max(max(lon) - min(lon), max(lat) - min(lat), 0.01)
    zoom = max(8.0, min(15.0, 9.6 - __import__("math").log2(span / 0.3)))
    return pdk.ViewState(longitude=(max(lon) + min(lon)) / 2, latitude=(max(lat) + min(lat)) / 2, zoom=zoom)


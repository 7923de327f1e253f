"""Planar geometry for fences: WGS84 lon/lat projected to local metres around Shanghai.

Fence decisions compare a distance with a device's accuracy radius (metres), so geometry is moved
once into a local equirectangular frame centred on Shanghai (error well under 1 % across the city
and its neighbours; GPS accuracy is tens of metres). Coordinates must be WGS84: a GCJ-02 position
from an Amap/Tencent SDK sits about 0.5 km off (shared/domain/offline_maps.md) and must be converted
before it reaches the engine.
"""
from __future__ import annotations

import functools
import json
import math
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

LON0, LAT0 = 121.45, 31.2
KX = 111_320.0 * math.cos(math.radians(LAT0))  # metres per degree of longitude at LAT0
KY = 110_574.0  # metres per degree of latitude


def to_xy(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon - LON0) * KX, (lat - LAT0) * KY


def to_lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(x, dtype=float) / KX + LON0, np.asarray(y, dtype=float) / KY + LAT0


def _project(coords: np.ndarray) -> np.ndarray:
    out = np.empty_like(coords)
    out[:, 0] = (coords[:, 0] - LON0) * KX
    out[:, 1] = (coords[:, 1] - LAT0) * KY
    return out


def metric_geom(geojson: str | dict[str, Any]):
    """A GeoJSON geometry (or Feature) in WGS84 → prepared shapely geometry in local metres."""
    obj = json.loads(geojson) if isinstance(geojson, str) else geojson
    if obj.get("type") == "Feature":
        obj = obj["geometry"]
    g = shape(obj)
    if not g.is_valid:
        g = shapely.make_valid(g)
    g = shapely.transform(g, _project)
    shapely.prepare(g)
    return g


def circle_geojson(lon: float, lat: float, radius_m: float, n: int = 32) -> dict[str, Any]:
    """A polygon approximating a circle (for banned zones and leave destinations), WGS84."""
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    xs = lon + radius_m * np.cos(a) / KX
    ys = lat + radius_m * np.sin(a) / KY
    ring = [[round(float(x), 6), round(float(y), 6)] for x, y in zip(xs, ys)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


@functools.lru_cache(maxsize=64)
def _inset(geojson: str, inset_m: float):
    g = metric_geom(geojson)
    if inset_m:
        inner = g.buffer(-inset_m)
        if not inner.is_empty:
            g = inner
            shapely.prepare(g)
    return g


def random_points_in(geojson: str | dict[str, Any], n: int, rng: np.random.Generator,
                     inset_m: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform random points inside a WGS84 polygon, at least ``inset_m`` from its edge."""
    g = _inset(geojson if isinstance(geojson, str) else json.dumps(geojson, sort_keys=True), inset_m)
    minx, miny, maxx, maxy = g.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    while got < n:
        m = max(64, 3 * (n - got))
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        ok = shapely.contains_xy(g, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    x = np.concatenate(xs)[:n]
    y = np.concatenate(ys)[:n]
    return to_lonlat(x, y)

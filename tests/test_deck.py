"""The one compact deck both maps use: pydeck's JSON, minus whitespace and \\u escapes."""
from __future__ import annotations

import json

import pydeck as pdk

from components.deck import CompactDeck, offline_deck, payload_bytes


def _deck(cls=CompactDeck) -> pdk.Deck:
    layer = pdk.Layer("ScatterplotLayer", id="pts", data=[{"lon": 121.47, "lat": 31.16, "n": "奉贤区 · 河道"}],
                      get_position="[lon, lat]", get_radius=60, pickable=True)
    return cls(layers=[layer], initial_view_state=pdk.ViewState(longitude=121.5, latitude=31.1, zoom=9),
               map_provider=None, tooltip={"html": "<b>{n}</b>"})


def test_compact_json_is_pydecks_json_without_padding():
    plain = pdk.Deck.to_json(_deck(pdk.Deck))
    compact = _deck().to_json()
    assert json.loads(compact) == json.loads(plain)
    assert compact == json.dumps(json.loads(plain), separators=(",", ":"), ensure_ascii=False)
    assert "奉贤区" in compact and "\n" not in compact
    assert payload_bytes(_deck()) == len(compact.encode("utf-8")) < len(plain.encode("utf-8"))


def test_offline_deck_has_no_basemap():
    deck = offline_deck([], pdk.ViewState(longitude=121.5, latitude=31.1, zoom=9))
    assert deck.map_provider is None
    assert json.loads(deck.to_json()).get("mapStyle") in (None, "__MAP_STYLE__")  # no style to fetch

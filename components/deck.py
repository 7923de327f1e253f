"""Offline pydeck maps: one compact deck for every map (rivers, supervision).

No tiles, no basemap: ``map_provider=None`` with map_style unset is pydeck's no-basemap sentinel
(shared/domain/offline_maps.md §4). Streamlit sends ``Deck.to_json()`` to the browser as is, and
pydeck's own JSON is indented and escapes Chinese as ``\\uXXXX``, three to five times the bytes.
"""
from __future__ import annotations

import json

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation and keeps Chinese as UTF-8 (same keys, same order)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


def offline_deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip: dict | bool = False) -> CompactDeck:
    """A compact deck with no basemap at all."""
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tooltip)


def payload_bytes(deck: pdk.Deck) -> int:
    """Size of the JSON the browser receives for this map."""
    return len(deck.to_json().encode("utf-8"))

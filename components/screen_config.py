"""The smart screen's configuration (config/smart_screen.toml) and URL state.

Which screen, scene and district a wall shows live in the URL (``?screen=main&scene=quality&
district=310120``) or in this file, never in the session: after a server restart the browser
reconnects with the same URL and comes back to the same scene. Bad URL values fall back to the
defaults instead of failing. No Streamlit import: this is tested as plain Python.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from domain.settings import current

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config" / "smart_screen.toml"
PANELS = ("intake", "stages", "trend", "charges", "indicators", "map", "watch", "ticker",
          "clues", "clue_districts", "clue_models", "clue_months")


@dataclass(frozen=True)
class Scene:
    name: str
    zh: str
    en: str
    panels: tuple[str, ...]


@dataclass(frozen=True)
class ScreenConfig:
    refresh_seconds: float
    scene_seconds: float
    data_poll_seconds: float
    min_refresh_gap_seconds: float
    stale_after_intervals: float
    stale_red_seconds: float
    title_zh: str
    title_en: str
    scenes: dict[str, Scene]
    screens: dict[str, tuple[str, ...]]

    @property
    def amber_seconds(self) -> float:
        return self.stale_after_intervals * self.refresh_seconds

    def __hash__(self) -> int:  # dicts inside; identity is enough for caching
        return id(self)


def load_config(path: str | os.PathLike | None = None) -> ScreenConfig:
    """Read and validate the file (``SMART_SCREEN_CONFIG`` overrides the default path)."""
    p = Path(path or current().screen_config or DEFAULT_PATH)
    raw = tomllib.loads(p.read_text(encoding="utf-8"))
    t = raw.get("timing", {})
    scenes = {}
    for name, s in raw.get("scenes", {}).items():
        panels = tuple(x for x in s.get("panels", ()) if x in PANELS)
        if not panels:
            raise ValueError(f"scene {name!r} has no known panel (known: {', '.join(PANELS)})")
        scenes[name] = Scene(name, s.get("zh", name), s.get("en", name), panels)
    if not scenes:
        raise ValueError("the smart screen configuration defines no scene")
    screens = {n: tuple(x for x in s.get("scenes", ()) if x in scenes) for n, s in raw.get("screens", {}).items()}
    screens = {n: s for n, s in screens.items() if s} or {"main": tuple(scenes)}
    cfg = ScreenConfig(
        refresh_seconds=float(t.get("refresh_seconds", 10)),
        scene_seconds=float(t.get("scene_seconds", 30)),
        data_poll_seconds=float(t.get("data_poll_seconds", 1.0)),
        min_refresh_gap_seconds=float(t.get("min_refresh_gap_seconds", 2.0)),
        stale_after_intervals=float(t.get("stale_after_intervals", 2)),
        stale_red_seconds=float(t.get("stale_red_seconds", 120)),
        title_zh=raw.get("title", {}).get("zh", "智慧检务大屏"),
        title_en=raw.get("title", {}).get("en", "Smart screen"),
        scenes=scenes, screens=screens,
    )
    if cfg.refresh_seconds < 1 or cfg.scene_seconds < cfg.refresh_seconds:
        raise ValueError("refresh_seconds must be ≥ 1 and scene_seconds ≥ refresh_seconds")
    return cfg


@dataclass(frozen=True)
class ScreenState:
    screen: str
    scene: str
    district: int | None


def resolve(cfg: ScreenConfig, params: dict[str, str], district_ids: set[int]) -> ScreenState:
    """Turn URL parameters into a valid state; anything unknown falls back to the default."""
    screen = params.get("screen") or "main"
    if screen not in cfg.screens:
        screen = next(iter(cfg.screens))
    scenes = cfg.screens[screen]
    scene = params.get("scene") or scenes[0]
    if scene not in scenes:
        scene = scenes[0]
    district = None
    raw = (params.get("district") or "").strip()
    if raw.isdigit() and int(raw) in district_ids:
        district = int(raw)
    return ScreenState(screen, scene, district)


def next_scene(cfg: ScreenConfig, state: ScreenState) -> str:
    scenes = cfg.screens[state.screen]
    return scenes[(scenes.index(state.scene) + 1) % len(scenes)]

"""Smart screen page: scenes rotate (whole-page rerun by streamlit-autorefresh), panels refresh in a
fragment (``run_every``), all figures come from the process-wide screen hub (queries.screen_hub)."""
import logging

import streamlit as st
from streamlit_autorefresh import st_autorefresh

from components import screen_panels as P
from components import screen_theme as T
from components.i18n import lang
from domain import clock
from components.screen_config import load_config, next_scene, resolve
from domain.scope import SCREEN, Scope
from queries.cases import district_geometries_live
from queries.screen_hub import get_hub

log = logging.getLogger("jcy.screen")
T.inject()
zh = lang() == "zh"


def calm(exc: Exception) -> None:
    """Never a traceback on the wall: log it, show one quiet line."""
    log.exception("smart screen render failed")
    st.markdown('<div class="jcy-empty">' + ("画面暂时无法更新，正在自动重试……" if zh else "Display paused; retrying…")
                + "</div>", unsafe_allow_html=True)


try:
    cfg = load_config()
    geo = district_geometries_live(SCREEN).value
    ids = set(geo["district_id"]) if geo is not None else set()
    state = resolve(cfg, st.query_params.to_dict(), ids)
    scenes = cfg.screens[state.screen]
    if len(scenes) > 1:  # scene rotation = a whole-page rerun on a timer
        count = st_autorefresh(interval=int(cfg.scene_seconds * 1000), key="scene_rotation")
        if count and count != st.session_state.get("_rotation"):
            st.session_state["_rotation"] = count
            state = type(state)(state.screen, next_scene(cfg, state), state.district)
    # the URL always names the screen, scene and district, so a restart comes back to them
    wanted = {"screen": state.screen, "scene": state.scene}
    if state.district:
        wanted["district"] = str(state.district)
    for k, v in wanted.items():
        if st.query_params.get(k) != v:
            st.query_params[k] = v
    if not state.district and "district" in st.query_params:
        del st.query_params["district"]
    scope = Scope((state.district,), role="screen") if state.district else SCREEN
    scene = cfg.scenes[state.scene]
    dname = ""
    if state.district and geo is not None:
        row = geo[geo["district_id"] == state.district].iloc[0]
        dname = " · " + (row["name_zh"] if zh else row["name_en"])
    T.header((cfg.title_zh if zh else cfg.title_en) + dname, scene.zh if zh else scene.en, zh)
except Exception as exc:  # noqa: BLE001
    calm(exc)
    st.stop()


@st.fragment(run_every=cfg.refresh_seconds)
def live_panels() -> None:
    try:
        hub = get_hub(cfg.refresh_seconds, cfg.data_poll_seconds, cfg.min_refresh_gap_seconds)
        res = hub.get(scope, clock.today())
        T.status_badge(res.as_of, res.error, cfg.amber_seconds, cfg.stale_red_seconds, zh)
        snap = res.value
        panels = scene.panels
        rows = [panels[:2], panels[2:]] if len(panels) > 2 else [panels]
        for i, row in enumerate(rows):
            height = P.HEIGHTS["top" if i == 0 else "bottom"]
            widths = [1.0, 1.25] if i == 0 and len(row) == 2 else [1.0] * len(row)
            for col, name in zip(st.columns(widths), row):
                with col, st.container(border=True, height=height):
                    if name == "map":
                        P.district_map(snap, zh, height, geo, highlight=state.district)
                    else:
                        P.RENDER[name](snap, zh, height)
    except Exception as exc:  # noqa: BLE001
        calm(exc)


live_panels()

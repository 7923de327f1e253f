"""Smart screen page: scenes rotate (whole-page rerun by streamlit-autorefresh), panels refresh in a
fragment (``run_every``), all figures come from the process-wide screen hub (queries.screen_hub).

A screen is a device with a key (queries.screen_keys): from the URL (``?key=jcyk_…``, then kept in a
cookie and dropped from the URL), from this session, or from the cookie. Every render checks it
(cached for at most the refresh interval), so a revoked key turns the wall into "未授权的大屏" within
one refresh. The key's procuratorate is the scope; the URL's district can only narrow it.
"""
import logging
from dataclasses import replace

import streamlit as st
from streamlit_autorefresh import st_autorefresh

from components import screen_panels as P
from components import screen_theme as T
from components.auth import client_addr
from components.i18n import lang
from components.screen_config import load_config, next_scene, resolve
from components.screen_gate import COOKIE, remember_key, unauthorised
from domain import clock
from queries.cases import district_geometries_live
from queries.screen_hub import get_hub
from queries.screen_keys import get_gate

log = logging.getLogger("jcy.screen")
K_KEY = "jcy_screen_key"
REFUSED_RECHECK_S = 30  # a refused wall looks again now and then (a restored database, a fixed URL)
T.inject()
zh = lang() == "zh"


def calm(exc: Exception | None = None) -> None:
    """Never a traceback on the wall: log it, show one quiet line."""
    if exc is not None:
        log.exception("smart screen render failed")
    st.markdown('<div class="jcy-empty">' + ("画面暂时无法更新，正在自动重试……" if zh else "Display paused; retrying…")
                + "</div>", unsafe_allow_html=True)


def presented_key() -> tuple[str | None, bool]:
    """(the key this screen presents, whether it came in the URL): the URL wins, then this
    session's (the URL's key is dropped once accepted), then the cookie."""
    url_key = (st.query_params.get("key") or "").strip()
    if url_key:
        return url_key, True
    cookie = st.context.cookies.get(COOKIE)
    return st.session_state.get(K_KEY) or (cookie if isinstance(cookie, str) else None) or None, False


def recheck(gate, key: str | None, addr: str | None, status: str, every: float) -> None:
    """While refused (or waiting for the database), look again every ``every`` seconds and rerun
    the whole page once the answer changes."""

    @st.fragment(run_every=every)
    def watch() -> None:
        if gate.check(key, addr).status != status:
            st.rerun(scope="app")

    watch()


addr = client_addr()
try:
    cfg = load_config()
    gate = get_gate(ttl=min(2.0, cfg.refresh_seconds))
    key, from_url = presented_key()
    check = gate.check(key, addr)
except Exception as exc:  # noqa: BLE001
    calm(exc)
    st.stop()
if check.status == "error":  # the database cannot say, and this key was never seen valid here
    calm()
    recheck(gate, key, addr, check.status, cfg.refresh_seconds)
    st.stop()
if not check.ok:
    unauthorised(check.status, check.name, zh)
    recheck(gate, key, addr, check.status, max(REFUSED_RECHECK_S, cfg.refresh_seconds))
    st.stop()
device = check.device
st.session_state[K_KEY] = key
if from_url:  # take it off the wall's address bar (kept in a cookie below)
    del st.query_params["key"]

try:
    geo = district_geometries_live(device.outline_scope()).value  # outlines only: public geography
    ids = set(geo["district_id"]) if geo is not None else set()
    if device.district_id is not None:
        ids &= {device.district_id}  # the districts the key covers: the URL may choose among these only
    asked = (st.query_params.get("district") or "").strip()
    state = resolve(cfg, st.query_params.to_dict(), ids)
    if device.district_id is not None:  # a district key shows its district, whatever the URL says
        state = replace(state, district=device.district_id)
    if asked.isdigit() and not device.allows(int(asked)):
        gate.out_of_scope(device, asked, addr)
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
    scope = device.scope(state.district)
    scene = cfg.scenes[state.scene]
    dname = ""
    if state.district and geo is not None and state.district in ids:
        row = geo[geo["district_id"] == state.district].iloc[0]
        dname = " · " + (row["name_zh"] if zh else row["name_en"])
    T.header((cfg.title_zh if zh else cfg.title_en) + dname, scene.zh if zh else scene.en, zh)
except Exception as exc:  # noqa: BLE001
    calm(exc)
    st.stop()


@st.fragment(run_every=cfg.refresh_seconds)
def live_panels() -> None:
    try:
        if not gate.check(st.session_state.get(K_KEY), addr).ok:  # revoked meanwhile: the page says so
            st.rerun(scope="app")
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
    except Exception as exc:  # noqa: BLE001  (st.rerun's exception is not an Exception)
        calm(exc)


live_panels()
if from_url:  # last, so that every other element keeps its place in later runs
    remember_key(key)

"""The smart screen served for real and driven by headless Chromium at 1920×1080.

- renders with no console error, the bundled CJK font loaded, no request off localhost, no chrome;
- the browser clock ticks;
- an event written to the database appears within one refresh interval plus 2 s;
- with the database taken away (PostgreSQL behind a loopback TCP proxy that we stop) the last
  figures stay with a stale badge, amber then a red banner, and come back when it returns;
- the screen's key: given once in the URL, kept in a cookie and dropped from the address bar; a key
  revoked while the wall runs turns it into "未授权的大屏" within one refresh interval (plus the
  check's short cache).
"""
from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from domain import clock
from domain.access import OPERATOR
from queries.db import make_engine, upgrade
from queries.schema import Case, CaseEvent, Procuratorate
from queries.screen_keys import create_key, revoke_key
from sample_data.build import build, bump_version
from tests.browser import ROOT, assert_cjk_font_loaded, browser_page, free_port, running_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT_SHOTS = ROOT / "tests" / "artifacts"  # git-ignored: screenshots to look at
KIOSK = ["--theme.base", "dark", "--client.toolbarMode", "minimal", "--client.showErrorDetails", "none"]
REFRESH = 3


def _config(tmp_path, refresh=REFRESH, red=14):
    p = tmp_path / "screen.toml"
    p.write_text(f"""
[timing]
refresh_seconds = {refresh}
scene_seconds = 60
data_poll_seconds = 0.5
min_refresh_gap_seconds = 0.5
stale_after_intervals = 2
stale_red_seconds = {red}
[scenes.overview]
panels = ["intake", "map", "trend", "stages", "ticker"]
[scenes.quality]
panels = ["indicators", "charges", "watch", "ticker"]
[screens.main]
scenes = ["overview", "quality"]
[screens.lobby]
scenes = ["overview"]
""", encoding="utf-8")
    return str(p)


@pytest.fixture
def screen_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'screen.sqlite3'}"
    e = make_engine(url)
    upgrade(e)
    ctx = build(e, scale="tiny", seed=5, progress=False)
    yield url, e, ctx.ids["screen_keys"]
    e.dispose()


def _city_key(keys: dict[str, str]) -> str:
    """The demo key of the city procuratorate's hall screen (every district)."""
    return next(k for name, k in keys.items() if name.startswith("市院"))


def _write_event(engine, at: dt.datetime, etype: str = "延长审查起诉期限") -> None:
    with engine.begin() as conn:
        cid, did = conn.execute(select(Case.id, Case.district_id).where(Case.function == "刑事").limit(1)).first()
        conn.execute(insert(CaseEvent).values(case_id=cid, district_id=did, occurred_at=at, event_type=etype,
                                              counts_as_matter=True))
        bump_version(conn, at)


def test_screen_renders_clean_and_shows_a_new_event_in_time(screen_db, tmp_path):
    url, engine, keys = screen_db
    env = {"DATABASE_URL": url, "SMART_SCREEN_CONFIG": _config(tmp_path)}
    with running_app("smart_screen.py", env=env, extra_args=KIOSK, log_dir=tmp_path) as app:
        with browser_page(1920, 1080) as (page, watch):
            page.goto(app.url + f"/?screen=lobby&key={_city_key(keys)}", wait_until="domcontentloaded")
            wait_for_app(page)
            page.wait_for_selector(".jcy-ticker", timeout=30000)
            assert_cjk_font_loaded(page)
            # kiosk: no sidebar, no navigation menu, no header toolbar visible
            assert not page.locator('[data-testid="stSidebar"]').is_visible()
            assert not page.locator('[data-testid="stSidebarNav"]').count()
            assert not page.locator('header[data-testid="stHeader"]').is_visible()
            assert page.url.endswith("screen=lobby&scene=overview")
            # the browser clock ticks on its own
            c1 = page.locator(".jcy-clock").inner_text()
            page.wait_for_function(  # it ticks every second; a loaded machine may delay a tick or two
                "(c) => { const e = document.querySelector('.jcy-clock'); return e && e.innerText !== c; }",
                arg=c1, timeout=30000)
            # an event written now appears (goal: within one interval + 2 s; measured in the bench)
            at = (clock.now_precise() + dt.timedelta(minutes=7)).replace(microsecond=0)
            stamp = at.strftime("%H:%M:%S")
            _write_event(engine, at)
            t0 = time.monotonic()
            page.wait_for_function(
                "(s) => [...document.querySelectorAll('.jcy-ticker')].some(e => e.innerText.includes(s))",
                arg=stamp, timeout=60000)
            latency = time.monotonic() - t0
            # The goal is one interval + 2 s; `make bench` measures its p50/p95 (bench_screen). Here only
            # a margin that holds while a second suite loads the two cores: three times the goal.
            assert latency <= 3 * (REFRESH + 2), f"event reached the screen after {latency:.1f} s"
            assert page.locator(".jcy-age.amber, .jcy-age.red, .jcy-age.nodata").count() == 0
            page.screenshot(path=str(tmp_path / "screen_1920.png"))
            watch.assert_clean()
        assert "Traceback" not in app.log()


# --------------------------------------------------------------------------- database taken away


class Proxy:
    """A loopback TCP proxy we can stop and start to take the database away and bring it back."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self._socks: list[socket.socket] = []
        self.start()

    def start(self) -> None:
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", self.port))
        self.srv.listen(32)
        threading.Thread(target=self._accept, args=(self.srv,), daemon=True).start()

    def _accept(self, srv) -> None:
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                c.close()
                continue
            self._socks += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a, b) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self) -> None:
        try:
            self.srv.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        except OSError:
            pass
        self.srv.close()
        for s in self._socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._socks.clear()


@pytest.fixture
def pg_behind_proxy():
    from tests.conftest import _PG_SCHEMAS, PG_SKIP, PG_URL, _build_tiny, _drop_pg, _pg_engine

    if not PG_URL:
        pytest.skip(PG_SKIP)
    e = _pg_engine()
    _build_tiny(e)
    with e.connect() as conn:
        city = conn.execute(select(Procuratorate.id).where(Procuratorate.district_id.is_(None))).scalar_one()
    _, key = create_key(e, OPERATOR, "测试大屏", city)
    u = make_url(PG_URL)
    proxy = Proxy(u.host or "127.0.0.1", u.port or 5432)
    url = u.set(host="127.0.0.1", port=proxy.port,
                query={"options": f"-csearch_path={_PG_SCHEMAS[id(e)]}"}).render_as_string(hide_password=False)
    yield url, proxy, key
    proxy.stop()
    _drop_pg(e)


# Records, four times a second, what the badge shows: (browser ms, classes, age shown in seconds).
# A sample taken between a server render and the script's next tick (the classes are the server's,
# the age is the last render's) counts as no reading (NaN).
RECORDER = """() => { window.__jcyLog = []; setInterval(() => {
  const b = document.querySelector('.jcy-age');
  const mine = b && b.dataset.shownFor === b.dataset.now;
  window.__jcyLog.push([performance.now(), b ? b.className : '', mine ? parseFloat(b.dataset.shown) : NaN,
                        !!document.querySelector('.jcy-banner.on')]); }, 250); }"""


def test_database_taken_away_keeps_figures_then_recovers(pg_behind_proxy, tmp_path):
    """The badge's age runs at real speed (it once ran at twice), amber from two intervals, the red
    banner only past the limit; the server's clock is fixed at 29 February 2028 in Shanghai and the
    browser sits in New York, and the wall still shows the server's date."""
    url, proxy, key = pg_behind_proxy
    red = 30
    env = {"DATABASE_URL": url, "SMART_SCREEN_CONFIG": _config(tmp_path, refresh=2, red=red),
           "JCY_CLOCK_START": "2028-02-29T09:00:00"}
    with running_app("smart_screen.py", env=env, extra_args=KIOSK, log_dir=tmp_path) as app:
        with browser_page(1920, 1080, timezone_id="America/New_York") as (page, watch):
            page.goto(app.url + f"/?screen=lobby&key={key}", wait_until="domcontentloaded")
            wait_for_app(page)
            page.wait_for_selector(".jcy-kpi .v", timeout=60000)
            page.wait_for_function("() => document.querySelector('.jcy-date').innerText.includes('星期')",
                                   timeout=10000)  # the browser script has taken over the clock
            assert page.locator(".jcy-date").inner_text() == "2028-02-29 星期二"
            assert page.locator(".jcy-clock").inner_text().startswith("09:")
            figure = page.locator(".jcy-kpi .v").first.inner_text()
            assert figure.replace(",", "").isdigit()
            page.evaluate(RECORDER)
            proxy.stop()  # the database goes away
            page.wait_for_selector(".jcy-age.error", timeout=60000)
            page.wait_for_selector(".jcy-banner.on", timeout=(red + 60) * 1000)  # past the limit: red banner
            page.screenshot(path=str(tmp_path / "screen_stale.png"))
            assert page.locator(".jcy-kpi .v").first.inner_text() == figure  # last figures stay
            assert page.locator('[data-testid="stException"]').count() == 0
            log = page.evaluate("() => window.__jcyLog")
            proxy.start()  # it comes back
            page.wait_for_function(
                "() => { const b = document.querySelector('.jcy-age');"
                " return b && !b.classList.contains('error') && !b.classList.contains('red')"
                " && !b.classList.contains('amber') && !document.querySelector('.jcy-banner.on'); }",
                timeout=60000)
            watch.assert_clean()
        assert "Traceback" not in app.log()
    shown = [(t / 1000, cls, age, banner) for t, cls, age, banner in log if age == age]  # drop NaN
    # amber from two intervals (4 s) to the limit, red and the banner only past it
    for _, cls, age, banner in shown:
        assert ("amber" in cls) == (4 <= age < red), (cls, age)
        assert banner == ("red" in cls) == (age >= red), (cls, age, banner)
    assert any("amber" in cls for _, cls, _, _ in shown), "amber never showed"
    # the age runs at real speed: fitted over the stale stretch, seconds shown per second elapsed
    stale = [(t, age) for t, cls, age, _ in shown if "error" in cls]
    assert stale[-1][0] - stale[0][0] >= 15, stale
    rate = (stale[-1][1] - stale[0][1]) / (stale[-1][0] - stale[0][0])
    assert 0.85 <= rate <= 1.15, f"the age ran at {rate:.2f}x real time"


# --------------------------------------------------------------------------- server restart


def _start(port: int, env: dict, log):
    import os
    import subprocess
    import sys
    import urllib.request

    from tests.browser import ROOT

    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "apps" / "smart_screen.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *KIOSK], cwd=ROOT, env={**os.environ, **env}, stdout=log,
        stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def test_server_restart_reconnects_to_the_same_scene(screen_db, tmp_path):
    """The key was in the URL only on the first visit: after the restart the cookie carries it."""
    url, _, keys = screen_db
    env = {"DATABASE_URL": url, "SMART_SCREEN_CONFIG": _config(tmp_path)}
    port = free_port()
    with open(tmp_path / "restart.log", "w") as log:
        proc = _start(port, env, log)
        try:
            with browser_page(1920, 1080) as (page, watch):
                page.goto(f"http://127.0.0.1:{port}/?screen=main&scene=quality&district=310120"
                          f"&key={_city_key(keys)}", wait_until="domcontentloaded")
                wait_for_app(page)
                page.wait_for_selector("text=办案质效指标", timeout=30000)
                page.wait_for_function(  # the charges chart has drawn (its code is loaded), or there is none
                    "() => document.querySelector('.vega-embed canvas, .vega-embed svg')"
                    " || [...document.querySelectorAll('.jcy-empty')].some(e => e.innerText.trim() === '0')",
                    timeout=60000)
                key = page.locator(".jcy-age").get_attribute("data-key")
                proc.terminate()
                proc.wait(10)
                # the wall shows its last render and its own calm Chinese notice, never Streamlit's
                # English "Connection error" dialog
                page.wait_for_selector(".jcy-offline.on", timeout=60000)
                assert page.get_by_text("正在重新连接服务器").is_visible()
                assert not page.get_by_text("Connection error").is_visible()
                assert not page.locator('[data-testid="stDialog"]').is_visible()
                assert page.locator("text=办案质效指标").count() >= 1
                page.screenshot(path=str(tmp_path / "screen_reconnecting.png"))
                proc = _start(port, env, log)  # the server comes back
                page.wait_for_function(
                    "(k) => { const b = document.querySelector('.jcy-age');"
                    " return b && b.dataset.key !== k && document.body.innerText.includes('办案质效指标')"
                    " && document.body.innerText.includes('奉贤区'); }", arg=key, timeout=60000)
                assert "scene=quality" in page.url and "district=310120" in page.url
                assert "key=" not in page.url and page.locator(".jcy-gate").count() == 0
                page.wait_for_selector(".jcy-offline:not(.on)", state="attached", timeout=30000)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except Exception:
                proc.kill()


def test_scenes_rotate_on_the_configured_interval(screen_db, tmp_path):
    url, _, keys = screen_db
    cfg = _config(tmp_path).replace("screen.toml", "rotate.toml")
    text = (tmp_path / "screen.toml").read_text(encoding="utf-8").replace("scene_seconds = 60", "scene_seconds = 5")
    (tmp_path / "rotate.toml").write_text(text, encoding="utf-8")
    env = {"DATABASE_URL": url, "SMART_SCREEN_CONFIG": cfg}
    with running_app("smart_screen.py", env=env, extra_args=KIOSK, log_dir=tmp_path) as app:
        with browser_page(1920, 1080) as (page, watch):
            page.goto(app.url + f"/?screen=main&scene=overview&key={_city_key(keys)}", wait_until="domcontentloaded")
            wait_for_app(page)
            page.wait_for_selector(".jcy-ticker", timeout=30000)
            assert page.locator("text=办案期限预警").count() == 0
            page.wait_for_function("() => location.search.includes('scene=quality')", timeout=15000)
            page.wait_for_selector("text=办案期限预警", timeout=10000)  # the quality scene's panel
            page.wait_for_function("() => location.search.includes('scene=overview')", timeout=15000)
            watch.assert_clean()
        assert "Traceback" not in app.log()


# --------------------------------------------------------------------------- the screen's key


def test_key_is_kept_in_a_cookie_and_a_revoked_key_blanks_the_wall(screen_db, tmp_path):
    url, engine, _ = screen_db
    with engine.connect() as conn:
        city = conn.execute(select(Procuratorate.id).where(Procuratorate.district_id.is_(None))).scalar_one()
    kid, key = create_key(engine, OPERATOR, "一楼大厅大屏", city)
    env = {"DATABASE_URL": url, "SMART_SCREEN_CONFIG": _config(tmp_path)}
    with running_app("smart_screen.py", env=env, extra_args=KIOSK, log_dir=tmp_path) as app:
        with browser_page(1920, 1080) as (page, watch):
            page.goto(app.url + "/", wait_until="domcontentloaded")  # no key: refused, calmly
            wait_for_app(page)
            page.wait_for_selector(".jcy-gate", timeout=30000)
            assert "未授权的大屏" in page.locator(".jcy-gate").inner_text()
            assert page.locator(".jcy-kpi").count() == 0
            page.goto(app.url + f"/?screen=lobby&key={key}", wait_until="domcontentloaded")
            wait_for_app(page)
            page.wait_for_selector(".jcy-kpi .v", timeout=60000)
            page.wait_for_function("() => !location.search.includes('key=')", timeout=30000)
            page.wait_for_function("(k) => document.cookie.includes('jcy_screen_key=' + k)", arg=key, timeout=30000)
            cookie = next(c for c in page.context.cookies() if c["name"] == "jcy_screen_key")
            assert cookie["value"] == key and cookie["sameSite"] == "Strict" and cookie["expires"] > time.time() + 300 * 86400
            assert page.locator(".jcy-keyset[data-k]").count() == 0  # the key is no longer in the page either
            # a second screen in the same browser, no key in its URL: the cookie is enough
            other = page.context.new_page()
            other.goto(app.url + "/?screen=lobby", wait_until="domcontentloaded")
            wait_for_app(other)
            other.wait_for_selector(".jcy-kpi .v", timeout=60000)
            other.close()
            revoke_key(engine, OPERATOR, kid)  # from the dashboard, in another process
            t0 = time.monotonic()
            page.wait_for_selector(".jcy-gate", timeout=60000)
            took = time.monotonic() - t0
            # goal: one refresh interval plus the check's cache (2 s); as for new events above, the margin
            # holds while a second suite loads the two cores: three times the goal
            assert took <= 3 * (REFRESH + 2), f"the revoked screen kept its figures for {took:.1f} s"
            gate = page.locator(".jcy-gate").inner_text()
            assert "未授权的大屏" in gate and "一楼大厅大屏" in gate and "系统管理员" in gate
            assert page.locator(".jcy-kpi").count() == 0 and page.locator(".jcy-ticker").count() == 0
            page.wait_for_timeout(500)
            page.screenshot(path=str(tmp_path / "screen_unauthorised.png"))
            shots = ROOT_SHOTS / "screen_unauthorised.png"
            shots.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots))
            watch.assert_clean()
        assert "Traceback" not in app.log()
    print(f"revoked key took effect after {took:.1f} s (refresh {REFRESH} s)")

"""Start a Streamlit app on a free loopback port and drive Debian's Chromium with Playwright.

Used by the browser tests and by the screenshot command. The page fails a test on any console
error and on any request to a host other than localhost (the product must run offline).
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Deadlines for a loaded machine (2 cores, a second copy of the suite beside this one): every wait
# below ends as soon as its event happens, so a generous deadline costs nothing when all is well.
STARTUP_S = 90.0  # a served app answers /_stcore/health (Python start, imports, migrations)
APP_TIMEOUT_MS = 90_000  # a page's script run finishes (queries on the tiny sample)
UI_TIMEOUT_MS = 60_000  # an element a test waits for after an action appears
SETTLE_MS = 500  # see wait_for_app
# The one deliberate fixed wait: after a map has drawn, the page is watched this long for stray
# requests and console errors before assert_clean(). An absence can only be observed over time; a
# loaded machine can make this window miss a late request, never fail a good page.
OBSERVE_MS = 3000

# Harmless console noise documented in shared/domain/offline_maps.md §4.
BENIGN_CONSOLE = ("GPU stall due to ReadPixels", "WARN Dropping", "luma.gl", "WebGL", "GL Driver",
                  "Automatic fallback to software WebGL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def running_app(app: str, env: dict[str, str] | None = None, timeout: float = STARTUP_S,
                extra_args: list[str] | None = None, log_dir: Path | None = None):
    """Run ``streamlit run apps/<app>`` on 127.0.0.1:<free port> until the block ends; ready as
    soon as the server answers its health check."""
    port = free_port()
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"streamlit_{Path(app).stem}_{port}.log"
    full_env = {**os.environ, **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "apps" / app),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--browser.serverAddress", "127.0.0.1",
           *(extra_args or [])]
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=logf, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        try:
            wait_until(answers, timeout=timeout, interval=0.2)
        except AssertionError:
            raise RuntimeError(f"streamlit did not start in {timeout:g}s:\n{log_path.read_text()}") from None
        yield RunningApp(url, port, proc, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class PageWatch:
    """What a page did that a test may fail on."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.external_requests, f"requests left localhost: {self.external_requests}"
        assert not self.page_errors, f"page errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@contextlib.contextmanager
def browser_page(width: int = 1600, height: int = 1000, timezone_id: str | None = None):
    """A fresh Chromium context and page, with console/request watchers attached; ``timezone_id``
    sets the browser's zone (a kiosk PC set to another zone)."""
    from playwright.sync_api import sync_playwright

    watch = PageWatch()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                          timezone_id=timezone_id)
            page = context.new_page()

            def on_console(msg):
                if msg.type != "error" or any(b in msg.text for b in BENIGN_CONSOLE):
                    return
                # On a deep link (/page?x=1) Streamlit's client first probes /page/_stcore/health and
                # host-config for a base path, gets 404, then uses the root: its probing, not an error.
                where = (msg.location or {}).get("url", "")
                if "404" in msg.text and where.endswith(("/_stcore/health", "/_stcore/host-config")):
                    return
                watch.console_errors.append(msg.text)

            def on_request(req):
                host = urlparse(req.url).hostname
                if req.url.startswith(("data:", "blob:", "about:")):
                    return
                if host not in ("127.0.0.1", "localhost", "::1"):
                    watch.external_requests.append(req.url)

            page.on("console", on_console)
            page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
            page.on("request", on_request)
            yield page, watch
        finally:
            browser.close()


# Connected, a script run has finished (the attribute reads "initial" before the first one) and no
# "running" status widget is shown.
APP_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testConnectionState === 'CONNECTED'
        && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def wait_for_app(page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and has finished its script run.

    The short settle afterwards only lets a widget's debounce send its value before the next step;
    nothing may rely on it: after an action a test waits for the content it expects.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(APP_IDLE_JS, timeout=timeout_ms)
    page.wait_for_timeout(SETTLE_MS)


FONT_LOADED_JS = """() => [...document.fonts].some(
    f => f.family.replace(/["']/g, '') === 'NotoSansSC' && f.status === 'loaded')"""


def assert_cjk_font_loaded(page, timeout_ms: int = UI_TIMEOUT_MS) -> None:
    """The bundled CJK font (not a system fallback) is what renders Chinese: no tofu boxes."""
    page.wait_for_function(FONT_LOADED_JS, timeout=timeout_ms)

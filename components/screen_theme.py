"""Look and liveness of the wall screen: dark kiosk CSS, the browser-driven clock and the data-age
badge.

The clock and the age badge are updated by a few lines of JavaScript in the browser, once a second,
independently of the server: if the server or the network dies, the clock keeps ticking (the page
is alive) while the badge keeps counting the data's age, turns amber after two refresh intervals and
shows the red banner past the configured limit, exactly as it would with the server up.
"""
from __future__ import annotations

import datetime as dt
import html

import streamlit as st

from domain import clock

SCREEN_CSS = """
<style>
@font-face { font-family: 'NotoSansSC'; src: url('app/static/NotoSansSC-Subset.ttf') format('truetype');
             font-display: block; }
html, body, .stApp, [class*="st-"], .stMarkdown, button { font-family: 'NotoSansSC', sans-serif !important; }
.stApp { background: radial-gradient(ellipse at top, #0f2743 0%, #07111f 70%) !important; color: #d8e6f5; }
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], #MainMenu, footer,
[data-testid="stStatusWidget"] { display: none !important; }
/* Streamlit's own English "Connection error" dialog never shows on the wall: the kiosk has no
   other dialog, and the script below shows its own calm notice (.jcy-offline) instead. */
[data-testid="stDialog"] { display: none !important; }
.jcy-offline { display: none; position: fixed; left: 50%; bottom: 1.2rem; transform: translateX(-50%); z-index: 1000;
               padding: 0.5rem 1.4rem; border-radius: 0.4rem; font-size: 1.3rem; color: #ffd27a;
               background: rgba(40,28,6,0.92); border: 1px solid #b8862b; }
.jcy-offline.on { display: block; }
.block-container, [data-testid="stMainBlockContainer"] { padding: 0.6rem 1.2rem 0.4rem 1.2rem !important; max-width: 100% !important; }
[data-testid="stVerticalBlock"] { gap: 0.55rem; }
[data-testid="stElementContainer"] iframe[title="streamlit_autorefresh.st_autorefresh"] { display: none; }
/* the one-time key-to-cookie step (components/screen_gate.py) takes no room */
[data-testid="stElementContainer"]:has(.jcy-keyset, .jcy-keyset-js) { display: none !important; }
/* 3840×2160: run the kiosk browser at 200 % (chromium --force-device-scale-factor=2, or the OS
   display scaling); the page is then laid out at 1920×1080 CSS px and drawn with twice the pixels. */
.jcy-head { display: flex; align-items: center; justify-content: space-between; padding: 0.2rem 0.4rem 0.5rem;
            border-bottom: 1px solid #1f4b75; }
.jcy-title { font-size: 2.0rem; font-weight: 700; letter-spacing: 0.12em; color: #eaf4ff;
             text-shadow: 0 0 12px rgba(63,182,255,0.6); }
.jcy-scene { font-size: 1.15rem; color: #7fc8ff; margin-left: 1rem; }
.jcy-right { display: flex; align-items: center; gap: 1.2rem; }
.jcy-clock { font-size: 1.9rem; font-variant-numeric: tabular-nums; color: #eaf4ff; min-width: 12ch; text-align: right; }
.jcy-date { font-size: 1.0rem; color: #9fb7cf; }
.jcy-age { font-size: 1.0rem; padding: 0.25rem 0.7rem; border-radius: 1rem; border: 1px solid #2e6a47;
           color: #8ff0b3; background: rgba(30,90,60,0.35); }
.jcy-age.amber { border-color: #b8862b; color: #ffd27a; background: rgba(120,80,10,0.45); }
.jcy-age.error { border-style: dashed; }
.jcy-age.red, .jcy-age.nodata { border-color: #c0392b; color: #ffb3a8; background: rgba(130,25,20,0.55); }
.jcy-banner { display: none; margin: 0.3rem 0; padding: 0.6rem 1rem; border-radius: 0.4rem; font-size: 1.3rem;
              background: #8b1a12; color: #fff; border: 1px solid #ff6b5b; text-align: center; }
.jcy-banner.on { display: block; }
.jcy-card { background: linear-gradient(180deg, rgba(18,45,78,0.85), rgba(10,26,46,0.85));
            border: 1px solid #1f4b75; border-radius: 0.5rem; padding: 0.6rem 0.9rem; height: 100%; }
.jcy-card h3 { font-size: 1.25rem; color: #7fc8ff; margin: 0 0 0.45rem 0; padding: 0; font-weight: 600;
               letter-spacing: 0.06em; }
.jcy-card h3 small { color: #6f8aa6; font-weight: 400; font-size: 0.85rem; margin-left: 0.6rem; letter-spacing: 0; }
.jcy-grid { display: grid; gap: 0.5rem; }
.jcy-kpi { background: rgba(8,22,40,0.7); border-radius: 0.4rem; padding: 0.45rem 0.6rem; border: 1px solid #173a5e; }
.jcy-kpi .l { font-size: 1.0rem; color: #9fb7cf; }
.jcy-kpi .v { font-size: 2.2rem; font-weight: 700; color: #eaf4ff; font-variant-numeric: tabular-nums; line-height: 1.15; }
.jcy-kpi .v.na { color: #6f8aa6; }
.jcy-kpi .s { font-size: 0.9rem; color: #9fb7cf; font-variant-numeric: tabular-nums; }
.jcy-kpi .s b { color: #eaf4ff; font-weight: 600; }
.jcy-kpi .d { font-size: 0.78rem; color: #6f8aa6; margin-top: 0.2rem; line-height: 1.3; }
.jcy-table { width: 100%; border-collapse: collapse; font-size: 1.0rem; }
.jcy-table td, .jcy-table th { padding: 0.22rem 0.35rem; border-bottom: 1px solid #173a5e; text-align: left;
                               white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 16rem; }
.jcy-table th { color: #7fc8ff; font-weight: 500; font-size: 0.9rem; }
.jcy-tag { padding: 0.05rem 0.45rem; border-radius: 0.8rem; font-size: 0.85rem; }
.jcy-tag.over { background: #8b1a12; color: #fff; } .jcy-tag.near { background: #8a5a00; color: #fff; }
.jcy-ticker .t { color: #7fc8ff; font-variant-numeric: tabular-nums; }
.jcy-empty { color: #6f8aa6; font-size: 1.1rem; padding: 1rem 0; }
.jcy-foot { color: #4f6a86; font-size: 0.8rem; text-align: right; }
</style>
"""

# One interval for the whole page: updates every clock and every age badge once a second.
# Times are Shanghai times from the server's clock: each render stamps the server's "now" (epoch ms)
# on the clock, and the browser keeps the offset, so a kiosk PC set to another zone or a wrong time
# still shows the server's time. An age badge carries its age at render and that render's stamp;
# the browser adds only the time since it first saw that stamp, so the age runs at real speed
# however often the server renders (it used to add up both and run at twice real time).
CLOCK_JS = """
<script>
(function () {
  if (window.__jcyTick) { return; }
  const pad = (n) => String(n).padStart(2, '0');
  const week = ['日', '一', '二', '三', '四', '五', '六'];
  const seen = (el) => {  // when this browser first saw the element's current render stamp
    const key = el.dataset.now || '';
    if (el.__jcyKey !== key) { el.__jcyKey = key; el.__jcySeen = Date.now(); }
    return el.__jcySeen;
  };
  const tick = () => {
    document.querySelectorAll('.jcy-clock, .jcy-date').forEach(el => {
      if (!el.dataset.now) { return; }
      const t = parseFloat(el.dataset.now) + (Date.now() - seen(el));
      const d = new Date(t + 8 * 3600 * 1000);  // Shanghai: UTC+8 all year (no summer time)
      el.textContent = el.classList.contains('jcy-clock')
        ? pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds())
        : d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' 星期' + week[d.getUTCDay()];
    });
    document.querySelectorAll('.jcy-age').forEach(el => {
      if (!el.dataset.age) { return; }
      const age = parseFloat(el.dataset.age) + (Date.now() - seen(el)) / 1000;
      el.dataset.shown = age.toFixed(1);
      el.dataset.shownFor = el.dataset.now || '';  // which render the shown age belongs to
      const amber = parseFloat(el.dataset.amber), red = parseFloat(el.dataset.red);
      el.classList.toggle('amber', age >= amber && age < red);
      el.classList.toggle('red', age >= red);
      const s = Math.round(age);
      const txt = s < 90 ? s + ' 秒前' : (s < 5400 ? Math.round(s / 60) + ' 分钟前' : Math.round(s / 3600) + ' 小时前');
      const lbl = el.querySelector('.age'); if (lbl) { lbl.textContent = txt; }
      const banner = document.querySelector('.jcy-banner');
      if (banner) { banner.classList.toggle('on', age >= red); }
    });
    const lost = !!document.querySelector('[data-testid="stDialog"]');  // the server is unreachable
    document.querySelectorAll('.jcy-offline').forEach(el => el.classList.toggle('on', lost));
  };
  window.__jcyTick = setInterval(tick, 1000);
  tick();
})();
</script>
"""


def inject() -> None:
    """Kiosk CSS (constant) and the clock script (constant; no user data in either)."""
    st.markdown(SCREEN_CSS, unsafe_allow_html=True)
    st.html(CLOCK_JS, unsafe_allow_javascript=True)


def _stamp(at: dt.datetime) -> str:
    """Epoch milliseconds of an aware time (the render stamp the browser script keys on)."""
    return f"{at.timestamp() * 1000:.0f}"


def header(title: str, scene_title: str, zh: bool = True) -> None:
    now = clock.now_aware()
    offline = ("正在重新连接服务器，画面显示最近一次的数据……" if zh
               else "Reconnecting to the server; showing the last figures…")
    st.markdown(
        f'<div class="jcy-head"><div><span class="jcy-title">{html.escape(title)}</span>'
        f'<span class="jcy-scene">{html.escape(scene_title)}</span></div>'
        f'<div class="jcy-right"><span class="jcy-date" data-now="{_stamp(now)}">{now:%Y-%m-%d}</span>'
        f'<span class="jcy-clock" data-now="{_stamp(now)}">{now:%H:%M:%S}</span></div></div>'
        f'<div class="jcy-offline">{html.escape(offline)}</div>', unsafe_allow_html=True)


def age_state(age: float | None, error: str | None, amber: float, red: float) -> str:
    """'ok' / 'amber' / 'red' / 'error' (no data at all): what the badge looks like server-side."""
    if age is None:
        return "error"
    if age >= red:
        return "red"
    if age >= amber:
        return "amber"
    return "ok"


def status_badge(as_of: dt.datetime | None, error: str | None, amber: float, red: float,
                 zh: bool = True) -> None:
    """"数据截至 hh:mm:ss · n 秒前" with its colour; a red banner when the data is too old or absent."""
    now = clock.now_aware()
    age = max(0.0, (now.replace(tzinfo=None) - as_of).total_seconds()) if as_of else None
    state = age_state(age, error, amber, red)
    if as_of is None:
        badge = ('<span class="jcy-age nodata">' + ("数据暂不可用" if zh else "No data") + '</span>')
        banner = ("数据库暂时无法连接，正在自动重试……" if zh else "The database is unreachable; retrying…")
        st.markdown(f'<div class="jcy-banner on">{html.escape(banner)}</div>'
                    f'<div style="text-align:right">{badge}</div>', unsafe_allow_html=True)
        return
    cls = {"ok": "", "amber": "amber", "red": "red"}[state] + (" error" if error else "")
    label = ("数据截至 " if zh else "Data as of ") + f"{as_of:%H:%M:%S}"
    note = (" · 数据源异常，显示最近一次数据" if zh else " · source failing, last good data") if error else ""
    banner = (f"数据已超过 {int(red)} 秒未更新，当前显示的是 {as_of:%H:%M:%S} 的数据"
              if zh else f"Data older than {int(red)} s: showing figures from {as_of:%H:%M:%S}")
    st.markdown(
        f'<div class="jcy-banner{" on" if state == "red" else ""}">{html.escape(banner)}</div>'
        f'<div style="text-align:right"><span class="jcy-age {cls}" data-key="{as_of.isoformat()}" '
        f'data-now="{_stamp(now)}" data-age="{age:.1f}" data-amber="{amber:g}" data-red="{red:g}">{html.escape(label)} · '
        f'<span class="age">{int(age)} 秒前</span>{html.escape(note)}</span></div>',
        unsafe_allow_html=True)

"""What a wall screen shows about its key: the calm "未授权的大屏" page (no figures, readable across a
room) and the one-time step that keeps a key given in the URL in a cookie.

Why a cookie set by a script: Streamlit cannot set a cookie from the server, and a screen should not
need its key in the URL after the first visit (the URL shows on the wall's address bar and in
browser history). The script is a constant; the key reaches it through an escaped data attribute,
validated beforehand to the key alphabet ``[A-Za-z0-9_-]``.
"""
from __future__ import annotations

import html

import streamlit as st

from domain import clock

COOKIE = "jcy_screen_key"  # the name the script below writes
GATE_CSS = """
<style>
.jcy-gate { position: fixed; inset: 0; z-index: 50; display: flex; flex-direction: column; align-items: center;
            justify-content: center; text-align: center; gap: 1.6rem; padding: 4rem;
            background: radial-gradient(ellipse at top, #0f2743 0%, #07111f 70%); color: #d8e6f5; }
.jcy-gate .mark { width: 7.5rem; height: 7.5rem; border-radius: 50%; border: 0.35rem solid #7fc8ff;
                  display: flex; align-items: center; justify-content: center; font-size: 4rem; color: #7fc8ff;
                  font-weight: 700; }
.jcy-gate h1 { font-size: 5.2rem; font-weight: 700; letter-spacing: 0.3em; margin: 0; padding: 0; color: #eaf4ff;
               text-shadow: 0 0 18px rgba(63,182,255,0.45); }
.jcy-gate .why { font-size: 2.3rem; color: #c7d9ec; margin: 0; }
.jcy-gate .name { font-size: 2.0rem; color: #ffd27a; margin: 0; }
.jcy-gate .todo { font-size: 2.3rem; color: #c7d9ec; margin: 0.6rem 0 0 0; }
.jcy-gate .todo b { color: #eaf4ff; }
.jcy-gate .how { font-size: 1.5rem; color: #7f98b2; margin: 0; }
.jcy-gate .when { position: absolute; bottom: 2rem; display: flex; gap: 1.2rem; align-items: baseline; }
.jcy-gate .when .jcy-clock, .jcy-gate .when .jcy-date { font-size: 1.4rem; color: #4f6a86; min-width: 0; }
</style>
"""

# Runs in the page (st.html, not an iframe). Stores the key that the server accepted from the URL
# for a year, for this host only, sent back with every connection (a reload, a reconnect after a
# server restart), so the URL no longer needs it.
SET_KEY_COOKIE_JS = """
<span class="jcy-keyset-js"></span>
<script>
(function () {
  let tries = 0;
  const store = () => {
    const el = document.querySelector('.jcy-keyset');
    if (!el) { if (++tries < 50) { setTimeout(store, 100); } return; }
    const k = el.dataset.k || '';
    if (!/^jcyk_[A-Za-z0-9_-]{20,64}$/.test(k)) { return; }
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = 'jcy_screen_key=' + k + '; Path=/; Max-Age=31536000; SameSite=Strict' + secure;
    el.removeAttribute('data-k');  // the key does not stay in the page
  };
  store();
})();
</script>
"""

WHY = {
    "missing": ("此大屏尚未配置访问密钥", "This screen has no access key"),
    "unknown": ("此大屏的访问密钥无效", "This screen's access key is not valid"),
    "revoked": ("此大屏的访问密钥已被吊销", "This screen's access key has been revoked"),
}


def unauthorised(status: str, name: str | None = None, zh: bool = True) -> None:
    """The whole wall: "未授权的大屏", why, the screen's name if known, and what to do. No figures.
    The clock in the corner keeps ticking (the screen's own script), so the wall is visibly alive."""
    why = WHY.get(status, WHY["unknown"])[0 if zh else 1]
    title = "未授权的大屏" if zh else "Screen not authorised"
    todo = ("请联系<b>系统管理员</b>为此大屏配置新的访问密钥" if zh
            else "Please contact the <b>system administrator</b> for a new access key")
    how = ("系统管理员可在工作台「系统 › 大屏密钥」创建密钥，并用新的大屏地址打开此屏" if zh
           else "Keys are created in the workbench under System › Screen keys; open the new screen address here")
    hint = ""
    if name:
        hint = f'<p class="name">{html.escape(("大屏名称：" if zh else "Screen: ") + name)}</p>'
    now = clock.now_aware()
    stamp = f"{now.timestamp() * 1000:.0f}"
    st.markdown(GATE_CSS, unsafe_allow_html=True)
    st.markdown(
        f'<div class="jcy-gate" data-status="{html.escape(status)}"><div class="mark">!</div>'
        f'<h1>{html.escape(title)}</h1><p class="why">{html.escape(why)}</p>{hint}'
        f'<p class="todo">{todo}</p><p class="how">{html.escape(how)}</p>'
        f'<div class="when"><span class="jcy-date" data-now="{stamp}">{now:%Y-%m-%d}</span>'
        f'<span class="jcy-clock" data-now="{stamp}">{now:%H:%M:%S}</span></div></div>', unsafe_allow_html=True)


def remember_key(key: str) -> None:
    """Keep a key the server has just accepted from the URL in a cookie (once per accepting run)."""
    st.markdown(f'<span class="jcy-keyset" data-k="{html.escape(key, quote=True)}"></span>', unsafe_allow_html=True)
    st.html(SET_KEY_COOKIE_JS, unsafe_allow_javascript=True)

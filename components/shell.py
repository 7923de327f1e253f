"""Page chrome shared by the apps: the CJK font, language switch, and the error boundary."""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager

import streamlit as st

from components.i18n import lang, tr
from domain.masking import scrub_text
from domain.settings import SettingsError, current

log = logging.getLogger("jcy.ui")

# The theme (.streamlit/config.toml [[theme.fontFaces]]) makes NotoSansSC the app font; this face
# declaration only makes sure it is requested early. No element-wide override: that would also
# replace the bundled Material Symbols font and break icons.
FONT_CSS = """
<style>
@font-face { font-family: 'NotoSansSC'; src: url('app/static/NotoSansSC-Subset.ttf') format('truetype');
             font-display: block; }
</style>
"""


def require_settings() -> None:
    """Stop the app with a plain message naming each bad variable, before any page can fail on it.

    Every entry point in ``apps/`` calls this first; operators can run the same check with
    ``python -m domain.settings --check``.
    """
    try:
        current()
    except SettingsError as exc:
        lines = "\n".join(f"- `{env}`：{why}" for env, why in exc.problems)
        st.error("配置有误，应用未能启动。请修改以下环境变量后重新启动"
                 "（可用 `python -m domain.settings --check` 检查）：\n\n" + lines)
        st.stop()


def inject_font() -> None:
    """Load the bundled font: a wall PC on the intranet may have no Chinese font at all."""
    st.markdown(FONT_CSS, unsafe_allow_html=True)  # constant CSS only


def language_switch() -> None:
    """Sidebar toggle; the choice lives in the URL so it survives reloads and shared links."""
    current = lang()
    choice = st.sidebar.radio("语言 / Language", ["中文", "English"], index=1 if current == "en" else 0,
                              horizontal=True, key="_lang_switch")
    wanted = "en" if choice == "English" else "zh"
    if wanted != current:
        if wanted == "en":
            st.query_params["lang"] = "en"
        else:
            st.query_params.pop("lang", None)
        st.rerun()


@contextmanager
def friendly_errors(what: str = ""):
    """Show a clear Chinese message with a support id instead of a traceback; log the details."""
    try:
        yield
    except Exception as exc:  # the last-resort handler (ASVS 7.4.1 / 16.5.1)
        if type(exc).__name__ in ("RerunException", "StopException"):
            raise
        support_id = uuid.uuid4().hex[:8]
        log.exception("support id %s: %s", support_id, scrub_text(str(exc)))
        st.error(tr(f"{what}暂时无法显示，请稍后再试。（支持编号 {support_id}）",
                    f"{what or 'This view'} is unavailable right now; please try again later. "
                    f"(support id {support_id})"))

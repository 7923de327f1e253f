"""Page chrome shared by the apps: the CJK font, language switch, and the error boundary."""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager

import streamlit as st

from components.i18n import lang, tr
from domain.access import AccessDenied
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


def is_outage(exc: BaseException) -> bool:
    """The database cannot be reached, or is not the one expected: any SQLAlchemy error (told by its
    module, since components never import the query layer)."""
    return any(c.__module__.split(".")[0] == "sqlalchemy" for c in type(exc).__mro__)


@contextmanager
def friendly_errors(what: str = "", failed: str | None = None):
    """Show a clear Chinese message instead of a traceback; log the details.

    ``what`` names a view ("数据状态暂时无法显示"); ``failed`` names an action that did not happen
    ("验证码未能发送"), so the user is told the truth: the page is shown, the action failed. A
    database outage says so; anything else gets a support id for the operator's log.
    """
    try:
        yield
    except Exception as exc:  # the last-resort handler (ASVS 7.4.1 / 16.5.1)
        if type(exc).__name__ in ("RerunException", "StopException"):
            raise
        if isinstance(exc, AccessDenied):  # the query layer refused what the page did not check
            log.warning("query refused: %s", exc)
            st.warning(tr("无权访问：您的账号不能查看这些数据。", "Access denied: your account may not see this data."))
            return
        head = failed or tr(f"{what}暂时无法显示", f"{what or 'This view'} is unavailable")
        if is_outage(exc):
            log.warning("%s: database unavailable: %s", what or failed, scrub_text(str(exc).splitlines()[0]
                                                                               if str(exc) else type(exc).__name__))
            st.error(tr(f"{head}：数据库暂时无法连接，请稍后再试。您填写的内容仍保留在页面上。",
                        f"{head}: the database cannot be reached; please try again later. "
                        "What you entered is still on the page."))
            return
        support_id = uuid.uuid4().hex[:8]
        log.exception("support id %s: %s", support_id, scrub_text(str(exc)))
        st.error(tr(f"{head}，请稍后再试。（支持编号 {support_id}）",
                    f"{head}; please try again later. (support id {support_id})"))


def link_to_page(path: str, label: str, icon: str | None = None) -> None:
    """A link to another dashboard page, shown only when the navigation holds it (the account may
    open it); a page run on its own (tests, a page outside the dashboard) shows no link."""
    from streamlit.errors import StreamlitPageNotFoundError

    try:
        st.page_link(path, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        pass

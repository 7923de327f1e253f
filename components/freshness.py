"""How a page shows the state of a cached query result (``queries.cache.Fresh``).

Two forms: ``fresh_value`` for a page that cannot go on without the data (it stops with a clear
message), ``fresh_note`` for a page that shows what it has and notes its age or the failed refresh.
``unavailable`` is the one wording for data that cannot be read at all, on every page.
"""
from __future__ import annotations

import streamlit as st

from components.i18n import tr


def unavailable(what: str = "") -> None:
    """Say that ``what`` (already in the page's language) cannot be read because the database is
    down; the caller decides whether the page stops. One wording, Chinese first, on every page."""
    st.error(tr(f"{what}暂时无法读取（数据库不可用），请稍后再试。",
                f"{what}: the database is unavailable; please try again later." if what
                else "The database is unavailable; please try again later."))


def fresh_value(res, what: str):
    """The value of a ``Fresh`` result; when the database is unavailable, say so and stop the page."""
    if res.value is None:
        unavailable(what)
        st.stop()
    if res.error:
        st.warning(tr(f"显示的是 {res.as_of:%H:%M:%S} 的数据，最近一次刷新失败。",
                      f"Showing data from {res.as_of:%H:%M:%S}; the last refresh failed."))
    return res.value


def fresh_note(res) -> None:
    """Under data already shown: its age, or that the last refresh failed."""
    if res.error and not res.as_of:
        unavailable()
    elif res.error:
        st.warning(tr(f"数据刷新失败，显示的是 {res.as_of:%H:%M:%S} 的结果。",
                      f"Refresh failed; showing data from {res.as_of:%H:%M:%S}."))
    elif res.as_of:
        st.caption(tr(f"数据时间 {res.as_of:%H:%M:%S}", f"Data as of {res.as_of:%H:%M:%S}"))

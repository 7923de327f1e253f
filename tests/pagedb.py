"""Point pages run in this process (AppTest) at one database for a while, then restore.

The caching seam keys engines and results by DATABASE_URL; the caches are cleared on entry and
exit as well, so nothing from another database is ever served to a page under test.
"""
from __future__ import annotations

import contextlib
import os


def _clear_caches() -> None:
    import streamlit as st

    from queries import cache

    cache._fallback.clear()
    st.cache_resource.clear()  # AppTest runs with a runtime: the engine lives in cache_resource


@contextlib.contextmanager
def pages_use_database(url: str):
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    _clear_caches()
    try:
        yield url
    finally:
        _clear_caches()
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old

"""The one "database unavailable" message every page shows (components.freshness)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page(what: str, lang: str = "zh") -> AppTest:
    def script(what: str) -> None:
        from components.freshness import unavailable

        unavailable(what)

    at = AppTest.from_function(script, kwargs={"what": what})
    if lang == "en":
        at.query_params["lang"] = "en"
    return at.run()


def test_unavailable_names_what_cannot_be_read_chinese_first():
    assert [e.value for e in _page("案件统计").error] == ["案件统计暂时无法读取（数据库不可用），请稍后再试。"]
    assert [e.value for e in _page("").error] == ["暂时无法读取（数据库不可用），请稍后再试。"]
    assert [e.value for e in _page("Case statistics", "en").error] == [
        "Case statistics: the database is unavailable; please try again later."]
    assert [e.value for e in _page("", "en").error] == ["The database is unavailable; please try again later."]

"""AppTest smoke tests of the smart screen page: scenes, URL state, kiosk chrome, no traceback."""
from streamlit.testing.v1 import AppTest

from components.screen_config import load_config
from tests.browser import ROOT

PAGE = str(ROOT / "pages/screen_wall.py")


def _run(params=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    html = " ".join(m.value for m in at.markdown)
    assert "Traceback" not in html
    return at, html


def test_default_scene_renders_live_figures(page_db):
    at, html = _run()
    cfg = load_config()
    first = cfg.screens["main"][0]
    assert at.query_params["screen"] == "main" and at.query_params["scene"] == first
    assert cfg.title_zh in html and "数据截至" in html
    assert "案件受理" in html and "实时动态" in html
    assert "jcy-clock" in html  # the browser-driven clock is there
    assert not at.error  # never Streamlit's error box


def test_quality_scene_shows_indicators_with_definitions(page_db):
    at, html = _run({"scene": "quality"})
    for name in ("认罪认罚适用率", "诉前羁押率", "不捕率", "不诉率", "量刑建议采纳率", "案件比"):
        assert name in html
    assert "分子" in html and "分母" in html and "审查起诉审结" in html  # definitions on the wall
    assert "办案期限预警" in html


def test_district_screen_and_bad_params(page_db):
    at, html = _run({"district": "310120", "scene": "districts"})
    assert "奉贤区" in html and at.query_params["district"] == "310120"
    at, html = _run({"screen": "nope", "scene": "<img src=x onerror=alert(1)>", "district": "abc"})
    assert "<img src=x" not in html and "district" not in at.query_params
    assert at.query_params["scene"] == load_config().screens[at.query_params["screen"]][0]


def test_english(page_db):
    _, html = _run({"lang": "en"})
    assert "Cases accepted" in html and "Data as of" in html


def test_ticker_has_nothing_personal(page_db, sample_engine):
    from sqlalchemy import text

    _, html = _run({"scene": "overview"})
    with sample_engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT full_name FROM person"))]
        masked = [r[0] for r in conn.execute(text("SELECT name_masked FROM person"))]
    ticker = html[html.index("实时动态"):]
    assert not any(n in ticker for n in names + masked if len(n) >= 2)

"""AppTest smoke tests of the smart screen page: scenes, URL state, kiosk chrome, no traceback, and
the screen's key (no key, an unknown or revoked key: "未授权的大屏"; a district key never shows
another district)."""
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from components.screen_config import load_config
from domain.access import OPERATOR
from queries.schema import AuditLog, Procuratorate, ScreenKey
from queries.screen_keys import create_key, new_key, revoke_key
from tests.browser import ROOT

PAGE = str(ROOT / "pages/screen_wall.py")
MINHANG, HUANGPU = 310112, 310101


@pytest.fixture(scope="module")
def keys(sample_engine):
    """A city key and a Minhang key in the shared sample database (made once for this module)."""
    with sample_engine.connect() as conn:
        proc = {d: i for i, d in conn.execute(select(Procuratorate.id, Procuratorate.district_id))}
    _, city = create_key(sample_engine, OPERATOR, "测试市院大屏", proc[None])
    _, minhang = create_key(sample_engine, OPERATOR, "测试闵行大屏", proc[MINHANG])
    return {"city": city, "minhang": minhang}


def _run(params=None, key=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    if key:
        at.query_params["key"] = key
    at.run()
    assert not at.exception, at.exception
    html = " ".join(m.value for m in at.markdown)
    assert "Traceback" not in html
    return at, html


def _audits(engine, event: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditLog).where(AuditLog.event == event)).scalar_one()


def test_default_scene_renders_live_figures(page_db, keys, sample_engine):
    at, html = _run(key=keys["city"])
    cfg = load_config()
    first = cfg.screens["main"][0]
    assert at.query_params["screen"] == "main" and at.query_params["scene"] == first
    assert cfg.title_zh in html and "数据截至" in html
    assert "案件受理" in html and "实时动态" in html
    assert "jcy-clock" in html  # the browser-driven clock is there
    assert not at.error  # never Streamlit's error box
    assert "key" not in at.query_params  # accepted, kept in a cookie, off the address bar
    assert "未授权" not in html
    with sample_engine.connect() as conn:  # the key was seen just now
        seen = conn.execute(select(ScreenKey.last_seen_at).where(ScreenKey.name == "测试市院大屏")).scalar()
    assert seen is not None


def test_quality_scene_shows_indicators_with_definitions(page_db, keys):
    at, html = _run({"scene": "quality"}, keys["city"])
    for name in ("认罪认罚适用率", "诉前羁押率", "不捕率", "不诉率", "量刑建议采纳率", "案件比"):
        assert name in html
    assert "分子" in html and "分母" in html and "审查起诉审结" in html  # definitions on the wall
    assert "办案期限预警" in html


def test_district_screen_and_bad_params(page_db, keys):
    at, html = _run({"district": "310120", "scene": "districts"}, keys["city"])
    assert "奉贤区" in html and at.query_params["district"] == "310120"
    at, html = _run({"screen": "nope", "scene": "<img src=x onerror=alert(1)>", "district": "abc"}, keys["city"])
    assert "<img src=x" not in html and "district" not in at.query_params
    assert at.query_params["scene"] == load_config().screens[at.query_params["screen"]][0]


def test_english(page_db, keys):
    _, html = _run({"lang": "en"}, keys["city"])
    assert "Cases accepted" in html and "Data as of" in html


def test_ticker_has_nothing_personal(page_db, keys, sample_engine):
    from sqlalchemy import text

    _, html = _run({"scene": "overview"}, keys["city"])
    with sample_engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT full_name FROM person"))]
        masked = [r[0] for r in conn.execute(text("SELECT name_masked FROM person"))]
    ticker = html[html.index("实时动态"):]
    assert not any(n in ticker for n in names + masked if len(n) >= 2)


# --------------------------------------------------------------------------- the key


def _refused(html: str) -> None:
    assert "未授权的大屏" in html and "请联系" in html and "系统管理员" in html
    for figure in ("数据截至", "案件受理", "实时动态", "class=\"jcy-kpi"):
        assert figure not in html


def test_no_key_is_refused_calmly(page_db):
    at, html = _run()
    _refused(html)
    assert "尚未配置访问密钥" in html and not at.error


def test_unknown_key_is_refused_and_audited_once(page_db, sample_engine):
    before = _audits(sample_engine, "大屏未授权访问")
    bogus = new_key()
    for _ in range(3):  # a wall retrying with a dead key: one audit row, not three
        at, html = _run(key=bogus)
        _refused(html)
        assert "访问密钥无效" in html
    assert _audits(sample_engine, "大屏未授权访问") == before + 1
    at, html = _run(key="<script>alert(1)</script>")  # not even a key: refused, nothing echoed
    _refused(html)
    assert "<script>alert" not in html


def test_revoked_key_is_refused_with_its_name(page_db, sample_engine):
    with sample_engine.connect() as conn:
        city = conn.execute(select(Procuratorate.id).where(Procuratorate.district_id.is_(None))).scalar_one()
    kid, key = create_key(sample_engine, OPERATOR, "二楼会议室大屏", city)
    _, html = _run(key=key)
    assert "数据截至" in html
    assert revoke_key(sample_engine, OPERATOR, kid)
    from tests.pagedb import _clear_caches

    _clear_caches()  # the dashboard runs in another process: here, skip the short cache instead of waiting
    _, html = _run(key=key)
    _refused(html)
    assert "已被吊销" in html and "二楼会议室大屏" in html


def test_a_district_key_cannot_show_another_district(page_db, keys, sample_engine):
    before = _audits(sample_engine, "大屏越界请求")
    at, html = _run({"district": str(HUANGPU), "scene": "districts"}, keys["minhang"])
    assert "闵行区" in html and "黄浦区" not in html
    assert at.query_params["district"] == str(MINHANG)
    assert _audits(sample_engine, "大屏越界请求") == before + 1
    at, html = _run({"scene": "districts"}, keys["minhang"])  # no district asked: still its own
    assert "闵行区" in html and at.query_params["district"] == str(MINHANG)
    at, html = _run({"district": str(HUANGPU), "scene": "districts"}, keys["city"])  # the city key may narrow
    assert "黄浦区" in html and at.query_params["district"] == str(HUANGPU)

"""The sentencing ruler and its public mode: AppTest smoke and interaction, export audit, browser."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from components.sentencing_export import reasoning_pdf
from domain.sentencing import compute
from tests.browser import (
    APP_TIMEOUT_MS, ROOT, UI_TIMEOUT_MS, assert_cjk_font_loaded, browser_page, running_app,
)
from tests.staff import sign_in, staff_of

RULER = str(ROOT / "pages/sentencing_ruler.py")
PUBLIC = str(ROOT / "pages/sentencing_public.py")


def ruler(user: str = "pros_310120_1") -> AppTest:
    """The ruler as a signed-in prosecutor sees it (the public explainer needs no account)."""
    from queries.cache import get_engine

    return sign_in(AppTest.from_file(RULER, default_timeout=120), staff_of(get_engine(), user))


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning] + \
            [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def tier1(at: AppTest, crime: str = "盗窃", n: int = 1, prefix: str = "sr") -> AppTest:
    at.selectbox(key=f"{prefix}_tier_{crime}").set_value(n).run()
    return at


def test_ruler_asks_for_a_tier_and_then_shows_the_starting_point(page_db):
    at = ruler().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="sr_crime").value == "盗窃"
    assert at.selectbox(key="sr_tier_盗窃").value is None  # no pre-selected tier
    assert any("请选择量刑起点档次" in i.value for i in at.info) and "规则计算幅度" not in _text(at)
    assert not at.error  # asking is not a refusal
    tier1(at)
    txt = _text(at)
    assert "规则计算幅度 1–12 个月** :green-badge[已核实]" in txt  # no circumstances: the tier's starting point
    assert "n = 85" in txt and "CAIL2018" in txt
    steps = at.dataframe[0].value
    assert list(steps.iloc[:, 0]) == ["量刑起点", "基准刑", "法定刑幅度限制", "法官综合考量 ±20%"]


def test_ruler_sources_are_never_mixed(page_db):
    at = ruler().run()
    assert at.radio(key="sr_src").options == ["真实判决（CAIL2018）", "合成样例数据"]
    txt = _text(at)
    assert "不计入刑期分布与中位数" in txt and "实际执行刑期中位数" in txt
    at.radio(key="sr_src").set_value("synthetic").run()
    assert not at.exception and "合成样例数据，单一罪名判决" in _text(at)


def test_ruler_injury_with_circumstances_carries_whole_ranges(page_db):
    at = ruler().run()
    at.selectbox(key="sr_crime").set_value("故意伤害").run()
    tier1(at, "故意伤害")
    for k in ("accomplice", "surrender", "recidivist"):
        at.checkbox(key=f"sr_c_{k}").check()
    at.run()
    assert not at.exception, at.exception
    steps = at.dataframe[0].value
    assert "第一类情节：从犯" in list(steps.iloc[:, 0])
    # nothing narrowed: 从犯 20–50 %, 自首 0–40 %, 累犯 10–40 % over 1–24 months:
    # 0.5 … 19.2, then 0.5 − 0.2 + 3 = 3.3 … 19.2 + 7.68 = 26.88
    assert "规则计算幅度 3.3–26.9 个月" in _text(at)
    pcts = " ".join(steps.iloc[:, 4])
    assert "幅度：未选定，按法定幅度" in pcts and "点值" not in pcts
    # narrowing 从犯 to one figure makes it a point: 1 × 0.7 … 24 × 0.7, then 0.42 + 3 … 16.8 + 6.72
    at.slider(key="sr_p_accomplice_50").set_value((30.0, 30.0)).run()
    steps = at.dataframe[0].value
    assert "从犯 −30%（点值）" in " ".join(steps.iloc[:, 4]) and "规则计算幅度 3.4–23.5 个月" in _text(at)


def test_ruler_refuses_a_minor_theft_with_the_article(page_db):
    at = tier1(ruler().run())
    at.selectbox(key="sr_age").set_value("14_16").run()
    assert not at.exception
    err = " ".join(e.value for e in at.error)
    assert "盗窃罪不在其列" in err and "依据：刑法第17条" in err and "规则计算幅度" not in _text(at)
    at.selectbox(key="sr_age").set_value("16_18").run()  # 16–17: liable, the minor circumstance is added
    assert not at.error and "依法加入" in _text(at)
    at.checkbox(key="sr_c_recidivist").check().run()
    assert "不满十八周岁的人犯罪不构成累犯" in " ".join(e.value for e in at.error)


def test_ruler_spp_approval_is_confirmed_before_any_result(page_db):
    at = ruler().run()
    at.selectbox(key="sr_crime").set_value("故意伤害").run()
    tier1(at, "故意伤害", 3)
    at.selectbox(key="sr_age").set_value("12_14").run()
    assert "最高人民检察院核准追诉" in " ".join(e.value for e in at.error) and "规则计算幅度" not in _text(at)
    at.checkbox(key="sr_confirm_art17_3_spp").check().run()
    assert not at.error and "规则计算幅度 48–109.2 个月" in _text(at)


def test_ruler_practice_label_on_the_headline(page_db):
    at = ruler().run()
    at.selectbox(key="sr_crime").set_value("抢劫").run()
    tier1(at, "抢劫")
    for k in ("attempt", "accomplice"):
        at.checkbox(key=f"sr_c_{k}").check()
    at.run()
    txt = _text(at)
    assert "violet-badge[地方做法]" in txt and "山东" in txt


def test_ruler_refuses_for_dangerous_driving(page_db):
    at = ruler().run()
    at.selectbox(key="sr_crime").set_value("危险驾驶").run()
    assert not at.exception
    assert any("拘役" in e.value for e in at.error)


def test_ruler_english(page_db):
    at = ruler()
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception and "Smart sentencing ruler" in at.title[0].value
    # AppTest cannot re-send a selectbox whose labels are formatted, so the inputs are set before one run
    at = ruler()
    at.query_params["lang"] = "en"
    at.session_state["sr_tier_盗窃"] = 1
    for k in ("attempt", "accomplice", "plea", "surrender"):
        at.session_state[f"sr_c_{k}"] = True
    at.run()
    assert not at.exception, at.exception
    txt = _text(at)
    assert "**Rule range" in txt and "violet-badge[PRACTICE]" in txt and "the whole legal range" in txt


def test_ruler_needs_a_signed_in_account_with_the_sentencing_permission(page_db):
    at = AppTest.from_file(RULER, default_timeout=120).run()
    assert any("请先登录" in w.value for w in at.warning) and not at.selectbox
    at = ruler("sup_310120").run()  # a supervision officer: no sentencing
    assert at.title[0].value == "无权访问" and not at.selectbox


def test_public_page_plain_language_disclaimer_no_personal_data(page_db):
    at = AppTest.from_file(PUBLIC, default_timeout=120).run()
    assert not at.exception, at.exception
    assert "不构成法律意见" in _text(at) and any("请选择量刑起点档次" in i.value for i in at.info)
    tier1(at, prefix="pub")
    at.checkbox(key="pub_c_surrender").check().run()
    txt = _text(at)
    assert "第一步" in txt and "为什么是一个幅度" in txt and "已核实" in txt
    assert "自首−0–40%" in txt  # the whole range, explained
    assert "不计入刑期分布与中位数" in txt
    at.selectbox(key="pub_age").set_value("14_16").run()
    assert any("刑法第17条" in i.value for i in at.info)
    assert not any("fact" in str(d.value.columns).lower() for d in at.dataframe)


def test_export_pdf_is_a_pdf_with_the_reasoning():
    r = compute("故意伤害", 1, [("accomplice", 30), ("surrender", 30), ("recidivist", 20)], start=24)
    pdf = reasoning_pdf(r, when=dt.datetime(2026, 11, 29, 21), real_summary="n=1")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert b"NotoSansCJKsc" in pdf and b"/FontFile2" in pdf  # the bundled TrueType font is embedded
    # ranges, labels, a refusal with its article and a confirmation all render
    for res in (compute("抢劫", 1, ["attempt", "accomplice", "plea", "surrender"]),
                compute("盗窃", 1, [], age="14_16"),
                compute("故意伤害", 3, [], age="12_14", confirmations=["art17_3_spp"])):
        assert reasoning_pdf(res, when=dt.datetime(2026, 11, 29, 21)).startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_ruler_in_chromium_offline_and_export_is_audited(page_db, tmp_path):
    from domain.scope import ALL
    from queries.audit import recent
    from queries.db import make_engine
    from tests.signin_helpers import browser_sign_in

    with running_app("dashboard.py", env={"DATABASE_URL": page_db}, log_dir=tmp_path) as app:
        with browser_page() as (page, watch):
            page.goto(app.url, wait_until="domcontentloaded")  # deep links 404 a health probe first
            browser_sign_in(page, make_engine(page_db), "pros_310120_1")
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text="智能量刑尺").first.click()
            page.wait_for_selector("text=请选择量刑起点档次", timeout=APP_TIMEOUT_MS)  # no tier pre-selected
            page.locator('[data-testid="stSelectbox"]').filter(has_text="量刑起点档次").click()
            page.get_by_role("option").filter(has_text="第1档").first.click()
            page.wait_for_selector("text=规则计算幅度", timeout=APP_TIMEOUT_MS)
            page.wait_for_selector("canvas, svg.marks", timeout=UI_TIMEOUT_MS)
            assert_cjk_font_loaded(page)
            with page.expect_download(timeout=APP_TIMEOUT_MS) as dl:
                page.get_by_text("下载量刑计算说明").click()
            path = dl.value.path()
            assert open(path, "rb").read(4) == b"%PDF"
            watch.assert_clean()
        assert "Traceback" not in app.log()
    log = recent(make_engine(page_db), ALL, event="量刑计算说明导出")
    assert len(log) >= 1 and "盗窃" in log.iloc[0].target
    assert (log.iloc[0].actor, log.iloc[0].actor_role) == ("pros_310120_1", "检察官")  # the signed-in account


def test_extra_amount_converts_at_the_provincial_rate(page_db):
    at = tier1(ruler().run())
    at.number_input(key="sr_amount").set_value(6000).run()
    at.number_input(key="sr_per").set_value(2000).run()  # +1 month per 2,000 yuan → +3 months
    assert not at.exception
    assert "规则计算幅度 4–15 个月" in _text(at)

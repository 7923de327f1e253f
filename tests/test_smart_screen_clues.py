"""The smart screen's 法律监督线索 scene: exact aggregate figures from planted clues on both engines
(in the screen's districts), part of the snapshot and of the rotation, and the scene renders on the
wall with nothing personal and no case number."""
from __future__ import annotations

import datetime as dt

import pytest

from components.screen_config import load_config
from domain.models import registry
from domain.scope import SCREEN, Scope
from queries.screen_clues import screen_clues
from tests.test_model_efficacy import _plant_clues
from tests.water_world import FX, NOW


def test_exact_figures_city_and_district(any_engine):
    _plant_clues(any_engine)  # 8 clues: 7 water (one in Pudong), 1 overdue-cases; see test_model_efficacy
    c = screen_clues(any_engine, SCREEN, NOW)  # Thursday 2026-06-18: the week began on the 15th
    assert (c.total, c.new_week, c.new_month, c.open, c.overdue, c.cases, c.suggestions) == (8, 1, 5, 3, 2, 1, 1)
    assert list(c.by_district[["name_zh", "hits", "open"]].itertuples(index=False, name=None)) == [
        ("奉贤区", 7, 3), ("浦东新区", 1, 0)]
    top = c.by_model.iloc[0]
    assert (top["model_zh"], top["open"], top["hits"]) == ("水质持续劣Ⅴ类", 2, 7)
    assert len(c.by_model) == len(registry()) and c.by_model["open"].sum() == 3
    assert list(c.by_month["month"]) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert list(c.by_month["hits"]) == [0, 0, 0, 1, 2, 5]
    fx = screen_clues(any_engine, Scope((FX,), role="screen"), NOW)
    assert (fx.total, fx.new_month, fx.open, fx.overdue) == (7, 4, 3, 2)
    assert list(fx.by_district["name_zh"]) == ["奉贤区"]
    # nothing personal, no numbers: only counts and names of districts and models
    assert set(c.by_model.columns) == {"model_zh", "model_en", "open", "hits"}
    assert set(c.by_district.columns) == {"name_zh", "name_en", "hits", "open"}
    # a week later the week's new clue is last week's
    assert screen_clues(any_engine, SCREEN, NOW + dt.timedelta(days=7)).new_week == 0


def test_empty_database_is_zeros_not_an_error(engine):
    c = screen_clues(engine, SCREEN, NOW)
    assert (c.total, c.new_week, c.open, c.overdue) == (0, 0, 0, 0) and c.by_district.empty
    assert len(c.by_model) == len(registry()) and c.by_model["open"].sum() == 0 and c.by_month["hits"].sum() == 0


def test_the_scene_is_in_the_main_rotation():
    cfg = load_config()
    assert "supervision" in cfg.screens["main"]
    assert cfg.scenes["supervision"].panels == ("clues", "clue_districts", "clue_models", "clue_months")


def test_snapshot_carries_the_clue_figures(engine):
    from queries.screen_hub import screen_snapshot

    _plant_clues(engine)
    snap = screen_snapshot(engine, SCREEN, NOW.date(), now=NOW)
    assert (snap.clues.total, snap.clues.open, snap.clues.overdue, snap.clues.as_of) == (8, 3, 2, NOW)


def test_scene_renders_on_the_wall(page_db, sample_engine):
    from sqlalchemy import select, text

    from domain.access import OPERATOR
    from queries.schema import Procuratorate
    from queries.screen_keys import create_key
    from tests.test_smart_screen_pages import _run

    with sample_engine.connect() as conn:
        city = conn.execute(select(Procuratorate.id).where(Procuratorate.district_id.is_(None))).scalar()
        names = [r[0] for r in conn.execute(text("SELECT full_name FROM person"))]
        case_nos = [r[0] for r in conn.execute(text("SELECT case_no FROM \"case\" LIMIT 200"))]
    _, key = create_key(sample_engine, OPERATOR, "测试线索大屏", city)
    at, html = _run({"scene": "supervision"}, key)
    assert at.query_params["scene"] == "supervision"
    for title in ("法律监督线索", "各区线索", "各模型待处理线索", "线索发现趋势", "本周新增", "超期未决", "成案·检察建议"):
        assert title in html, title
    assert not at.error and "暂无数据" not in html
    assert not any(n in html for n in names if len(n) >= 2)
    assert not any(n in html for n in case_nos)


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_scene_in_chromium_at_1920(tmp_path):
    """The scene on a 1920×1080 wall in headless Chromium, on a tiny sample whose models have run:
    the four panels, the bundled CJK font, no request leaving the machine (screenshot kept in
    tests/artifacts to look at)."""
    from domain import clock
    from queries.db import make_engine, upgrade
    from queries.models import run_all
    from sample_data.build import build
    from tests.browser import ROOT, assert_cjk_font_loaded, browser_page, running_app, wait_for_app
    from tests.test_smart_screen_browser import KIOSK, _city_key

    url = f"sqlite:///{tmp_path / 'clues.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    keys = build(engine, scale="tiny", seed=5, progress=False).ids["screen_keys"]
    run_all(engine, clock.now())
    expected = screen_clues(engine, SCREEN, clock.now())
    assert expected.total > 0
    with running_app("smart_screen.py", env={"DATABASE_URL": url}, extra_args=KIOSK, log_dir=tmp_path) as app:
        with browser_page(1920, 1080) as (page, watch):
            page.goto(app.url + f"/?screen=main&scene=supervision&key={_city_key(keys)}",
                      wait_until="domcontentloaded")
            wait_for_app(page)
            page.wait_for_selector("text=各模型待处理线索", timeout=60000)
            page.wait_for_selector("text=线索发现趋势", timeout=30000)
            assert_cjk_font_loaded(page)
            kpis = page.locator(".jcy-kpi").all_inner_texts()
            assert any(t.startswith("待处理") and t.endswith(f"{expected.open:,}") for t in kpis), kpis
            page.wait_for_function(  # the scene's three charts have drawn before the picture
                "() => document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length >= 3", timeout=60000)
            shots = ROOT / "tests" / "artifacts"
            shots.mkdir(exist_ok=True)
            page.screenshot(path=str(shots / "screen_supervision_1920.png"))
            watch.assert_clean()
        assert "Traceback" not in app.log()
    engine.dispose()

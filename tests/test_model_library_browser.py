"""模型库 in Chromium at 1920×1080, offline: the data steward opens a model's definition, uploads a model
file another procuratorate exported, sees the preview table, confirms, and the new version is in
effect. Screenshots go to the test's directory, and to docs/screenshots/ with JCY_SCREENSHOTS=1."""
from __future__ import annotations

import json
import os
import sqlite3

import pytest

from domain.models import registry
from queries import model_library as lib
from queries.models import run_all
from tests.browser import ROOT, UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
from tests.signin_helpers import browser_sign_in

REC = registry()["recidivism_on_measure"]


@pytest.fixture
def lib_db(sample_engine, tmp_path):
    from queries.db import make_engine

    path = tmp_path / "pages.sqlite3"
    src, dst = sqlite3.connect(sample_engine.url.database), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    e = make_engine(f"sqlite:///{path}")
    run_all(e)
    yield e
    e.dispose()


@pytest.mark.xdist_group("browser")
def test_the_library_page_previews_and_imports_a_model_file(lib_db, tmp_path):
    doc = json.loads(lib.export_models(lib_db, [REC.key]))
    doc["installation"] = "浦东院-示例"
    doc["models"][0]["values"]["min_days_after_start"] = 9
    doc["models"][0]["version"] = REC.with_params(min_days_after_start=9).version
    upload = tmp_path / "pudong_models.json"
    upload.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    shots = [tmp_path] + ([ROOT / "docs" / "screenshots"] if os.environ.get("JCY_SCREENSHOTS") else [])
    url = lib_db.url.render_as_string(hide_password=False)
    with running_app("dashboard.py", env={"DATABASE_URL": url}, log_dir=tmp_path) as app:
        with browser_page(1920, 1080) as (pg, watch):
            browser_sign_in(pg, lib_db, "data", app.url)
            pg.get_by_role("link", name="模型库").click()
            wait_for_app(pg)
            pg.get_by_text("法律依据").first.wait_for(timeout=UI_TIMEOUT_MS)
            for d in shots:
                pg.screenshot(path=str(d / "model_library.png"))
            pg.get_by_role("tab", name="导入").click()
            pg.locator('input[type="file"]').set_input_files(str(upload))
            pg.get_by_role("button", name="确认导入 1 个模型版本").wait_for(timeout=UI_TIMEOUT_MS)
            wait_for_app(pg)
            pg.get_by_role("button", name="确认导入 1 个模型版本").scroll_into_view_if_needed()
            for d in shots:
                pg.screenshot(path=str(d / "model_library_import.png"))
            assert lib.effective_models(lib_db)[REC.key].version == REC.version  # the preview wrote nothing
            pg.get_by_role("button", name="确认导入 1 个模型版本").click()
            pg.get_by_text("已导入 1 个模型版本").wait_for(timeout=UI_TIMEOUT_MS)
            assert not watch.external_requests, watch.external_requests
            assert not watch.page_errors, watch.page_errors
        assert "Traceback" not in app.log()
    assert lib.effective_models(lib_db)[REC.key].parameters["min_days_after_start"] == 9

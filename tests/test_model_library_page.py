"""The 模型库 page: the data steward sees each model's definition, previews a parameter change as a new
version before saving it, saves it (audited, in the history); an import shows its preview table and
writes nothing until confirmed; a prosecutor gets "无权访问"."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from streamlit.testing.v1 import AppTest

from domain.models import registry
from queries import model_library as lib
from queries.db import make_engine
from queries.schema import AuditLog, ModelConfig
from tests.browser import ROOT
from tests.staff import sign_in, staff_of

PAGE = str(ROOT / "pages" / "model_library.py")
REC = registry()["recidivism_on_measure"]


@pytest.fixture
def db(page_db):
    e = make_engine(page_db)
    with e.begin() as c:
        c.execute(delete(ModelConfig))
    yield e
    with e.begin() as c:  # the shared sample goes back to the shipped models
        c.execute(delete(ModelConfig))
    e.dispose()


def _page(db, username: str = "data") -> AppTest:
    return sign_in(AppTest.from_file(PAGE, default_timeout=60), staff_of(db, username)).run()


def _configs(db) -> list[tuple[str, str]]:
    with db.connect() as c:
        return [tuple(r) for r in c.execute(select(ModelConfig.model_key, ModelConfig.version).order_by(ModelConfig.id))]


def test_the_steward_previews_and_saves_a_new_version(db):
    at = _page(db)
    assert not at.exception and at.title[0].value == "模型库"
    at.selectbox(key="ml_model").set_value(REC.key).run()
    text = " ".join(m.value for m in at.markdown)
    assert "刑事诉讼法第71条" in text and "`supervised_person`" in text
    assert REC.version in [m.value for m in at.metric]
    at.number_input(key=f"ml_{REC.key}_min_days_after_start").set_value(7)
    at.button[0].click().run()  # the form's 预览新版本
    new = REC.with_params(min_days_after_start=7)
    assert any(new.version in w.value for w in at.warning) and _configs(db) == []  # shown, not saved
    at.button(key="ml_save").click().run()
    assert not at.exception and any("已保存新版本" in s.value for s in at.success)
    assert _configs(db) == [(REC.key, new.version)]
    with db.connect() as c:
        assert c.execute(select(AuditLog.actor).where(AuditLog.event == "模型参数调整")
                         .order_by(AuditLog.id.desc()).limit(1)).scalar_one() == "data"


def test_an_import_is_previewed_and_written_only_when_confirmed(db):
    text = lib.export_models(db, [REC.key]).replace('"min_days_after_start": 0', '"min_days_after_start": 9')
    assert lib.preview_import(db, text).items[0].status == "refused"  # the version no longer fits the values
    import json

    doc = json.loads(lib.export_models(db, [REC.key]))
    doc["models"][0]["values"]["min_days_after_start"] = 9
    doc["models"][0]["version"] = REC.with_params(min_days_after_start=9).version
    payload = json.dumps(doc, ensure_ascii=False)
    preview = lib.preview_import(db, payload)
    assert [i.status for i in preview.items] == ["new_version"]
    # the page shows the same preview (the uploader cannot be driven by AppTest: the component is given it)
    at = _page(db)
    assert not at.exception and [t.label for t in at.tabs] == ["调整参数", "版本历史", "导出", "导入"]
    assert _configs(db) == []


def test_other_roles_are_refused(db):
    at = _page(db, "pros_310112_1")
    assert any(t.value == "无权访问" for t in at.title)

"""The model library (issue 13): parameters per installation as new versions with who and when, and
model sharing between installations: a model exported from one database with changed parameters and
imported into another finds the same hits on the same data; every bad file or model is refused with
its reason, and a preview writes nothing. Both engines.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, insert, select

from domain.access import Actor, AccessDenied
from domain.model_exchange import model_to_dict
from domain.models import ModelError, registry
from domain.scope import ALL, Scope
from queries import model_library as L
from queries import models as M
from queries.cli import main as cli
from queries.schema import AppUser, AuditLog, DatabaseIdentity, ModelConfig, ModelHit
from tests.conftest import _sqlite_engine, fresh_engine
from tests.test_models import NOW, REC, _recidivism_world

DATA = Scope(role="data", grants=frozenset({"models"}))


@pytest.fixture
def other_engine(any_engine, tmp_path):
    """A second, separate database on the same engine kind: another installation."""
    (tmp_path / "other").mkdir()
    with fresh_engine(any_engine.dialect.name, tmp_path / "other") as e:
        yield e


def _steward(engine) -> Actor:
    with engine.begin() as c:
        uid = c.execute(insert(AppUser).values(username="data_pd", display_name="数据管理员甲", role="data",
                                               created_at=NOW)).inserted_primary_key[0]
    return Actor("data_pd", "数据管理员", "浦东新区院", "10.0.0.9", uid)


def _count(engine, table) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def _hit_keys(engine, key: str) -> set[str]:
    with engine.connect() as c:
        return set(c.execute(select(ModelHit.hit_key).where(ModelHit.model_key == key)).scalars())


# --------------------------------------------------------------------------- parameters and versions


def test_a_parameter_change_is_a_new_audited_version_and_runs_use_it(any_engine):
    _recidivism_world(any_engine)
    actor = _steward(any_engine)
    assert L.effective_models(any_engine)[REC.key] == REC
    change = L.set_params(any_engine, DATA, REC.key, {"active_only": False}, actor, NOW)
    new = REC.with_params(active_only=False)
    assert (change.written, change.old_version, change.new_version) == (True, REC.version, new.version)
    assert L.effective_models(any_engine)[REC.key].version == new.version
    same = L.set_params(any_engine, DATA, REC.key, {"active_only": False}, actor, NOW)
    assert not same.written and "未变化" in same.message and _count(any_engine, ModelConfig) == 1
    results = {r.key: r for r in M.run_all(any_engine, NOW)}
    assert results[REC.key].version == new.version and results[REC.key].hits_found == 3
    with any_engine.connect() as c:
        assert set(c.execute(select(ModelHit.version).where(ModelHit.model_key == REC.key)).scalars()) == {new.version}
        audit = c.execute(select(AuditLog.actor, AuditLog.event, AuditLog.target, AuditLog.detail)
                          .where(AuditLog.event == "模型参数调整")).all()
    assert [(a.actor, a.target) for a in audit] == [("data_pd", REC.key)]
    assert f"{REC.version}→{new.version}" in audit[0].detail
    hist = L.history(any_engine, DATA, REC.key)
    assert list(hist["version"]) == [new.version, REC.version]
    assert list(hist["source"]) == ["本院调整", "出厂定义"] and list(hist["active"]) == [True, False]
    assert hist["by"].iloc[0] == "数据管理员甲" and json.loads(hist["values"].iloc[0])["active_only"] is False


def test_parameter_changes_are_validated_and_need_the_permission(any_engine):
    actor = _steward(any_engine)
    with pytest.raises(ModelError, match="参数无效.*above the maximum"):
        L.set_params(any_engine, DATA, REC.key, {"min_days_after_start": 999}, actor, NOW)
    with pytest.raises(ModelError, match="未知模型"):
        L.set_params(any_engine, DATA, "no_such", {}, actor, NOW)
    with pytest.raises(AccessDenied):
        L.set_params(any_engine, Scope(role="prosecutor", grants=frozenset({"cases"})), REC.key,
                     {"active_only": False}, actor, NOW)
    assert _count(any_engine, ModelConfig) == 0


# --------------------------------------------------------------------------- export / import


def test_an_exported_model_finds_the_same_hits_in_another_installation(any_engine, other_engine):
    for e in (any_engine, other_engine):
        _recidivism_world(e)  # the same data in both
    actor = _steward(any_engine)
    L.set_params(any_engine, DATA, REC.key, {"active_only": False, "min_days_after_start": 5}, actor, NOW)
    M.run_all(any_engine, NOW)
    text = L.export_models(any_engine, [REC.key], NOW)
    doc = json.loads(text)
    assert doc["format"] == "jcy-models" and doc["format_version"] == 1 and doc["exported_at"].startswith("2026-12-04")
    with any_engine.connect() as c:
        assert doc["installation"] == c.execute(select(DatabaseIdentity.instance_id)).scalar_one()
    with other_engine.connect() as c:
        assert doc["installation"] != c.execute(select(DatabaseIdentity.instance_id)).scalar_one()
    (m,) = doc["models"]
    assert m["values"] == {"active_only": False, "measures": ["取保候审", "监视居住"], "min_days_after_start": 5}
    assert {p["name"]: (p["kind"], p["minimum"], p["maximum"]) for p in m["params"]}["min_days_after_start"] == (
        "int", 0, 365)
    assert m["query"] == "recidivism_on_measure" and m["role"] == "supervision" and m["legal_basis"]

    before = _count(other_engine, ModelConfig)
    preview = L.preview_import(other_engine, text)
    assert [(i.key, i.status) for i in preview.items] == [(REC.key, "new_version")]
    assert _count(other_engine, ModelConfig) == before == 0  # a preview writes nothing
    other = _steward(other_engine)
    L.apply_import(other_engine, DATA, text, other, NOW, "pd_models.json")
    assert L.effective_models(other_engine)[REC.key].version == m["version"]
    M.run_all(other_engine, NOW)
    assert _hit_keys(other_engine, REC.key) == _hit_keys(any_engine, REC.key) == {
        "sp:1/case:5", "sp:2/case:6", "sp:3/case:10"}
    assert L.preview_import(other_engine, text).items[0].status == "unchanged"

    # the same model under a new key becomes a new model there, with its whole definition stored
    renamed = dict(m, key="recidivism_pd", name_zh="浦东：期间再犯")
    text2 = json.dumps({**doc, "models": [renamed]}, ensure_ascii=False)
    assert [i.status for i in L.preview_import(other_engine, text2).items] == ["refused"]  # version is of the old key
    renamed["version"] = dataclasses.replace(REC.with_params(**{k: tuple(v) if isinstance(v, list) else v
                                                                for k, v in m["values"].items()}),
                                             key="recidivism_pd").version
    text2 = json.dumps({**doc, "models": [renamed]}, ensure_ascii=False)
    assert [i.status for i in L.preview_import(other_engine, text2).items] == ["new"]
    L.apply_import(other_engine, DATA, text2, other, NOW, "pd2.json")
    models = L.effective_models(other_engine)
    assert models["recidivism_pd"].name_zh == "浦东：期间再犯" and models["recidivism_pd"].version == renamed["version"]
    M.run_all(other_engine, NOW)
    assert _hit_keys(other_engine, "recidivism_pd") == _hit_keys(any_engine, REC.key)
    officer = Scope(role="supervision", grants=frozenset({"supervision"}))  # its hits read like any model's
    assert set(M.hits(other_engine, officer, "recidivism_pd")["hit_key"]) == _hit_keys(any_engine, REC.key)
    with other_engine.connect() as c:
        rows = c.execute(select(ModelConfig.model_key, ModelConfig.source, ModelConfig.definition)
                         .order_by(ModelConfig.id)).all()
        audit = c.execute(select(AuditLog.actor, AuditLog.target).where(AuditLog.event == "模型导入")).all()
    assert [r.model_key for r in rows] == [REC.key, "recidivism_pd"]
    assert rows[0].definition is None and json.loads(rows[1].definition)["query"] == "recidivism_on_measure"
    assert rows[0].source.startswith("导入：pd_models.json") and doc["installation"] in rows[0].source
    assert [tuple(a) for a in audit] == [("data_pd", REC.key), ("data_pd", "recidivism_pd")]


def _file(model: dict, **doc) -> str:
    return json.dumps({"format": "jcy-models", "format_version": 1, "installation": "x",
                       "exported_at": "2026-12-04T15:00:00", "models": [model], **doc}, ensure_ascii=False)


def _rec(**changes) -> dict:
    d = {**model_to_dict(REC), **changes}
    return d


@pytest.mark.parametrize("model, reason", [
    (_rec(query="fortune_telling"), "没有查询类型"),
    (_rec(values={"min_days_after_start": 999}), "above the maximum"),
    (_rec(values={"measures": ["拘留"]}), "not one of"),
    (_rec(role="janitor"), "unknown role"),
    (_rec(permission="accounts"), "lacks permission"),
    (_rec(version="000000000000"), "与定义内容不符"),
    (_rec(values={"min_days_after_start": 3}), "与定义内容不符"),  # values changed, version not
    ({k: v for k, v in _rec().items() if k != "purpose"}, "缺少字段"),
    (_rec(params=[{"name": "x", "kind": "complex", "default": 1}]), "无法识别"),
    (_rec(key="Bad Key!"), "lower-case"),
])
def test_every_bad_model_is_refused_with_its_reason_and_nothing_is_written(any_engine, model, reason):
    text = _file(model)
    preview = L.preview_import(any_engine, text)
    assert preview.error is None and [i.status for i in preview.items] == ["refused"]
    assert reason in preview.items[0].reason
    L.apply_import(any_engine, ALL, text, Actor("cli", "运维"), NOW, "bad.json")
    assert _count(any_engine, ModelConfig) == 0


def test_a_changed_definition_under_a_known_key_is_refused(any_engine):
    d = _rec(params=model_to_dict(REC)["params"][:2], values={"active_only": True, "measures": ["取保候审"]})
    d["version"] = dataclasses.replace(REC, params=REC.params[:2]).with_params(measures=("取保候审",)).version
    item = L.preview_import(any_engine, _file(d)).items[0]
    assert item.status == "refused" and "参数定义不同" in item.reason


@pytest.mark.parametrize("text, reason", [
    ("{not json", "不是有效的 JSON"),
    ('{"format": "other"}', "不是模型导出文件"),
    ('{"format": "jcy-models", "format_version": 9, "models": []}', "不受支持"),
    ('{"format": "jcy-models", "format_version": 1}', "缺少模型列表"),
])
def test_a_malformed_file_is_refused_whole(any_engine, text, reason):
    preview = L.preview_import(any_engine, text)
    assert preview.items == () and reason in preview.error
    with pytest.raises(ModelError, match=reason):
        L.apply_import(any_engine, ALL, text, Actor("cli", "运维"), NOW, "bad.json")
    assert _count(any_engine, ModelConfig) == 0


def test_export_and_import_commands(engine, tmp_path, capsys):
    url = engine.url.render_as_string(hide_password=False)
    L.set_params(engine, ALL, REC.key, {"min_days_after_start": 2}, Actor("cli", "运维"), NOW)
    out = tmp_path / "m.json"
    assert cli(["models", "export", str(out), "--key", REC.key, "--url", url]) == 0
    assert [m["key"] for m in json.loads(out.read_text(encoding="utf-8"))["models"]] == [REC.key]
    (tmp_path / "b").mkdir()
    b = _sqlite_engine(tmp_path / "b")  # a second installation
    burl = b.url.render_as_string(hide_password=False)
    capsys.readouterr()
    assert cli(["models", "import", str(out), "--url", burl]) == 0
    printed = capsys.readouterr().out
    assert "新版本" in printed and "仅预览" in printed and _count(b, ModelConfig) == 0
    assert cli(["models", "import", str(out), "--yes", "--url", burl]) == 0
    assert _count(b, ModelConfig) == 1
    assert L.effective_models(b)[REC.key].parameters["min_days_after_start"] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert cli(["models", "import", str(bad), "--yes", "--url", burl]) == 1
    assert "拒绝导入" in capsys.readouterr().err
    b.dispose()


def test_on_the_same_seeded_sample_an_imported_model_finds_the_same_hits(any_engine, other_engine):
    """Two installations with the same seeded sample: the one that tuned its models exports them,
    the other imports the file, and both store the same hits; the tuned values change what is
    found (else this test could not tell an import that did nothing)."""
    from sample_data.build import build

    at = dt.datetime(2026, 11, 20, 10, 0)
    for e in (any_engine, other_engine):
        build(e, "tiny", seed=11, progress=False, now=at)
    ref = registry()["non_prosecution_referral"]
    tuned = {REC.key: {"active_only": False}, ref.key: {"within_days": 90, "types": ["酌定不起诉", "存疑不起诉"]}}
    for key, values in tuned.items():
        L.set_params(any_engine, ALL, key, values, Actor("cli", "运维"), at)
    M.run_all(any_engine, at)
    text = L.export_models(any_engine, sorted(tuned), at)
    assert {i.status for i in L.preview_import(other_engine, text).items} == {"new_version"}
    L.apply_import(other_engine, ALL, text, Actor("cli", "运维"), at, "tuned.json")
    M.run_all(other_engine, at)
    for key in tuned:
        found = _hit_keys(any_engine, key)
        assert found and _hit_keys(other_engine, key) == found, key
    default_ref = {h.hit_key for h in M.QUERIES[ref.query](any_engine, ref, at)}
    assert default_ref != _hit_keys(any_engine, ref.key)

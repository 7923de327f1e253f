"""The installation's model library (issue 13): the shipped models with this procuratorate's parameter
values, the models it imported, each change a new version with who and when, and export / import.

Why rows and not code: a district tunes a threshold, or takes a model another district wrote; neither
should need a release. ``model_config`` keeps every version (the newest active row per model is in
effect), so a hit's ``version`` can always be traced to the values that found it. An import is
previewed first (``preview_import``) and applying it writes exactly what the preview showed.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from domain import clock
from domain.access import Actor
from domain.model_exchange import dump, load, model_from_dict, model_to_dict
from domain.models import Model, ModelError, registry
from domain.scope import Scope
from queries.audit import record
from queries.frames import read_frame
from queries.schema import AppUser, DatabaseIdentity, ModelConfig, ModelHit, ModelRun
from queries.scope import require

PERMISSION = "models"
LOCAL = "本院调整"
NEW, NEW_VERSION, UNCHANGED, REFUSED = "new", "new_version", "unchanged", "refused"
STATUS_ZH = {NEW: "新模型", NEW_VERSION: "新版本", UNCHANGED: "无变化", REFUSED: "拒绝"}


def _active_rows(conn) -> list[Any]:
    """The newest active ``model_config`` row per model key."""
    rows = conn.execute(select(ModelConfig.model_key, ModelConfig.param_values, ModelConfig.definition,
                               ModelConfig.id)
                        .where(ModelConfig.active.is_(True))
                        .order_by(ModelConfig.model_key, ModelConfig.created_at, ModelConfig.id)).all()
    return list({r.model_key: r for r in rows}.values())


def _apply_row(shipped: dict[str, Model], row: Any) -> Model | None:
    """The model one config row makes (None when it no longer fits this installation: skipped)."""
    from queries.models import QUERIES

    values = json.loads(row.param_values or "{}")
    try:
        if row.model_key in shipped:
            return shipped[row.model_key].with_params(**values)
        if row.definition:
            m = model_from_dict(json.loads(row.definition)).with_params(**values)
            return m if m.query in QUERIES else None
    except ModelError:
        return None
    return None


def effective_models(engine: Engine) -> dict[str, Model]:
    """Every model in effect here, by key: the shipped registry with the newest active
    ``model_config`` values over each, plus models imported under a new key."""
    models = registry()
    with engine.connect() as conn:
        rows = _active_rows(conn)
    shipped = dict(models)
    for row in rows:
        m = _apply_row(shipped, row)
        if m is not None:
            models[m.key] = m
    return dict(sorted(models.items()))


def _write(conn, key: str, model: Model, source: str, actor: Actor, now: dt.datetime,
           definition: str | None) -> None:
    """A new active version of ``key`` (the older rows stay, inactive: the history)."""
    conn.execute(update(ModelConfig).where(ModelConfig.model_key == key, ModelConfig.active.is_(True))
                 .values(active=False))
    conn.execute(insert(ModelConfig).values(
        model_key=key, version=model.version, source=source[:120], definition=definition,
        param_values=json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in model.parameters.items()},
                                ensure_ascii=False, sort_keys=True),
        created_by=actor.user_id, created_at=now, active=True))


@dataclass(frozen=True)
class ParamChange:
    """What ``set_params`` did: the version before and after, and whether a row was written."""

    key: str
    old_version: str
    new_version: str
    written: bool
    message: str


def propose_params(engine: Engine, key: str, values: dict[str, Any]) -> Model:
    """The model with ``values`` over its current parameters (validated; nothing written): what the
    page shows before saving, with the version it would get."""
    models = effective_models(engine)
    if key not in models:
        raise ModelError(f"未知模型 {key!r}")
    try:
        return models[key].with_params(**values)
    except ModelError as exc:
        raise ModelError(f"参数无效：{exc}") from None


def set_params(engine: Engine, scope: Scope, key: str, values: dict[str, Any], actor: Actor,
               now: dt.datetime | None = None) -> ParamChange:
    """Change some of a model's parameters here: validated, a new version when they differ (no row
    when they do not), audited with the real actor. Needs the "models" permission."""
    require(scope, PERMISSION)
    now = now or clock.now()
    changed = propose_params(engine, key, values)  # refuses an unknown model or a bad value
    current = effective_models(engine)[key]
    if changed.version == current.version:
        return ParamChange(key, current.version, current.version, False, "参数未变化，未产生新版本")
    with engine.begin() as conn:
        definition = None if key in registry() else json.dumps(model_to_dict(changed), ensure_ascii=False)
        _write(conn, key, changed, LOCAL, actor, now, definition)
        record(conn, actor=actor, event="模型参数调整", target=key, result="成功",
               detail=f"{current.version}→{changed.version} {json.dumps(values, ensure_ascii=False, default=list)}")
    return ParamChange(key, current.version, changed.version, True,
                       f"已保存新版本 {changed.version}（原版本 {current.version}）")


def history(engine: Engine, scope: Scope, key: str) -> pd.DataFrame:
    """A model's versions here, newest first: version, values, source, who, when, in effect. The
    shipped definition is the last row (出厂定义)."""
    require(scope, PERMISSION)
    stmt = (select(ModelConfig.version, ModelConfig.param_values.label("values"), ModelConfig.source,
                   func.coalesce(AppUser.display_name, AppUser.username).label("by"),
                   ModelConfig.created_at.label("at"), ModelConfig.active)
            .outerjoin(AppUser, AppUser.id == ModelConfig.created_by)
            .where(ModelConfig.model_key == key)
            .order_by(ModelConfig.created_at.desc(), ModelConfig.id.desc()))
    df = read_frame(engine, stmt)
    shipped = registry().get(key)
    if shipped is not None:
        base = pd.DataFrame([{"version": shipped.version, "values": json.dumps(
            {k: list(v) if isinstance(v, tuple) else v for k, v in shipped.parameters.items()},
            ensure_ascii=False, sort_keys=True), "source": "出厂定义", "by": None, "at": None,
            "active": df.empty or not df["active"].astype(bool).any()}])
        df = base if df.empty else pd.concat([df, base], ignore_index=True)
    df["active"] = df["active"].astype(bool)
    return df


def last_runs(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Per model: the last finished run (when, version, mode) and hits stored: what the page lists."""
    require(scope, PERMISSION)
    last = (select(ModelRun.model_key, func.max(ModelRun.id).label("run_id"))
            .where(ModelRun.finished_at.is_not(None)).group_by(ModelRun.model_key).subquery())
    runs = read_frame(engine, select(ModelRun.model_key, ModelRun.version.label("run_version"),
                                     ModelRun.finished_at.label("last_run"), ModelRun.watermark)
                      .join(last, last.c.run_id == ModelRun.id))
    hits = read_frame(engine, select(ModelHit.model_key, func.count().label("hits")).group_by(ModelHit.model_key))
    df = runs.merge(hits, on="model_key", how="outer") if not runs.empty or not hits.empty else \
        pd.DataFrame(columns=["model_key", "run_version", "last_run", "watermark", "hits"])
    df["mode"] = [json.loads(w).get("mode") if isinstance(w, str) and w else None for w in df.get("watermark", [])]
    df["hits"] = df["hits"].fillna(0).astype(int)
    return df.drop(columns=["watermark"])


# --------------------------------------------------------------------------- export / import


def _installation(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(DatabaseIdentity.instance_id).where(DatabaseIdentity.id == 1)).scalar() or "unknown"


def export_models(engine: Engine, keys: list[str] | None = None, now: dt.datetime | None = None) -> str:
    """One JSON file with the models in effect here (all, or ``keys``): format version, this
    installation's identity, when, and each model's full definition, values and version."""
    models = effective_models(engine)
    unknown = set(keys or ()) - set(models)
    if unknown:
        raise ModelError(f"未知模型：{'、'.join(sorted(unknown))}")
    chosen = [models[k] for k in (keys or sorted(models))]
    return dump(chosen, _installation(engine), (now or clock.now()).isoformat(timespec="seconds"))


@dataclass(frozen=True)
class ImportItem:
    """One model of an import file and what importing it would do (``status``: new / new_version /
    unchanged / refused, with the reason)."""

    key: str
    name_zh: str
    status: str
    reason: str
    version: str | None
    current_version: str | None
    definition: str | None = None  # JSON of the validated definition (written for a new model)


@dataclass(frozen=True)
class ImportPreview:
    """What an import would write; ``error`` when the file as a whole cannot be read."""

    installation: str | None
    exported_at: str | None
    items: tuple[ImportItem, ...]
    error: str | None = None

    @property
    def to_write(self) -> tuple[ImportItem, ...]:
        return tuple(i for i in self.items if i.status in (NEW, NEW_VERSION))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"key": i.key, "name": i.name_zh, "status": STATUS_ZH[i.status],
                              "version": i.version, "current": i.current_version, "reason": i.reason}
                             for i in self.items])


def _item(d: Any, models: dict[str, Model], seen: set[str]) -> ImportItem:
    from queries.models import QUERIES

    key = str(d.get("key", "?")) if isinstance(d, dict) else "?"
    name = str(d.get("name_zh", "")) if isinstance(d, dict) else ""

    def refuse(why: str) -> ImportItem:
        return ImportItem(key, name, REFUSED, why, d.get("version") if isinstance(d, dict) else None,
                          models[key].version if key in models else None)

    try:
        m = model_from_dict(d)
    except ModelError as exc:
        return refuse(str(exc))
    if m.key in seen:
        return refuse("文件中重复的模型键")
    seen.add(m.key)
    if m.query not in QUERIES:
        return refuse(f"本系统没有查询类型 {m.query!r}（unknown query kind）")
    if d.get("version") != m.version:
        return refuse(f"版本 {d.get('version')!r} 与定义内容不符（内容对应 {m.version}）")
    definition = json.dumps(model_to_dict(m), ensure_ascii=False, sort_keys=True)
    here = models.get(m.key)
    if here is None:
        return ImportItem(m.key, m.name_zh, NEW, "新模型，按文件中的完整定义创建", m.version, None, definition)
    if here.query != m.query or here.params != m.params:
        return refuse("与本院同名模型的查询类型或参数定义不同：请以新的模型键导出后再导入")
    if here.version == m.version:
        return ImportItem(m.key, m.name_zh, UNCHANGED, "与本院当前版本相同", m.version, here.version)
    return ImportItem(m.key, m.name_zh, NEW_VERSION, "参数值不同，导入后成为新版本", m.version, here.version,
                      definition)


def preview_import(engine: Engine, text: str) -> ImportPreview:
    """What importing ``text`` would do, per model; writes nothing."""
    try:
        doc = load(text)
    except ModelError as exc:
        return ImportPreview(None, None, (), str(exc))
    models, seen = effective_models(engine), set()
    items = tuple(_item(d, models, seen) for d in doc["models"])
    return ImportPreview(str(doc.get("installation")), str(doc.get("exported_at")), items)


def apply_import(engine: Engine, scope: Scope, text: str, actor: Actor, now: dt.datetime | None = None,
                 source_name: str = "文件") -> ImportPreview:
    """Write what ``preview_import`` shows (new models with their definition, new versions of known
    ones; nothing for unchanged or refused), each audited; returns that preview."""
    require(scope, PERMISSION)
    now = now or clock.now()
    preview = preview_import(engine, text)
    if preview.error:
        raise ModelError(preview.error)
    shipped = registry()
    with engine.begin() as conn:
        for item in preview.to_write:
            m = model_from_dict(json.loads(item.definition or "{}"))
            definition = None if m.key in shipped else item.definition
            _write(conn, m.key, m, f"导入：{source_name}（来自 {preview.installation}）", actor, now, definition)
            record(conn, actor=actor, event="模型导入", target=m.key, result="成功",
                   detail=f"{STATUS_ZH[item.status]} {item.current_version or '-'}→{m.version} 来源 {source_name}")
    return preview

"""A model definition as plain data and back (issue 13, model sharing): the one file format in which a
procuratorate exports its models and another imports them, as provincial model libraries do.

Why its own module: the file is a contract between installations, so the mapping from ``Model`` to
JSON and back lives in one pure place, and reading a file goes through ``Model``'s own validation
(role, permission, parameter types and bounds), never around it. Pure: no SQL, no Streamlit.
"""
from __future__ import annotations

import json
from typing import Any

from domain.models import Model, ModelError, Param

FORMAT = "jcy-models"
FORMAT_VERSION = 1
KINDS: dict[str, type] = {"int": int, "float": float, "bool": bool, "str": str}


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def param_to_dict(p: Param) -> dict[str, Any]:
    return {"name": p.name, "kind": p.kind.__name__, "many": p.many, "default": _plain(p.default),
            "zh": p.zh, "en": p.en, "minimum": p.minimum, "maximum": p.maximum,
            "choices": None if p.choices is None else list(p.choices)}


def model_to_dict(m: Model) -> dict[str, Any]:
    """The full definition, with the parameter values in effect and the version they give."""
    return {"key": m.key, "name_zh": m.name_zh, "name_en": m.name_en, "purpose": m.purpose,
            "legal_basis": list(m.legal_basis), "reads": list(m.reads),
            "params": [param_to_dict(p) for p in m.params],
            "values": {k: _plain(v) for k, v in m.parameters.items()},
            "shows": m.shows, "role": m.role, "permission": m.permission, "decision_days": m.decision_days,
            "owner": m.owner, "query": m.query, "clock_dependent": m.clock_dependent, "version": m.version}


def _param(d: dict[str, Any]) -> Param:
    kind = KINDS.get(d.get("kind"))
    if kind is None:
        raise ModelError(f"参数 {d.get('name')!r} 的类型 {d.get('kind')!r} 无法识别（可用：int、float、bool、str）")
    many = bool(d.get("many", False))
    default = d["default"]
    choices = d.get("choices")
    return Param(name=str(d["name"]), kind=kind, default=tuple(default) if many and isinstance(default, list)
                 else default, zh=str(d.get("zh", "")), en=str(d.get("en", "")),
                 minimum=d.get("minimum"), maximum=d.get("maximum"),
                 choices=None if choices is None else tuple(choices), many=many)


def model_from_dict(d: dict[str, Any]) -> Model:
    """A ``Model`` from its exported definition, validated by ``Model`` itself (``ModelError`` with
    the reason otherwise). The stated version is not checked here (the caller compares it)."""
    if not isinstance(d, dict):
        raise ModelError("模型定义应为对象 (a model definition must be an object)")
    try:
        params = tuple(_param(p) for p in d["params"])
        by_name = {p.name: p for p in params}
        values = d.get("values") or {}
        if not isinstance(values, dict):
            raise ModelError("values 应为对象 (values must be an object)")
        unknown = set(values) - set(by_name)
        if unknown:
            raise ModelError(f"未知参数 {sorted(unknown)} (unknown parameters)")
        canonical = tuple(sorted((k, by_name[k].validate(tuple(v) if isinstance(v, list) else v))
                                 for k, v in values.items()))
        return Model(key=str(d["key"]), name_zh=str(d["name_zh"]), name_en=str(d["name_en"]),
                     purpose=str(d["purpose"]), legal_basis=tuple(d["legal_basis"]), reads=tuple(d["reads"]),
                     params=params, shows=str(d["shows"]), role=str(d["role"]), permission=str(d["permission"]),
                     decision_days=int(d["decision_days"]), owner=str(d["owner"]), query=str(d["query"]),
                     values=canonical, clock_dependent=bool(d.get("clock_dependent", False)))
    except KeyError as exc:
        raise ModelError(f"缺少字段 {exc.args[0]!r} (missing field)") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"定义格式错误 (malformed definition): {exc}") from None


def dump(models: list[Model], installation: str, exported_at: str) -> str:
    """The export file's text (JSON, UTF-8, stable order)."""
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "installation": installation,
           "exported_at": exported_at, "models": [model_to_dict(m) for m in models]}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def load(text: str) -> dict[str, Any]:
    """The parsed file, or ``ModelError`` saying why it is not a model file of a format we read."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ModelError(f"文件不是有效的 JSON (not valid JSON): {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelError("不是模型导出文件（缺少 format: jcy-models）(not a model export file)")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"文件格式版本 {doc.get('format_version')!r} 不受支持，本系统读取版本 {FORMAT_VERSION}")
    if not isinstance(doc.get("models"), list):
        raise ModelError("文件缺少模型列表 (no models list)")
    return doc

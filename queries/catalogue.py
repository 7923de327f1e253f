"""The data catalogue (数据目录), generated (issue 13): one row per table of ``queries.schema`` with its
declaration (``__catalogue__``: source, owner, frequency, sensitivity), rows and last update read
live, the models whose definitions read it (``domain.models.registry``) and the dashboard pages that
read it, found by reading the code.

How pages are found (stated on the page): each page's source is parsed (Python ``ast``); its imports
from ``queries`` name query modules and functions; each function used is followed through the query
modules (the functions and module constants it names, in its own module and in other query modules
it imports) to the schema classes it names. A page reads a table when that chain reaches the table's
class. It is static: a function reached but not called on some path still counts, and reads made
through components (which run no SQL by rule) are not followed.
"""
from __future__ import annotations

import ast
import datetime as dt
import functools
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from domain.catalogue import FREQUENCIES, SENSITIVITY_EN, minimum_sensitivity
from domain.models import registry
from domain.scope import Scope
from queries.quality import _declared, last_update
from queries.schema import Base
from queries.scope import require

ROOT = Path(__file__).resolve().parent.parent
PERMISSION = "catalogue"
METHOD_ZH = ("页面读取的数据集由代码静态分析（Python ast）得出：页面从 queries 导入的查询函数 → 这些函数（及其调用的查询函数、"
             "模块常量）引用的数据表类 → 数据表。模型读取的数据集来自模型定义（Model.reads）。")
METHOD_EN = ("Pages' data sets come from reading the code (Python ast): the query functions a page imports from "
             "queries → the schema classes those functions (and the query functions and module constants they "
             "use) name → tables. Models' data sets come from their definitions (Model.reads).")


def _class_tables() -> dict[str, str]:
    return {m.class_.__name__: m.local_table.name for m in Base.registry.mappers}


class _Module:
    """One query module, parsed: its top-level definitions and what its names import."""

    def __init__(self, name: str) -> None:
        self.name = name
        tree = ast.parse((ROOT / "queries" / f"{name}.py").read_text(encoding="utf-8"))
        self.defs: dict[str, ast.AST] = {}
        self.imports = _imports(tree)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            self.defs[n.id] = node


def _imports(tree: ast.AST) -> dict[str, tuple[str, str | None]]:
    """Local name → (query module, attribute or None for the module itself), for imports from
    ``queries`` (anywhere in the file, so imports inside functions count too)."""
    out: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "queries":
                for a in node.names:
                    out[a.asname or a.name] = (a.name, None)
            elif node.module.startswith("queries."):
                mod = node.module.split(".", 1)[1]
                for a in node.names:
                    out[a.asname or a.name] = (mod, a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("queries.") and a.asname:
                    out[a.asname] = (a.name.split(".", 1)[1], None)
    return out


@functools.lru_cache(maxsize=None)
def _module(name: str) -> _Module | None:
    return _Module(name) if (ROOT / "queries" / f"{name}.py").exists() else None


def _tables_of(mod_name: str, attr: str, seen: set[tuple[str, str]]) -> set[str]:
    """Tables a query module's definition reaches (see the module docstring)."""
    if (mod_name, attr) in seen:
        return set()
    seen.add((mod_name, attr))
    classes = _class_tables()
    if mod_name == "schema":
        return {classes[attr]} if attr in classes else set()
    mod = _module(mod_name)
    if mod is None or attr not in mod.defs:
        return set()
    out: set[str] = set()
    for n in ast.walk(mod.defs[attr]):
        if isinstance(n, ast.Name):
            if n.id in mod.imports:
                target, name = mod.imports[n.id]
                if name is not None:
                    out |= _tables_of(target, name, seen)
            elif n.id in mod.defs and n.id != attr:
                out |= _tables_of(mod_name, n.id, seen)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in mod.imports:
            target, name = mod.imports[n.value.id]
            if name is None:
                out |= _tables_of(target, n.attr, seen)
    return out


def page_tables(path: Path) -> set[str]:
    """The tables one page reads, by the method above."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = _imports(tree)
    out: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for local, (mod, name) in imports.items():
        if name is not None:
            out |= _tables_of(mod, name, seen)
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in imports:
            mod, name = imports[n.value.id]
            if name is None:
                out |= _tables_of(mod, n.attr, seen)
    return out


@functools.lru_cache(maxsize=1)
def pages_by_table() -> dict[str, tuple[str, ...]]:
    """Table → the dashboard pages (file stems) that read it."""
    out: dict[str, list[str]] = {}
    for path in sorted((ROOT / "pages").glob("*.py")):
        for t in page_tables(path):
            out.setdefault(t, []).append(path.stem)
    return {t: tuple(v) for t, v in out.items()}


def models_by_table() -> dict[str, tuple[str, ...]]:
    """Table → the keys of the models whose definitions read it."""
    out: dict[str, list[str]] = {}
    for key, m in sorted(registry().items()):
        for t in m.reads:
            out.setdefault(t, []).append(key)
    return {t: tuple(v) for t, v in out.items()}


def catalogue(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Every table: table, zh, source, owner, frequency, sensitivity, sensitivity_en, personal (the
    columns that make it sensitive), updated_column, last_update (None: no timestamp column or no
    rows), rows, models, pages. Counts are over the whole database (the catalogue describes data
    sets, not one district's share)."""
    require(scope, PERMISSION)
    pages, models = pages_by_table(), models_by_table()
    rows = []
    with engine.connect() as conn:
        for table, (cls, d) in sorted(_declared().items()):
            cols = set(cls.__table__.c.keys())
            n = conn.execute(select(func.count()).select_from(cls.__table__)).scalar_one()
            rows.append({
                "table": table, "zh": d.zh, "source": d.source, "owner": d.owner, "frequency": d.frequency,
                "limit_days": FREQUENCIES[d.frequency], "sensitivity": d.sensitivity,
                "sensitivity_en": SENSITIVITY_EN[d.sensitivity],
                "derived_minimum": minimum_sensitivity(cols),
                "updated_column": d.updated, "last_update": last_update(engine, table) if d.updated else None,
                "rows": int(n), "models": models.get(table, ()), "pages": pages.get(table, ()),
            })
    return pd.DataFrame(rows)


def dataset_names() -> dict[str, str]:
    """Table → the data set's Chinese name, from the declarations (no database needed)."""
    return {t: d.zh for t, (_, d) in _declared().items()}


def undeclared_model_inputs() -> list[str]:
    """Data sets a model definition names that are no table of the schema (a typo in ``reads``)."""
    tables = set(_declared())
    return sorted({f"{k}:{t}" for k, m in registry().items() for t in m.reads if t not in tables})


def as_of(df: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Age in days of each table's last update at ``now`` (NaN where there is none)."""
    return (pd.Timestamp(now) - pd.to_datetime(df["last_update"])).dt.total_seconds() / 86400

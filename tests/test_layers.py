"""The layer rule of docs/ARCHITECTURE.md, held by a test: database → ``queries/`` → ``pages/`` →
``components/``, and ``domain/`` is pure.

Why an ``ast`` walk and not import-linter: ``pages/`` and ``apps/`` are scripts Streamlit loads by
path, not packages, so import-linter cannot see them; ``domain/``'s rule is an allow-list (stdlib,
numpy, shapely), which import-linter's contracts can only approximate with a deny-list; and the one
exception (``queries/cache.py`` may import Streamlit lazily, inside a function) depends on *where*
the import sits. So: parse every ``.py`` under the six folders, collect every ``import`` / ``from``
(inside functions and ``if TYPE_CHECKING:`` blocks too, plus ``importlib.import_module("...")`` and
``__import__("...")`` with a literal name), and apply ``RULES``. Each crossing is reported as
``file:line: what → the rule broken``. ``test_the_checker_catches_crossings`` proves it can fail.
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("apps", "pages", "components", "queries", "domain", "sample_data")
FIRST_PARTY = frozenset({*LAYERS, "bench", "tests", "tools"})
UI = frozenset({"streamlit", "streamlit_autorefresh", "altair", "pydeck"})
DATABASE = frozenset({"sqlalchemy", "alembic", "psycopg", "psycopg2", "sqlite3"})


@dataclass(frozen=True)
class Rule:
    first_party: frozenset[str]  # top-level project folders the layer may import
    third_party: frozenset[str] | None  # allow-list beyond the stdlib; None: anything not banned
    banned: frozenset[str]  # third-party (and stdlib) packages the layer must not import
    text: str  # the rule, as the report states it


RULES: dict[str, Rule] = {
    "domain": Rule(frozenset({"domain"}), frozenset({"numpy", "shapely"}), frozenset(),
                   "domain/ is pure: stdlib, numpy, shapely and other domain modules only"),
    "queries": Rule(frozenset({"domain", "queries"}), None, UI,
                    "queries/ imports domain and database/data libraries, never components, pages or UI libraries"),
    "components": Rule(frozenset({"domain", "components"}), None, DATABASE,
                       "components/ import domain and components only (never queries, not even for types) "
                       "and never reach the database"),
    "pages": Rule(frozenset({"queries", "components", "domain"}), None, DATABASE,
                  "pages/ import queries, components and domain; SQL stays in queries"),
    "apps": Rule(frozenset({"components", "domain", "queries"}), None, DATABASE,
                 "apps/ import components, domain and queries and reach pages only through st.navigation by path"),
    "sample_data": Rule(frozenset({"queries", "domain", "sample_data"}), None, UI,
                        "sample_data/ writes through queries and domain, never components, pages or UI libraries"),
}

# The one exception: queries/cache.py keeps its process singletons in st.cache_resource when it runs
# inside a Streamlit server, importing Streamlit lazily inside a function so the query layer still
# imports (CLI, sample data, tests) without touching Streamlit. Allowed there, and only inside a function.
LAZY_ONLY = {"queries/cache.py": frozenset({"streamlit"})}

CACHE_CLEAR = re.compile(r"\b(cache_data|cache_resource|get_store)\b")
DB_CALLS = frozenset({"connect", "begin", "execute", "exec_driver_sql"})


@dataclass(frozen=True)
class Crossing:
    path: str
    line: int
    what: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what} → {self.rule}"


@dataclass(frozen=True)
class Imported:
    module: str
    line: int
    in_function: bool


def _package(relpath: str) -> list[str]:
    return relpath.removesuffix(".py").split("/")[:-1]


def imports_of(relpath: str, tree: ast.AST) -> list[Imported]:
    """Every module ``tree`` imports, wherever the import sits, relative imports resolved."""
    out: list[Imported] = []

    def visit(node: ast.AST, in_fn: bool) -> None:
        if isinstance(node, ast.Import):
            out.extend(Imported(a.name, node.lineno, in_fn) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                pkg = _package(relpath)
                base = pkg[:len(pkg) - (node.level - 1)] if node.level > 1 else pkg
                mod = ".".join([*base, mod] if mod else base)
            out.append(Imported(mod, node.lineno, in_fn))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in ("import_module", "__import__"):
                out.append(Imported(node.args[0].value, node.lineno, in_fn))
        fn_scope = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, in_fn or fn_scope)

    visit(tree, False)
    return out


def check_source(relpath: str, source: str) -> list[Crossing]:
    """The crossings in one file, ``relpath`` relative to the repository (its first folder is its layer)."""
    layer = relpath.split("/")[0]
    rule = RULES.get(layer)
    if rule is None:
        return []
    tree = ast.parse(source, relpath)
    found: list[Crossing] = []
    for imp in imports_of(relpath, tree):
        top = imp.module.split(".")[0]
        if not top:
            continue
        if top in FIRST_PARTY:
            bad = top not in rule.first_party
        elif top in rule.banned:
            bad = True
        elif top in sys.stdlib_module_names:
            bad = False
        else:
            bad = rule.third_party is not None and top not in rule.third_party
        if bad and imp.in_function and top in LAZY_ONLY.get(relpath, ()):
            bad = False
        if bad:
            where = "inside a function" if imp.in_function else "at module level"
            found.append(Crossing(relpath, imp.line, f"imports {imp.module} ({where})", rule.text))
    if layer == "components":
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "clear" and CACHE_CLEAR.search(ast.unparse(node.func.value)):
                    found.append(Crossing(relpath, node.lineno, f"calls {ast.unparse(node.func)}()",
                                          "components/ do no cache clearing: the write (queries.cache.invalidates) "
                                          "or the page does"))
                elif node.func.attr in DB_CALLS:
                    found.append(Crossing(relpath, node.lineno, f"calls {ast.unparse(node.func)}()",
                                          "components/ do no database access: the page calls queries"))
    return sorted(found, key=lambda c: c.line)


def layer_files() -> list[Path]:
    return sorted(p for d in LAYERS for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts)


def test_no_layer_crossings():
    files = layer_files()
    assert {p.relative_to(ROOT).parts[0] for p in files} == set(LAYERS)  # every layer was read
    crossings = [c for p in files
                 for c in check_source(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"))]
    assert not crossings, "layer crossings:\n" + "\n".join(map(str, crossings))


CROSSING_SOURCES = [
    ("components/x.py", "from queries.cases import CaseFilter\n", 1, "components/ import domain and components only"),
    ("components/x.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from queries.portal import Principal\n",
     3, "never queries"),
    ("components/x.py", "def f():\n    from queries.cache import get_engine\n    return get_engine()\n", 2,
     "never queries"),
    ("components/x.py", "import streamlit as st\n\n\ndef f():\n    st.cache_data.clear()\n", 5, "no cache clearing"),
    ("components/x.py", "def f(get_store):\n    get_store().clear()\n", 2, "no cache clearing"),
    ("components/x.py", "def f(engine):\n    with engine.begin() as conn:\n        pass\n", 2, "no database access"),
    ("components/x.py", "import sqlalchemy\n", 1, "never reach the database"),
    ("domain/x.py", "import pandas as pd\n", 1, "domain/ is pure"),
    ("domain/x.py", "def f():\n    import streamlit\n", 2, "domain/ is pure"),
    ("domain/x.py", "from sqlalchemy import select\n", 1, "domain/ is pure"),
    ("domain/x.py", "from queries.scope import in_scope\n", 1, "domain/ is pure"),
    ("domain/sub/x.py", "from ...queries import cases\n", 1, "domain/ is pure"),
    ("domain/x.py", "import importlib\nm = importlib.import_module('pandas')\n", 2, "domain/ is pure"),
    ("queries/x.py", "import streamlit as st\n", 1, "never components, pages or UI"),
    ("queries/x.py", "def f():\n    import streamlit\n", 2, "never components, pages or UI"),  # lazy: only cache.py
    ("queries/cache.py", "import streamlit as st\n", 1, "never components, pages or UI"),  # cache.py: only lazily
    ("queries/x.py", "from components.i18n import tr\n", 1, "never components"),
    ("sample_data/x.py", "from components.charts import bar_chart\n", 1, "never components"),
    ("pages/x.py", "from sqlalchemy import text\n", 1, "SQL stays in queries"),
    ("pages/x.py", "from sample_data.build import build\n", 1, "pages/ import queries, components and domain"),
    ("apps/x.py", "import pages.home\n", 1, "reach pages only through st.navigation"),
]


@pytest.mark.parametrize("path,source,line,rule", CROSSING_SOURCES)
def test_the_checker_catches_crossings(path, source, line, rule):
    found = check_source(path, source)
    assert [c.line for c in found] == [line], found
    assert rule in found[0].rule and str(found[0]).startswith(f"{path}:{line}: ")


ALLOWED_SOURCES = [
    ("domain/x.py", "import datetime as dt\nimport numpy as np\nfrom shapely.geometry import shape\n"
                    "from domain.scope import Scope\nfrom . import cases\n"),
    ("queries/cache.py", "def f():\n    from streamlit.runtime import exists\n    import streamlit as st\n"),
    ("queries/x.py", "import pandas as pd\nfrom sqlalchemy import select\nfrom domain.scope import Scope\n"),
    ("components/x.py", "import pandas as pd\nimport streamlit as st\nfrom domain.portal import Principal\n"
                        "from components.i18n import tr\n\n\ndef f():\n    st.session_state.clear()\n"),
    ("pages/x.py", "from queries.cases import districts_live\nfrom components.charts import bar_chart\n"
                   "from queries.cache import get_store\nget_store().clear()\n"),
    ("sample_data/x.py", "from queries.writes import bulk_insert\nfrom domain.identity import make_id\n"),
]


@pytest.mark.parametrize("path,source", ALLOWED_SOURCES)
def test_the_checker_allows_what_the_rule_allows(path, source):
    assert check_source(path, source) == []


# ----------------------------------------------------------------------------- one way to import a name


def _reexports(relpath: str, source: str, queries_modules: dict[str, dict[str, str]]) -> list[Crossing]:
    """``from queries.M import N`` where ``queries/M.py`` only imported N from domain: import it from
    where it is defined (types moved to domain leave no alias behind in queries)."""
    found = []
    for node in ast.walk(ast.parse(source, relpath)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in queries_modules:
            for a in node.names:
                origin = queries_modules[node.module].get(a.name)
                if origin:
                    found.append(Crossing(relpath, node.lineno, f"imports {a.name} from {node.module}",
                                          f"import it from {origin}, where it is defined"))
    return found


def _domain_names(path: Path) -> dict[str, str]:
    """Names a queries module binds at module level by importing them from domain."""
    names = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "domain":
            names.update({a.asname or a.name: node.module for a in node.names})
    return names


def test_names_defined_in_domain_are_not_imported_through_queries():
    mods = {".".join(p.relative_to(ROOT).with_suffix("").parts): _domain_names(p)
            for p in (ROOT / "queries").glob("*.py")}
    files = [p for d in (*LAYERS, "bench", "tests") for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]
    crossings = [c for p in files
                 for c in _reexports(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"), mods)]
    assert not crossings, "\n".join(map(str, crossings))
    caught = _reexports("pages/x.py", "from queries.cases import CaseFilter\n",
                        {"queries.cases": {"CaseFilter": "domain.cases"}})
    assert [str(c) for c in caught] == ["pages/x.py:1: imports CaseFilter from queries.cases → "
                                        "import it from domain.cases, where it is defined"]

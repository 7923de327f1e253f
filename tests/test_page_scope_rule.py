"""Pages never choose their own scope (issue 11, "Scope comes from the account"): no file in
``pages/`` imports the operator's scope constants (``ALL``, ``SCREEN``, ``SUPERVISION`` of
``domain.scope``) or builds a ``Scope(...)`` itself; a page's scope comes from the signed-in account
through ``components.auth.scope``. An ``ast`` walk, like tests/test_layers.py, so an alias or a
module import (``import domain.scope as s; s.ALL``) is caught too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSTANTS = frozenset({"ALL", "SCREEN", "SUPERVISION"})
# Pages another change is moving (none now: the smart screen takes its scope from its device key).
PENDING: set[str] = set()


def crossings(source: str) -> list[str]:
    """Each way ``source`` picks a scope itself: 'line: what'."""
    tree = ast.parse(source)
    out = []
    module_aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "domain.scope":
            for a in node.names:
                if a.name in CONSTANTS or a.name == "*":
                    out.append(f"{node.lineno}: imports {a.name} from domain.scope")
        elif isinstance(node, ast.ImportFrom) and node.module == "domain":
            module_aliases |= {a.asname or a.name for a in node.names if a.name == "scope"}
        elif isinstance(node, ast.Import):
            module_aliases |= {a.asname or a.name for a in node.names if a.name == "domain.scope"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name == "Scope":
                out.append(f"{node.lineno}: builds Scope(...)")
        elif isinstance(node, ast.Attribute) and node.attr in CONSTANTS:
            base = ast.unparse(node.value)
            if base in module_aliases or base == "domain.scope":
                out.append(f"{node.lineno}: uses {base}.{node.attr}")
    return out


def test_no_page_picks_its_own_scope():
    found = {}
    for p in sorted((ROOT / "pages").glob("*.py")):
        bad = crossings(p.read_text(encoding="utf-8"))
        if bad and p.name not in PENDING:
            found[p.name] = bad
    assert not found, found


@pytest.mark.parametrize("source", [
    "from domain.scope import ALL\n",
    "from domain.scope import SCREEN as S\n",
    "from domain.scope import *\n",
    "from domain.scope import Scope\nscope = Scope((310112,), role='supervision')\n",
    "import domain.scope as ds\nx = ds.SUPERVISION\n",
    "from domain import scope\nx = scope.ALL\n",
    "import domain.scope\nx = domain.scope.Scope()\n",
])
def test_the_checker_catches_each_way(source):
    assert crossings(source)


def test_the_checker_allows_the_account_scope():
    assert not crossings("from components import auth\nscope = auth.scope('supervision')\n"
                         "from domain.scope import Scope  # a type only\n")

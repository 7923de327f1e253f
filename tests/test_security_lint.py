"""Static checks on the UI code (ASVS 5.0 §1.2, shared/domain/security_reliability.md §2.2).

- Raw HTML (``unsafe_allow_html=True``) is either a constant, or built in a module that escapes
  what it interpolates (imports ``html.escape``); names, case data and imported cells never reach it
  otherwise. The portal's injection tests check the rendered result for real payloads.
- JavaScript runs only from module-level constants (the screen's clock), never from data.
- No iframes of generated content.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIRS = ("apps", "pages", "components")


def _files():
    for d in UI_DIRS:
        yield from (ROOT / d).rglob("*.py")


def _kw_true(node: ast.Call, name: str) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in node.keywords)


def _constant(node) -> bool:
    """A literal, a CONSTANT, a choice or concatenation of those, or a ``*_html()`` markup builder."""
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id.isupper()):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constant(node.left) and _constant(node.right)
    if isinstance(node, ast.IfExp):
        return _constant(node.body) and _constant(node.orelse)
    if isinstance(node, ast.Call):
        fn = node.func
        name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
        return name.endswith("_html") and not node.args and not node.keywords
    return False


def _escapes(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "html" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "html" and any(a.name == "escape" for a in node.names):
            return True
    return False


def test_raw_html_only_from_constants_or_in_escaping_modules():
    offenders = []
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        escapes = _escapes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _kw_true(node, "unsafe_allow_html"):
                if node.args and _constant(node.args[0]):
                    continue
                if not escapes:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"raw HTML from values in a module that escapes nothing: {offenders}"


def test_javascript_only_from_constants():
    offenders = []
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _kw_true(node, "unsafe_allow_javascript"):
                if not (node.args and _constant(node.args[0])):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_no_iframes_of_generated_content():
    offenders = [str(p.relative_to(ROOT)) for p in _files()
                 if any(n in p.read_text(encoding="utf-8") for n in ("components.v1.html(", "st.iframe("))]
    assert not offenders, offenders

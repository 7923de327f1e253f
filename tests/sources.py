"""The product's own Python files, for the tests that read source (the clock and settings rules)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_files(dirs: tuple[str, ...], skip: str = "") -> Iterator[tuple[str, str]]:
    """``(path relative to the repository, text)`` of every ``.py`` under ``dirs``, in order; ``skip``
    names the one file a rule is about (it may do what the others may not)."""
    for d in dirs:
        for path in sorted((ROOT / d).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel != skip:
                yield rel, path.read_text(encoding="utf-8")

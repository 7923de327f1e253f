"""Legal-supervision models as data (issue 13): each model is a frozen ``Model`` definition in its own
module here; ``queries.models`` builds its hit query from the definition and runs it.

Why data and not code in a page: a model's purpose, legal basis, parameters, handler and deadline are
what a procuratorate reviews and shares, so they sit in one reviewable place, and the version is
derived from them (key + query kind + parameters): changing a parameter makes a new version, and
every hit remembers the version that found it. Pure: no SQL, no Streamlit.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from domain.access import PERMISSIONS, ROLE_NAMES


class ModelError(ValueError):
    """A definition or a parameter value that cannot be used (the message says which and why)."""


@dataclass(frozen=True)
class Param:
    """One parameter: its type (``int``, ``float``, ``bool`` or ``str``; ``many`` for a tuple of them),
    default, bounds or allowed choices, and what it means (zh, en)."""

    name: str
    kind: type
    default: Any
    zh: str
    en: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    many: bool = False

    def validate(self, value: Any) -> Any:
        """The value in its canonical form (tuples for ``many``), or ``ModelError`` saying why not."""
        values = value if self.many else (value,)
        if self.many:
            if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
                raise ModelError(f"{self.name}: expected a list of {self.kind.__name__}, got {value!r}")
            if not value:
                raise ModelError(f"{self.name}: must not be empty")
        out = []
        for v in values:
            if self.kind is float and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            if not isinstance(v, self.kind) or (self.kind is not bool and isinstance(v, bool)):
                raise ModelError(f"{self.name}: expected {self.kind.__name__}, got {v!r}")
            if self.minimum is not None and v < self.minimum:
                raise ModelError(f"{self.name}: {v!r} is below the minimum {self.minimum}")
            if self.maximum is not None and v > self.maximum:
                raise ModelError(f"{self.name}: {v!r} is above the maximum {self.maximum}")
            if self.choices is not None and v not in self.choices:
                raise ModelError(f"{self.name}: {v!r} is not one of {self.choices}")
            out.append(v)
        return tuple(dict.fromkeys(out)) if self.many else out[0]


@dataclass(frozen=True)
class Model:
    """A supervision model's definition. ``query`` names the hit query ``queries.models`` builds
    (the query kind); ``values`` overrides parameter defaults (validated, see ``with_params``).
    ``permission`` is what an account needs to read the hits (it must belong to ``role``)."""

    key: str
    name_zh: str
    name_en: str
    purpose: str  # why it matters, in a few sentences (zh)
    legal_basis: tuple[str, ...]  # articles
    reads: tuple[str, ...]  # table names of the data sets it reads
    params: tuple[Param, ...]
    shows: str  # what a hit shows (zh)
    role: str  # domain.access role that handles a hit
    permission: str  # permission needed to read the hits
    decision_days: int  # deadline for a decision on a hit, in days
    owner: str
    query: str  # the query kind
    values: tuple[tuple[str, Any], ...] = field(default=())
    # True when hits depend on the clock as well as on the data (超期, a window that closes): an
    # incremental run that skips unchanged inputs must still rerun it when the time bucket changes
    clock_dependent: bool = False

    def __post_init__(self) -> None:
        if not self.key.replace("_", "").isalnum() or not self.key.islower():
            raise ModelError(f"model key {self.key!r}: lower-case letters, digits and _ only")
        if self.role not in ROLE_NAMES:
            raise ModelError(f"{self.key}: unknown role {self.role!r}")
        if self.permission not in PERMISSIONS[self.role]:
            raise ModelError(f"{self.key}: role {self.role!r} lacks permission {self.permission!r}")
        if self.decision_days < 1:
            raise ModelError(f"{self.key}: decision_days must be at least 1")
        if not self.legal_basis or not self.reads:
            raise ModelError(f"{self.key}: legal basis and data sets read are required")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ModelError(f"{self.key}: duplicate parameter names")
        for p in self.params:
            p.validate(p.default)
        unknown = {k for k, _ in self.values} - set(names)
        if unknown:
            raise ModelError(f"{self.key}: unknown parameters {sorted(unknown)}")
        given = dict(self.values)
        for p in self.params:
            if p.name in given:
                p.validate(given[p.name])

    @property
    def parameters(self) -> dict[str, Any]:
        """Every parameter's value in effect: the defaults with ``values`` over them, canonical."""
        given = dict(self.values)
        return {p.name: p.validate(given.get(p.name, p.default)) for p in self.params}

    def with_params(self, **values: Any) -> "Model":
        """The same model with some parameters changed (validated): a new version when they differ."""
        by_name = {p.name: p for p in self.params}
        unknown = set(values) - set(by_name)
        if unknown:
            raise ModelError(f"{self.key}: unknown parameters {sorted(unknown)}")
        canonical = {k: by_name[k].validate(v) for k, v in values.items()}
        return replace(self, values=tuple(sorted({**dict(self.values), **canonical}.items())))

    @property
    def version(self) -> str:
        """12 hex digits of SHA-256 over key, query kind and parameter values: the same definition
        always has the same version, and a changed parameter a different one."""
        payload = json.dumps({"key": self.key, "query": self.query, "params": self.parameters},
                             sort_keys=True, ensure_ascii=False, default=list)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def registry() -> dict[str, Model]:
    """Every model the product ships, by key (imported here so a model is one module to add)."""
    from domain.models import cluster, overdue, recidivism, referral, release, sentencing_deviation, water

    models = (recidivism.MODEL, overdue.MODEL, referral.MODEL, water.MODEL,
              sentencing_deviation.MODEL, cluster.MODEL, release.MODEL)
    out = {m.key: m for m in models}
    if len(out) != len(models):
        raise ModelError("two models share a key")
    return out

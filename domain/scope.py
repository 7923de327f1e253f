"""Who may see what: the ``Scope`` every query takes, as plain data.

Pages get a scope only from the signed-in account (``domain.access.Staff.scope``, through
``components.auth``); ``queries.scope.in_scope`` turns it into SQL and ``queries.scope.require``
checks its grants. The constants below are for the operator's command line, benchmarks and tests:
pages never import them (a test holds that). It lives in ``domain`` so components can take and
show a scope without importing the query layer.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """``district_ids=None`` means every district. Hashable, so it can key a cache."""

    district_ids: tuple[int, ...] | None = None
    role: str = "leader"  # leader / prosecutor / supervision / pil / screen
    user_id: int | None = None
    grants: frozenset[str] | None = None  # the account's permissions; None: the operator (CLI, tests)

    def narrowed(self, district_ids: tuple[int, ...] | None) -> "Scope":
        """Intersect with a filter chosen by the user; never widens the scope."""
        if not district_ids:
            return self
        if self.district_ids is None:
            return Scope(tuple(sorted(district_ids)), self.role, self.user_id, self.grants)
        return Scope(tuple(sorted(set(district_ids) & set(self.district_ids))), self.role, self.user_id,
                     self.grants)

    @property
    def sees_individual_tracks(self) -> bool:
        """Location tracks are sensitive personal information (PIPL art. 28)."""
        return self.role == "supervision"

    def grants_permission(self, permission: str) -> bool:
        """The operator's scopes (``grants=None``) hold every permission; an account's only its own."""
        return self.grants is None or any(p in self.grants for p in permission.split("|"))

    @property
    def sees_personal_data(self) -> bool:
        return self.role not in ("screen",)


ALL = Scope()
SCREEN = Scope(role="screen")
SUPERVISION = Scope(role="supervision")

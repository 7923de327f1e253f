"""Who may see what: the ``Scope`` every query takes, as plain data.

Pages build a scope from the signed-in user (or, until accounts exist, from configuration);
``queries.scope.in_scope`` turns it into SQL. It lives in ``domain`` so components can take and
show a scope without importing the query layer.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """``district_ids=None`` means every district. Hashable, so it can key a cache."""

    district_ids: tuple[int, ...] | None = None
    role: str = "leader"  # leader / prosecutor / supervision / screen / admin
    user_id: int | None = None

    def narrowed(self, district_ids: tuple[int, ...] | None) -> "Scope":
        """Intersect with a filter chosen by the user; never widens the scope."""
        if not district_ids:
            return self
        if self.district_ids is None:
            return Scope(tuple(sorted(district_ids)), self.role, self.user_id)
        return Scope(tuple(sorted(set(district_ids) & set(self.district_ids))), self.role, self.user_id)

    @property
    def sees_individual_tracks(self) -> bool:
        """Location tracks are sensitive personal information (PIPL art. 28)."""
        return self.role in ("supervision", "admin")

    @property
    def sees_personal_data(self) -> bool:
        return self.role not in ("screen",)


ALL = Scope()
SCREEN = Scope(role="screen")
SUPERVISION = Scope(role="supervision")

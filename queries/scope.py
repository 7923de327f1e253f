"""A ``domain.scope.Scope`` applied in SQL. Every query takes a scope and narrows its rows here;
the query layer never trusts a district or case number that did not pass through a scope."""
from __future__ import annotations

from sqlalchemy import ColumnElement, true

from domain.access import AccessDenied
from domain.scope import Scope


def in_scope(scope: Scope, district_col) -> ColumnElement[bool]:
    """SQL condition limiting ``district_col`` to ``scope``'s districts (TRUE for every district)."""
    if scope.district_ids is None:
        return true()
    return district_col.in_(scope.district_ids)


def require(scope: Scope, permission: str) -> None:
    """Refuse a query the scope's account may not run: the check behind every page's own check."""
    if not scope.grants_permission(permission):
        raise AccessDenied(f"scope of user {scope.user_id} lacks {permission}")

"""Staff accounts: who a signed-in user is (``Staff``), built only from the database.

The sign-in steps (password, second factor, forced change) live in ``queries.signin``; account
administration in ``queries.account_admin``. Everything here reads; nothing trusts a URL.
"""
from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from domain.access import Actor, Staff
from queries.audit import record
from queries.schema import AppUser, Procuratorate, UserRole


def _staff(conn: Connection, where, via: str) -> Staff | None:
    row = conn.execute(select(AppUser.id, AppUser.username, AppUser.display_name, AppUser.procuratorate_id,
                              Procuratorate.name, Procuratorate.district_id, Procuratorate.level)
                       .join(Procuratorate, Procuratorate.id == AppUser.procuratorate_id)
                       .where(where, AppUser.active.is_(True), AppUser.role != "lawyer")).first()
    if row is None:
        return None
    roles = frozenset(r for (r,) in conn.execute(select(UserRole.role).where(UserRole.user_id == row.id)))
    # A city-level procuratorate (市院) sees every district; a district one only its own.
    district = None if row.level == "市院" or row.district_id is None else int(row.district_id)
    return Staff(int(row.id), row.username, row.display_name, int(row.procuratorate_id), row.name, district,
                 roles, via)


def load_staff(engine: Engine | Connection, user_id: int, via: str = "password") -> Staff | None:
    """The account as it is now (roles and procuratorate re-read: a change applies at once)."""
    if isinstance(engine, Connection):
        return _staff(engine, AppUser.id == user_id, via)
    with engine.connect() as conn:
        return _staff(conn, AppUser.id == user_id, via)


def staff_by_username(engine: Engine, username: str, via: str = "password") -> Staff | None:
    with engine.connect() as conn:
        return _staff(conn, AppUser.username == username, via)


def audit_denied(engine: Engine, actor: Actor, target: str) -> None:
    """A page or action the account may not reach: 等保 asks that access-control failures be logged."""
    with engine.begin() as conn:
        record(conn, actor=actor, event="越权访问", target=target, result="拒绝", detail="无权访问")

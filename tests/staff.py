"""Signed-in staff for page tests: an account from the sample database, put into an AppTest's
session the way the dashboard's sign-in does (``components.auth.signed_in``)."""
from __future__ import annotations

from domain import clock
from domain.access import Staff


def staff_of(engine, username: str) -> Staff:
    from queries.accounts import staff_by_username

    s = staff_by_username(engine, username)
    assert s is not None, f"no active staff account {username!r} in the sample database"
    return s


def sign_in(at, staff: Staff):
    """Put ``staff`` into the AppTest's session as a fresh sign-in; returns the AppTest."""
    from components.auth import K_LAST, K_LOGIN_AT, K_STAFF

    now = clock.now()
    at.session_state[K_STAFF] = staff
    at.session_state[K_LOGIN_AT] = now
    at.session_state[K_LAST] = now
    return at


def everyone(user_id: int = 1) -> Staff:
    """A made-up account holding every role at the city procuratorate: opens every page, for tests
    about something else (an outage, a smoke run). Never in a database."""
    from domain.access import STAFF_ROLES

    return Staff(user_id, "tester", "测试账号", 1, "上海市人民检察院", None, frozenset(STAFF_ROLES))

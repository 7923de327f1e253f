"""Staff sign-in and authorisation: server time of each sign-in step beside Argon2's own cost
(target: under 100 ms beyond the hash), and the authorisation check a page pays on every run
(target: under 1 ms).

The benchmark adds one account of its own (``bench_staff``, idempotent) with a known password and
an enrolled second factor; each code is taken in a new 30-second step (a code is accepted once).
"""
from __future__ import annotations

import datetime as dt
import itertools

import pyotp
from sqlalchemy import Engine, insert, select, update

from bench.harness import Row, median_ms, print_table
from domain import clock
from domain.access import PAGE_PERMISSION
from queries import signin as S
from queries.accounts import load_staff
from queries.password_hash import hash_password, password_ok
from queries.schema import AppUser, Procuratorate, UserRole

USER, PASSWORD = "bench_staff", "Bench staff sign-in 2026"
T0 = dt.datetime(2030, 1, 7, 9, 0, 0)


def _ensure(engine: Engine) -> tuple[int, str, str]:
    secret = pyotp.random_base32()
    with engine.begin() as c:
        uid = c.execute(select(AppUser.id).where(AppUser.username == USER)).scalar()
        district_proc = c.execute(select(Procuratorate.id).where(Procuratorate.level == "区院")
                                  .order_by(Procuratorate.id)).scalar()
        stored = hash_password(PASSWORD)
        if uid is None:
            uid = c.execute(insert(AppUser).values(
                username=USER, display_name="基准测试", role="prosecutor", procuratorate_id=district_proc,
                password_hash=stored, active=True, created_at=T0).returning(AppUser.id)).scalar_one()
            c.execute(insert(UserRole).values(user_id=uid, role="prosecutor"))
        c.execute(update(AppUser).where(AppUser.id == uid).values(
            password_hash=stored, must_change_password=False, totp_secret=S._seal(secret, uid), totp_last_step=None))
    return uid, secret, stored


def run(engine: Engine) -> None:
    uid, secret, stored = _ensure(engine)
    steps = itertools.count(1)

    def at_next_step():
        return clock.frozen(T0 + dt.timedelta(seconds=30 * next(steps)))

    def password_step():
        with at_next_step():
            assert S.check_password(engine, USER, PASSWORD).ok

    def code_step():
        with at_next_step():
            assert S.check_code(engine, uid, pyotp.TOTP(secret).at(S._unix(clock.now()))) is None

    def complete_step():
        with at_next_step():
            assert S.complete(engine, uid) is not None

    argon = median_ms(lambda: password_ok(stored, PASSWORD), repeat=9)
    pw = median_ms(password_step, repeat=9)
    staff = load_staff(engine, uid)

    def authorise_every_page():
        for page, need in PAGE_PERMISSION.items():
            if staff.may_open(page):
                staff.scope(need.split("|")[0])

    per_page = median_ms(authorise_every_page, repeat=25) / len(PAGE_PERMISSION)
    refresh = median_ms(lambda: load_staff(engine, uid), repeat=25)
    print_table("Staff sign-in and authorisation (server time per call)", [
        Row("Argon2id verification alone", argon, note="the hash's own cost (m=12 MiB, t=3)"),
        Row("password step (check_password)", pw, target_ms=round(argon + 100, 1),
            note=f"{pw - argon:.1f} ms beyond the hash; lock check, audit row"),
        Row("dynamic-code step (check_code)", median_ms(code_step, repeat=9), target_ms=100,
            note="decrypt secret, one-use update, audit row"),
        Row("sign-in completed (complete)", median_ms(complete_step, repeat=9), target_ms=100,
            note="account + roles re-read, lock reset, audit row"),
        Row("authorisation check per page", per_page, target_ms=1, note="may_open + scope, in memory"),
        Row("account re-read per script run", refresh, target_ms=1,
            note="load_staff: a disabled account or a role change applies at once"),
    ])

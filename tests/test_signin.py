"""Staff sign-in rules (queries/signin.py), one test per rule, on a frozen clock and both engines:
lockout after 5 failures for 30 minutes, identical answers for unknown accounts, TOTP replay,
enrolment, the forced change of an issued password, and the audit trail of each step."""
from __future__ import annotations

import datetime as dt
import time

import pyotp
import pytest
from sqlalchemy import insert, select

from domain import clock
from domain.passwords import new_password
from queries import signin as S
from queries.password_hash import hash_password
from queries.schema import AppUser, AuditLog, Procuratorate, UserRole
from tests.signin_helpers import PASSWORD, code_now, ready

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


@pytest.fixture
def accounts(any_engine):
    """A city procuratorate with a prosecutor whose issued password must be changed, and a leader
    who is ready (known password, enrolled second factor)."""
    with any_engine.begin() as conn:
        conn.execute(insert(Procuratorate).values(id=1, code="SH", name="上海市人民检察院", level="市院"))
        for uid, name, role, must in ((1, "pros_a", "prosecutor", True), (2, "leader_a", "leader", False)):
            conn.execute(insert(AppUser).values(id=uid, username=name, display_name=name, role=role,
                                                procuratorate_id=1, password_hash=hash_password(PASSWORD),
                                                active=True, created_at=T0, must_change_password=must))
            conn.execute(insert(UserRole).values(user_id=uid, role=role))
    secret = ready(any_engine, 2)
    return any_engine, secret


def audit(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as c:
        return [(r.actor, r.event, r.result) for r in c.execute(select(AuditLog).order_by(AuditLog.id))]


def test_first_sign_in_changes_the_issued_password_then_enrols(accounts):
    engine, _ = accounts
    with clock.frozen(T0):
        step = S.check_password(engine, "pros_a", PASSWORD)
        assert step.ok and step.needs_change and step.needs_enrolment and not step.needs_code
        assert S.change_password(engine, step.user_id, "short", "short") == "密码至少需要 12 个字符。"
        assert "账号名" in S.change_password(engine, step.user_id, "pros_a-is-me-2026", "pros_a-is-me-2026")
        assert "常见" in S.change_password(engine, step.user_id, "qwertyuiop123", "qwertyuiop123")
        assert "相同" in S.change_password(engine, step.user_id, PASSWORD, PASSWORD)
        assert "不一致" in S.change_password(engine, step.user_id, "Riverside lamps 42", "Riverside lamps 43")
        assert S.change_password(engine, step.user_id, "Riverside lamps 42", "Riverside lamps 42") is None
        secret = S.new_totp_secret()
        assert S.enrol(engine, step.user_id, secret, "000000") is not None
        assert S.enrol(engine, step.user_id, secret, code_now(secret)) is None
        staff = S.complete(engine, step.user_id)
    assert staff.username == "pros_a" and staff.roles == frozenset({"prosecutor"})
    with clock.frozen(T0 + dt.timedelta(minutes=1)):
        again = S.check_password(engine, "pros_a", "Riverside lamps 42")
        assert again.ok and again.needs_code and not again.needs_change and not again.needs_enrolment
        assert not S.check_password(engine, "pros_a", PASSWORD).ok  # the issued password is gone
    with engine.connect() as c:
        stored = c.execute(select(AppUser.totp_secret).where(AppUser.id == step.user_id)).scalar_one()
    assert secret not in stored and stored.startswith("v1:")  # sealed, never in clear
    events = audit(engine)
    assert ("pros_a", "修改密码", "成功") in events and ("pros_a", "绑定动态验证码", "成功") in events
    assert not any(PASSWORD in str(e) or "Riverside" in str(e) for e in events)


def test_five_failures_lock_for_thirty_minutes_even_with_the_right_password(accounts):
    engine, secret = accounts
    with clock.frozen(T0):
        answers = [S.check_password(engine, "leader_a", f"wrong password {i}").message for i in range(5)]
        assert answers[:4] == [S.REFUSED] * 4 and answers[4] == S.LOCKED
        assert S.check_password(engine, "leader_a", PASSWORD).message == S.LOCKED
    with clock.frozen(T0 + dt.timedelta(minutes=29, seconds=59)):
        assert not S.check_password(engine, "leader_a", PASSWORD).ok
    with clock.frozen(T0 + dt.timedelta(minutes=30)):
        step = S.check_password(engine, "leader_a", PASSWORD)
        assert step.ok and step.needs_code
        assert S.check_code(engine, step.user_id, code_now(secret)) is None
    assert ("leader_a", "账号锁定", "锁定") in audit(engine)


def test_wrong_codes_count_towards_the_same_lock(accounts):
    engine, secret = accounts
    with clock.frozen(T0):
        step = S.check_password(engine, "leader_a", PASSWORD)
        wrong = f"{(int(code_now(secret)) + 1) % 10**6:06d}"
        for _ in range(4):
            assert S.check_code(engine, step.user_id, wrong) == S.REFUSED
        assert S.check_code(engine, step.user_id, wrong) == S.LOCKED
        assert S.check_code(engine, step.user_id, code_now(secret)) == S.LOCKED
        assert not S.check_password(engine, "leader_a", PASSWORD).ok


def test_unknown_accounts_get_the_same_answers_and_the_same_lock(accounts):
    engine, _ = accounts
    with clock.frozen(T0):
        known = [S.check_password(engine, "leader_a", "not it at all").message for _ in range(6)]
        unknown = [S.check_password(engine, "nobody_here", "not it at all").message for _ in range(6)]
        disabled_like = [S.check_password(engine, "lawyer_x", "not it at all").message for _ in range(6)]
    assert known == unknown == disabled_like
    assert known[-1] == S.LOCKED


def test_unknown_accounts_take_the_same_time(accounts):
    """One Argon2 verification either way: the median times differ by far less than a hash costs.

    Known and unknown names are timed in pairs, back to back and in alternating order, so that a
    second suite loading the cores slows both sides of a pair alike instead of one whole series."""
    engine, _ = accounts

    def timed(name: str, hour: int) -> float:
        with clock.frozen(T0 + dt.timedelta(hours=hour)):  # a new hour each time: never locked
            t = time.perf_counter()
            S.check_password(engine, name, "not it at all")
            return time.perf_counter() - t

    known, unknown = [], []
    for i in range(9):
        for name in (("leader_a", "nobody_here") if i % 2 else ("nobody_here", "leader_a")):
            (known if name == "leader_a" else unknown).append(timed(name, i))
    diff = sorted(k - u for k, u in zip(known, unknown))[4]  # median of the paired differences
    hash_cost = sorted(known)[4]
    assert abs(diff) < 0.5 * hash_cost, (known, unknown)


def test_a_code_is_accepted_once(accounts):
    engine, secret = accounts
    with clock.frozen(T0):
        step = S.check_password(engine, "leader_a", PASSWORD)
        code = code_now(secret)
        assert S.check_code(engine, step.user_id, code) is None
        assert S.check_code(engine, step.user_id, code) == S.REFUSED  # replay in the same step
        earlier = code_now(secret, -1)  # the step before, inside the drift window: older, refused too
        assert S.check_code(engine, step.user_id, earlier) == S.REFUSED
    with clock.frozen(T0 + dt.timedelta(seconds=30)):
        assert S.check_code(engine, step.user_id, code_now(secret)) is None  # the next step is fresh
    events = audit(engine)
    assert events.count(("leader_a", "动态验证码", "失败")) == 2


def test_codes_from_a_drifting_phone_within_one_step(accounts):
    engine, secret = accounts
    with clock.frozen(T0):
        step = S.check_password(engine, "leader_a", PASSWORD)
        assert S.check_code(engine, step.user_id, code_now(secret, +1)) is None
    with clock.frozen(T0 + dt.timedelta(minutes=5)):
        assert S.check_code(engine, step.user_id, code_now(secret, -3)) == S.REFUSED


def test_a_disabled_account_cannot_sign_in(accounts):
    engine, _ = accounts
    from sqlalchemy import update

    with engine.begin() as c:
        c.execute(update(AppUser).where(AppUser.username == "leader_a").values(active=False))
    with clock.frozen(T0):
        assert S.check_password(engine, "leader_a", PASSWORD).message == S.REFUSED


def test_issued_passwords_pass_the_policy_and_differ():
    from domain.passwords import password_problem

    issued = {new_password() for _ in range(200)}
    assert len(issued) == 200 and all(password_problem(p, "pros_a") is None for p in issued)


def test_the_provisioning_uri_is_rfc6238():
    SECRET = S.new_totp_secret()  # 160 bits (pyotp refuses under 112)
    uri = S.provisioning_uri(SECRET, "pros_a")
    totp = pyotp.parse_uri(uri)
    assert totp.secret == SECRET and totp.digits == 6 and totp.interval == 30
    assert "pros_a" in uri

"""Account administration (queries/account_admin.py, pages/accounts.py): who may change what, the
separation of the three administrators, self-protection, the last administrator of each kind, and
the audit row of every change and every refusal. Core rules on both engines."""
from __future__ import annotations

import ast
import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from streamlit.testing.v1 import AppTest

from domain import clock
from domain.access import AccessDenied, Actor
from domain.passwords import password_problem
from queries import account_admin as A
from queries import signin
from queries.accounts import load_staff, staff_by_username
from queries.password_hash import hash_password, password_ok
from queries.schema import AppUser, AuditLog, District, LoginLock, Procuratorate, UserRole
from tests.signin_helpers import PASSWORD, ready
from tests.staff import sign_in, staff_of

ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2026, 3, 2, 9, 0, 0)
CITY, MINHANG, HUANGPU = 1, 2, 3

# username, procuratorate, roles, ready (own password + enrolled second factor)
ACCOUNTS = [
    ("admin", CITY, {"sysadmin"}, True),
    ("secadmin", CITY, {"secadmin"}, True),
    ("auditor", CITY, {"auditor"}, True),
    ("admin_mh", MINHANG, {"sysadmin"}, True),
    ("pros_mh", MINHANG, {"prosecutor"}, True),
    ("pros_hp", HUANGPU, {"prosecutor"}, True),
    ("fresh_aud", CITY, {"leader"}, False),  # issued password, no second factor yet
]


def _world(engine):
    """Three procuratorates, the accounts above (ids assigned by the database) and one lawyer."""
    with engine.begin() as conn:
        for d, zh, en in ((310112, "闵行区", "Minhang"), (310101, "黄浦区", "Huangpu")):
            conn.execute(insert(District).values(id=d, name_zh=zh, name_en=en, label_lon=0, label_lat=0, geojson="{}"))
        conn.execute(insert(Procuratorate), [
            dict(id=CITY, code="SH", name="上海市人民检察院", level="市院", district_id=None),
            dict(id=MINHANG, code="SH310112", name="上海市闵行区人民检察院", level="区院", district_id=310112),
            dict(id=HUANGPU, code="SH310101", name="上海市黄浦区人民检察院", level="区院", district_id=310101)])
        for name, proc, roles, _ in ACCOUNTS:
            uid = conn.execute(insert(AppUser).values(
                username=name, display_name=name, role=sorted(roles)[0], procuratorate_id=proc,
                password_hash=hash_password(PASSWORD), active=True, created_at=T0,
                must_change_password=True)).inserted_primary_key[0]
            conn.execute(insert(UserRole), [dict(user_id=uid, role=r) for r in roles])
        conn.execute(insert(AppUser).values(username="lawyer01", display_name="律师", role="lawyer",
                                            procuratorate_id=None, password_hash=None, active=True, created_at=T0))
        ids = dict(conn.execute(select(AppUser.username, AppUser.id)).all())
    for name, _, _, is_ready in ACCOUNTS:
        if is_ready:
            ready(engine, ids[name])
    return ids


@pytest.fixture
def world(any_engine):
    return any_engine, _world(any_engine)


@pytest.fixture
def sqlite_world(engine):
    return engine, _world(engine)


def who(engine, username: str) -> tuple:
    s = staff_by_username(engine, username)
    return s, Actor.of(s, "10.0.0.9")


ADMIN_EVENTS = ("创建账号", "重置密码", "重置动态验证码", "停用账号", "启用账号", "解除锁定", "设置角色")


def audit(engine) -> list[tuple]:
    """The audit rows of administrative actions (sign-in steps the tests take are audited too)."""
    with engine.connect() as c:
        return [(r.actor, r.event, r.target, r.result, r.detail, r.client_addr)
                for r in c.execute(select(AuditLog).where(AuditLog.event.in_(ADMIN_EVENTS)).order_by(AuditLog.id))]


def row(engine, user_id: int):
    with engine.connect() as c:
        return c.execute(select(AppUser).where(AppUser.id == user_id)).first()


def roles(engine, user_id: int) -> set[str]:
    with engine.connect() as c:
        return {r for (r,) in c.execute(select(UserRole.role).where(UserRole.user_id == user_id))}


def clear_audit(engine) -> None:
    with engine.begin() as c:
        c.execute(delete(AuditLog))


# ----------------------------------------------------------------------------- 系统管理员


def test_create_account_issues_a_password_and_no_roles(world):
    engine, _ = world
    admin, actor = who(engine, "admin")
    issued = A.create_account(engine, admin, actor, "  New_User ", " 王晓明 ", MINHANG)
    assert issued.username == "new_user" and password_problem(issued.password, "new_user") is None
    r = row(engine, issued.user_id)
    assert password_ok(r.password_hash, issued.password) and issued.password not in r.password_hash
    assert r.must_change_password and r.totp_secret is None and r.active and r.display_name == "王晓明"
    assert r.procuratorate_id == MINHANG and roles(engine, issued.user_id) == set()
    assert load_staff(engine, issued.user_id).permissions == frozenset()  # opens nothing until given roles
    (entry,) = audit(engine)
    assert entry[:4] == ("admin", "创建账号", "new_user", "成功") and entry[5] == "10.0.0.9"
    assert "上海市闵行区人民检察院" in entry[4] and issued.password not in entry[4]
    listed = {a.username: a for a in A.list_accounts(engine, admin)}
    assert listed["new_user"].roles == frozenset() and listed["new_user"].must_change_password


def test_create_account_refusals(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    for bad in ("ab", "1abc", "王小明", "a b c", "x" * 41):
        with pytest.raises(A.AccountError, match="账号名"):
            A.create_account(engine, admin, actor, bad, "某某", CITY)
    with pytest.raises(A.AccountError, match="姓名"):
        A.create_account(engine, admin, actor, "good_name", "   ", CITY)
    assert audit(engine) == []  # typing mistakes are not audited events
    with pytest.raises(A.AccountError, match="已被使用"):
        A.create_account(engine, admin, actor, "PROS_MH", "某某", CITY)
    with pytest.raises(AccessDenied):
        A.create_account(engine, admin, actor, "nowhere", "某某", 99)
    mh, mh_actor = who(engine, "admin_mh")  # a district sysadmin creates in its own procuratorate only
    with pytest.raises(AccessDenied):
        A.create_account(engine, mh, mh_actor, "hp_new", "某某", HUANGPU)
    sec, sec_actor = who(engine, "secadmin")
    with pytest.raises(AccessDenied):
        A.create_account(engine, sec, sec_actor, "sec_made", "某某", CITY)
    assert [(a, e, t, r) for a, e, t, r, _, _ in audit(engine)] == [
        ("admin", "创建账号", "pros_mh", "拒绝"), ("admin", "创建账号", "nowhere", "拒绝"),
        ("admin_mh", "创建账号", "hp_new", "拒绝"), ("secadmin", "创建账号", "sec_made", "拒绝")]
    with engine.connect() as c:
        assert c.execute(select(AppUser.id).where(AppUser.username.in_(["nowhere", "hp_new", "sec_made"]))).all() == []


def test_reset_password_issues_a_new_one_shown_once(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    issued = A.reset_password(engine, admin, actor, ids["pros_mh"])
    r = row(engine, ids["pros_mh"])
    assert password_ok(r.password_hash, issued.password) and not password_ok(r.password_hash, PASSWORD)
    assert r.must_change_password and r.totp_secret is not None  # the second factor stays
    (entry,) = audit(engine)
    assert entry[:4] == ("admin", "重置密码", "pros_mh", "成功") and issued.password not in (entry[4] or "")
    with clock.frozen(T0):
        step = signin.check_password(engine, "pros_mh", issued.password)
    assert step.ok and step.needs_change and step.needs_code


def test_reset_second_factor_makes_the_owner_enrol_again(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    with engine.begin() as c:
        c.execute(update(AppUser).where(AppUser.id == ids["pros_hp"]).values(totp_last_step=123))
    assert A.reset_second_factor(engine, admin, actor, ids["pros_hp"]) == "pros_hp"
    r = row(engine, ids["pros_hp"])
    assert r.totp_secret is None and r.totp_last_step is None
    with pytest.raises(A.AccountError, match="尚未绑定"):
        A.reset_second_factor(engine, admin, actor, ids["pros_hp"])
    assert [(e[1], e[2], e[3]) for e in audit(engine)] == [("重置动态验证码", "pros_hp", "成功"),
                                                          ("重置动态验证码", "pros_hp", "拒绝")]
    with clock.frozen(T0):
        step = signin.check_password(engine, "pros_hp", PASSWORD)
    assert step.ok and step.needs_enrolment and not step.needs_code


def test_disable_and_enable(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    A.set_active(engine, admin, actor, ids["pros_mh"], False)
    assert load_staff(engine, ids["pros_mh"]) is None  # a disabled account is nobody
    with clock.frozen(T0):
        assert not signin.check_password(engine, "pros_mh", PASSWORD).ok
    with pytest.raises(A.AccountError, match="已是停用"):
        A.set_active(engine, admin, actor, ids["pros_mh"], False)
    A.set_active(engine, admin, actor, ids["pros_mh"], True)
    assert load_staff(engine, ids["pros_mh"]).username == "pros_mh"
    with pytest.raises(A.AccountError, match="自己"):
        A.set_active(engine, admin, actor, ids["admin"], False)
    assert row(engine, ids["admin"]).active
    assert [(e[1], e[2], e[3], e[4]) for e in audit(engine)] == [
        ("停用账号", "pros_mh", "成功", "启用 → 停用"), ("停用账号", "pros_mh", "拒绝", "该账号已是停用状态。"),
        ("启用账号", "pros_mh", "成功", "停用 → 启用"),
        ("停用账号", "admin", "拒绝", "不能对自己的账号执行此操作（需由另一位系统管理员办理）")]


def test_no_self_administration_of_credentials(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    for fn in (A.reset_password, A.reset_second_factor, A.unlock):
        with pytest.raises(A.AccountError, match="自己"):
            fn(engine, admin, actor, ids["admin"])
    assert row(engine, ids["admin"]).totp_secret is not None
    assert [e[3] for e in audit(engine)] == ["拒绝"] * 3


def test_unlock_lifts_the_sign_in_lock(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    with clock.frozen(T0):
        for _ in range(signin.MAX_FAILURES):
            signin.check_password(engine, "pros_hp", "wrong password here")
        assert signin.check_password(engine, "pros_hp", PASSWORD).message == signin.LOCKED
        listed = {a.username: a for a in A.list_accounts(engine, admin)}
        assert listed["pros_hp"].locked and not listed["pros_mh"].locked
        clear_audit(engine)
        A.unlock(engine, admin, actor, ids["pros_hp"])
        assert signin.check_password(engine, "pros_hp", PASSWORD).ok
        with pytest.raises(A.AccountError, match="未被锁定"):
            A.unlock(engine, admin, actor, ids["pros_hp"])
    assert [(e[0], e[1], e[2], e[3]) for e in audit(engine)][:1] == [("admin", "解除锁定", "pros_hp", "成功")]
    assert ("admin", "解除锁定", "pros_hp", "拒绝") in [(e[0], e[1], e[2], e[3]) for e in audit(engine)]


# ----------------------------------------------------------------------------- separation of duties


def test_each_administrator_is_refused_the_others_work(world):
    engine, ids = world
    sec, sec_actor = who(engine, "secadmin")
    for fn, args in ((A.reset_password, ()), (A.reset_second_factor, ()), (A.set_active, (False,)),
                     (A.unlock, ())):
        with pytest.raises(AccessDenied):
            fn(engine, sec, sec_actor, ids["pros_mh"], *args)
    admin, actor = who(engine, "admin")
    with pytest.raises(AccessDenied):
        A.set_roles(engine, admin, actor, ids["pros_mh"], {"leader"})
    aud, aud_actor = who(engine, "auditor")
    pros, pros_actor = who(engine, "pros_mh")
    for s in (aud, pros):
        with pytest.raises(AccessDenied):
            A.list_accounts(engine, s)
        with pytest.raises(AccessDenied):
            A.procuratorates(engine, s)
    with pytest.raises(AccessDenied):
        A.set_roles(engine, pros, pros_actor, ids["pros_mh"], {"sysadmin"})
    assert roles(engine, ids["pros_mh"]) == {"prosecutor"} and row(engine, ids["pros_mh"]).active
    assert [(e[0], e[1], e[3]) for e in audit(engine)] == [
        ("secadmin", "重置密码", "拒绝"), ("secadmin", "重置动态验证码", "拒绝"), ("secadmin", "停用账号", "拒绝"),
        ("secadmin", "解除锁定", "拒绝"), ("admin", "设置角色", "拒绝"), ("pros_mh", "设置角色", "拒绝")]


def test_a_signed_in_administrator_whose_role_was_taken_is_refused_at_once(world):
    engine, ids = world
    admin, actor = who(engine, "admin")  # signed in as sysadmin; the role goes while the session lasts
    with engine.begin() as c:
        c.execute(update(UserRole).where(UserRole.user_id == ids["admin"]).values(role="leader"))
    with pytest.raises(AccessDenied):
        A.reset_password(engine, admin, actor, ids["pros_mh"])
    with pytest.raises(AccessDenied):
        A.list_accounts(engine, admin)


def test_district_administrator_reaches_its_own_procuratorate_only(world):
    engine, ids = world
    mh, actor = who(engine, "admin_mh")
    assert {a.username for a in A.list_accounts(engine, mh)} == {"admin_mh", "pros_mh"}
    assert A.procuratorates(engine, mh) == [(MINHANG, "上海市闵行区人民检察院")]
    with pytest.raises(AccessDenied):
        A.reset_password(engine, mh, actor, ids["pros_hp"])
    assert password_ok(row(engine, ids["pros_hp"]).password_hash, PASSWORD)
    A.set_active(engine, mh, actor, ids["pros_mh"], False)
    assert not row(engine, ids["pros_mh"]).active


def test_lawyers_are_not_staff_here(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    listed = A.list_accounts(engine, admin)
    assert "lawyer01" not in {a.username for a in listed} and len(listed) == len(ACCOUNTS)
    assert {a.username for a in A.list_accounts(engine, admin, HUANGPU)} == {"pros_hp"}
    with pytest.raises(AccessDenied):
        A.reset_password(engine, admin, actor, ids["lawyer01"])
    with pytest.raises(AccessDenied):
        A.set_active(engine, admin, actor, ids["lawyer01"], False)


# ----------------------------------------------------------------------------- 安全管理员


def test_set_roles_changes_and_audits(world):
    engine, ids = world
    sec, actor = who(engine, "secadmin")
    assert A.set_roles(engine, sec, actor, ids["pros_mh"], {"prosecutor", "leader"}) == {"prosecutor", "leader"}
    assert roles(engine, ids["pros_mh"]) == {"prosecutor", "leader"}
    assert row(engine, ids["pros_mh"]).role == "leader"  # the main role, for code that still reads it
    assert load_staff(engine, ids["pros_mh"]).may("cases")
    (entry,) = audit(engine)
    assert entry[:4] == ("secadmin", "设置角色", "pros_mh", "成功")
    assert entry[4] == "角色：检察官 → 院领导、检察官"


@pytest.mark.parametrize("wanted,why", [
    ({"sysadmin", "auditor"}, "三种管理角色"), ({"auditor", "prosecutor"}, "不得兼任业务角色"),
    (set(), "至少需要一个角色"), ({"root"}, "未知角色"), ({"prosecutor"}, "没有变化")])
def test_set_roles_refuses_conflicts(world, wanted, why):
    engine, ids = world
    sec, actor = who(engine, "secadmin")
    with pytest.raises(A.AccountError, match=why):
        A.set_roles(engine, sec, actor, ids["pros_mh"], wanted)
    assert roles(engine, ids["pros_mh"]) == {"prosecutor"}
    (entry,) = audit(engine)
    assert entry[1:4] == ("设置角色", "pros_mh", "拒绝") and why in entry[4]


def test_secadmin_cannot_change_own_roles(world):
    engine, ids = world
    sec, actor = who(engine, "secadmin")
    with pytest.raises(A.AccountError, match="自己的角色"):
        A.set_roles(engine, sec, actor, ids["secadmin"], {"leader"})
    assert roles(engine, ids["secadmin"]) == {"secadmin"}


def test_the_last_active_administrator_of_each_kind_stays(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    sec, sec_actor = who(engine, "secadmin")
    with pytest.raises(A.AccountError, match="安全审计员至少要保留"):
        A.set_active(engine, admin, actor, ids["auditor"], False)
    with pytest.raises(A.AccountError, match="安全管理员至少要保留"):
        A.set_active(engine, admin, actor, ids["secadmin"], False)
    with pytest.raises(A.AccountError, match="安全审计员至少要保留"):
        A.set_roles(engine, sec, sec_actor, ids["auditor"], {"leader"})
    # two system administrators: one may go, then the other is the last
    A.set_roles(engine, sec, sec_actor, ids["admin_mh"], {"leader"})
    with pytest.raises(A.AccountError, match="系统管理员至少要保留"):
        A.set_roles(engine, sec, sec_actor, ids["admin"], {"leader"})
    # a disabled holder does not count
    A.set_roles(engine, sec, sec_actor, ids["pros_hp"], {"auditor"})
    A.set_active(engine, admin, actor, ids["pros_hp"], False)
    with pytest.raises(A.AccountError, match="安全审计员至少要保留"):
        A.set_active(engine, admin, actor, ids["auditor"], False)
    A.set_active(engine, admin, actor, ids["pros_hp"], True)
    A.set_active(engine, admin, actor, ids["auditor"], False)  # now another auditor is active
    assert not row(engine, ids["auditor"]).active and roles(engine, ids["admin"]) == {"sysadmin"}
    results = [(e[1], e[2], e[3]) for e in audit(engine)]
    assert results.count(("停用账号", "auditor", "拒绝")) == 2 and ("停用账号", "auditor", "成功") in results


def test_sysadmin_never_holds_both_factors_of_an_administrator(world):
    engine, ids = world
    admin, actor = who(engine, "admin")
    sec, sec_actor = who(engine, "secadmin")
    # An administrator role only for an account whose owner has changed the issued password and enrolled.
    with pytest.raises(A.AccountError, match="管理角色只能授予"):
        A.set_roles(engine, sec, sec_actor, ids["fresh_aud"], {"auditor"})
    ready(engine, ids["fresh_aud"])
    A.set_roles(engine, sec, sec_actor, ids["fresh_aud"], {"auditor"})
    # Password reset: fine while the owner's second factor stands; then the factor may not be reset.
    A.reset_password(engine, admin, actor, ids["auditor"])
    with pytest.raises(A.AccountError, match="初始密码"):
        A.reset_second_factor(engine, admin, actor, ids["auditor"])
    assert row(engine, ids["auditor"]).totp_secret is not None
    # The other order: second factor first, then no password reset until the owner enrols again.
    A.reset_second_factor(engine, admin, actor, ids["fresh_aud"])
    with pytest.raises(A.AccountError, match="尚未绑定动态验证码"):
        A.reset_password(engine, admin, actor, ids["fresh_aud"])
    assert password_ok(row(engine, ids["fresh_aud"]).password_hash, PASSWORD)
    # A business account has no such limit.
    A.reset_password(engine, admin, actor, ids["pros_mh"])
    A.reset_second_factor(engine, admin, actor, ids["pros_hp"])
    A.reset_password(engine, admin, actor, ids["pros_hp"])


def test_concurrent_removals_cannot_leave_no_system_administrator(world):
    """Two security administrators each remove one of the two system administrators at the same time:
    the second waits for the first and is then refused."""
    engine, ids = world
    sec, sec_actor = who(engine, "secadmin")
    outcome: list = []

    def second() -> None:
        try:
            A.set_roles(engine, sec, sec_actor, ids["admin_mh"], {"leader"})
            outcome.append("changed")
        except A.AccountError as exc:
            outcome.append(str(exc))

    with engine.connect() as first:
        tx = first.begin()
        A._serialise(first)  # what set_roles does first, then its change, not yet committed
        first.execute(update(UserRole).where(UserRole.user_id == ids["admin"]).values(role="leader"))
        t = threading.Thread(target=second)
        t.start()
        time.sleep(1.0)
        assert outcome == []  # waiting for the first change
        tx.commit()
    t.join(10)
    assert outcome and "系统管理员至少要保留" in outcome[0]
    with engine.connect() as c:
        assert c.execute(select(UserRole.user_id).where(UserRole.role == "sysadmin")).all() == [(ids["admin_mh"],)]


def test_nothing_here_reads_case_data():
    """The administrators see accounts only: the module touches these tables and no other."""
    tree = ast.parse((ROOT / "queries" / "account_admin.py").read_text(encoding="utf-8"))
    tables = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "queries.schema"
              for a in n.names}
    assert tables == {"AppUser", "LoginLock", "Procuratorate", "UserRole"}
    assert set(A.Account.__dataclass_fields__) == {
        "user_id", "username", "display_name", "procuratorate_id", "procuratorate", "roles", "active",
        "must_change_password", "has_second_factor", "locked_until", "sso", "created_at", "password_changed_at"}


# ----------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def page_engine(sample_engine, tmp_path_factory):
    """A private copy of the tiny sample: these tests create and change accounts."""
    from queries.db import make_engine
    from tests.pagedb import pages_use_database

    path = tmp_path_factory.mktemp("accounts") / "accounts.sqlite3"
    with sample_engine.connect() as c:
        c.exec_driver_sql(f"VACUUM INTO '{path}'")
    url = f"sqlite:///{path}"
    e = make_engine(url)
    with pages_use_database(url):
        yield e
    e.dispose()


def _page(engine, username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "accounts.py"), default_timeout=60)
    return sign_in(at, staff_of(engine, username))


def _button(at: AppTest, label: str):
    (b,) = [b for b in at.button if b.label == label]
    return b


def test_page_admin_creates_resets_and_disables(page_engine):
    at = _page(page_engine, "admin").run()
    assert not at.exception and at.title[0].value == "账户与权限"
    assert [h.value for h in at.header] == ["账号管理"]  # no role editor for the system administrator
    assert "lawyer01" not in at.dataframe[0].value["账号"].tolist()
    at.text_input[0].input("pros_test_1")
    at.text_input[1].input("测试检察官")
    at.selectbox[1].set_value(2)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    (issued,) = at.code
    assert staff_by_username(page_engine, "pros_test_1").roles == frozenset()  # roles are the secadmin's
    with page_engine.connect() as c:
        r = c.execute(select(AppUser).where(AppUser.username == "pros_test_1")).one()
    assert password_ok(r.password_hash, issued.value) and r.must_change_password and r.procuratorate_id == 2
    assert "只显示这一次" in at.warning[0].value
    at.run()
    assert not at.code  # shown once
    at.selectbox(key="acct_pick").set_value(r.id).run()
    _button(at, "重置 pros_test_1 的密码").click().run()
    (again,) = at.code
    assert again.value != issued.value and at.success[0].value == "已重置 pros_test_1 的密码。"
    _button(at, "停用 pros_test_1").click().run()
    assert not at.exception
    with page_engine.connect() as c:
        assert not c.execute(select(AppUser.active).where(AppUser.id == r.id)).scalar_one()
        events = [(e.actor, e.event, e.target, e.result) for e in c.execute(
            select(AuditLog).where(AuditLog.target == "pros_test_1").order_by(AuditLog.id))]
    assert events == [("admin", "创建账号", "pros_test_1", "成功"), ("admin", "重置密码", "pros_test_1", "成功"),
                      ("admin", "停用账号", "pros_test_1", "成功")]
    # one's own account: the buttons are there, named, and disabled
    own = staff_of(page_engine, "admin").user_id
    at.selectbox(key="acct_pick").set_value(own).run()
    assert _button(at, "停用 admin").disabled and _button(at, "重置 admin 的密码").disabled


def test_page_secadmin_sets_roles(page_engine):
    target = staff_of(page_engine, "pros_310112_3")
    at = _page(page_engine, "secadmin").run()
    assert not at.exception and [h.value for h in at.header] == ["角色分配"]
    assert not [b for b in at.button if "重置" in b.label]  # no credentials for the security administrator
    at.selectbox(key="role_pick").set_value(target.user_id).run()
    at.multiselect(key=f"roles_{target.user_id}").select("leader").run()
    _button(at, "保存 pros_310112_3 的角色").click().run()
    assert not at.exception and at.success[0].value == "已更新 pros_310112_3 的角色。"
    assert staff_of(page_engine, "pros_310112_3").roles == frozenset({"prosecutor", "leader"})
    at.multiselect(key=f"roles_{target.user_id}").select("auditor").run()
    assert "管理角色不得兼任业务角色" in at.warning[0].value
    assert _button(at, "保存 pros_310112_3 的角色").disabled
    # a refusal of the query layer is shown beside the button, and nothing changes
    data = staff_of(page_engine, "data")  # the sample's data steward has not signed in yet
    at.selectbox(key="role_pick").set_value(data.user_id).run()
    at.multiselect(key=f"roles_{data.user_id}").unselect("data").select("auditor").run()
    _button(at, "保存 data 的角色").click().run()
    assert not at.exception and "管理角色只能授予已修改初始密码并绑定动态验证码的账号" in at.error[0].value
    assert staff_of(page_engine, "data").roles == frozenset({"data"})


def test_page_refuses_a_prosecutor(page_engine):
    at = _page(page_engine, "pros_310112_1").run()
    assert not at.exception and at.title[0].value == "无权访问"
    assert not at.dataframe and not at.button

"""Single sign-on through OpenID Connect (docs/sso.md).

- ``domain.sso``: claims → the local account's name, freshness, the group gate, the config check.
- ``queries.sso``: the account found by bound subject first, then by name; bound at first use;
  refusals (unknown, disabled, bound to another IdP user, outside the required groups) audited.
- The round trip for real: the dashboard (``apps/dashboard.py``) served with a secrets file in a
  temporary folder, a real OpenID provider (``tests/oidc``: oidc-provider on Node) on loopback, and
  headless Chromium clicking 统一身份认证登录, signing in at the provider and coming back signed in
  as the mapped account; an IdP user without an account is refused; sign-out ends the IdP session.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from domain.sso import (
    DEFAULT_MAX_AGE, SsoError, SsoIdentity, SsoMapping, SsoRefused, auth_problems, map_claims,
)
from queries.schema import AppUser, AuditLog, District, Procuratorate, UserRole
from queries.sso import staff_for_sso

ROOT = Path(__file__).resolve().parent.parent
OIDC_DIR = ROOT / "tests" / "oidc"
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Shanghai
T0 = dt.datetime(2026, 3, 2, 9, 0, 0)  # the same instant, naive Shanghai (as the database stores times)


def claims(**over) -> dict:
    base = {"iss": "https://idp.jcy.example/realms/jcy", "sub": "f3a1-77", "aud": "jcy-dashboard",
            "iat": NOW.timestamp() - 20, "auth_time": NOW.timestamp() - 25, "exp": NOW.timestamp() + 300,
            "preferred_username": "pros_a", "name": "王检察官", "staff_no": "MH0001",
            "groups": ["/上海检察/jcy-users", "公诉"], "is_logged_in": True, "provider": "jcy"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


# ----------------------------------------------------------------------------- domain: mapping


def test_the_default_claim_names_the_local_account():
    ident = map_claims(claims(), SsoMapping(), NOW)
    assert (ident.subject, ident.username, ident.display_name) == ("f3a1-77", "pros_a", "王检察官")
    assert ident.issuer == "https://idp.jcy.example/realms/jcy" and ident.in_required_group
    assert ident.authenticated_at == dt.datetime.fromtimestamp(NOW.timestamp() - 25, dt.timezone.utc)
    assert ident.label == "王检察官（pros_a）"


def test_a_configured_claim_such_as_a_staff_number_names_the_account():
    m = SsoMapping.from_config({"username_claim": "staff_no"})
    assert map_claims(claims(), m, NOW).username == "MH0001"
    assert map_claims(claims(staff_no=310112001), m, NOW).username == "310112001"  # sent as a number


def test_an_identity_without_the_claim_or_subject_or_a_usable_name_is_refused():
    for bad, reason in ((claims(preferred_username=None), "no_username"),
                        (claims(preferred_username=" "), "no_username"), (claims(sub=None), "no_subject"),
                        (claims(preferred_username="a b"), "bad_username"),
                        (claims(preferred_username="x" * 41), "bad_username"),
                        (claims(preferred_username="pros\n1"), "bad_username"),
                        (claims(auth_time=None, iat=None), "no_time")):
        with pytest.raises(SsoRefused) as exc:
            map_claims(bad, SsoMapping(), NOW)
        assert exc.value.reason == reason, bad
        assert exc.value.zh and exc.value.en


def test_only_a_fresh_authentication_signs_in():
    """The identity cookie lives 30 days; an authentication older than max_age is not accepted."""
    fresh = NOW.timestamp() - DEFAULT_MAX_AGE.total_seconds() + 1
    assert map_claims(claims(auth_time=fresh), SsoMapping(), NOW).username == "pros_a"
    for stale in (NOW.timestamp() - DEFAULT_MAX_AGE.total_seconds() - 1, NOW.timestamp() - 86400 * 3,
                  NOW.timestamp() + 120):  # the future beyond the clock-skew allowance
        with pytest.raises(SsoRefused) as exc:
            map_claims(claims(auth_time=stale), SsoMapping(), NOW)
        assert exc.value.reason == "stale" and "5分钟" in exc.value.zh
    # Without auth_time, the token's issue time counts.
    with pytest.raises(SsoRefused):
        map_claims(claims(auth_time=None, iat=NOW.timestamp() - 3600), SsoMapping(), NOW)
    longer = SsoMapping.from_config({"max_age_minutes": 30})
    assert map_claims(claims(auth_time=NOW.timestamp() - 1200), longer, NOW).username == "pros_a"
    with pytest.raises(ValueError):
        map_claims(claims(), SsoMapping(), NOW.replace(tzinfo=None))


def test_required_groups_gate_by_name_or_keycloak_path():
    gate = SsoMapping.from_config({"required_groups": ["jcy-users"]})
    assert map_claims(claims(), gate, NOW).in_required_group  # "/上海检察/jcy-users" counts as jcy-users
    assert map_claims(claims(groups="jcy-users"), gate, NOW).in_required_group
    assert not map_claims(claims(groups=["other"]), gate, NOW).in_required_group
    assert not map_claims(claims(groups=None), gate, NOW).in_required_group
    assert map_claims(claims(groups=None), SsoMapping(), NOW).in_required_group  # no gate configured


def test_the_mapping_section_is_checked_with_messages_naming_the_key():
    assert SsoMapping.from_config(None) == SsoMapping()
    for bad, word in (({"username": "x"}, "username"), ({"username_claim": ""}, "username_claim"),
                      ({"max_age_minutes": 0}, "max_age_minutes"), ({"max_age_minutes": "5"}, "max_age_minutes"),
                      ({"max_age_minutes": 600}, "max_age_minutes"), ({"required_groups": []}, "required_groups"),
                      ({"required_groups": [1]}, "required_groups")):
        with pytest.raises(SsoError, match=word):
            SsoMapping.from_config(bad)


GOOD_AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "k" * 40,
             "jcy": {"client_id": "jcy-dashboard", "client_secret": "s",
                     "server_metadata_url": "https://idp.example/realms/jcy/.well-known/openid-configuration"}}


def test_the_auth_section_is_checked_before_st_login_runs():
    assert auth_problems(GOOD_AUTH) == []
    assert auth_problems({**GOOD_AUTH, "redirect_uri": "http://127.0.0.1:{port}/oauth2callback"}) == []
    assert auth_problems(None) and auth_problems({})

    def one(**change) -> str:
        auth = json.loads(json.dumps(GOOD_AUTH))
        for key, value in change.items():
            section, _, name = key.rpartition("__")
            target = auth[section] if section else auth
            if value is None:
                target.pop(name)
            else:
                target[name] = value
        (problem,) = auth_problems(auth)
        return problem

    assert "cookie_secret" in one(cookie_secret="short")
    assert "cookie_secret" in one(cookie_secret="CHANGE-ME-" + "x" * 40)  # the example's placeholder
    assert "redirect_uri" in one(redirect_uri="http://127.0.0.1:8501/")
    assert "client_id" in one(jcy__client_id=None)
    assert "server_metadata_url" in one(jcy__server_metadata_url="https://idp.example/")
    assert "[auth.jcy]" in one(jcy=None)


def test_the_example_secrets_file_is_a_valid_configuration_once_filled_in():
    import tomllib

    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    problems = auth_problems(example["auth"])
    assert problems and all("cookie_secret" in p for p in problems)  # the one value to generate
    example["auth"]["cookie_secret"] = "r" * 48
    assert auth_problems(example["auth"]) == []
    assert SsoMapping.from_config(example["sso"]).username_claim == "preferred_username"


# ----------------------------------------------------------------------------- queries: the account


def seed(engine):
    """A district procuratorate (闵行) with a prosecutor, a disabled account and a lawyer."""
    with engine.begin() as conn:
        conn.execute(insert(District).values(id=310112, name_zh="闵行区", name_en="Minhang", label_lon=121.38,
                                             label_lat=31.11, geojson="{}"))
        conn.execute(insert(Procuratorate).values(id=1, code="SH310112", name="上海市闵行区人民检察院",
                                                  level="区院", district_id=310112))
        for uid, name, role, active in ((1, "pros_a", "prosecutor", True), (2, "gone_b", "prosecutor", False),
                                        (3, "lawyer_c", "lawyer", True)):
            conn.execute(insert(AppUser).values(id=uid, username=name, display_name=f"{name}名", role=role,
                                                procuratorate_id=1, active=active, created_at=T0))
            if role != "lawyer":
                conn.execute(insert(UserRole).values(user_id=uid, role=role))
    return engine


@pytest.fixture
def accounts(any_engine):
    return seed(any_engine)


def ident(username: str = "pros_a", subject: str = "f3a1-77", **over) -> SsoIdentity:
    return map_claims(claims(preferred_username=username, sub=subject, **over), SsoMapping(), NOW)


def audit_rows(engine) -> list[tuple]:
    with engine.connect() as c:
        return [(r.actor, r.event, r.target, r.result, r.detail, r.client_addr)
                for r in c.execute(select(AuditLog).order_by(AuditLog.id))]


def subject_of(engine, user_id: int) -> str | None:
    with engine.connect() as c:
        return c.execute(select(AppUser.sso_subject).where(AppUser.id == user_id)).scalar_one()


def test_the_named_account_signs_in_via_sso_and_its_subject_is_bound(accounts):
    staff = staff_for_sso(accounts, ident(), now=T0, client_addr="10.1.2.3")
    assert staff is not None and staff.via == "sso"
    assert (staff.user_id, staff.username, staff.roles, staff.district_id) == (1, "pros_a", {"prosecutor"}, 310112)
    assert subject_of(accounts, 1) == "f3a1-77"
    rows = audit_rows(accounts)
    assert [r[1:4] for r in rows] == [("绑定统一身份", "pros_a", "成功"), ("登录", "统一身份认证", "成功")]
    assert all(r[0] == "pros_a" and "via=sso" in r[4] and "sub=f3a1-77" in r[4] and r[5] == "10.1.2.3"
               for r in rows)


def test_a_bound_subject_wins_over_the_name(accounts):
    assert staff_for_sso(accounts, ident(), now=T0) is not None
    renamed = staff_for_sso(accounts, ident(username="wang.jian"), now=T0)  # the IdP login was renamed
    assert renamed is not None and renamed.username == "pros_a"
    # Another IdP user whose name now reads pros_a (a recycled login) does not get the bound account.
    assert staff_for_sso(accounts, ident(subject="someone-else"), now=T0) is None
    last = audit_rows(accounts)[-1]
    assert last[1:4] == ("登录", "统一身份认证", "拒绝") and "已绑定其他统一身份" in last[4]
    assert subject_of(accounts, 1) == "f3a1-77"


def test_unknown_disabled_and_lawyer_accounts_are_refused_and_audited(accounts):
    for name, why in (("nobody", "本系统无对应账号"), ("gone_b", "账号已停用"), ("lawyer_c", "本系统无对应账号")):
        assert staff_for_sso(accounts, ident(username=name, subject=f"s-{name}"), now=T0) is None
        actor, event, target, result, detail, _ = audit_rows(accounts)[-1]
        assert (actor, event, target, result) == (name, "登录", "统一身份认证", "拒绝") and why in detail
        assert "via=sso" in detail
    assert subject_of(accounts, 2) is None and subject_of(accounts, 3) is None
    # A bound account that is later disabled is refused too.
    assert staff_for_sso(accounts, ident(), now=T0) is not None
    with accounts.begin() as conn:
        conn.execute(update(AppUser).where(AppUser.id == 1).values(active=False))
    assert staff_for_sso(accounts, ident(), now=T0) is None
    assert "账号已停用" in audit_rows(accounts)[-1][4]


def test_a_user_outside_the_required_groups_is_refused_before_binding(accounts):
    gate = SsoMapping.from_config({"required_groups": ["jcy-users"]})
    outsider = map_claims(claims(groups=["other"]), gate, NOW)
    assert staff_for_sso(accounts, outsider, now=T0) is None
    assert "用户组" in audit_rows(accounts)[-1][4] and subject_of(accounts, 1) is None
    assert staff_for_sso(accounts, map_claims(claims(), gate, NOW), now=T0) is not None


# ----------------------------------------------------------------------------- the sign-in page (AppTest)


@pytest.fixture
def page_accounts(engine):
    return seed(engine)  # SQLite: the page's queries are tested on both engines above


@pytest.fixture
def signin_page(page_accounts, monkeypatch):
    """pages/signin.py in AppTest on the ``page_accounts`` database, with SSO configured."""
    from streamlit.testing.v1 import AppTest

    from components import auth
    from tests.pagedb import pages_use_database

    # AppTest's simulated client has no address (st.context gives a mock): give it one.
    monkeypatch.setattr(auth, "client_addr", lambda: "10.0.0.9")
    with pages_use_database(page_accounts.url.render_as_string(hide_password=False)):
        at = AppTest.from_file(str(ROOT / "pages" / "signin.py"), default_timeout=60)
        at.secrets["auth"] = json.loads(json.dumps(GOOD_AUTH))
        yield at


def sso_button(at) -> list:
    return [b for b in at.button if b.label == "统一身份认证登录"]


def page_audit(engine) -> list[tuple]:
    return [r[1:4] for r in audit_rows(engine)]


def test_the_sign_in_page_offers_sso_only_when_configured(signin_page):
    from streamlit.testing.v1 import AppTest

    at = signin_page
    at.run()
    assert not at.exception and len(sso_button(at)) == 1 and not at.error
    assert at.text_input and at.text_input[0].label == "账号"  # the local sign-in stays
    at.secrets["auth"]["cookie_secret"] = "short"
    at.run()
    assert not sso_button(at) and "cookie_secret" in at.error[0].value  # what to fix, no traceback
    bare = AppTest.from_file(str(ROOT / "pages" / "signin.py"), default_timeout=60)
    bare.run()
    assert not bare.exception and not sso_button(bare) and not bare.error


def test_the_sign_in_page_signs_in_the_identity_st_user_holds(signin_page, page_accounts):
    from components.auth import K_STAFF
    from domain import clock

    at = signin_page
    with clock.frozen(T0):
        at.user = claims(auth_time=NOW.timestamp() - 10)
        at.run()
    assert not at.exception
    staff = at.session_state[K_STAFF]
    assert (staff.username, staff.via) == ("pros_a", "sso")
    assert page_audit(page_accounts) == [("绑定统一身份", "pros_a", "成功"), ("登录", "统一身份认证", "成功")]


def test_a_stale_identity_is_not_signed_in_and_says_why(signin_page, page_accounts):
    from components.auth import K_STAFF
    from domain import clock

    at = signin_page
    with clock.frozen(T0):
        at.user = claims(auth_time=NOW.timestamp() - 3600, iat=NOW.timestamp() - 3600)
        at.run()
    assert not at.exception and K_STAFF not in at.session_state
    assert "请重新认证" in at.warning[0].value and len(sso_button(at)) == 1
    assert page_audit(page_accounts) == []


def test_a_refusal_is_shown_and_audited_once_per_idp_sign_in(signin_page, page_accounts):
    from components.auth import K_STAFF
    from domain import clock

    at = signin_page
    with clock.frozen(T0):
        at.user = claims(preferred_username="stranger", sub="s-9", name="外单位人员")
        at.run()
        assert "外单位人员（stranger）" in at.error[0].value and K_STAFF not in at.session_state
        at.run()  # any rerun of the page: the same message, no second lookup
        assert "外单位人员（stranger）" in at.error[0].value
    assert page_audit(page_accounts) == [("登录", "统一身份认证", "拒绝")]


@pytest.mark.parametrize("reason", ["idle", "user"])
def test_an_sso_session_that_ends_also_ends_the_sso_identity(signin_page, page_accounts, reason):
    """Idle timeout or 退出登录 on the dashboard: the session ends, audited, and st.logout() runs
    (in a browser: the cookie is deleted and the IdP's logout follows; see the round trip)."""
    from streamlit.testing.v1 import AppTest

    from components.auth import IDLE_TIMEOUT, K_LAST, K_STAFF
    from domain import clock
    from tests.staff import sign_in

    at = AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=60)
    at.secrets["auth"] = json.loads(json.dumps(GOOD_AUTH))
    with clock.frozen(T0):
        at.user = claims()
        staff = staff_for_sso(page_accounts, ident(), now=T0)
        sign_in(at, staff)
        if reason == "idle":
            at.session_state[K_LAST] = T0 - IDLE_TIMEOUT - dt.timedelta(seconds=1)
            at.run()
        else:
            at.run()
            assert at.user["is_logged_in"] is True and at.session_state[K_STAFF] == staff
            next(b for b in at.button if b.label == "退出登录").click().run()
    assert not at.exception
    assert at.user["is_logged_in"] is False  # st.logout() ran
    assert K_STAFF not in at.session_state
    with page_accounts.connect() as c:
        detail = c.execute(select(AuditLog.detail).where(AuditLog.event == "退出登录")).scalar_one()
    assert detail == {"idle": "30分钟无操作，自动退出", "user": "主动退出"}[reason]


# ----------------------------------------------------------------------------- the round trip


def _skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (the test OpenID provider runs on Node; .ci/run installs it)"
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        return f"node {version} is too old for oidc-provider 9 (needs Node 20 or later)"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc/node_modules is missing: run `npm ci` in tests/oidc (.ci/run does)"
    return None


IDP_USERS = {  # the IdP's own login names, passwords and subjects; preferred_username names the account
    "minhang01": {"password": "Idp-Passw0rd-1", "sub": "idp-0001",
                  "claims": {"preferred_username": "pros_310112_1", "name": "闵行检察官（IdP）",
                             "groups": ["jcy-users"]}},
    "stranger": {"password": "Idp-Passw0rd-2", "sub": "idp-0002",
                 "claims": {"preferred_username": "stranger", "name": "外单位人员", "groups": ["other"]}},
}


def _start_provider(port: int, redirect_uri: str, tmp: Path) -> subprocess.Popen:
    users = tmp / "idp_users.json"
    users.write_text(json.dumps(IDP_USERS, ensure_ascii=False), encoding="utf-8")
    log = open(tmp / "idp.log", "w")
    proc = subprocess.Popen(["node", str(OIDC_DIR / "provider.js"), "--port", str(port), "--redirect-uri",
                             redirect_uri, "--client-secret", "loopback-test-secret", "--users", str(users)],
                            cwd=OIDC_DIR, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    from tests.waiting import wait_until

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError((tmp / "idp.log").read_text())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    wait_until(ready, timeout=30, interval=0.1, message="the OpenID provider did not start")
    return proc


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The dashboard and the OpenID provider, both on loopback, with one local account to map to."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from queries.db import create_database
    from tests.browser import free_port, running_app

    tmp = tmp_path_factory.mktemp("sso")
    engine = create_database(f"sqlite:///{tmp / 'sso.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(insert(District).values(id=310112, name_zh="闵行区", name_en="Minhang", label_lon=121.38,
                                             label_lat=31.11, geojson="{}"))
        conn.execute(insert(Procuratorate).values(id=2, code="SH310112", name="上海市闵行区人民检察院",
                                                  level="区院", district_id=310112))
        conn.execute(insert(AppUser).values(id=41, username="pros_310112_1", display_name="唐瑞伟检察官",
                                            role="prosecutor", procuratorate_id=2, active=True, created_at=T0))
        conn.execute(insert(UserRole).values(user_id=41, role="prosecutor"))
    idp_port = free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "loopback-test-cookie-secret-0123456789abcdef"

[auth.jcy]
client_id = "jcy-dashboard"
client_secret = "loopback-test-secret"
server_metadata_url = "http://127.0.0.1:{idp_port}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid profile groups", prompt = "login" }}

[sso]
username_claim = "preferred_username"
""", encoding="utf-8")
    # The provider stamps its tokens with the host's real time, so the dashboard runs on it too
    # (a started product clock, JCY_CLOCK_START, would make every token look stale or future).
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'sso.sqlite3'}", "JCY_CLOCK_START": ""}
    with running_app("dashboard.py", env=env, extra_args=["--secrets.files", str(secrets)], log_dir=tmp) as app:
        idp = _start_provider(idp_port, f"{app.url}/oauth2callback", tmp)
        try:
            yield engine, app, f"http://127.0.0.1:{idp_port}", tmp
        finally:
            idp.terminate()
            idp.wait(10)
    engine.dispose()


def _sso_sign_in(page, idp_url: str, login: str, password: str) -> tuple[float, float]:
    """Click 统一身份认证登录 and sign in at the provider. Returns (seconds from the click to the
    provider's form, the monotonic time the form was submitted)."""
    from tests.browser import UI_TIMEOUT_MS

    start = time.monotonic()
    page.get_by_role("button", name="统一身份认证登录").click()
    page.wait_for_url(f"{idp_url}/interaction/**", timeout=UI_TIMEOUT_MS)
    page.get_by_label("用户名 / User name").wait_for(timeout=UI_TIMEOUT_MS)
    to_form = time.monotonic() - start
    page.get_by_label("用户名 / User name").fill(login)
    page.get_by_label("密码 / Password").fill(password)
    submitted = time.monotonic()
    page.get_by_role("button", name="登录 / Sign in").click()
    return to_form, submitted


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_sso_round_trip_signs_in_as_the_mapped_account_and_signs_out_at_the_idp(served):
    from playwright.sync_api import expect

    from tests.browser import UI_TIMEOUT_MS, assert_cjk_font_loaded, browser_page, wait_for_app

    engine, app, idp_url, tmp = served
    with browser_page() as (page, watch):
        page.goto(app.url)
        wait_for_app(page)
        expect(page.get_by_label("账号")).to_be_visible()  # the password form stays beside SSO
        page.screenshot(path=str(tmp / "sso_signin.png"))
        # A wrong password at the provider keeps the user there.
        _sso_sign_in(page, idp_url, "minhang01", "not-the-password")
        expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
        page.goto(app.url)
        wait_for_app(page)
        to_form, submitted = _sso_sign_in(page, idp_url, "minhang01", IDP_USERS["minhang01"]["password"])
        page.get_by_text("已登录：唐瑞伟检察官（pros_310112_1）").wait_for(timeout=UI_TIMEOUT_MS)
        back = time.monotonic() - submitted
        wait_for_app(page)
        expect(page.get_by_text("上海市闵行区人民检察院 · 检察官")).to_be_visible()
        assert_cjk_font_loaded(page)
        page.screenshot(path=str(tmp / "sso_signed_in.png"))
        print(f"\nSSO round trip: button → IdP form {to_form:.2f} s; IdP sign-in → dashboard signed in {back:.2f} s")

        with engine.connect() as c:
            assert c.execute(select(AppUser.sso_subject).where(AppUser.id == 41)).scalar_one() == "idp-0001"
            row = c.execute(select(AuditLog).where(AuditLog.event == "登录").order_by(AuditLog.id.desc())).first()
        assert (row.actor, row.target, row.result, row.actor_procuratorate) == (
            "pros_310112_1", "统一身份认证", "成功", "上海市闵行区人民检察院")
        assert "via=sso" in row.detail

        # Sign out: the dashboard ends its session, Streamlit its cookie, the provider its session.
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url(f"{idp_url}/session/end**", timeout=UI_TIMEOUT_MS)
        page.get_by_role("button", name="是，退出 / Yes, sign me out").click()
        page.wait_for_url(f"{app.url}/**", timeout=UI_TIMEOUT_MS)
        page.get_by_role("button", name="统一身份认证登录").wait_for(timeout=UI_TIMEOUT_MS)
        assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
        with engine.connect() as c:
            assert c.execute(select(AuditLog.detail).where(AuditLog.event == "退出登录")).scalar_one() == "主动退出"
        # The provider's session is over: signing in again asks for the password.
        page.get_by_role("button", name="统一身份认证登录").click()
        page.get_by_label("密码 / Password").wait_for(timeout=UI_TIMEOUT_MS)
        watch.assert_clean()
    assert "Traceback" not in app.log()


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_an_idp_user_without_a_local_account_is_refused(served):
    from playwright.sync_api import expect

    from tests.browser import UI_TIMEOUT_MS, browser_page, wait_for_app

    engine, app, idp_url, tmp = served
    with browser_page() as (page, watch):
        page.goto(app.url)
        wait_for_app(page)
        _sso_sign_in(page, idp_url, "stranger", IDP_USERS["stranger"]["password"])
        page.wait_for_url(f"{app.url}/**", timeout=UI_TIMEOUT_MS)
        refusal = page.get_by_text("统一身份账号 外单位人员（stranger） 在本系统没有可用的账号或权限，已拒绝登录")
        refusal.wait_for(timeout=UI_TIMEOUT_MS)
        wait_for_app(page)
        page.screenshot(path=str(tmp / "sso_refused.png"))
        expect(page.get_by_text("退出登录")).to_have_count(0)
        # A rerun of the sign-in page (typing in the password form) neither signs in nor audits again.
        page.get_by_label("账号").fill("x")
        page.get_by_label("账号").press("Enter")
        wait_for_app(page)
        expect(refusal).to_be_visible()
        watch.assert_clean()
    with engine.connect() as c:
        rows = c.execute(select(AuditLog.detail).where(AuditLog.event == "登录", AuditLog.result == "拒绝",
                                                       AuditLog.actor == "stranger")).scalars().all()
    assert len(rows) == 1 and "本系统无对应账号" in rows[0] and "via=sso" in rows[0]
    assert "Traceback" not in app.log()

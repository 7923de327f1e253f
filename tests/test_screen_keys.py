"""Smart-screen keys: made random and stored hashed, bound to one procuratorate's scope, revocable,
audited with the real actor; the screens' cached check (TTL, outage, last seen, rate-limited
refusal audits); the 大屏密钥 page for the 系统管理员 (and 无权访问 for anyone else)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, text
from streamlit.testing.v1 import AppTest

from domain import clock
from domain.access import OPERATOR, Actor
from queries.schema import AuditLog, Procuratorate, ScreenKey
from queries.screen_keys import (
    SHOWN_PREFIX, KeyGate, ScreenKeyError, create_key, hash_key, list_keys, lookup, new_key, procuratorates,
    revoke_key, touch,
)
from tests.browser import ROOT
from tests.staff import sign_in, staff_of

PAGE = str(ROOT / "pages/screen_keys.py")
MINHANG, HUANGPU = 310112, 310101
ADMIN = Actor("admin", "系统管理员", "上海市人民检察院", "10.1.2.3", 1)


def _procs(engine) -> dict[int | None, int]:
    with engine.connect() as conn:
        return {d: int(i) for i, d in conn.execute(select(Procuratorate.id, Procuratorate.district_id))}


@pytest.fixture
def db(any_engine):
    """Two procuratorates (the city, Minhang, Huangpu) on both engines, nothing else."""
    from sample_data.core import _districts
    from queries.writes import bulk_insert
    from queries.schema import District

    with any_engine.begin() as conn:
        bulk_insert(conn, District.__table__, [d for d in _districts(any_engine) if d["id"] in (MINHANG, HUANGPU)])
        bulk_insert(conn, Procuratorate.__table__, [
            dict(id=1, code="SH", name="上海市人民检察院", level="市院", district_id=None),
            dict(id=2, code="SH310112", name="上海市闵行区人民检察院", level="区院", district_id=MINHANG),
            dict(id=3, code="SH310101", name="上海市黄浦区人民检察院", level="区院", district_id=HUANGPU)])
    return any_engine


# --------------------------------------------------------------------------- keys


def test_keys_are_random_long_and_recognisable():
    keys = {new_key() for _ in range(200)}
    assert len(keys) == 200
    for k in keys:
        assert re.fullmatch(r"jcyk_[A-Za-z0-9_-]{32}", k)  # 32 base64url characters: 192 bits


def test_a_key_is_stored_only_as_its_keyed_hash_and_created_audited(db):
    kid, key = create_key(db, ADMIN, "  一楼   大厅大屏 ", 1)
    with db.connect() as conn:
        row = conn.execute(select(ScreenKey).where(ScreenKey.id == kid)).one()
        dump = " ".join(str(v) for r in conn.execute(select(ScreenKey)) for v in r)
        dump += " ".join(str(v) for r in conn.execute(select(AuditLog)) for v in r)
        audit = conn.execute(select(AuditLog).where(AuditLog.event == "创建大屏密钥")).one()
    assert row.name == "一楼 大厅大屏" and row.key_hash == hash_key(key) and row.key_prefix == key[:SHOWN_PREFIX]
    assert key not in dump and key[SHOWN_PREFIX:SHOWN_PREFIX + 8] not in dump  # the clear key is nowhere
    assert row.key_hash != key and len(row.key_hash) == 64
    assert (audit.actor, audit.actor_role, audit.actor_procuratorate, audit.client_addr, audit.result) == \
        ("admin", "系统管理员", "上海市人民检察院", "10.1.2.3", "成功")
    assert str(kid) in audit.target and key[:SHOWN_PREFIX] in audit.detail
    assert row.created_by == "admin" and row.revoked_at is None


def test_bad_names_and_procuratorates_are_refused(db):
    with pytest.raises(ScreenKeyError, match="名称"):
        create_key(db, ADMIN, "   ", 1)
    with pytest.raises(ScreenKeyError, match="60"):
        create_key(db, ADMIN, "屏" * 61, 1)
    with pytest.raises(ScreenKeyError, match="不存在"):
        create_key(db, ADMIN, "大屏", 999)
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ScreenKey)).scalar_one() == 0


def test_scope_city_narrows_district_never_widens(db):
    _, city = create_key(db, ADMIN, "市院", 1)
    _, minhang = create_key(db, ADMIN, "闵行", 2)
    c, m = lookup(db, city), lookup(db, minhang)
    assert c.ok and m.ok
    assert c.device.district_id is None and c.device.scope().district_ids is None
    assert c.device.scope(HUANGPU).district_ids == (HUANGPU,)  # the city key may narrow
    assert m.device.district_id == MINHANG
    assert m.device.scope().district_ids == (MINHANG,)
    assert m.device.scope(HUANGPU).district_ids == (MINHANG,)  # never widened by the URL
    assert not m.device.allows(HUANGPU) and m.device.allows(MINHANG) and c.device.allows(HUANGPU)
    scope = m.device.scope()
    assert scope.role == "screen" and not scope.sees_personal_data and scope.grants is not None
    assert not scope.grants_permission("supervision") and not scope.grants_permission("audit")


def test_revoke_is_audited_and_final(db):
    kid, key = create_key(db, ADMIN, "会议室", 3)
    assert revoke_key(db, ADMIN, kid, now=dt.datetime(2028, 2, 29, 9, 0))
    assert not revoke_key(db, ADMIN, kid)  # once
    assert not revoke_key(db, ADMIN, 12345)
    c = lookup(db, key)
    assert c.status == "revoked" and c.name == "会议室" and c.device is None
    with db.connect() as conn:
        rows = conn.execute(select(AuditLog.actor, AuditLog.event, AuditLog.target)
                            .where(AuditLog.event == "吊销大屏密钥")).all()
    assert rows == [("admin", "吊销大屏密钥", f"大屏密钥 {kid}：会议室")]
    keys = list_keys(db)
    assert list(keys.columns) == ["id", "name", "key_prefix", "procuratorate", "created_at", "created_by",
                                  "last_seen_at", "revoked_at", "revoked_by"]
    assert keys.loc[0, "revoked_by"] == "admin" and keys.loc[0, "procuratorate"] == "上海市黄浦区人民检察院"


def test_unknown_and_malformed_keys(db):
    assert lookup(db, new_key()).status == "unknown"
    for junk in ("", "jcyk_short", "x" * 40, "jcyk_" + "a" * 30 + "'; DROP TABLE screen_key; --"):
        assert lookup(db, junk).status == "unknown"
    assert [p for p, _ in procuratorates(db)][0] == 1  # the city first


def test_last_seen_is_written_at_most_once_a_minute(db):
    kid, _ = create_key(db, ADMIN, "大厅", 1)
    t0 = dt.datetime(2028, 2, 29, 9, 0, 0)
    touch(db, kid, t0)
    touch(db, kid, t0 + dt.timedelta(seconds=30))  # another server process, half a minute later
    with db.connect() as conn:
        seen = lambda: conn.execute(select(ScreenKey.last_seen_at).where(ScreenKey.id == kid)).scalar_one()  # noqa: E731
        assert seen() == t0
        touch(db, kid, t0 + dt.timedelta(seconds=61))
        conn.rollback()
        assert seen() == t0 + dt.timedelta(seconds=61)


# --------------------------------------------------------------------------- the cached check


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def mono(monkeypatch):
    c = Clock()
    monkeypatch.setattr("queries.screen_keys.time.monotonic", c)
    return c


def _count(engine, event: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditLog).where(AuditLog.event == event)).scalar_one()


def test_gate_caches_for_its_ttl_and_sees_a_revocation_after_it(db, mono):
    kid, key = create_key(db, ADMIN, "大厅", 1)
    gate = KeyGate(ttl=2.0, engine_factory=lambda: db)
    assert gate.check(key, "10.0.0.9").ok
    for _ in range(50):
        assert gate.check(key).ok
    assert gate.stats["lookups"] == 1  # fifty refreshes, one database read
    revoke_key(db, ADMIN, kid)
    mono.t += 1.9
    assert gate.check(key).ok  # still within the TTL
    mono.t += 0.2
    c = gate.check(key)
    assert c.status == "revoked" and c.name == "大厅" and gate.stats["lookups"] == 2


def test_gate_keeps_the_last_answer_through_an_outage(db, mono):
    _, key = create_key(db, ADMIN, "大厅", 1)
    down = {"now": False}

    def engine():
        if down["now"]:
            raise RuntimeError("database gone")
        return db

    gate = KeyGate(ttl=2.0, engine_factory=engine)
    assert gate.check(key).ok
    down["now"] = True
    mono.t += 5
    c = gate.check(key)
    assert c.ok and c.error and "database gone" in c.error  # the wall keeps its (stale) figures
    fresh = new_key()
    assert gate.check(fresh).status == "error"  # never seen: neither figures nor "未授权"
    down["now"] = False
    mono.t += 5
    assert gate.check(key).ok and gate.check(key).error is None
    assert gate.check(fresh).status == "unknown"


def test_gate_stamps_last_seen_once_a_minute(db, mono):
    kid, key = create_key(db, ADMIN, "大厅", 1)
    gate = KeyGate(ttl=2.0, engine_factory=lambda: db)
    for _ in range(30):  # 30 refreshes at 2 s: one minute
        gate.check(key)
        mono.t += 2
    assert gate.stats["touches"] == 1
    gate.check(key)
    assert gate.stats["touches"] == 2
    with db.connect() as conn:
        assert conn.execute(select(ScreenKey.last_seen_at).where(ScreenKey.id == kid)).scalar_one() is not None


def test_refusals_are_audited_once_per_key_per_ten_minutes(db, mono):
    kid, revoked = create_key(db, ADMIN, "旧大屏", 1)
    revoke_key(db, ADMIN, kid)
    gate = KeyGate(ttl=2.0, engine_factory=lambda: db)
    dead, other = new_key(), new_key()
    for _ in range(100):  # a wall retrying every 2 s for 200 s
        assert gate.check(dead, "10.0.0.7").status == "unknown"
        assert gate.check(revoked, "10.0.0.8").status == "revoked"
        mono.t += 2
    assert gate.check(other).status == "unknown"  # another key: its own row
    assert _count(db, "大屏未授权访问") == 3
    mono.t += 600
    gate.check(dead)
    assert _count(db, "大屏未授权访问") == 4
    with db.connect() as conn:
        rows = conn.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.client_addr, AuditLog.detail)
                            .where(AuditLog.event == "大屏未授权访问").order_by(AuditLog.id)).all()
    assert rows[0] == ("大屏（未授权）", "大屏设备", "10.0.0.7", f"未知的大屏密钥；密钥前缀 {dead[:SHOWN_PREFIX]}")
    assert rows[1][0] == "大屏:旧大屏" and rows[1][3].startswith("已吊销的大屏密钥")
    assert not any(dead in r[3] or revoked in r[3] for r in rows)  # never the key itself
    from domain.scope import ALL
    from queries.audit import verify

    assert verify(db, ALL).ok  # the screens' rows are links of the audit chain like any other


def test_made_up_keys_cannot_grow_the_gate_without_bound(db, mono):
    gate = KeyGate(ttl=2.0, engine_factory=lambda: db, max_entries=50)
    for _ in range(400):
        gate.check(new_key())
    assert len(gate._entries) <= 50 and len(gate._audited) <= 50


# --------------------------------------------------------------------------- the page


@pytest.fixture
def from_addr(monkeypatch):
    """The browser's address as the server sees it (AppTest has no real connection)."""
    monkeypatch.setattr("components.auth.client_addr", lambda: "10.9.8.7")


def _page(engine, username: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    sign_in(at, staff_of(engine, username))
    return at.run()


def _texts(at) -> str:
    return " ".join([*(m.value for m in at.markdown), *(c.value for c in at.caption), *(w.value for w in at.warning),
                     *(s.value for s in at.success), *(e.value for e in at.error), *(t.value for t in at.title)])


def test_admin_creates_sees_once_and_revokes(page_db, sample_engine, from_addr):
    at = _page(sample_engine, "admin")
    assert not at.exception and "无权访问" not in _texts(at)
    assert at.title[0].value == "大屏密钥"
    at.text_input[0].input("测试页面大屏")
    at.selectbox[0].select(_procs(sample_engine)[MINHANG])
    at.button[0].click().run()
    assert not at.exception, at.exception
    codes = [c.value for c in at.code]
    assert len(codes) == 2 and codes[0].startswith("http://127.0.0.1:8502/?key=jcyk_")
    key = codes[1]
    assert codes[0].endswith(key) and "只显示这一次" in _texts(at)
    check = lookup(sample_engine, key)
    assert check.ok and check.device.district_id == MINHANG and check.device.name == "测试页面大屏"
    table = at.dataframe[0].value
    mine = table[table["名称"] == "测试页面大屏"].iloc[0]
    assert mine["密钥前缀"] == key[:SHOWN_PREFIX] + "…" and mine["状态"] == "有效"
    assert mine["所属检察院"] == "上海市闵行区人民检察院" and mine["创建人"] == "admin"
    assert key not in table.to_string()
    with sample_engine.connect() as conn:
        who = conn.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.actor_procuratorate,
                                  AuditLog.client_addr).where(AuditLog.event == "创建大屏密钥")
                           .order_by(AuditLog.id.desc()).limit(1)).one()
    assert who == ("admin", "系统管理员", "上海市人民检察院", "10.9.8.7")

    at.run()  # any later run: the key is gone for good
    assert not at.code and key not in _texts(at)

    kid = int(list_keys(sample_engine).query("name == '测试页面大屏'")["id"].iloc[0])
    revoke = at.selectbox[-1]
    revoke.select(kid)
    at.button[-1].click().run()  # not confirmed: nothing happens
    assert "请先勾选确认" in _texts(at) and lookup(sample_engine, key).ok
    at.selectbox[-1].select(kid)
    at.checkbox[0].check()
    at.button[-1].click().run()
    assert not at.exception, at.exception
    assert lookup(sample_engine, key).status == "revoked"
    assert "已吊销" in _texts(at)
    table = at.dataframe[0].value
    assert table[table["名称"] == "测试页面大屏"].iloc[0]["状态"].startswith("已吊销")


def test_admin_sees_a_bad_name_refused(page_db, sample_engine, from_addr):
    at = _page(sample_engine, "admin")
    n = len(list_keys(sample_engine))
    at.text_input[0].input("   ")
    at.button[0].click().run()
    assert "请填写大屏名称" in _texts(at) and not at.code and len(list_keys(sample_engine)) == n


@pytest.mark.parametrize("username", ["leader", "auditor", "secadmin", "leader_310112", "pros_310112_1"])
def test_other_roles_get_no_access(page_db, sample_engine, username):
    at = _page(sample_engine, username)
    assert not at.exception
    assert "无权访问" in _texts(at)
    assert not at.dataframe and not at.text_input and not at.button


def test_nobody_signed_in_is_asked_to_sign_in(page_db):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception and not at.dataframe and "请先登录" in _texts(at)


def test_the_demo_database_has_a_city_and_a_minhang_key(db):
    from types import SimpleNamespace

    from sample_data import screens

    ctx = SimpleNamespace(now=clock.now(), ids={})
    assert screens.build(db, None, None, ctx) == 2
    keys = ctx.ids["screen_keys"]
    checks = {name: lookup(db, key) for name, key in keys.items()}
    assert all(c.ok for c in checks.values()) and len(checks) == 2
    assert sorted((c.device.district_id or 0) for c in checks.values()) == [0, MINHANG]
    with db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM screen_key")).scalar_one() == 2

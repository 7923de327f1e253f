"""The audit log as evidence (issue 11): a keyed hash chain that ``verify`` walks; tampering with raw
SQL (an edit, a deleted middle row, deleted newest rows, a moved base, an inserted row) is found;
export and purge under the retention rules keep the chain sound; only the security auditor reads
the log; concurrent writers keep one linear chain on both engines."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import random
import threading
import uuid

import pytest
from sqlalchemy import Engine, func, select, text

from domain import clock
from domain.access import AccessDenied, Actor, Staff
from domain.audit_chain import (GENESIS, Entry, Head, base_note, canonical, check, parse_base_note)
from domain.masking import scrub_text
from domain.scope import ALL, Scope
from queries import audit
from queries.schema import AuditChain, AuditLog

AUDITOR = Staff(3, "auditor", "审计员", 1, "上海市人民检察院", None, frozenset({"auditor"}))
PROSECUTOR = Staff(7, "pros_310112_1", "检察官", 5, "闵行区人民检察院", 12, frozenset({"prosecutor"}))
SYSADMIN = Staff(1, "admin", "管理员", 1, "上海市人民检察院", None, frozenset({"sysadmin"}))
NOW = dt.datetime(2028, 3, 1, 10, 0)


def _write(engine: Engine, n: int, *, at: dt.datetime | None = None, prefix: str = "t") -> None:
    actor = Actor("pros_310112_1", "检察官", "闵行区人民检察院", "203.0.113.9", 7)
    with engine.begin() as conn:
        for i in range(n):
            audit.record(conn, actor=actor, event="查看案件", target=f"{prefix}{i}", result="成功",
                         detail=f"第{i}次", at=at)


def _sql(engine: Engine, stmt: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(stmt), params)


def _ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditLog.id).order_by(AuditLog.id)).scalars())


def _head(engine: Engine) -> Head:
    with engine.connect() as conn:
        return audit._head(conn)


def _check(engine: Engine):
    return audit._check(engine)[0]  # without recording the check (the tests count rows)


# ----------------------------------------------------------------------------- pure rules


def _sign(text_: str) -> str:
    return hmac.new(b"test-key", text_.encode(), hashlib.sha256).hexdigest()


def _chain(n: int) -> tuple[list[Entry], Head]:
    prev, out = GENESIS, []
    for i in range(1, n + 1):
        e = Entry(i, dt.datetime(2028, 1, 1, 9, 0, i), "a", "检察官", "院", "10.0.0.1", "ev", f"t{i}", "成功", None, prev)
        h = _sign(canonical(e))
        out.append(Entry(**{**e.__dict__, "row_hash": h}))
        prev = h
    return out, Head(n, prev, 0, GENESIS)


def test_canonical_form_is_fixed_and_keeps_microseconds_and_chinese():
    e = Entry(5, dt.datetime(2028, 1, 2, 3, 4, 5), "张三", "检察官", None, None, "登录", None, "成功", None, GENESIS)
    assert canonical(e) == ('["jcy-audit-1",5,"2028-01-02T03:04:05.000000","张三","检察官",null,null,"登录",'
                            f'null,"成功",null,"{GENESIS}"]')
    # every field is covered: changing any one changes the text
    for field, value in [("id", 6), ("at", dt.datetime(2028, 1, 2, 3, 4, 5, 1)), ("actor", "李四"),
                         ("actor_role", "院领导"), ("actor_procuratorate", "院"), ("client_addr", "1.2.3.4"),
                         ("event", "退出"), ("target", "x"), ("result", "失败"), ("detail", "d"), ("prev_hash", "1" * 64)]:
        assert canonical(Entry(**{**e.__dict__, field: value})) != canonical(e), field
    # a null and an empty text differ
    assert canonical(Entry(**{**e.__dict__, "target": ""})) != canonical(e)


def test_pure_check_passes_a_sound_chain_and_names_each_fault():
    entries, head = _chain(6)
    assert check(entries, head, _sign).ok and check(entries, head, _sign).checked == 6
    edited = [*entries[:2], Entry(**{**entries[2].__dict__, "result": "失败"}), *entries[3:]]
    r = check(edited, head, _sign)
    assert (r.ok, r.first_bad_id, r.checked) == (False, 3, 2) and "修改" in r.reason
    r = check(entries[:2] + entries[3:], head, _sign)
    assert (r.ok, r.first_bad_id) == (False, 4) and "删除" in r.reason
    r = check(entries[:4], head, _sign)
    assert (r.ok, r.first_bad_id) == (False, 6) and "最新的记录被删除" in r.reason
    r = check([], Head(0, GENESIS, 0, GENESIS), _sign)
    assert r.ok and r.checked == 0
    r = check(entries, head, lambda t: _sign(t + "x"))  # another key: nothing verifies
    assert (r.ok, r.first_bad_id) == (False, 1)


def test_base_note_survives_the_logs_own_masking():
    rng = random.Random(11)
    for _ in range(2000):
        h = "".join(rng.choice("0123456789" * 3 + "abcdef") for _ in range(64))  # digit-heavy hashes
        note = base_note(rng.randint(1, 10**9), h)
        assert scrub_text(note) == note
        assert parse_base_note("清理 3 条；" + note)[1] == h


# ----------------------------------------------------------------------------- the chain in a database


def test_a_new_database_starts_at_genesis(any_engine):
    h = _head(any_engine)
    assert (h.last_id, h.last_hash, h.base_id, h.base_hash, h.exported_through) == (0, GENESIS, 0, GENESIS, 0)
    assert _check(any_engine).ok


def test_each_entry_links_to_the_one_before(any_engine):
    _write(any_engine, 5)
    with any_engine.connect() as conn:
        rows = conn.execute(select(AuditLog.id, AuditLog.prev_hash, AuditLog.row_hash, AuditLog.actor_procuratorate,
                                   AuditLog.client_addr, AuditLog.actor_role).order_by(AuditLog.id)).all()
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
    assert len({r.row_hash for r in rows}) == 5
    assert (rows[0].actor_procuratorate, rows[0].client_addr, rows[0].actor_role) == \
        ("闵行区人民检察院", "203.0.113.9", "检察官")
    assert (_head(any_engine).last_id, _head(any_engine).last_hash) == (rows[-1].id, rows[-1].row_hash)
    r = audit.verify(any_engine, AUDITOR, client_addr="198.51.100.2")
    assert r.ok and r.checked == 5 and r.first_bad_id is None
    assert audit.verify(any_engine, AUDITOR).checked == 6  # the first check is itself an entry


def test_a_rolled_back_transaction_leaves_no_trace_in_the_chain(any_engine):
    _write(any_engine, 2)
    with pytest.raises(RuntimeError):
        with any_engine.begin() as conn:
            audit.record(conn, actor="x", role="r", event="e", result="成功")
            raise RuntimeError("the caller's work failed")
    _write(any_engine, 2)
    assert _check(any_engine).ok and len(_ids(any_engine)) == 4


@pytest.mark.parametrize("column, value", [
    ("actor", "'someone_else'"), ("actor_role", "'系统管理员'"), ("actor_procuratorate", "'黄浦区人民检察院'"),
    ("client_addr", "'10.9.9.9'"), ("event", "'登录'"), ("target", "NULL"), ("result", "'失败'"),
    ("detail", "'无'"), ("at", "at"),
])
def test_an_edited_row_is_found(any_engine, column, value):
    _write(any_engine, 6)
    victim = _ids(any_engine)[3]
    if column == "at":  # one second earlier, written back by the engine's own type
        with any_engine.begin() as conn:
            t = conn.execute(select(AuditLog.at).where(AuditLog.id == victim)).scalar_one()
            conn.execute(AuditLog.__table__.update().where(AuditLog.id == victim).values(at=t - dt.timedelta(seconds=1)))
    else:
        _sql(any_engine, f"UPDATE audit_log SET {column} = {value} WHERE id = :i", i=victim)
    r = audit.verify(any_engine, AUDITOR)
    assert (r.ok, r.first_bad_id, r.checked) == (False, victim, 3)
    assert "被修改" in r.reason


def test_an_edit_with_its_hash_recomputed_without_the_key_is_found(any_engine):
    _write(any_engine, 4)
    victim = _ids(any_engine)[1]
    _sql(any_engine, "UPDATE audit_log SET result = '失败', row_hash = :h WHERE id = :i",
         h=hashlib.sha256(b"forged").hexdigest(), i=victim)
    r = _check(any_engine)
    assert (r.ok, r.first_bad_id) == (False, victim)


def test_a_deleted_middle_row_is_found(any_engine):
    _write(any_engine, 6)
    ids = _ids(any_engine)
    _sql(any_engine, "DELETE FROM audit_log WHERE id = :i", i=ids[2])
    r = audit.verify(any_engine, AUDITOR)
    assert (r.ok, r.first_bad_id) == (False, ids[3]) and "删除" in r.reason


def test_deleted_newest_rows_are_found_by_the_head(any_engine):
    _write(any_engine, 6)
    ids = _ids(any_engine)
    _sql(any_engine, "DELETE FROM audit_log WHERE id >= :i", i=ids[4])
    r = audit.verify(any_engine, AUDITOR)
    assert (r.ok, r.first_bad_id) == (False, ids[5]) and "最新的记录被删除" in r.reason
    # the failed check is recorded, chained to the stored head: the gap stays visible
    r2 = _check(any_engine)
    assert not r2.ok and "删除" in r2.reason


def test_deleted_oldest_row_is_found(any_engine):
    _write(any_engine, 4)
    _sql(any_engine, "DELETE FROM audit_log WHERE id = :i", i=_ids(any_engine)[0])
    r = _check(any_engine)
    assert not r.ok and "清理基点" in r.reason


def test_a_moved_base_is_found_even_when_it_matches_the_rows(any_engine):
    """Deleting the oldest rows and moving the base onto the next one by hand: no purge entry says so."""
    _write(any_engine, 5)
    with any_engine.connect() as conn:
        rows = conn.execute(select(AuditLog.id, AuditLog.row_hash).order_by(AuditLog.id)).all()
    _sql(any_engine, "DELETE FROM audit_log WHERE id <= :i", i=rows[1].id)
    _sql(any_engine, "UPDATE audit_chain SET base_id = :b, base_hash = :h", b=rows[1].id, h=rows[1].row_hash)
    r = audit.verify(any_engine, AUDITOR)
    assert not r.ok and "没有相应的清理记录" in r.reason


def test_an_edited_base_is_found(any_engine):
    _write(any_engine, 3)
    _sql(any_engine, "UPDATE audit_chain SET base_hash = :h", h="f" * 64)
    r = _check(any_engine)
    assert not r.ok and r.first_bad_id == _ids(any_engine)[0] and "清理基点" in r.reason


def test_an_inserted_row_is_found(any_engine):
    _write(any_engine, 3)
    last = _head(any_engine)
    with any_engine.begin() as conn:  # a row written around record(), chained by hand but unsigned by the key
        conn.execute(AuditLog.__table__.insert().values(
            id=last.last_id + 1, at=NOW, actor="ghost", actor_role="检察官", event="查看案件", result="成功",
            prev_hash=last.last_hash, row_hash=hashlib.sha256(b"x").hexdigest()))
        conn.execute(AuditChain.__table__.update().values(last_id=last.last_id + 1,
                                                          last_hash=hashlib.sha256(b"x").hexdigest()))
    r = _check(any_engine)
    assert (r.ok, r.first_bad_id) == (False, last.last_id + 1)


def test_a_row_without_a_hash_is_found(any_engine):
    _write(any_engine, 2)
    _sql(any_engine, "UPDATE audit_log SET row_hash = NULL WHERE id = :i", i=_ids(any_engine)[1])
    r = _check(any_engine)
    assert not r.ok and "没有哈希" in r.reason


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.parametrize("threads, each", [(8, 25)])
def test_concurrent_writers_keep_one_linear_chain(any_engine, threads, each):
    """Writers in their own transactions at once: no two entries claim the same predecessor."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def writer(k: int) -> None:
        try:
            barrier.wait()
            for i in range(each):
                with any_engine.begin() as conn:
                    audit.record(conn, actor=f"user{k}", role="检察官", event="并发", target=f"{k}-{i}", result="成功")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert not errors, errors[:3]
    with any_engine.connect() as conn:
        prevs = list(conn.execute(select(AuditLog.prev_hash)).scalars())
    assert len(prevs) == threads * each and len(set(prevs)) == len(prevs)  # no fork
    assert _check(any_engine).ok


# ----------------------------------------------------------------------------- who may read it


READERS = [
    ("search", lambda e, w: audit.search(e, w)),
    ("recent", lambda e, w: audit.recent(e, w)),
    ("events", lambda e, w: audit.events(e, w)),
    ("results", lambda e, w: audit.results(e, w)),
    ("state", lambda e, w: audit.state(e, w)),
    ("verify", lambda e, w: audit.verify(e, w)),
    ("export", lambda e, w: audit.export(e, w)),
    ("purge", lambda e, w: audit.purge(e, w, dt.date(2000, 1, 1))),
]


@pytest.mark.parametrize("name, call", READERS, ids=[n for n, _ in READERS])
def test_only_the_security_auditor_reads_the_log(engine, name, call):
    _write(engine, 2)
    for who in (PROSECUTOR, SYSADMIN, Staff(9, "secadmin", "安全管理员", 1, "市院", None, frozenset({"secadmin"})),
                Scope(grants=frozenset({"stats", "cases"})), PROSECUTOR.scope("cases")):
        with pytest.raises(AccessDenied):
            call(engine, who)
    with pytest.raises(TypeError):
        call(engine, "auditor")
    for who in (AUDITOR, AUDITOR.scope("audit"), ALL):
        try:
            call(engine, who)
        except audit.PurgeRefused:
            pass  # allowed to ask; nothing is old enough


def test_a_refused_export_or_purge_is_audited(engine):
    _write(engine, 1)
    with pytest.raises(AccessDenied):
        audit.export(engine, PROSECUTOR, client_addr="203.0.113.50")
    with pytest.raises(AccessDenied):
        audit.purge(engine, SYSADMIN, dt.date(2000, 1, 1))
    log = audit.search(engine, AUDITOR, result="拒绝")
    assert sorted(log.event) == ["审计日志导出", "审计日志清理"]
    assert set(log.actor) == {"pros_310112_1", "admin"} and "203.0.113.50" in set(log.client_addr)
    assert _check(engine).ok


def test_search_filters(engine):
    _write(engine, 3, at=dt.datetime(2028, 1, 10, 9))
    with engine.begin() as conn:
        audit.record(conn, actor=Actor("leader", "院领导", "上海市人民检察院", "10.0.0.8", 4), event="登录",
                     result="失败", at=dt.datetime(2028, 1, 12, 9))
    assert len(audit.search(engine, AUDITOR)) == 4
    assert list(audit.search(engine, AUDITOR, event="登录").actor) == ["leader"]
    assert len(audit.search(engine, AUDITOR, result="成功")) == 3
    assert len(audit.search(engine, AUDITOR, actor="pros_")) == 3
    assert len(audit.search(engine, AUDITOR, actor="%")) == 0  # a wildcard is text, not a pattern
    assert len(audit.search(engine, AUDITOR, start=dt.datetime(2028, 1, 11), end=dt.datetime(2028, 1, 13))) == 1
    assert len(audit.search(engine, AUDITOR, end=dt.datetime(2028, 1, 10, 9))) == 0  # the end is exclusive
    df = audit.search(engine, AUDITOR, limit=2)
    assert len(df) == 2 and list(df.columns) == ["id", "at", "actor", "actor_role", "actor_procuratorate",
                                                 "client_addr", "event", "target", "result", "detail"]
    assert audit.events(engine, AUDITOR) == sorted({"查看案件", "登录"})


# ----------------------------------------------------------------------------- export and purge


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_writes_every_entry_with_hashes_escapes_formulas_and_is_audited(any_engine):
    _write(any_engine, 3)
    with any_engine.begin() as conn:
        audit.record(conn, actor="=cmd|' /C calc'!A0", role="-", event="@SUM(1+1)", target="+1", result="成功",
                     detail="-2")
    exp = audit.export(any_engine, AUDITOR, client_addr="10.0.0.8")
    rows = _rows(exp.data)
    assert exp.rows == len(rows) == 4 and (exp.first_id, exp.last_id) == (int(rows[0]["id"]), int(rows[-1]["id"]))
    assert list(rows[0]) == list(audit.EXPORT_HEADER)
    bad = rows[-1]
    assert bad["actor"].startswith("'=") and bad["event"] == "'@SUM(1+1)" and bad["target"] == "'+1"
    assert bad["detail"] == "'-2" and bad["actor_role"] == "'-"
    assert all(len(r["row_hash"]) == 64 for r in rows) and rows[1]["prev_hash"] == rows[0]["row_hash"]
    assert _head(any_engine).exported_through == exp.last_id
    last = audit.search(any_engine, AUDITOR, limit=1).iloc[0]
    assert (last.event, last.result, last.client_addr) == ("审计日志导出", "成功", "10.0.0.8")
    assert "4 条" in last.detail
    assert _check(any_engine).ok


def _old_and_new(engine: Engine) -> tuple[list[int], list[int]]:
    """Ten entries from a year ago, three from last week."""
    now = clock.now()
    _write(engine, 10, at=now - dt.timedelta(days=365), prefix="old")
    old = _ids(engine)
    _write(engine, 3, at=now - dt.timedelta(days=7), prefix="new")
    return old, _ids(engine)[len(old):]


def test_purge_needs_an_export_first_and_is_refused_on_record(any_engine):
    _old_and_new(any_engine)
    with pytest.raises(audit.PurgeRefused, match="请先导出"):
        audit.purge(any_engine, AUDITOR, audit.retention_limit())
    assert len(audit.search(any_engine, AUDITOR, event="审计日志清理", result="拒绝")) == 1
    assert _check(any_engine).ok


def test_purge_refuses_entries_younger_than_180_days(any_engine):
    _old_and_new(any_engine)
    audit.export(any_engine, AUDITOR)
    too_late = clock.now() - dt.timedelta(days=179)
    with pytest.raises(audit.PurgeRefused, match="180"):
        audit.purge(any_engine, AUDITOR, too_late)
    with pytest.raises(audit.PurgeRefused, match="180"):
        audit.purge(any_engine, AUDITOR, clock.today())


def test_purge_removes_old_exported_entries_moves_the_base_and_verify_still_passes(any_engine):
    old, new = _old_and_new(any_engine)
    audit.export(any_engine, AUDITOR)
    done = audit.purge(any_engine, AUDITOR, audit.retention_limit(), client_addr="10.0.0.8")
    assert (done.rows, done.base_id, done.kept_unexported) == (10, old[-1], 0)
    remaining = _ids(any_engine)
    assert remaining[:3] == new and not set(old) & set(remaining)
    h = _head(any_engine)
    assert h.base_id == old[-1]
    purge_row = audit.search(any_engine, AUDITOR, limit=1).iloc[0]
    assert (purge_row.event, purge_row.result, purge_row.client_addr) == ("审计日志清理", "成功", "10.0.0.8")
    assert parse_base_note(purge_row.detail) == (h.base_id, h.base_hash)
    assert audit.verify(any_engine, AUDITOR).ok
    # nothing left to purge: refused, and a second round later works the same way
    with pytest.raises(audit.PurgeRefused, match="没有需要清理"):
        audit.purge(any_engine, AUDITOR, audit.retention_limit())
    assert _check(any_engine).ok


def test_purge_keeps_old_entries_not_yet_exported(any_engine):
    old, _ = _old_and_new(any_engine)
    audit.export(any_engine, AUDITOR)
    _write(any_engine, 2, at=clock.now() - dt.timedelta(days=300), prefix="late")  # old, after the export
    done = audit.purge(any_engine, AUDITOR, audit.retention_limit())
    # the chain is cut at a prefix: the entries up to the first young one (the three from last week)
    assert done.rows == 10 and done.base_id == old[-1]
    assert len(audit.search(any_engine, AUDITOR, actor="pros_", limit=100)) == 3 + 2
    assert _check(any_engine).ok
    # export again: the late ones become purgeable only up to the first young entry before them
    audit.export(any_engine, AUDITOR)
    with pytest.raises(audit.PurgeRefused, match="没有需要清理"):
        audit.purge(any_engine, AUDITOR, audit.retention_limit())


def test_a_second_purge_and_a_tampered_base_after_it(any_engine):
    old, _ = _old_and_new(any_engine)
    audit.export(any_engine, AUDITOR)
    audit.purge(any_engine, AUDITOR, audit.retention_limit())
    with clock.frozen(clock.now() + dt.timedelta(days=400)):  # a year on, everything is old
        _write(any_engine, 2)
        audit.export(any_engine, AUDITOR)
        done = audit.purge(any_engine, AUDITOR, audit.retention_limit())
        assert done.rows >= 5
        assert audit.verify(any_engine, AUDITOR).ok
    ids = _ids(any_engine)
    with any_engine.connect() as conn:
        first = conn.execute(select(AuditLog.id, AuditLog.row_hash).order_by(AuditLog.id)).first()
    # delete the oldest remaining entry and move the base onto it by hand: the purge entry disagrees
    _sql(any_engine, "DELETE FROM audit_log WHERE id = :i", i=ids[0])
    _sql(any_engine, "UPDATE audit_chain SET base_id = :b, base_hash = :h", b=first.id, h=first.row_hash)
    r = _check(any_engine)
    assert not r.ok and "清理基点被改动" in r.reason


def test_purge_refuses_a_broken_chain(any_engine):
    _old_and_new(any_engine)
    audit.export(any_engine, AUDITOR)
    _sql(any_engine, "UPDATE audit_log SET actor = 'x' WHERE id = :i", i=_ids(any_engine)[0])
    with pytest.raises(audit.PurgeRefused, match="完整性校验未通过"):
        audit.purge(any_engine, AUDITOR, audit.retention_limit())
    assert len(_ids(any_engine)) >= 13  # nothing was removed: the tampered entry stays as evidence


# ----------------------------------------------------------------------------- the migration


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_engine(request, tmp_path):
    """An empty database of either engine, not yet migrated."""
    from queries.db import make_engine
    from tests.conftest import PG_SKIP, PG_URL

    if request.param == "sqlite":
        e = make_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}", create=True)
        yield e
        e.dispose()
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, create=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    e = make_engine(PG_URL, create=True, connect_args={"options": f"-csearch_path={schema}"})
    yield e
    e.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _migrate(engine: Engine, revision: str) -> None:
    from alembic import command

    from queries.db import alembic_config

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_the_migration_signs_existing_entries(bare_engine):
    _migrate(bare_engine, "0006_accounts")
    t0 = dt.datetime(2027, 5, 1, 8, 0, 0, 123456)
    with bare_engine.begin() as conn:
        for i in range(7):
            conn.execute(AuditLog.__table__.insert().values(
                at=t0 + dt.timedelta(minutes=i), actor=f"user{i}", actor_role="检察官", event="登录",
                target=None if i % 2 else f"t{i}", result="成功", detail="旧记录" if i == 3 else None,
                actor_procuratorate=None, client_addr=None))
    _migrate(bare_engine, "heads")
    h = _head(bare_engine)
    assert (h.last_id, h.base_id, h.base_hash) == (7, 0, GENESIS)
    r = _check(bare_engine)
    assert r.ok and r.checked == 7
    # new entries continue the chain the migration wrote
    with bare_engine.begin() as conn:
        audit.record(conn, actor="leader", role="院领导", event="登录", result="成功")
    assert _check(bare_engine).checked == 8 and _check(bare_engine).ok


def test_the_migration_on_an_empty_log_writes_the_genesis_head(bare_engine):
    _migrate(bare_engine, "heads")
    with bare_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditChain)).scalar_one() == 1
    assert _head(bare_engine).last_hash == GENESIS

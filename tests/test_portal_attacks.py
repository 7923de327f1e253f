"""Attacks on the portal's query layer (security_reliability.md §4.4): each asserts that nothing
leaked and that the audit log recorded the attempt. Time is passed in (frozen clock), never slept."""
from __future__ import annotations

import datetime as dt
import logging
import statistics
import time

import pytest
from sqlalchemy import event, func, select, update

from domain.access import AccessDenied, Actor, Staff
from domain.identity import make_id
from domain.portal import LoginResult, Principal, SendResult
from queries import portal as P
from queries.portal_sms import OutboxSender
from queries.schema import AuditLog, LawyerBinding, LoginLock, OtpChallenge, Person, SmsOutbox
from tests.portal_fixtures import FX, HK, NOW, PASSWORD, CodeCatcher, seed

MIN = dt.timedelta(minutes=1)


@pytest.fixture
def world(any_engine):
    return any_engine, seed(any_engine)


def audit(engine, event=None):
    stmt = select(AuditLog.actor, AuditLog.event, AuditLog.result, AuditLog.detail, AuditLog.target)
    if event:
        stmt = stmt.where(AuditLog.event == event)
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(stmt.order_by(AuditLog.id))]


def no_clear_ids_in_audit(engine, *secrets_):
    text = repr(audit(engine))
    for s in secrets_:
        assert s not in text


def login_party(engine, w, now=NOW):
    sms = CodeCatcher()
    r = P.request_party_code(engine, w.id_a, w.phone_a, now=now, sender=sms)
    return r, sms


# ----------------------------------------------------------------------------- brute force


def test_code_brute_force_sixth_try_refused_and_lock_holds(world):
    engine, w = world
    r, sms = login_party(engine, w)
    right = sms.last_code()
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    results = [P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, wrong, now=NOW + i * dt.timedelta(seconds=5))
               for i in range(5)]
    assert [x.reason for x in results] == ["wrong"] * 4 + ["locked"]
    assert [x.tries_left for x in results[:4]] == [4, 3, 2, 1]
    # the sixth try, with the right code, is refused; so is anything for 30 minutes
    for k, t in enumerate((NOW + MIN, NOW + 29 * MIN)):
        x = P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, right, now=t)
        assert not x.ok and x.principal is None and x.reason == "locked"
    again = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + 10 * MIN, sender=sms)
    assert again.status == "locked" and len(sms.sent) == 1  # no SMS while locked
    # after the lock a fresh code works
    later = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + 31 * MIN, sender=sms)
    ok = P.verify_party_code(engine, w.id_a, w.phone_a, later.request_id, sms.last_code(), now=NOW + 32 * MIN)
    assert ok.ok and ok.principal.id == w.person_a
    events = audit(engine)
    assert sum(1 for e in events if e[1] == "登录" and e[2] == "失败") == 5
    assert sum(1 for e in events if e[1] == "账号锁定" and e[2] == "锁定") == 1
    assert sum(1 for e in events if e[1] == "登录" and e[2] == "锁定") == 2
    assert any(e[1] == "发送验证码" and e[2] == "锁定" for e in events)
    assert events[-1][1:3] == ("登录", "成功")
    no_clear_ids_in_audit(engine, w.id_a, w.phone_a)


def test_wrong_password_brute_force_locks_the_lawyer_account(world):
    engine, w = world
    sms = CodeCatcher()
    for i in range(5):
        r = P.request_lawyer_code(engine, "lw_a", f"guess{i}", w.phone_lw_a, now=NOW + i * MIN, sender=sms)
    assert r.status == "locked"
    r = P.request_lawyer_code(engine, "lw_a", PASSWORD, w.phone_lw_a, now=NOW + 10 * MIN, sender=sms)
    assert r.status == "locked" and sms.sent == []
    assert sum(1 for e in audit(engine, "登录") if e[0] == "lw_a" and e[2] == "失败") == 5
    assert audit(engine, "账号锁定")


# ----------------------------------------------------------------------------- flooding


def test_send_flooding_once_a_minute_and_ten_a_day(world):
    engine, w = world
    sms = CodeCatcher()
    first = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sms)
    soon = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + dt.timedelta(seconds=30), sender=sms)
    assert first.status == "sent" and soon.status == "too_soon" and soon.retry_after_s == 30
    assert len(sms.sent) == 1
    statuses = [P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + (i + 1) * 2 * MIN, sender=sms).status
                for i in range(12)]
    assert statuses == ["sent"] * 9 + ["daily_limit"] * 3
    assert len(sms.sent) == 10  # the gateway is never called past the limit
    # only the newest code is live: an older request id no longer works
    old = P.verify_party_code(engine, w.id_a, w.phone_a, first.request_id, "000000", now=NOW + 19 * MIN)
    assert not old.ok and old.reason == "expired"
    # a day after the first send the window has room again
    assert P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + dt.timedelta(hours=24, minutes=3),
                                sender=sms).status == "sent"
    refusals = [e for e in audit(engine, "发送验证码") if e[2] == "拒绝"]
    assert len(refusals) == 4 and {e[3] for e in refusals} == {"60秒内重复获取", "24小时内已达10次"}


def test_flooding_an_unknown_pair_hits_the_same_limits(world):
    engine, w = world
    sms = CodeCatcher()
    ghost = make_id("310101", dt.date(1970, 1, 1), 5)
    a = [P.request_party_code(engine, ghost, "13512345678", now=NOW + i * dt.timedelta(seconds=20), sender=sms).status
         for i in range(3)]
    assert a == ["sent", "too_soon", "too_soon"] and sms.sent == []


# ----------------------------------------------------------------------------- lockout by a stranger


STRANGER_PHONE = "13500009999"  # not the victim's


def test_a_stranger_with_the_victims_id_spends_only_their_own_allowance(world):
    """Knowing A's ID number is not enough to lock A out: the stranger's wrong phone makes a pair
    of its own, whose sends and failures run out while A still receives a code and signs in."""
    engine, w = world
    sms = CodeCatcher()
    sent = [P.request_party_code(engine, w.id_a, STRANGER_PHONE, now=NOW + i * 2 * MIN, sender=sms).status
            for i in range(11)]
    assert sent == ["sent"] * 10 + ["daily_limit"] and sms.sent == []  # no SMS to anyone
    last = P.request_party_code(engine, w.id_a, STRANGER_PHONE, now=NOW + 25 * MIN, sender=sms)
    assert last.status == "daily_limit"
    # the stranger's last challenge (a non-delivered code) and five guesses: their pair locks
    tries = [P.verify_party_code(engine, w.id_a, STRANGER_PHONE, "x" * 32, f"{i:06d}", now=NOW + 21 * MIN)
             for i in range(5)]
    assert [t.reason for t in tries][-1] == "locked" and not any(t.ok for t in tries)
    # the owner, same ID number, right phone: a code arrives and signs them in
    mine = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + 22 * MIN, sender=sms)
    assert mine.status == "sent" and len(sms.sent) == 1 and sms.sent[0][0] == w.phone_a
    ok = P.verify_party_code(engine, w.id_a, w.phone_a, mine.request_id, sms.last_code(), now=NOW + 23 * MIN)
    assert ok.ok and ok.principal.id == w.person_a
    # while the stranger's pair stays locked and out of codes
    again = P.request_party_code(engine, w.id_a, STRANGER_PHONE, now=NOW + 24 * MIN, sender=sms)
    assert again.status == "locked" and len(sms.sent) == 1
    events = audit(engine)
    assert sum(1 for e in events if e[1] == "账号锁定") == 1  # the stranger's pair only
    assert events[-1][1:3] == ("发送验证码", "锁定")
    no_clear_ids_in_audit(engine, w.id_a, w.phone_a, STRANGER_PHONE)


def test_many_strangers_phones_do_not_add_up_against_the_owner(world, monkeypatch):
    """Ten phones, each at its own limit, from ten addresses: the owner's pair is untouched. From
    one address the per-address limit (25 in 5 minutes) still holds, whatever the pairs."""
    from domain import otp

    engine, w = world
    monkeypatch.setattr(P, "CLIENT_LIMITER", otp.RateLimiter(otp.CLIENT_SENDS, otp.CLIENT_WINDOW))
    sms = CodeCatcher()
    for k in range(10):
        phone = f"1350000{k:04d}"
        for i in range(10):
            assert P.request_party_code(engine, w.id_a, phone, now=NOW + i * 2 * MIN, sender=sms,
                                        client=f"198.51.100.{k}").status == "sent"
        for i in range(5):
            P.verify_party_code(engine, w.id_a, phone, "x" * 32, "123456", now=NOW + 20 * MIN)
    assert sms.sent == []
    mine = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW + 21 * MIN, sender=sms, client="192.0.2.1")
    assert mine.status == "sent"
    assert P.verify_party_code(engine, w.id_a, w.phone_a, mine.request_id, sms.last_code(), now=NOW + 22 * MIN).ok
    one_address = [P.request_party_code(engine, w.id_a, f"1370000{i:04d}", now=NOW + 30 * MIN, sender=sms,
                                        client="203.0.113.9").status for i in range(26)]
    assert one_address == ["sent"] * 25 + ["too_soon"]


def test_the_pair_rules_answer_alike_for_owner_stranger_and_unknown_number(world):
    """The same sequence of requests and wrong codes gets the same public answers for the pair on
    record, the victim's ID with a stranger's phone, and a number not on record at all (the phone
    hint echoes the typed phone's last four, so it is compared apart)."""
    engine, w = world
    ghost = make_id("310104", dt.date(1988, 8, 8), 9)
    sms = CodeCatcher()

    def run(idn, phone):
        out, rid = [], None
        for t in (0, 10, 70):  # a send, "too soon", a second send
            r = P.request_party_code(engine, idn, phone, now=NOW + dt.timedelta(seconds=t), sender=sms)
            assert r.phone_hint == phone[-4:]
            out.append(_public(r)[:2] + _public(r)[3:])
            rid = r.request_id or rid
        code = "000000" if not sms.sent or sms.last_code() != "000000" else "111111"
        for i in range(5):
            v = P.verify_party_code(engine, idn, phone, rid, code, now=NOW + 2 * MIN + i * dt.timedelta(seconds=5))
            out.append((v.ok, v.reason, v.tries_left, v.principal))
        last = _public(P.request_party_code(engine, idn, phone, now=NOW + 3 * MIN, sender=sms))
        out.append(last[:2] + last[3:])
        return out

    owner, stranger, unknown = run(w.id_a, w.phone_a), run(w.id_a, STRANGER_PHONE), run(ghost, STRANGER_PHONE)
    assert owner == stranger == unknown
    assert owner[-2][1] == "locked" and owner[-1][0] == "locked"
    assert len(sms.sent) == 2  # the owner's two codes only


# ----------------------------------------------------------------------------- enumeration


def _public(r: SendResult):
    return (r.status, r.retry_after_s, r.phone_hint, r.message, r.request_id is not None)


def test_enumeration_identical_answers_for_known_and_unknown_pairs(world):
    engine, w = world
    sms = CodeCatcher()
    ghost = make_id("310104", dt.date(1988, 8, 8), 9)
    known = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sms)
    wrong_phone = P.request_party_code(engine, w.id_b, w.phone_a, now=NOW, sender=sms)
    unknown = P.request_party_code(engine, ghost, w.phone_a, now=NOW, sender=sms)
    assert _public(known) == _public(wrong_phone) == _public(unknown)
    assert len(sms.sent) == 1  # only the pair on record got an SMS
    # a wrong code gets the same answer too
    v = [P.verify_party_code(engine, i, w.phone_a, r.request_id, "123456", now=NOW + MIN)
         for i, r in ((w.id_a, known), (w.id_b, wrong_phone), (ghost, unknown))]
    if sms.last_code() == "123456":
        v[0] = LoginResult(False, "wrong", None, 4)
    assert len({(x.ok, x.reason, x.tries_left, x.principal) for x in v}) == 1
    # each subject is rate-limited the same way
    again = [P.request_party_code(engine, i, w.phone_a, now=NOW + dt.timedelta(seconds=10), sender=sms)
             for i in (w.id_a, w.id_b, ghost)]
    assert len({_public(x) for x in again}) == 1
    # the audit log (internal) tells the truth, with masked actors
    sends = audit(engine, "发送验证码")
    assert [s[2] for s in sends[:3]] == ["成功", "失败", "失败"]
    no_clear_ids_in_audit(engine, w.id_a, w.id_b, ghost, w.phone_a)


def _paired_gap(first, second, rounds: int, between=lambda: None) -> tuple[float, float]:
    """Median over interleaved rounds of ``first(i) - second(i)`` (seconds), and the median of
    ``second(i)`` alone. Each round times both back to back, alternating which goes first, so the
    drift of a busy machine cancels within the pair and neither side always follows the other;
    ``between()`` runs untimed after each round."""
    diffs, base = [], []
    for i in range(rounds):
        t = {}
        for name, fn in (("a", first), ("b", second)) if i % 2 else (("b", second), ("a", first)):
            t0 = time.perf_counter()
            fn(i)
            t[name] = time.perf_counter() - t0
        between()
        diffs.append(t["a"] - t["b"])
        base.append(t["b"])
    return statistics.median(diffs), statistics.median(base)


# Timing assertions must hold while a second copy of the suite loads this 2-core machine (load 5-8).
# Measured there, the honest median paired gap of step 1 reached 10 ms (known slower; the SMS
# thread competes with the request for the CPU), so the test only guards against a gross leak, such
# as an SMS gateway round trip in the request path (tens to hundreds of ms). The sub-millisecond
# figure is `make bench` (bench/bench_portal.py prints both medians, their difference and ratio).
ENUM_MARGIN_S = 0.025


def _enumeration_margin(unknown_median: float) -> float:
    """25 ms, plus half the baseline: a machine slow enough to stretch the baseline stretches the noise too."""
    return ENUM_MARGIN_S + 0.5 * unknown_median


def test_enumeration_similar_timing(engine):
    """Step 1 for a pair on record vs not, with the default (outbox) sender: the request path does
    the same work (the SMS goes out from a background thread after the response). A positive
    control shows the same statistic does flag a sender that makes the request wait (so the test
    can fail)."""
    w = seed(engine)
    ghost = make_id("310104", dt.date(1988, 8, 8), 9)

    def step1(idn, sender, offset):
        def run(i):
            now = NOW + (offset + i) * dt.timedelta(hours=3)  # stays under the daily limit
            assert P.request_party_code(engine, idn, w.phone_a, now=now, sender=sender).status == "sent"
        return run

    sender = OutboxSender()
    d, u = _paired_gap(step1(w.id_a, sender, 0), step1(ghost, sender, 0), rounds=40,
                       between=sender.flush)  # background delivery done before the next round
    assert abs(d) < _enumeration_margin(u), (d, u)
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(SmsOutbox)).scalar() == 40

    class GatewayInRequestPath(CodeCatcher):
        """The regression this test exists for: the request waits for a (fast, 100 ms) gateway."""

        def send(self, engine, phone, body, at):
            time.sleep(0.1)  # the simulated gateway round trip is the thing measured
            super().send(engine, phone, body, at)

    leaky = GatewayInRequestPath()
    d_leak, u_leak = _paired_gap(step1(w.id_a, leaky, 40), step1(ghost, leaky, 40), rounds=12)
    assert len(leaky.sent) == 12  # only the known pair got an SMS
    assert d_leak > _enumeration_margin(u_leak), (d_leak, u_leak)


def test_lawyer_unknown_account_answers_like_a_wrong_password(world, monkeypatch):
    """Both pay one Argon2 verification. On a loaded machine the honest median paired gap stayed
    within 10 % of a verification; the margin is half of one, and a positive control (no Argon2
    for an unknown account) shows the statistic flags the leak it guards against."""
    engine, w = world
    sms = CodeCatcher()

    def attempt(name, offset):
        def run(i):  # 40 min apart: under the lock threshold at every attempt
            r = P.request_lawyer_code(engine, name, "wrong-pass", w.phone_lw_a, now=NOW + (offset + i) * 40 * MIN,
                                      sender=sms)
            assert r.status in ("bad_credentials", "locked")
        return run

    attempt("lw_a", 0)(0)  # warm-up: the dummy hash is made on first use
    attempt("nobody", 0)(0)
    d, u = _paired_gap(attempt("lw_a", 1), attempt("nobody", 1), rounds=12)
    assert sms.sent == []
    assert abs(d) < 0.5 * u, (d, u)

    real = P.password_ok
    monkeypatch.setattr(P, "password_ok", lambda stored, pw: stored is not None and real(stored, pw))
    d_leak, u_leak = _paired_gap(attempt("lw_a", 20), attempt("nobody", 20), rounds=8)
    assert d_leak > 0.5 * u_leak, (d_leak, u_leak)


# ----------------------------------------------------------------------------- codes


def test_expired_code_is_refused_and_audited(world):
    engine, w = world
    r, sms = login_party(engine, w)
    x = P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, sms.last_code(), now=NOW + 5 * MIN)
    assert not x.ok and x.reason == "expired" and x.principal is None
    assert audit(engine, "登录")[-1][2:4] == ("失败", "验证码已过期")


def test_reused_code_is_refused_and_audited(world):
    engine, w = world
    r, sms = login_party(engine, w)
    code = sms.last_code()
    first = P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, code, now=NOW + MIN)
    second = P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, code, now=NOW + 2 * MIN)
    assert first.ok and first.principal == Principal("party", w.person_a, "张**")
    assert not second.ok and second.reason == "used" and second.principal is None
    assert [e[2:4] for e in audit(engine, "登录")] == [("成功", "短信验证码登录"), ("失败", "验证码已使用")]


def test_code_is_bound_to_its_id_number(world):
    engine, w = world
    r, sms = login_party(engine, w)
    # someone else's ID with A's request id and A's code gets nothing
    x = P.verify_party_code(engine, w.id_c, w.phone_c, r.request_id, sms.last_code(), now=NOW + MIN)
    assert not x.ok and x.reason == "no_challenge"
    assert audit(engine, "登录")[-1][2:4] == ("失败", "无对应验证码")


def test_codes_are_stored_only_as_keyed_hashes_and_never_logged(world, caplog):
    engine, w = world
    caplog.set_level(logging.DEBUG)
    sender = OutboxSender()
    r = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sender)
    sender.flush()
    with engine.connect() as c:
        body = c.execute(select(SmsOutbox.body)).scalar_one()
        code = body.split("验证码为")[1][:6]
        row = c.execute(select(OtpChallenge.code_hash, OtpChallenge.delivered)).one()
    assert row.delivered and code not in row.code_hash and len(row.code_hash) == 64
    assert P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, code, now=NOW + MIN).ok
    assert code not in caplog.text and w.id_a not in caplog.text and w.phone_a not in caplog.text
    assert "案" not in body and "文书" not in body  # the SMS names no case or document


# ----------------------------------------------------------------------------- authorisation


def test_lawyer_cannot_read_an_unbound_case_through_the_query_functions(world):
    engine, w = world
    la, lb = Principal("lawyer", w.lawyer_a, "李**"), Principal("lawyer", w.lawyer_b, "王**")
    assert list(P.cases_for(engine, la)["case_no"]) == [w.case1]  # case 2 is only pending
    assert P.case_for(engine, la, w.case2) is None
    assert P.case_for(engine, la, w.case1)["charge"] == "盗窃"
    assert P.cases_for(engine, lb).empty and P.case_for(engine, lb, w.case1) is None
    assert list(P.documents_for(engine, la)["public_id"]) == [w.doc_lawyer]
    assert P.documents_for(engine, lb).empty
    for pid in (w.doc_c1, w.doc_a1, w.doc_lawyer):  # others' documents and another lawyer's copy
        assert P.open_document(engine, lb, pid, now=NOW) is None
    assert P.open_document(engine, la, w.doc_c1, now=NOW) is None
    denied = [e for e in audit(engine) if e[2] == "拒绝"]
    assert len(denied) == 6 and {e[1] for e in denied} == {"案件查询", "文书查看"}
    # only the 12309 fields leave the query
    assert set(P.cases_for(engine, la).columns) == set(P.PROGRESS_COLUMNS)


def _reviewer(user_id: int, username: str, district: int, proc_id: int, roles=("prosecutor",)) -> Staff:
    """A signed-in staff member as the dashboard holds one (the review has no login of its own)."""
    return Staff(user_id, username, username, proc_id, f"检察院{proc_id}", district, frozenset(roles))


def test_binding_review_gates_access_and_revocation_takes_effect(world):
    engine, w = world
    la = Principal("lawyer", w.lawyer_a, "李**")
    hongkou, fengxian = _reviewer(4, "pros_h", HK, 3), _reviewer(3, "pros_f", FX, 2)
    with pytest.raises(AccessDenied):  # a role without the bindings permission gets nothing
        P.bindings_for_review(engine, _reviewer(9, "sup_f", FX, 2, ("supervision",)).scope("supervision"))
    assert P.bindings_for_review(engine, hongkou.scope("bindings")).empty  # not their district
    assert not P.decide_binding(engine, hongkou.scope("bindings"), w.pending_binding, True,
                                actor=Actor.of(hongkou), now=NOW)
    # the requester can never decide their own request, whatever scope it holds
    assert not P.decide_binding(engine, fengxian.scope("bindings"), w.pending_binding, True,
                                actor=Actor("lw_a", "律师", user_id=w.lawyer_a), now=NOW)
    assert P.case_for(engine, la, w.case2) is None
    assert list(P.bindings_for_review(engine, fengxian.scope("bindings"))["id"]) == [w.pending_binding]
    assert P.decide_binding(engine, fengxian.scope("bindings"), w.pending_binding, True,
                            actor=Actor.of(fengxian), now=NOW)
    assert not P.decide_binding(engine, fengxian.scope("bindings"), w.pending_binding, False,
                                actor=Actor.of(fengxian), now=NOW)  # already decided
    with engine.connect() as c:  # the approver recorded is the signed-in reviewer
        assert c.execute(select(LawyerBinding.decided_by).where(LawyerBinding.id == w.pending_binding)
                         ).scalar_one() == fengxian.user_id
    assert P.case_for(engine, la, w.case2)["charge"] == "诈骗"
    with engine.begin() as c:  # the authorisation ends (委托解除)
        c.execute(update(LawyerBinding).where(LawyerBinding.id == w.pending_binding).values(status="已解除"))
    assert P.case_for(engine, la, w.case2) is None
    ev = [(e[1], e[2]) for e in audit(engine, "绑定审核")]
    assert ev == [("绑定审核", "拒绝"), ("绑定审核", "拒绝"), ("绑定审核", "成功"), ("绑定审核", "拒绝")]


def test_party_sees_only_own_documents_and_cases(world):
    engine, w = world
    a, b = Principal("party", w.person_a, "张**"), Principal("party", w.person_b, "李*")
    assert set(P.documents_for(engine, a)["public_id"]) == {w.doc_a1, w.doc_a2}
    assert P.documents_for(engine, b).empty  # the victim in case 2 has no documents
    assert list(P.cases_for(engine, b)["case_no"]) == [w.case2]
    assert P.open_document(engine, a, w.doc_c1, now=NOW) is None
    assert P.open_document(engine, a, "0" * 32, now=NOW) is None  # same answer as "not mine"
    assert P.confirm_receipt(engine, a, w.doc_c1, now=NOW) is None
    assert P.case_for(engine, a, w.case2) is None
    assert [e[2] for e in audit(engine)] == ["拒绝"] * 4


def test_opening_serves_and_confirming_signs_the_document(world):
    engine, w = world
    a = Principal("party", w.person_a, "张**")
    assert P.confirm_receipt(engine, a, w.doc_a1, now=NOW) is None  # must be opened first
    v = P.open_document(engine, a, w.doc_a1, now=NOW + MIN)
    assert v.served_at == NOW + MIN and v.confirmed_at is None and v.pdf.startswith(b"%PDF")
    v2 = P.open_document(engine, a, w.doc_a1, now=NOW + 2 * MIN)
    assert v2.served_at == NOW + MIN  # the service time is the first opening
    assert P.confirm_receipt(engine, a, w.doc_a1, now=NOW + 3 * MIN) == NOW + 3 * MIN
    row = P.documents_for(engine, a).set_index("public_id").loc[w.doc_a1]
    assert row.served_at == NOW + MIN and row.confirmed_at == NOW + 3 * MIN
    ev = [(e[1], e[2], e[3]) for e in audit(engine)]
    assert ev == [("确认签收", "拒绝", "尚未查看文书"), ("文书查看", "成功", "首次查看，电子送达"),
                  ("文书查看", "成功", "再次查看"), ("确认签收", "成功", "电子送达回证")]


def test_cached_queries_are_keyed_by_the_principal(world):
    from queries.cache import set_engine_for_tests

    engine, w = world
    set_engine_for_tests(engine)
    a, c = Principal("party", w.person_a, "张**"), Principal("party", w.person_c, "王*")
    ra, rc = P.cases_for_live(a), P.cases_for_live(c)
    assert list(ra.value["case_no"]) == [w.case1] and list(rc.value["case_no"]) == [w.case2]


# ----------------------------------------------------------------------------- injection

SQLI = ["' OR 1=1 --", "'); DROP TABLE person; --", "%' AND 1=1 AND '%'='", "1; SELECT pg_sleep(5)"]
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]


@pytest.mark.parametrize("payload", SQLI + HTML)
def test_injection_in_every_field_changes_nothing_and_is_audited(world, payload):
    engine, w = world
    sms = CodeCatcher()
    with engine.connect() as c:
        persons = c.execute(select(func.count()).select_from(Person)).scalar()
    before = len(audit(engine))
    la = Principal("lawyer", w.lawyer_a, "李**")
    a = Principal("party", w.person_a, "张**")
    statements: list[str] = []
    capture = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", capture)
    assert P.request_party_code(engine, payload, w.phone_a, now=NOW, sender=sms).status == "invalid"
    assert P.request_party_code(engine, w.id_a, payload, now=NOW, sender=sms).status == "invalid"
    assert not P.verify_party_code(engine, payload, w.phone_a, "x", "123456", now=NOW).ok
    r = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sms)
    assert not P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, payload, now=NOW).ok
    assert not P.verify_party_code(engine, w.id_a, w.phone_a, payload, sms.last_code(), now=NOW).ok
    assert P.request_lawyer_code(engine, payload, PASSWORD, w.phone_lw_a, now=NOW, sender=sms).status == "bad_credentials"
    assert P.request_lawyer_code(engine, "lw_b", payload, w.phone_lw_b, now=NOW, sender=sms).status == "bad_credentials"
    assert P.request_lawyer_code(engine, "lw_b", PASSWORD, payload, now=NOW, sender=sms).status == "invalid"
    assert not P.verify_lawyer_code(engine, payload, payload, payload, now=NOW).ok
    assert P.case_for(engine, la, payload) is None and P.case_for(engine, a, payload) is None
    assert P.open_document(engine, a, payload, now=NOW) is None
    assert P.confirm_receipt(engine, a, payload, now=NOW) is None
    assert P.request_binding(engine, w.lawyer_a, payload, payload, payload, now=NOW)  # neutral answer
    assert P.request_binding(engine, w.lawyer_a, w.case2, payload, payload, now=NOW)  # already pending
    event.remove(engine, "before_cursor_execute", capture)
    # The payload only ever travelled as a bound parameter: no SQL text the database ran contains it
    # (so no pg_sleep(5) ran). This replaces "the calls took < 4.5 s", which a loaded machine can break.
    assert statements and not [st for st in statements if payload in st]
    assert len(sms.sent) == 1  # only the one legitimate request
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Person)).scalar() == persons
        assert c.execute(select(func.count()).select_from(LawyerBinding)).scalar() == 2
    rows = audit(engine)[before:]
    assert len(rows) >= 15 and all(e[2] in ("失败", "拒绝", "成功") for e in rows)
    assert sum(1 for e in rows if e[2] in ("失败", "拒绝")) >= 14
    assert any(e[1] == "绑定申请" and e[3] == "案号不存在" for e in rows)


def test_stored_html_comes_back_as_plain_text(world):
    engine, w = world
    payload = "<script>alert(1)</script>"
    assert P.request_binding(engine, w.lawyer_b, w.case1, "王五", payload, now=NOW)
    fx = _reviewer(3, "pros_f", FX, 2)
    papers = P.bindings_for_review(engine, fx.scope("bindings"))["papers"].tolist()
    assert any(payload in p for p in papers)  # stored verbatim; pages render it only via escaped APIs


def test_no_unescaped_html_in_portal_code():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [root / "apps" / "portal.py", *root.glob("pages/portal_*.py"), *root.glob("components/portal_*.py")]
    assert len(files) >= 8
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text and "unsafe_allow_javascript" not in text, f
        assert "st.html(" not in text and "components.v1" not in text, f
        assert "query_params" not in text, f  # ID numbers never travel in URLs


def test_login_lock_rows_hold_no_clear_identifiers(world):
    engine, w = world
    r, sms = login_party(engine, w)
    P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, "000000" if sms.last_code() != "000000" else "111111",
                        now=NOW)
    with engine.connect() as c:
        dump = repr(c.execute(select(LoginLock)).fetchall()) + repr(c.execute(select(OtpChallenge)).fetchall())
    assert w.id_a not in dump and w.phone_a not in dump and sms.last_code() not in dump


def test_many_id_numbers_from_one_client_are_refused_after_25(world, monkeypatch):
    engine, w = world
    from domain import otp

    monkeypatch.setattr(P, "CLIENT_LIMITER", otp.RateLimiter(otp.CLIENT_SENDS, otp.CLIENT_WINDOW))
    sms = CodeCatcher()
    ids = [make_id("310104", dt.date(1980, 1, 1) + dt.timedelta(days=i), i) for i in range(30)]
    ids[3] = w.id_a
    out = [P.request_party_code(engine, idn, w.phone_a, now=NOW + i * dt.timedelta(seconds=5), sender=sms,
                                client="203.0.113.7").status for i, idn in enumerate(ids)]
    assert out == ["sent"] * 25 + ["too_soon"] * 5
    assert P.request_party_code(engine, w.id_b, w.phone_b, now=NOW + dt.timedelta(minutes=3), sender=sms,
                                client="198.51.100.1").status == "sent"  # another client is unaffected
    refused = [e for e in audit(engine, "发送验证码") if e[2] == "拒绝"]
    assert len(refused) == 5 and all("同一来源" in e[3] for e in refused)
    no_clear_ids_in_audit(engine, "203.0.113.7")

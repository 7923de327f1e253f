"""The public portal's data layer: SMS-code login, documents, case progress, lawyer bindings.

Every access check is here, not in the pages (ASVS 5.0 8.2.2 / 8.3.1):

- a party reads only documents addressed to them and cases they are a party to;
- a lawyer reads only cases with an *approved* binding, and documents addressed to them on those;
- documents are reached by their random ``public_id``; one that is not the caller's looks exactly
  like one that does not exist (no 403-vs-404 oracle), and the attempt is audited;
- before a code is verified, every answer is the same whether or not the ID number and phone are
  on record: the same status, the same message, the same rate limits, the same database work
  (a challenge row is stored either way; only the SMS is skipped).

Functions that return one person's rows take that person (``Principal`` or an id) as an argument,
so their ``live`` forms can be cached safely by a cache shared across all sessions.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from domain import clock, otp
from domain.access import Actor
from domain.identity import validate_id, validate_phone
from domain.masking import mask_id, mask_name, mask_phone
from domain.portal import DocumentView, LoginResult, Principal, SendResult
from domain.scope import Scope
from queries.audit import record
from queries.cache import live
from queries.cases import deadline_columns, with_deadlines
from queries.crypto import hash_id_number, hash_phone, keyed_hash
from queries.frames import read_frame
from queries.portal_sms import SmsSender, code_message, default_sender
from queries.password_hash import hash_password, needs_rehash, password_ok
from queries.schema import (
    AppUser, Case, CaseParty, Document, DocumentRecipient, LawyerBinding, LoginLock, OtpChallenge,
    Person, Procuratorate,
)
from queries.scope import in_scope, require

PARTY, LAWYER = "party", "lawyer"
ROLE_ZH = {PARTY: "当事人", LAWYER: "律师"}
BINDING_PENDING, BINDING_APPROVED, BINDING_REJECTED = "待审核", "已批准", "已驳回"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or clock.now_precise()


def subject_of(kind: str, key: str) -> str:
    """The lock and rate-limit key: a keyed hash of the ID number and phone (party, see
    ``party_subject``) or of the username (lawyer)."""
    return keyed_hash(f"{kind}:{key}", "otp-subject")


def party_subject(id_number: str, phone: str) -> str:
    """A party's sends, codes, failures and lock count against the (ID number, phone) pair.

    Why the pair and not the ID number: with the ID number alone, anyone who knew a person's number
    could type it with any phone and spend that person's 10 codes a day or lock them out for 30
    minutes. Only the pair on record ever gets an SMS, so a stranger spends only the allowance of
    the pair they typed; an unknown pair is limited exactly like a known one (no oracle). Both are
    the validated, normalised forms, so "+86 138…" and "138…" are one pair."""
    return subject_of(PARTY, f"{id_number}:{phone}")


def _code_hash(request_id: str, code: str) -> str:
    return keyed_hash(f"{request_id}:{code}", "otp-code")


# ----------------------------------------------------------------------------- codes


def _lock_row(conn: Connection, subject: str) -> tuple[int, dt.datetime | None]:
    row = conn.execute(select(LoginLock.failures, LoginLock.locked_until)
                       .where(LoginLock.subject_hash == subject)).first()
    return (row.failures, row.locked_until) if row else (0, None)


def _save_lock(conn: Connection, subject: str, failures: int, locked_until: dt.datetime | None) -> None:
    n = conn.execute(update(LoginLock).where(LoginLock.subject_hash == subject)
                     .values(failures=failures, locked_until=locked_until)).rowcount
    if not n:
        conn.execute(insert(LoginLock).values(subject_hash=subject, failures=failures,
                                              locked_until=locked_until))


def _issue_code(conn: Connection, subject: str, *, now: dt.datetime, actor: str, role: str,
                phone: str, deliver: bool, target: str) -> tuple[SendResult, str | None]:
    """Apply the send limits and store a hashed code (delivered or not). Returns the answer and
    the SMS text to send once the transaction has committed (None: nothing to send)."""
    _, locked_until = _lock_row(conn, subject)
    window = conn.execute(
        select(func.count(), func.max(OtpChallenge.created_at))
        .where(OtpChallenge.subject_hash == subject, OtpChallenge.created_at > now - otp.SEND_WINDOW)
    ).one()
    decision = otp.may_send(now, last_sent_at=window[1], sends_in_window=window[0],
                            locked_until=locked_until)
    hint = phone[-4:]
    if not decision.allowed:
        record(conn, actor=actor, role=role, event="发送验证码", target=target, at=now,
               result="锁定" if decision.reason == "locked" else "拒绝",
               detail={"locked": "账号已锁定", "too_soon": "60秒内重复获取",
                       "daily_limit": "24小时内已达10次"}[decision.reason])
        return SendResult(decision.reason, retry_after_s=decision.retry_after_s, phone_hint=hint), None
    # A new code voids any earlier one still open for this subject.
    conn.execute(update(OtpChallenge).where(OtpChallenge.subject_hash == subject,
                                            OtpChallenge.used_at.is_(None),
                                            OtpChallenge.expires_at > now).values(expires_at=now))
    code, request_id = otp.new_code(), otp.new_request_id()
    conn.execute(insert(OtpChallenge).values(
        subject_hash=subject, request_id=request_id, code_hash=_code_hash(request_id, code),
        created_at=now, expires_at=otp.expires_at(now), attempts=0, used_at=None, delivered=deliver))
    record(conn, actor=actor, role=role, event="发送验证码", target=target, at=now,
           result="成功" if deliver else "失败",
           detail="短信已发送至 " + mask_phone(phone) if deliver else "身份信息与手机号未匹配，未发送短信")
    return SendResult("sent", request_id=request_id, phone_hint=hint), code_message(code) if deliver else None


def _send_after_commit(engine: Engine, sender: SmsSender | None, phone: str, message: str | None,
                       now: dt.datetime) -> None:
    if message is not None:
        (sender or default_sender()).send(engine, phone, message, now)


def _check_code(conn: Connection, subject: str, request_id: str, code: str, *,
                now: dt.datetime) -> tuple[otp.Verdict, bool]:
    """Judge a code entry and persist the outcome; returns the verdict and 'lock newly set'."""
    failures, locked_until = _lock_row(conn, subject)
    row = conn.execute(select(OtpChallenge).where(OtpChallenge.request_id == (request_id or "")[:32],
                                                  OtpChallenge.subject_hash == subject)).first()
    given = _code_hash(request_id or "", code if otp.well_formed_code(code) else "x")
    matches = row is not None and otp.same_digest(given, row.code_hash)
    challenge = None if row is None else otp.Challenge(row.created_at, row.expires_at, row.attempts,
                                                         row.used_at, row.delivered)
    v = otp.verify(now, challenge, matches, failures=failures, locked_until=locked_until)
    if row is not None and (v.attempts != row.attempts or v.consume):
        conn.execute(update(OtpChallenge).where(OtpChallenge.id == row.id)
                     .values(attempts=v.attempts, used_at=now if v.consume else row.used_at))
    newly_locked = v.reason != "locked" and v.locked_until is not None
    if v.reason != "locked":
        _save_lock(conn, subject, v.failures, v.locked_until if newly_locked else None)
    return v, newly_locked


def _audit_verdict(conn: Connection, v: otp.Verdict, newly_locked: bool, *, actor: str, role: str,
                   target: str | None, now: dt.datetime) -> None:
    detail = {"locked": "账号锁定期间尝试登录", "no_challenge": "无对应验证码", "used": "验证码已使用",
              "expired": "验证码已过期", "exhausted": "验证码错误次数已满", "wrong": "验证码错误",
              "ok": "短信验证码登录"}[v.reason]
    result = "成功" if v.ok else ("锁定" if v.reason == "locked" else "失败")
    record(conn, actor=actor, role=role, event="登录", target=target, result=result, detail=detail, at=now)
    if newly_locked:
        record(conn, actor=actor, role=role, event="账号锁定", target=target, result="锁定", at=now,
               detail=f"连续{otp.LOCK_AFTER_FAILURES}次验证失败，锁定{int(otp.LOCK_DURATION.seconds / 60)}分钟")


def _tries_left(v: otp.Verdict) -> int:
    return max(0, otp.MAX_WRONG_PER_CODE - v.attempts) if v.reason == "wrong" else 0


def _audit_invalid(engine: Engine, event: str, why: str, now: dt.datetime, role: str = ROLE_ZH[PARTY]) -> None:
    """Input-validation failures are audited too (ASVS 7.1.3); the raw input is never stored."""
    with engine.begin() as conn:
        record(conn, actor="匿名", role=role, event=event, result="失败", detail=f"输入格式错误：{why}", at=now)


# ----------------------------------------------------------------------------- party login


CLIENT_LIMITER = otp.RateLimiter(otp.CLIENT_SENDS, otp.CLIENT_WINDOW)  # one per portal process


def _client_refused(engine: Engine, client: str | None, now: dt.datetime, role: str) -> SendResult | None:
    """Many code requests from one client address (any ID numbers) are refused for a while."""
    if not client:
        return None
    d = CLIENT_LIMITER.hit(keyed_hash(client, "client"), now)
    if d.allowed:
        return None
    with engine.begin() as conn:
        record(conn, actor="匿名", role=role, event="发送验证码", result="拒绝", at=now,
               detail=f"同一来源5分钟内超过{otp.CLIENT_SENDS}次")
    return SendResult("too_soon", retry_after_s=d.retry_after_s)


def request_party_code(engine: Engine, id_number: str, phone: str, *, now: dt.datetime | None = None,
                       sender: SmsSender | None = None, client: str | None = None) -> SendResult:
    """Step 1 for a party: the same answer whether or not the pair is on record.

    Limits count per (ID number, phone) pair (``party_subject``) and per ``client``, the caller's
    network address (25 requests per 5 minutes, whatever the pairs)."""
    now = _now(now)
    refused = _client_refused(engine, client, now, ROLE_ZH[PARTY])
    if refused:
        return refused
    try:
        id_number, phone = validate_id(id_number, today=now.date()), validate_phone(phone)
    except ValueError as exc:
        _audit_invalid(engine, "发送验证码", str(exc), now)
        return SendResult("invalid", message=str(exc))
    subject = party_subject(id_number, phone)
    with engine.begin() as conn:
        person = conn.execute(select(Person.id).where(Person.id_hash == hash_id_number(id_number),
                                                      Person.phone_hash == hash_phone(phone))).first()
        res, message = _issue_code(conn, subject, now=now, actor=mask_id(id_number), role=ROLE_ZH[PARTY],
                                   phone=phone, deliver=person is not None, target="当事人登录")
    _send_after_commit(engine, sender, phone, message, now)
    return res


def verify_party_code(engine: Engine, id_number: str, phone: str, request_id: str, code: str, *,
                      now: dt.datetime | None = None) -> LoginResult:
    """Step 2: a right, fresh, unused code for a pair on record signs the person in."""
    now = _now(now)
    try:
        id_number, phone = validate_id(id_number, today=now.date()), validate_phone(phone)
    except ValueError as exc:
        _audit_invalid(engine, "登录", str(exc), now)
        return LoginResult(False, "invalid")
    subject = party_subject(id_number, phone)
    with engine.begin() as conn:
        v, newly_locked = _check_code(conn, subject, request_id, code, now=now)
        principal = None
        if v.ok:
            row = conn.execute(select(Person.id, Person.name_masked).where(
                Person.id_hash == hash_id_number(id_number), Person.phone_hash == hash_phone(phone))).first()
            if row is None:  # the record changed since the code was sent
                v = otp.Verdict(False, "no_challenge", v.attempts, 0, None, False)
            else:
                principal = Principal(PARTY, row.id, row.name_masked)
        _audit_verdict(conn, v, newly_locked, actor=mask_id(id_number), role=ROLE_ZH[PARTY],
                       target="当事人登录", now=now)
    return LoginResult(v.ok, "locked" if newly_locked else v.reason, principal, _tries_left(v))


# ----------------------------------------------------------------------------- lawyer login

def _upgrade_hash(conn: Connection, user_id: int, stored: str, password: str) -> None:
    """After a good password, re-hash it if it was made with other parameters."""
    if needs_rehash(stored):
        conn.execute(update(AppUser).where(AppUser.id == user_id).values(password_hash=hash_password(password)))


def _lawyer_subject_key(username: str) -> str:
    return (username or "").strip().lower()[:40]


def request_lawyer_code(engine: Engine, username: str, password: str, phone: str, *,
                        now: dt.datetime | None = None, sender: SmsSender | None = None,
                        client: str | None = None) -> SendResult:
    """Factor 1 (Argon2id password, plus the registered phone), then an SMS code as factor 2.

    A wrong password counts towards the same 5-failure lock as a wrong code.
    """
    now = _now(now)
    refused = _client_refused(engine, client, now, ROLE_ZH[LAWYER])
    if refused:
        return refused
    try:
        phone = validate_phone(phone)
    except ValueError as exc:
        _audit_invalid(engine, "登录", str(exc), now, role=ROLE_ZH[LAWYER])
        return SendResult("invalid", message=str(exc))
    key = _lawyer_subject_key(username)
    if not key:
        _audit_invalid(engine, "登录", "未输入账号", now, role=ROLE_ZH[LAWYER])
        return SendResult("invalid", message="请输入账号")
    subject = subject_of(LAWYER, key)
    actor = key
    with engine.begin() as conn:
        failures, locked_until = _lock_row(conn, subject)
        if locked_until is not None and now < locked_until:
            record(conn, actor=actor, role=ROLE_ZH[LAWYER], event="登录", target="律师登录", at=now,
                   result="锁定", detail="账号锁定期间尝试登录")
            return SendResult("locked", retry_after_s=int((locked_until - now).total_seconds()) + 1,
                              phone_hint=phone[-4:])
        user = conn.execute(select(AppUser.id, AppUser.password_hash, AppUser.phone_hash).where(
            AppUser.username == key, AppUser.role == "lawyer", AppUser.active.is_(True))).first()
        pw_ok = password_ok(user.password_hash if user else None, password)
        if not (pw_ok and user.phone_hash == hash_phone(phone)):
            v = otp.failure("wrong", 0, failures, now)
            _save_lock(conn, subject, v.failures, v.locked_until)
            record(conn, actor=actor, role=ROLE_ZH[LAWYER], event="登录", target="律师登录", at=now,
                   result="失败", detail="账号、密码或手机号错误")
            if v.locked_until is not None:
                record(conn, actor=actor, role=ROLE_ZH[LAWYER], event="账号锁定", target="律师登录",
                       at=now, result="锁定", detail="连续5次验证失败，锁定30分钟")
                return SendResult("locked", retry_after_s=int(otp.LOCK_DURATION.total_seconds()),
                                  phone_hint=phone[-4:])
            return SendResult("bad_credentials", phone_hint=phone[-4:])
        _upgrade_hash(conn, user.id, user.password_hash, password)
        res, message = _issue_code(conn, subject, now=now, actor=actor, role=ROLE_ZH[LAWYER], phone=phone,
                                   deliver=True, target="律师登录")
    _send_after_commit(engine, sender, phone, message, now)
    return res


def verify_lawyer_code(engine: Engine, username: str, request_id: str, code: str, *,
                       now: dt.datetime | None = None) -> LoginResult:
    now = _now(now)
    key = _lawyer_subject_key(username)
    subject = subject_of(LAWYER, key)
    with engine.begin() as conn:
        v, newly_locked = _check_code(conn, subject, request_id, code, now=now)
        principal = None
        if v.ok:
            row = conn.execute(select(AppUser.id, AppUser.display_name).where(
                AppUser.username == key, AppUser.role == "lawyer",
                AppUser.active.is_(True))).first()
            if row is None:
                v = otp.Verdict(False, "no_challenge", v.attempts, 0, None, False)
            else:
                principal = Principal(LAWYER, row.id, mask_name(row.display_name))
        _audit_verdict(conn, v, newly_locked, actor=key or "-", role=ROLE_ZH[LAWYER],
                       target="律师登录", now=now)
    return LoginResult(v.ok, "locked" if newly_locked else v.reason, principal, _tries_left(v))


def record_logout(engine: Engine, principal: Principal, reason: str, now: dt.datetime | None = None) -> None:
    with engine.begin() as conn:
        record(conn, actor=_actor(conn, principal), role=ROLE_ZH[principal.kind], event="退出登录",
               result="成功", detail={"user": "用户退出", "idle": "空闲超时15分钟",
                                      "absolute": "登录已满12小时"}.get(reason, reason), at=_now(now))


def _actor(conn: Connection, p: Principal) -> str:
    if p.kind == LAWYER:
        name = conn.execute(select(AppUser.username).where(AppUser.id == p.id)).scalar()
        return name or f"lawyer#{p.id}"
    masked = conn.execute(select(Person.id_masked).where(Person.id == p.id)).scalar()
    return masked or f"person#{p.id}"


# ----------------------------------------------------------------------------- documents


def _recipient_filter(p: Principal):
    """The one rule for "addressed to me"; a lawyer's copy also needs an approved binding."""
    if p.kind == PARTY:
        return DocumentRecipient.person_id == p.id
    if p.kind == LAWYER:
        approved = select(LawyerBinding.case_id).where(LawyerBinding.lawyer_id == p.id,
                                                       LawyerBinding.status == BINDING_APPROVED)
        return and_(DocumentRecipient.lawyer_id == p.id, Document.case_id.in_(approved))
    raise ValueError("unknown principal kind")


def documents_for(engine: Engine, principal: Principal) -> pd.DataFrame:
    """The caller's documents, newest first: type, case number, date issued, issuing procuratorate."""
    stmt = (select(Document.public_id, Document.doc_type, Case.case_no, Document.title, Document.issued_at,
                   Procuratorate.name.label("procuratorate"), DocumentRecipient.served_at,
                   DocumentRecipient.confirmed_at)
            .join(DocumentRecipient, DocumentRecipient.document_id == Document.id)
            .join(Case, Case.id == Document.case_id)
            .join(Procuratorate, Procuratorate.id == Document.procuratorate_id)
            .where(_recipient_filter(principal))
            .order_by(Document.issued_at.desc(), Document.id.desc()))
    return read_frame(engine, stmt)


def _doc_stmt(principal: Principal, public_id: str):
    return (select(DocumentRecipient.id.label("rid"), Document.public_id, Document.doc_type, Document.doc_no,
                   Document.title, Case.case_no, Document.issued_at, Procuratorate.name.label("procuratorate"),
                   Document.body, Document.pdf, DocumentRecipient.served_at, DocumentRecipient.confirmed_at)
            .join(DocumentRecipient, DocumentRecipient.document_id == Document.id)
            .join(Case, Case.id == Document.case_id)
            .join(Procuratorate, Procuratorate.id == Document.procuratorate_id)
            .where(Document.public_id == (public_id or "")[:32], _recipient_filter(principal))
            .limit(1))


def open_document(engine: Engine, principal: Principal, public_id: str, *,
                  now: dt.datetime | None = None) -> DocumentView | None:
    """The document if it is addressed to the caller, else None (same for "does not exist").

    The first opening is the electronic service (``served_at``); every opening is audited.
    """
    now = _now(now)
    with engine.begin() as conn:
        row = conn.execute(_doc_stmt(principal, public_id)).first()
        actor = _actor(conn, principal)
        if row is None:
            record(conn, actor=actor, role=ROLE_ZH[principal.kind], event="文书查看", result="拒绝",
                   target=(public_id or "")[:32], detail="文书不存在或非本人文书", at=now)
            return None
        served = row.served_at
        if served is None:
            served = now
            conn.execute(update(DocumentRecipient).where(DocumentRecipient.id == row.rid,
                                                         DocumentRecipient.served_at.is_(None))
                         .values(served_at=now))
        record(conn, actor=actor, role=ROLE_ZH[principal.kind], event="文书查看", result="成功",
               target=f"{row.doc_type} {row.doc_no}"[:80],
               detail="首次查看，电子送达" if row.served_at is None else "再次查看", at=now)
    return DocumentView(row.public_id, row.doc_type, row.doc_no, row.title, row.case_no, row.issued_at,
                        row.procuratorate, row.body, row.pdf, served, row.confirmed_at)


def confirm_receipt(engine: Engine, principal: Principal, public_id: str, *,
                    now: dt.datetime | None = None) -> dt.datetime | None:
    """Sign for a document the caller has opened; returns the confirmation time, or None."""
    now = _now(now)
    with engine.begin() as conn:
        row = conn.execute(_doc_stmt(principal, public_id)).first()
        actor = _actor(conn, principal)
        if row is None or row.served_at is None:
            record(conn, actor=actor, role=ROLE_ZH[principal.kind], event="确认签收", result="拒绝",
                   target=(public_id or "")[:32], at=now,
                   detail="文书不存在或非本人文书" if row is None else "尚未查看文书")
            return None
        if row.confirmed_at is not None:
            return row.confirmed_at
        conn.execute(update(DocumentRecipient).where(DocumentRecipient.id == row.rid)
                     .values(confirmed_at=now))
        record(conn, actor=actor, role=ROLE_ZH[principal.kind], event="确认签收", result="成功",
               target=f"{row.doc_type} {row.doc_no}"[:80], detail="电子送达回证", at=now)
    return now


# ----------------------------------------------------------------------------- case progress

PROGRESS_COLUMNS = ("case_no", "charge", "accepted_at", "stage", "time_limit", "handling_department",
                    "compulsory_measure", "procuratorate")


def _progress_frame(engine: Engine, case_filter, now: dt.datetime) -> pd.DataFrame:
    """What 12309 discloses (procuratorate.md §4): charge, acceptance date, stage, time limit,
    handling department, compulsory measure. Nothing else leaves the query."""
    stmt = (select(Case.case_no, func.coalesce(Case.charge, Case.cause).label("charge"), Case.accepted_at,
                   *deadline_columns(now), Case.handling_department, Case.compulsory_measure,
                   Procuratorate.name.label("procuratorate"))
            .join(Procuratorate, Procuratorate.id == Case.procuratorate_id)
            .where(case_filter).order_by(Case.accepted_at.desc()))
    df = with_deadlines(read_frame(engine, stmt), now)  # the watch list's deadline, by the same function
    df["time_limit"] = [None if pd.isna(d) else d.date().isoformat() for d in df["deadline"]]  # the last day
    return df[list(PROGRESS_COLUMNS)]


def party_cases(engine: Engine, person_id: int, now: dt.datetime | None = None) -> pd.DataFrame:
    mine = select(CaseParty.case_id).where(CaseParty.person_id == person_id)
    return _progress_frame(engine, Case.id.in_(mine), _now(now))


def lawyer_cases(engine: Engine, lawyer_id: int, now: dt.datetime | None = None) -> pd.DataFrame:
    bound = select(LawyerBinding.case_id).where(LawyerBinding.lawyer_id == lawyer_id,
                                                LawyerBinding.status == BINDING_APPROVED)
    return _progress_frame(engine, Case.id.in_(bound), _now(now))


def cases_for(engine: Engine, principal: Principal) -> pd.DataFrame:
    if principal.kind == PARTY:
        return party_cases(engine, principal.id)
    if principal.kind == LAWYER:
        return lawyer_cases(engine, principal.id)
    raise ValueError("unknown principal kind")


def case_for(engine: Engine, principal: Principal, case_no: str, *,
             now: dt.datetime | None = None) -> dict | None:
    """One case's progress by case number if the caller may see it; else None, audited."""
    case_no = (case_no or "").strip()[:40]
    if principal.kind == PARTY:
        allowed = select(CaseParty.case_id).where(CaseParty.person_id == principal.id)
    else:
        allowed = select(LawyerBinding.case_id).where(LawyerBinding.lawyer_id == principal.id,
                                                      LawyerBinding.status == BINDING_APPROVED)
    df = _progress_frame(engine, and_(Case.case_no == case_no, Case.id.in_(allowed)), _now(now))
    with engine.begin() as conn:
        record(conn, actor=_actor(conn, principal), role=ROLE_ZH[principal.kind], event="案件查询",
               target=case_no or "-", result="成功" if len(df) else "拒绝",
               detail=None if len(df) else "非本人案件或未经批准绑定", at=_now(now))
    return df.iloc[0].to_dict() if len(df) else None


cases_for_live = live(ttl=5)(cases_for)
documents_for_live = live(ttl=5)(documents_for)


# ----------------------------------------------------------------------------- lawyer bindings


def request_binding(engine: Engine, lawyer_id: int, case_no: str, client_name: str, papers: str, *,
                    now: dt.datetime | None = None) -> bool:
    """A lawyer asks to follow a case. The answer is the same whether the case exists or not
    (no case-number oracle); only a real, not-yet-requested case gets a row. Returns "accepted"."""
    now = _now(now)
    case_no, client_name, papers = ((case_no or "").strip()[:40], (client_name or "").strip()[:40],
                                    (papers or "").strip()[:1000])
    if not case_no or not papers:
        return False
    with engine.begin() as conn:
        actor = conn.execute(select(AppUser.username).where(AppUser.id == lawyer_id,
                                                            AppUser.role == "lawyer")).scalar()
        if actor is None:
            return False
        case_id = conn.execute(select(Case.id).where(Case.case_no == case_no)).scalar()
        client_id = None
        if case_id is not None and client_name:
            for pid, full in conn.execute(select(Person.id, Person.full_name).join(
                    CaseParty, CaseParty.person_id == Person.id).where(CaseParty.case_id == case_id)):
                if full == client_name:
                    client_id = pid
        existing = None if case_id is None else conn.execute(select(LawyerBinding.id).where(
            LawyerBinding.lawyer_id == lawyer_id, LawyerBinding.case_id == case_id,
            LawyerBinding.status.in_((BINDING_PENDING, BINDING_APPROVED)))).scalar()
        if case_id is not None and existing is None:
            conn.execute(insert(LawyerBinding).values(
                lawyer_id=lawyer_id, case_id=case_id, client_person_id=client_id,
                papers=f"委托人：{mask_name(client_name) or '未填'}；材料：{papers}"[:1000],
                status=BINDING_PENDING, requested_at=now))
        record(conn, actor=actor, role=ROLE_ZH[LAWYER], event="绑定申请", target=case_no, at=now,
               result="成功" if case_id is not None and existing is None else "失败",
               detail="待审核" if case_id is not None and existing is None
               else ("已有申请" if case_id is not None else "案号不存在"))
    return True


def bindings_of(engine: Engine, lawyer_id: int) -> pd.DataFrame:
    stmt = (select(Case.case_no, LawyerBinding.status, LawyerBinding.requested_at, LawyerBinding.decided_at)
            .join(Case, Case.id == LawyerBinding.case_id)
            .where(LawyerBinding.lawyer_id == lawyer_id).order_by(LawyerBinding.requested_at.desc()))
    return read_frame(engine, stmt)


# ----------------------------------------------------------------------------- staff review


def bindings_for_review(engine: Engine, scope: Scope, status: str = BINDING_PENDING) -> pd.DataFrame:
    """Binding requests on cases within the reviewer's scope (the lawyer's firm, masked client).
    ``scope`` comes from the signed-in account (``Staff.scope("bindings")``)."""
    require(scope, "bindings")
    stmt = (select(LawyerBinding.id, Case.case_no, Case.charge, Case.stage, AppUser.display_name.label("lawyer"),
                   AppUser.law_firm, LawyerBinding.papers, LawyerBinding.status, LawyerBinding.requested_at,
                   LawyerBinding.decided_at)
            .join(Case, Case.id == LawyerBinding.case_id)
            .join(AppUser, AppUser.id == LawyerBinding.lawyer_id)
            .where(in_scope(scope, Case.district_id), LawyerBinding.status == status)
            .order_by(LawyerBinding.requested_at))
    return read_frame(engine, stmt)


def decide_binding(engine: Engine, scope: Scope, binding_id: int, approve: bool, *, actor: Actor,
                   now: dt.datetime | None = None) -> bool:
    """Approve or reject a pending request on a case in the reviewer's scope; audited as the
    signed-in ``actor``, who is recorded as decided_by. The requester (the lawyer) can never decide
    their own request: the decision needs a staff account that is not the requester's."""
    require(scope, "bindings")
    if not isinstance(actor, Actor):
        raise TypeError("actor must be a domain.access.Actor (the signed-in account)")
    now = _now(now)
    with engine.begin() as conn:
        row = conn.execute(select(LawyerBinding.id, LawyerBinding.lawyer_id, Case.case_no, AppUser.username)
                           .join(Case, Case.id == LawyerBinding.case_id)
                           .join(AppUser, AppUser.id == LawyerBinding.lawyer_id)
                           .where(LawyerBinding.id == int(binding_id), LawyerBinding.status == BINDING_PENDING,
                                  in_scope(scope, Case.district_id))).first()
        why = None
        if row is None:
            why = "申请不存在、已处理或不在本院范围"
        elif actor.user_id is None or actor.user_id == row.lawyer_id:
            why = "审批须由申请人以外的已登录工作人员进行"
        if why:
            record(conn, actor=actor, event="绑定审核", target=row.case_no if row else str(binding_id),
                   result="拒绝", detail=why, at=now)
            return False
        conn.execute(update(LawyerBinding).where(LawyerBinding.id == row.id).values(
            status=BINDING_APPROVED if approve else BINDING_REJECTED, decided_at=now, decided_by=actor.user_id))
        record(conn, actor=actor, event="绑定审核", target=row.case_no, at=now,
               result="成功", detail=f"{'批准' if approve else '驳回'} {row.username} 的绑定申请")
    return True

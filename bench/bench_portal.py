"""Portal: server time of each login step (target < 50 ms) and of opening a document.

Clear ID numbers exist nowhere in the database, so the benchmark adds one known party of its own
(ID 310120199001019998-style, attached to the newest document's case; idempotent) and logs in as
them with the default SMS sender (the outbox). Each step is timed as the page calls it.

The enumeration figures live here, not in the tests: step 1 for a pair on record vs not, and a
lawyer's wrong password vs an unknown account, timed in alternating order; the table prints both
medians, the median of the paired differences and the ratio. The tests only guard against gross
leaks, with margins that hold on a loaded CI machine (tests/test_portal_attacks.py).
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
import time

from sqlalchemy import Engine, func, insert, select

from bench.harness import Row, print_table
from domain import clock
from domain.identity import make_id
from domain.portal import Principal
from queries import portal as P
from queries.crypto import hash_id_number
from queries.password_hash import hash_password
from queries.portal_sms import OutboxSender
from queries.schema import (
    AppUser, Case, CaseParty, Document, DocumentRecipient, LawyerBinding, Person, SmsOutbox,
)
from queries.writes import add_person, phone_columns

BENCH_ID = make_id("310120", dt.date(1990, 1, 1), 998)
BENCH_PHONE = "13300009998"
GHOST_ID = make_id("310120", dt.date(1991, 2, 2), 996)
LAWYER = ("bench_lawyer", "Bench@2026-portal", "13300009997")
NO_ACCOUNT = "bench_nobody"
TARGET = 50.0


def _ensure_party(engine: Engine) -> int:
    """The bench person, a recipient of the newest document (creating one if the DB has none)."""
    with engine.begin() as c:
        pid = c.execute(select(Person.id).where(Person.id_hash == hash_id_number(BENCH_ID))).scalar()
        if pid is not None:
            return pid
        doc = c.execute(select(Document.id, Document.case_id).order_by(Document.issued_at.desc()).limit(1)).first()
        if doc is None:
            from sample_data.documents import render_pdf

            case = c.execute(select(Case.id, Case.procuratorate_id).where(Case.function == "刑事")
                             .order_by(Case.accepted_at.desc()).limit(1)).first()
            body = "被害人测试：\n\n本院已受理该案。\n\n上海市人民检察院\n2026年1月1日"
            doc_id = c.execute(insert(Document).values(
                public_id="bench" + "0" * 27, case_id=case.id, procuratorate_id=case.procuratorate_id,
                doc_type="权利义务告知书", doc_no="沪检刑告〔2026〕0号", title="被害人诉讼权利义务告知书",
                issued_at=clock.now(), body=body, pdf=render_pdf("被害人诉讼权利义务告知书", "沪检刑告〔2026〕0号", body),
            ).returning(Document.id)).scalar()
            doc = (doc_id, case.id)
        pid = add_person(c, full_name="测试人员", id_number=BENCH_ID, phone=BENCH_PHONE, district_id=None,
                         public_id="bench" + "1" * 27)
        c.execute(insert(CaseParty).values(case_id=doc[1], person_id=pid, role="被害人"))
        c.execute(insert(DocumentRecipient).values(document_id=doc[0], person_id=pid, notified_at=clock.now()))
    return pid


def _ensure_lawyer(engine: Engine) -> int:
    with engine.begin() as c:
        uid = c.execute(select(AppUser.id).where(AppUser.username == LAWYER[0])).scalar()
        if uid is not None:
            return uid
        uid = c.execute(insert(AppUser).values(
            username=LAWYER[0], display_name="测试律师", role="lawyer", password_hash=hash_password(LAWYER[1]),
            **phone_columns(LAWYER[2]), law_firm="测试律师事务所",
            active=True, created_at=clock.now()).returning(AppUser.id)).scalar()
        case_id = c.execute(select(Case.id).order_by(Case.id).limit(1)).scalar()
        c.execute(insert(LawyerBinding).values(lawyer_id=uid, case_id=case_id, papers="bench", status="已批准",
                                               requested_at=clock.now(), decided_at=clock.now()))
    return uid


def _code(engine: Engine, sender: OutboxSender) -> str:
    sender.flush()
    with engine.connect() as c:
        body = c.execute(select(SmsOutbox.body).order_by(SmsOutbox.id.desc()).limit(1)).scalar()
    return re.search(r"(\d{6})", body).group(1)


def _ms(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def run(engine: Engine, reps: int = 15) -> list[Row]:
    person = _ensure_party(engine)
    _ensure_lawyer(engine)
    sender = OutboxSender()
    # Each repetition runs 3 h later on a fake clock, so the per-ID send limits never bite.
    with engine.connect() as c:
        last = c.execute(select(func.max(P.OtpChallenge.created_at))).scalar()
    base = max(clock.now(), (last or dt.datetime.min) + dt.timedelta(days=2))
    t: dict[str, list[float]] = {k: [] for k in (
        "send_known", "send_unknown", "verify_ok", "verify_wrong", "list", "open", "confirm", "cases",
        "lawyer_password", "lawyer_verify", "lawyer_wrong", "lawyer_unknown", "send_gap", "lawyer_gap")}
    principal = Principal("party", person, "测*")
    docs = P.documents_for(engine, principal)
    public_id = docs["public_id"].iloc[0]
    for i in range(reps + 1):
        now = base + dt.timedelta(hours=3 * i)
        # alternate the order so neither branch always follows the memory-hungry Argon2 step
        if i % 2:
            ms_known, r = _ms(lambda: P.request_party_code(engine, BENCH_ID, BENCH_PHONE, now=now, sender=sender))
            ms_unknown, _ = _ms(lambda: P.request_party_code(engine, GHOST_ID, BENCH_PHONE, now=now, sender=sender))
        else:
            ms_unknown, _ = _ms(lambda: P.request_party_code(engine, GHOST_ID, BENCH_PHONE, now=now, sender=sender))
            ms_known, r = _ms(lambda: P.request_party_code(engine, BENCH_ID, BENCH_PHONE, now=now, sender=sender))
        code = _code(engine, sender)
        wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
        ms_wrong, _ = _ms(lambda: P.verify_party_code(engine, BENCH_ID, BENCH_PHONE, r.request_id, wrong, now=now))
        ms_ok, res = _ms(lambda: P.verify_party_code(engine, BENCH_ID, BENCH_PHONE, r.request_id, code, now=now))
        assert res.ok, res
        ms_list, _ = _ms(lambda: P.documents_for(engine, res.principal))
        ms_open, view = _ms(lambda: P.open_document(engine, res.principal, public_id, now=now))
        assert view is not None and view.pdf
        ms_confirm, _ = _ms(lambda: P.confirm_receipt(engine, res.principal, public_id, now=now))
        ms_cases, _ = _ms(lambda: P.cases_for(engine, res.principal))
        ms_lpw, lr = _ms(lambda: P.request_lawyer_code(engine, LAWYER[0], LAWYER[1], LAWYER[2], now=now, sender=sender))
        lcode = _code(engine, sender)
        ms_lv, lres = _ms(lambda: P.verify_lawyer_code(engine, LAWYER[0], lr.request_id, lcode, now=now))
        assert lres.ok, lres
        # after the good login, so the one failure per repetition (3 h apart) never locks the account
        wrong_pw = lambda: P.request_lawyer_code(engine, LAWYER[0], "wrong-pass", LAWYER[2], now=now,  # noqa: E731
                                                 sender=sender)
        unknown = lambda: P.request_lawyer_code(engine, NO_ACCOUNT, "wrong-pass", LAWYER[2], now=now,  # noqa: E731
                                                sender=sender)
        if i % 2:
            (ms_lwrong, lw), (ms_lunknown, lu) = _ms(wrong_pw), _ms(unknown)
        else:
            (ms_lunknown, lu), (ms_lwrong, lw) = _ms(unknown), _ms(wrong_pw)
        # the unknown account's fifth failure answers "locked" (after the same Argon2 verification)
        assert lw.status == "bad_credentials" and lu.status in ("bad_credentials", "locked"), (lw, lu)
        if i == 0:
            continue  # warm-up
        for k, v in (("send_known", ms_known), ("send_unknown", ms_unknown), ("verify_ok", ms_ok),
                     ("verify_wrong", ms_wrong), ("list", ms_list), ("open", ms_open), ("confirm", ms_confirm),
                     ("cases", ms_cases), ("lawyer_password", ms_lpw), ("lawyer_verify", ms_lv),
                     ("lawyer_wrong", ms_lwrong), ("lawyer_unknown", ms_lunknown),
                     ("send_gap", ms_known - ms_unknown), ("lawyer_gap", ms_lwrong - ms_lunknown)):
            t[k].append(v)
    med = {k: statistics.median(v) for k, v in t.items()}

    def gap(a: str, b: str, paired: str, label: str) -> str:
        """Ratio of medians and median paired difference: what an attacker timing step 1 would see."""
        return f"{label} {med[a] / med[b]:.2f}×, median paired diff {med[paired]:+.2f} ms"
    rows = [
        Row("party step 1: send code (pair on record)", med["send_known"], TARGET),
        Row("party step 1: send code (pair not on record)", med["send_unknown"], TARGET,
            note=gap("send_known", "send_unknown", "send_gap", "on record / not")),
        Row("party step 2: verify right code", med["verify_ok"], TARGET),
        Row("party step 2: verify wrong code", med["verify_wrong"], TARGET),
        Row("lawyer step 1: Argon2id password + send code", med["lawyer_password"], TARGET,
            note="Argon2id m=12MiB t=3 p=1"),
        Row("lawyer step 2: verify code", med["lawyer_verify"], TARGET),
        Row("lawyer step 1: wrong password", med["lawyer_wrong"], TARGET),
        Row("lawyer step 1: unknown account", med["lawyer_unknown"], TARGET,
            note=gap("lawyer_wrong", "lawyer_unknown", "lawyer_gap", "wrong password / unknown")),
        Row("documents list (one party)", med["list"]),
        Row("open a document (PDF + service + audit)", med["open"], TARGET),
        Row("confirm receipt", med["confirm"], TARGET),
        Row("case progress (one party)", med["cases"]),
    ]
    print_table("Portal: server time per login step and document", rows)
    return rows


if __name__ == "__main__":
    import sys

    from queries.db import make_engine

    run(make_engine(sys.argv[1]) if len(sys.argv) > 1 else make_engine())

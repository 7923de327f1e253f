"""Import of real data from CSV: cases, suspects (one row per person of a stored case), case events
and sentencing judgments.

``import_file`` validates a whole file (pure rules in ``domain.import_rules`` plus the checks that
need the database: duplicates against stored rows, case numbers that must exist, the caller's
scope) and then writes it in ONE transaction:

- any row with an error → nothing is written and the report says what is wrong, line by line,
  unless ``good_rows_only=True``: then the good rows are written and the bad ones reported;
- the same file again (same SHA-256 for the same kind, see ``import_batch``) → nothing changes;
- rows whose natural key is already stored (case ``case_no``; suspect ``(case_no, seq)``; event
  ``(case_no, event_type, occurred_at)``; sentencing ``('import', source_ref)``) are skipped and
  reported, never updated and never counted twice; so a re-saved copy of an imported file also
  changes nothing. A suspects file never changes the stored case either: its summary columns are
  the case file's (``domain.case_summary`` says how the sample derives them);
- identity numbers and phones are stored only as keyed hash + masked form (``queries.crypto``);
- every import (rejected, partial, complete, or unchanged) is written to the audit log.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from domain import clock
from domain import import_rules as R
from domain.access import Actor
from domain.masking import scrub_text
from domain.procedure import APPROVED, NOT_APPROVED
from domain.scope import Scope
from queries import audit
from queries.crypto import hash_id_number
from queries.schema import (
    Case, CaseEvent, CaseParty, CustodyPeriod, District, ImportBatch, Person, Procuratorate, SentencingRecord,
    Suspect,
)
from queries.scope import require
from queries.writes import bulk_insert, person_columns

IN_CHUNK = 900  # bound parameters per IN (...) list; well under SQLite's limit

STATUS_ZH = {
    "imported": "已导入", "partial": "已导入无误的行", "rejected": "已拒绝，未写入任何数据",
    "already": "该文件已导入过，未作任何更改", "unchanged": "所有行均已存在，未作任何更改",
    "dry_run": "仅校验，未写入",
}


@dataclass(frozen=True)
class ImportResult:
    kind: str
    filename: str
    sha256: str
    status: str  # imported / partial / rejected / already / unchanged / dry_run
    encoding: str | None
    rows_total: int
    rows_bad: int  # rows with at least one error
    rows_written: int
    rows_skipped: int  # already in the database
    problems: tuple[R.Problem, ...] = field(default_factory=tuple)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        """True unless the file was rejected (or a dry run found errors): exit code 0 vs 2."""
        if self.status == "rejected":
            return False
        if self.status == "dry_run":
            return self.rows_bad == 0 and not any(p.is_error and p.line <= 1 for p in self.problems)
        return True

    @property
    def errors(self) -> tuple[R.Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    def report_frame(self) -> pd.DataFrame:
        """One row per problem: 行号 / 列 / 级别 / 问题 (the whole file has line 0)."""
        rows = sorted(self.problems, key=lambda p: (p.line, p.severity != R.ERROR))
        return pd.DataFrame([(p.line, p.column, p.severity, p.reason) for p in rows],
                            columns=["行号", "列", "级别", "问题"])

    def summary_zh(self) -> str:
        return (f"{R.KIND_ZH[self.kind]}文件（{self.encoding or '编码未知'}）：共{self.rows_total}行，"
                f"有错误{self.rows_bad}行，写入{self.rows_written}行，已存在跳过{self.rows_skipped}行。"
                f"结果：{self.status_zh}")


def raw_frame(data: bytes, kind: str) -> pd.DataFrame:
    """The file as a DataFrame of text with canonical column names (``domain.import_rules.raw_rows``)."""
    columns, rows = R.raw_rows(data, kind)
    return pd.DataFrame(rows, columns=list(columns))


# ----------------------------------------------------------------------------- reference reads


def reference(engine_or_conn) -> R.Reference:
    """The districts in the database, for checking the 所属区 column."""
    stmt = select(District.id, District.name_zh, District.name_en)
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            rows = conn.execute(stmt).all()
    else:
        rows = engine_or_conn.execute(stmt).all()
    return R.Reference({int(r.id): (r.name_zh, r.name_en) for r in rows})


def _chunks(values: Iterable, n: int = IN_CHUNK):
    vals = list(dict.fromkeys(v for v in values if v is not None))
    for i in range(0, len(vals), n):
        yield vals[i: i + n]


def _lookup(conn: Connection, cols, key_col, values, *where) -> list:
    out = []
    for chunk in _chunks(values):
        out.extend(conn.execute(select(*cols).where(key_col.in_(chunk), *where)).all())
    return out


def batch_exists(conn: Connection, kind: str, sha: str) -> int | None:
    return conn.execute(select(ImportBatch.id).where(ImportBatch.kind == kind,
                                                     ImportBatch.file_sha256 == sha)).scalar()


# ----------------------------------------------------------------------------- database checks


def _db_checks(conn: Connection, parsed: R.Parsed, scope: Scope) -> tuple[set[int], dict]:
    """Add problems that need the database; return (lines already stored, context for writing)."""
    kind, rows = parsed.kind, parsed.rows
    skip: set[int] = set()
    ctx: dict = {}
    if kind == "cases":
        stored = {r.case_no for r in _lookup(conn, [Case.case_no], Case.case_no, (r["case_no"] for r in rows))}
        procs = {int(r.district_id): int(r.id) for r in conn.execute(
            select(Procuratorate.id, Procuratorate.district_id).where(Procuratorate.level == "区院")
            .order_by(Procuratorate.id.desc())).all() if r.district_id is not None}
        people = _people(conn, rows)
        ctx.update(procs=procs, people=people)
        if any(r.get("function") == "刑事" for r in rows):
            parsed.add(0, "", "刑事案件按人统计的指标（不捕率、不诉率、诉前羁押率等）取自“犯罪嫌疑人”文件："
                              "导入案件后，请再导入各案每名犯罪嫌疑人的记录", R.NOTICE)
        allowed = scope.district_ids
        for r in rows:
            line = r["_line"]
            d = r.get("district")
            if d is not None and allowed is not None and d not in allowed:
                parsed.add(line, "所属区", "无权导入该区的数据（超出当前账号的管辖范围）")
            if d is not None and d not in procs:
                parsed.add(line, "所属区", "数据库中没有该区的区院，请先建立机构数据")
            if r.get("suspect_id"):
                hit = people.get(hash_id_number(r["suspect_id"]))
                if hit and (r.get("suspect_name") or "").strip() != hit[1]:
                    parsed.add(line, "犯罪嫌疑人身份证号", "数据库中该身份证号对应的人员姓名与本行不同")
            if r.get("case_no") in stored:
                parsed.add(line, "案号", "数据库中已有该案号，本行跳过（不会更新已有案件）", R.NOTICE)
                skip.add(line)
    elif kind == "suspects":
        _suspect_checks(conn, parsed, scope, skip, ctx)
    elif kind == "events":
        cases = {r.case_no: r for r in _lookup(
            conn, [Case.id, Case.case_no, Case.district_id, Case.accepted_at], Case.case_no,
            (r["case_no"] for r in rows))}
        ids = [c.id for c in cases.values()]
        stored = {(int(r.case_id), r.event_type, r.occurred_at) for r in _lookup(
            conn, [CaseEvent.case_id, CaseEvent.event_type, CaseEvent.occurred_at], CaseEvent.case_id, ids)}
        ctx.update(cases=cases)
        allowed = scope.district_ids
        for r in rows:
            line = r["_line"]
            c = _stored_case(parsed, r, cases, allowed)
            if c is None:
                continue
            when = r.get("occurred_at")
            if when is not None and when < c.accepted_at and r.get("event_type") != "受理":
                parsed.add(line, "发生时间", f"事件时间早于该案受理时间（{c.accepted_at:%Y-%m-%d %H:%M}），不符合办案流程")
            if when is not None and (int(c.id), r.get("event_type"), when) in stored:
                parsed.add(line, "发生时间", "数据库中已有该事件（案号、事件类型、发生时间相同），本行跳过", R.NOTICE)
                skip.add(line)
    else:
        # only rows from earlier imports count: a CAIL or synthetic row may share a reference by chance
        stored = {r.source_ref for r in _lookup(
            conn, [SentencingRecord.source_ref], SentencingRecord.source_ref,
            (r["source_ref"] for r in rows), SentencingRecord.source == "import")}
        for r in rows:
            if r.get("source_ref") in stored:
                parsed.add(r["_line"], "判决编号", "数据库中已有该判决编号（来源 import），本行跳过", R.NOTICE)
                skip.add(r["_line"])
    return skip, ctx


def _stored_case(parsed: R.Parsed, r: dict, cases: dict, allowed: tuple[int, ...] | None,
                 criminal_only: bool = False):
    """The stored case a row of events or suspects names, or None when the row cannot be checked further
    (no case number, no such case, or for suspects not a criminal case), with the row's error. A case
    outside the account's districts is an error too, but is returned so the row's other checks run."""
    line, no = r["_line"], r.get("case_no")
    if no is None:
        return None
    c = cases.get(no)
    if c is None:
        parsed.add(line, "案号", "数据库中没有该案号，请先导入案件")
        return None
    if criminal_only and c.function != "刑事":
        parsed.add(line, "案号", f"该案为{c.function}案件，只有刑事案件有犯罪嫌疑人")
        return None
    if allowed is not None and c.district_id not in allowed:
        parsed.add(line, "案号", "无权导入该区的数据（超出当前账号的管辖范围）")
    return c


def _people(conn: Connection, rows: list[dict]) -> dict[str, tuple[int, str]]:
    """Stored persons by the hash of the identity numbers the rows carry: hash → (id, name)."""
    return {r.id_hash: (int(r.id), r.full_name) for r in _lookup(
        conn, [Person.id, Person.id_hash, Person.full_name], Person.id_hash,
        (hash_id_number(r["suspect_id"]) for r in rows if r.get("suspect_id")))}


def _suspect_checks(conn: Connection, parsed: R.Parsed, scope: Scope, skip: set[int], ctx: dict) -> None:
    """A suspect row needs its criminal case in the database and in scope, a 序号 within the case's
    number of suspects, dates not before the case was accepted and, for a case from a supervisory
    commission, the procuratorate's own arrest decision."""
    rows = parsed.rows
    cases = {r.case_no: r for r in _lookup(
        conn, [Case.id, Case.case_no, Case.district_id, Case.accepted_at, Case.function, Case.suspects, Case.origin],
        Case.case_no, (r["case_no"] for r in rows))}
    ids = [int(c.id) for c in cases.values()]
    stored = {(int(r.case_id), int(r.seq)) for r in _lookup(conn, [Suspect.case_id, Suspect.seq], Suspect.case_id, ids)}
    people = _people(conn, rows)
    ctx.update(cases=cases, people=people)
    allowed = scope.district_ids
    fd = {f.key: f for f in R.SUSPECT_FIELDS}
    for r in rows:
        line = r["_line"]
        c = _stored_case(parsed, r, cases, allowed, criminal_only=True)
        if c is None:
            continue
        seq = r.get("seq")
        if seq is not None and seq > (c.suspects or 1):
            parsed.add(line, "序号", f"该案登记的犯罪嫌疑人人数为{c.suspects or 1}，序号不能大于该人数")
        for key in ("arrest_review_at", "arrest_decided_at", "prosecution_decided_at", "judgment_at"):
            when = r.get(key)
            if when is not None and when < c.accepted_at:
                parsed.add(line, fd[key].zh, f"{fd[key].zh}早于该案受理时间（{c.accepted_at:%Y-%m-%d %H:%M}），不符合办案流程")
        if c.origin == "监察机关" and r.get("arrest_decision") in (APPROVED, NOT_APPROVED):
            parsed.add(line, "逮捕决定", R.COMMISSION_ARREST)
        if r.get("suspect_id"):
            hit = people.get(hash_id_number(r["suspect_id"]))
            if hit and (r.get("suspect_name") or "").strip() != hit[1]:
                parsed.add(line, "犯罪嫌疑人身份证号", "数据库中该身份证号对应的人员姓名与本行不同")
        if seq is not None and (int(c.id), seq) in stored:
            parsed.add(line, "序号", "数据库中已有该案该序号的犯罪嫌疑人，本行跳过（不会更新已有记录）", R.NOTICE)
            skip.add(line)


# ----------------------------------------------------------------------------- writers


def _fields(row: dict, keys: Iterable[str]) -> dict:
    return {k: row.get(k) for k in keys}


def _write_cases(conn: Connection, rows: list[dict], ctx: dict) -> int:
    case_cols = ("case_no", "function", "charge", "cause", "stage", "accepted_at", "arrest_review_at",
                 "arrest_decided_at", "arrest_decision", "prosecution_review_at", "prosecution_decided_at",
                 "prosecution_decision", "non_prosecution_type", "trial_at", "judgment_at", "closed_at",
                 "compulsory_measure", "sentencing_rec_kind", "sentencing_rec_months", "rec_adopted",
                 "procedure", "origin", "town")
    recs = []
    for r in rows:
        rec = _fields(r, case_cols)
        rec.update(district_id=r["district"], procuratorate_id=ctx["procs"][r["district"]],
                   stage_entered_at=R.stage_entered_at(r), suspects=r.get("suspects") or 1,
                   detained=bool(r.get("detained")), plea_leniency=bool(r.get("plea_leniency")),
                   juvenile=bool(r.get("juvenile")), complex_case=bool(r.get("complex_case")),
                   over_one_year=bool(r.get("over_one_year")))
        if rec["function"] != "刑事":
            rec["charge"] = None
        else:  # the old model knew no other procedure or origin (as migration 0009 carries them over)
            rec["procedure"] = rec["procedure"] or "普通"
            rec["origin"] = rec["origin"] or "公安机关"
        recs.append(rec)
    n = bulk_insert(conn, Case.__table__, recs)
    with_people = [r for r in rows if r.get("suspect_id")]
    if not with_people:
        return n
    case_ids = {row.case_no: int(row.id) for row in _lookup(
        conn, [Case.id, Case.case_no], Case.case_no, (r["case_no"] for r in with_people))}
    _link_people(conn, with_people, case_ids, ctx["people"])
    return n


def _link_people(conn: Connection, rows: list[dict], case_ids: dict[str, int], known: dict[str, tuple[int, str]]
                 ) -> dict[str, int]:
    """Store the rows' new persons and link each to its case as 犯罪嫌疑人 (once); hash → person id."""
    people: dict[str, int] = {h: pid for h, (pid, _name) in known.items()}
    new_people: dict[str, dict] = {}
    for r in rows:
        h = hash_id_number(r["suspect_id"])
        if h in people or h in new_people:
            continue
        new_people[h] = dict(public_id=secrets.token_hex(16), district_id=None,
                             **person_columns(r["suspect_name"].strip(), r["suspect_id"], r.get("suspect_phone")))
    if new_people:
        bulk_insert(conn, Person.__table__, list(new_people.values()))
        people.update({row.id_hash: int(row.id) for row in _lookup(
            conn, [Person.id, Person.id_hash], Person.id_hash, new_people)})
    links = {(case_ids[r["case_no"]], people[hash_id_number(r["suspect_id"])]) for r in rows}
    have = {(int(x.case_id), int(x.person_id)) for x in _lookup(
        conn, [CaseParty.case_id, CaseParty.person_id], CaseParty.case_id, {c for c, _ in links},
        CaseParty.role == "犯罪嫌疑人")}
    bulk_insert(conn, CaseParty.__table__,
                [dict(case_id=c, person_id=p, role="犯罪嫌疑人") for c, p in sorted(links - have)])
    return people


_SUSPECT_COLS = ("seq", "arrest_review_at", "arrest_decided_at", "arrest_decision", "rec_kind", "rec_months",
                 "rec_months_hi", "prosecution_decided_at", "prosecution_decision", "non_prosecution_type",
                 "judgment_at", "judgment_kind", "judgment_months", "rec_adopted")


def _write_suspects(conn: Connection, rows: list[dict], ctx: dict) -> int:
    cases = ctx["cases"]
    with_people = [r for r in rows if r.get("suspect_id")]
    people = _link_people(conn, with_people, {no: int(c.id) for no, c in cases.items()}, ctx["people"]) \
        if with_people else {}
    recs = []
    for r in rows:
        c = cases[r["case_no"]]
        rec = _fields(r, _SUSPECT_COLS)
        rec.update(case_id=int(c.id), district_id=int(c.district_id), juvenile=bool(r.get("juvenile")),
                   plea=bool(r.get("plea")), probation=bool(r.get("probation")),
                   person_id=people.get(hash_id_number(r["suspect_id"])) if r.get("suspect_id") else None)
        recs.append(rec)
    n = bulk_insert(conn, Suspect.__table__, recs)
    spells = [r for r in rows if r.get("custody_measure")]
    if spells:
        ids = {(int(x.case_id), int(x.seq)): int(x.id) for x in _lookup(
            conn, [Suspect.id, Suspect.case_id, Suspect.seq], Suspect.case_id, {int(cases[r["case_no"]].id) for r in spells})}
        bulk_insert(conn, CustodyPeriod.__table__, [
            dict(suspect_id=ids[(int(cases[r["case_no"]].id), r["seq"])], measure=r["custody_measure"],
                 started_at=r["custody_since"], ended_at=None) for r in spells])
    return n


def _write_events(conn: Connection, rows: list[dict], ctx: dict) -> int:
    recs = []
    for r in rows:
        c = ctx["cases"][r["case_no"]]
        recs.append(dict(case_id=int(c.id), district_id=int(c.district_id), occurred_at=r["occurred_at"],
                         event_type=r["event_type"], stage_from=r.get("stage_from"), stage_to=r.get("stage_to"),
                         counts_as_matter=R.counts_as_matter(r["event_type"]), note=r.get("note")))
    return bulk_insert(conn, CaseEvent.__table__, recs)


def _write_sentencing(conn: Connection, rows: list[dict], ctx: dict) -> int:
    flags = ("c_surrender", "c_confession", "c_recidivist", "c_prior_record", "c_forgiveness",
             "c_compensation", "c_attempt", "c_accomplice", "c_plea")
    recs = []
    for r in rows:
        charges = r["charges"]
        jd = r.get("judgment_date")
        recs.append(dict(source="import", source_ref=r["source_ref"], charge=charges[0],
                         charges_all="|".join(charges)[:200], single_charge=len(charges) == 1,
                         articles=r.get("articles"), months=None if (r.get("life") or r.get("death")) else r.get("months"),
                         life=bool(r.get("life")), death=bool(r.get("death")), fine_yuan=r.get("fine_yuan"),
                         probation=r.get("probation"), judgment_year=jd.year if jd else None, tier=r.get("tier"),
                         circumstances_from="recorded",
                         fact_excerpt=scrub_text(r["fact_excerpt"]) if r.get("fact_excerpt") else None,
                         **{k: bool(r.get(k)) for k in flags}))
    return bulk_insert(conn, SentencingRecord.__table__, recs)


WRITERS = {"cases": _write_cases, "suspects": _write_suspects, "events": _write_events,
           "sentencing": _write_sentencing}


# ----------------------------------------------------------------------------- the import


def _audit(conn: Connection, actor: str | Actor, role: str | None, kind: str, filename: str, result: str,
           detail: str, now: dt.datetime) -> None:
    audit.record(conn, actor=actor, role=role, event="数据导入", target=f"{kind}:{filename}",
                 result=result, detail=detail, at=now)


def import_file(engine: Engine, scope: Scope, kind: str, data: bytes, filename: str, *,
                good_rows_only: bool = False, dry_run: bool = False, actor: str | Actor = "system",
                role: str | None = None, now: dt.datetime | None = None) -> ImportResult:
    """Validate ``data`` (the file's bytes) and import it in one transaction; see the module doc.
    ``scope`` must hold the "import" permission; ``actor`` is the signed-in account (its role and
    procuratorate go to the audit log), or a name for the operator's scripts."""
    require(scope, "import")
    if kind not in R.SCHEMAS:
        raise ValueError(f"unknown import kind {kind!r}")
    now = (now or clock.now()).replace(microsecond=0)
    sha = hashlib.sha256(data).hexdigest()
    fname = scrub_text(os.path.basename(filename or "upload.csv"))[:200]

    def result(status, parsed=None, written=0, skipped=0, batch_id=None, extra=()) -> ImportResult:
        probs = tuple(parsed.problems if parsed else ()) + tuple(extra)
        rows = parsed.rows if parsed else []
        return ImportResult(kind, fname, sha, status, parsed.encoding if parsed else None, len(rows),
                            len(parsed.bad_lines) if parsed else 0, written, skipped, probs, batch_id)

    with engine.connect() as conn:
        done = batch_exists(conn, kind, sha)
    if done is not None and not dry_run:
        with engine.begin() as conn:
            _audit(conn, actor, role, kind, fname, "未变更", f"同一文件已导入（批次{done}），sha256 {sha[:16]}", now)
        return result("already", batch_id=done, extra=(R.Problem(0, "", f"该文件已于批次{done}导入过，本次未作任何更改", R.NOTICE),))

    with engine.connect() as conn:
        ref = reference(conn)
        if kind == "cases" and not ref.districts:
            parsed = R.Parsed(kind, None, [], [R.Problem(0, "", "数据库中还没有区划和检察院数据，无法导入案件；"
                                                                "请先建立基础数据（make run 会建立样例数据）")],
                              rejected=True)
        else:
            parsed = R.validate(kind, data, ref, now)
        if done is not None:  # a dry run of a file already imported: say so first
            parsed.problems.insert(0, R.Problem(0, "", f"该文件已于批次{done}导入过；再次导入不会作任何更改", R.NOTICE))
        skip: set[int] = set()
        ctx: dict = {}
        if not parsed.rejected:
            skip, ctx = _db_checks(conn, parsed, scope)
    bad = parsed.bad_lines
    has_file_error = parsed.rejected or any(p.is_error and p.line <= 1 for p in parsed.problems)
    to_write = [r for r in parsed.rows if r["_line"] not in bad and r["_line"] not in skip]
    if dry_run:
        return result("dry_run", parsed, written=0, skipped=len(skip - bad))
    no_good_row = len(bad) == len(parsed.rows)
    if has_file_error or (bad and not good_rows_only) or (bad and no_good_row):
        with engine.begin() as conn:
            _audit(conn, actor, role, kind, fname, "拒绝",
                   f"{len(bad)}行有错误，未写入；sha256 {sha[:16]}", now)
        return result("rejected", parsed, skipped=len(skip - bad))

    try:
        with engine.begin() as conn:  # ONE transaction: the batch, every row, and the audit record
            batch_id = conn.execute(insert(ImportBatch).values(
                kind=kind, file_sha256=sha, filename=fname, rows_written=0, rows_rejected=len(bad),
                imported_at=now)).inserted_primary_key[0]
            written = WRITERS[kind](conn, to_write, ctx) if to_write else 0
            conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(rows_written=written))
            status = "partial" if bad else ("imported" if written else "unchanged")
            _audit(conn, actor, role, kind, fname, "部分成功" if bad else ("成功" if written else "未变更"),
                   f"批次{batch_id}：写入{written}行，跳过已存在{len(skip - bad)}行，错误{len(bad)}行；"
                   f"sha256 {sha[:16]}", now)
    except (IntegrityError, OperationalError) as exc:  # a concurrent import or a locked database
        try:
            with engine.begin() as conn:
                _audit(conn, actor, role, kind, fname, "失败", f"{type(exc).__name__}；未写入", now)
        except OperationalError:
            pass  # the database is still unavailable; the caller shows the message below
        return result("rejected", parsed, extra=(R.Problem(
            0, "", "写入时与另一项导入冲突或数据库繁忙，已全部回滚，未写入任何数据；请稍后重试"),))
    return result(status, parsed, written=written, skipped=len(skip - bad), batch_id=int(batch_id))

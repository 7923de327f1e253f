"""The data model of the whole product (SQLAlchemy 2 declarative).

Every table the pages show lives here; Alembic migrations in ``queries/migrations`` are generated
from these classes. Timestamps are naive Asia/Shanghai wall-clock times: every user and every
legal time limit is in that zone, and naive values behave the same on SQLite and PostgreSQL.

Personal identifiers are never stored in clear: identity numbers and phones are kept as a keyed
hash (HMAC-SHA256, see ``queries.crypto``) for look-ups plus a masked form for display.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.catalogue import (INTERNAL, OWN_CASE_MGMT, OWN_CRIMINAL, OWN_EXECUTION, OWN_PIL, OWN_SECURITY,
                              OWN_TECH, PUBLIC, SENSITIVE, SRC_CASES, SRC_MODELS, SRC_REFERENCE,
                              SRC_SENTENCING, SRC_SUPERVISION, SRC_SYSTEM, SRC_WATER, declare)


class Base(DeclarativeBase):
    pass


# --------------------------------------------------------------------------- organisation


class District(Base):
    """One of Shanghai's 16 districts; ``id`` is the GB/T 2260 adcode, geometry is real (WGS84)."""

    __tablename__ = "district"
    __catalogue__ = declare("行政区划", SRC_REFERENCE, OWN_TECH, "参考数据", PUBLIC)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name_zh: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    label_lon: Mapped[float] = mapped_column(Float)
    label_lat: Mapped[float] = mapped_column(Float)
    geojson: Mapped[str] = mapped_column(Text)  # the Feature's geometry, GeoJSON text


class Procuratorate(Base):
    __tablename__ = "procuratorate"
    __catalogue__ = declare("检察院", SRC_REFERENCE, OWN_CASE_MGMT, "参考数据", PUBLIC)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10))  # 市院 / 分院 / 区院
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))


class Department(Base):
    __tablename__ = "department"
    __catalogue__ = declare("内设部门", SRC_REFERENCE, OWN_CASE_MGMT, "参考数据", INTERNAL)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procuratorate_id: Mapped[int] = mapped_column(ForeignKey("procuratorate.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    function: Mapped[str] = mapped_column(String(10))  # 刑事 / 民事 / 行政 / 公益诉讼


class AppUser(Base):
    """Staff and lawyer accounts. Parties do not have accounts (they log in by SMS); screens log in
    with a device key (``ScreenKey``). A staff account's roles are in ``user_role``; ``role`` keeps
    its main role (``lawyer`` for lawyers)."""

    __tablename__ = "app_user"
    __catalogue__ = declare("用户账号", SRC_SYSTEM, OWN_SECURITY, "按需", SENSITIVE, updated="created_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))  # admin/leader/prosecutor/supervision/screen/lawyer
    procuratorate_id: Mapped[int | None] = mapped_column(ForeignKey("procuratorate.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # Argon2id
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    law_firm: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(200))  # encrypted (AES-GCM), never clear
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # a code is accepted once
    sso_subject: Mapped[str | None] = mapped_column(String(120), unique=True)  # the IdP's claim value


class UserRole(Base):
    """The roles a staff account holds (``domain.access.ROLE_NAMES``)."""

    __tablename__ = "user_role"
    __catalogue__ = declare("账号角色", SRC_SYSTEM, OWN_SECURITY, "按需", INTERNAL)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class ScreenKey(Base):
    """A smart screen's device key: random, shown once, stored as a keyed hash, bound to one
    procuratorate's scope, revocable."""

    __tablename__ = "screen_key"
    __catalogue__ = declare("大屏密钥", SRC_SYSTEM, OWN_SECURITY, "按需", INTERNAL, updated="created_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to tell keys apart
    procuratorate_id: Mapped[int] = mapped_column(ForeignKey("procuratorate.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(60))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(60))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- people


class Person(Base):
    """A natural person in a case (suspect, victim, relative). ID number only as hash + mask."""

    __tablename__ = "person"
    __catalogue__ = declare("自然人", SRC_CASES, OWN_CASE_MGMT, "每日", SENSITIVE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # random, safe to show in URLs
    full_name: Mapped[str] = mapped_column(String(40))
    name_masked: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str | None] = mapped_column(String(2))
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_masked: Mapped[str] = mapped_column(String(20))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))


# --------------------------------------------------------------------------- cases


class Case(Base):
    """A case accepted by a procuratorate (one row per 案): its file, stage and stage dates.

    Decisions about people live in ``Suspect`` (one row each, ``suspects`` of them); the case's own
    arrest/prosecution/plea columns are its summary for the case flow and the portal, and no
    indicator reads them.
    """

    __tablename__ = "case"
    __catalogue__ = declare("案件", SRC_CASES, OWN_CASE_MGMT, "实时", INTERNAL, updated="stage_entered_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    procuratorate_id: Mapped[int] = mapped_column(ForeignKey("procuratorate.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    function: Mapped[str] = mapped_column(String(10))  # 刑事 / 民事 / 行政 / 公益诉讼
    charge: Mapped[str | None] = mapped_column(String(60))  # criminal cases: main charge
    cause: Mapped[str | None] = mapped_column(String(60))  # other functions: 案由
    stage: Mapped[str] = mapped_column(String(20))
    stage_entered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    accepted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    suspects: Mapped[int] = mapped_column(Integer, default=1)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)  # 承办检察官
    # arrest review
    arrest_review_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    arrest_decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    arrest_decision: Mapped[str | None] = mapped_column(String(10))  # 批准逮捕 / 不批准逮捕
    detained: Mapped[bool] = mapped_column(Boolean, default=False)  # in custody when accepted
    # prosecution review
    prosecution_review_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    returns_count: Mapped[int] = mapped_column(Integer, default=0)  # 退回补充侦查, at most 2
    extensions_count: Mapped[int] = mapped_column(Integer, default=0)  # 延长审查起诉期限
    prosecution_decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    prosecution_decision: Mapped[str | None] = mapped_column(String(10))  # 起诉 / 不起诉
    non_prosecution_type: Mapped[str | None] = mapped_column(String(10))  # 法定/酌定/存疑/附条件
    # plea and sentencing recommendation
    plea_leniency: Mapped[bool] = mapped_column(Boolean, default=False)
    sentencing_rec_kind: Mapped[str | None] = mapped_column(String(10))  # 确定刑 / 幅度刑
    sentencing_rec_months: Mapped[int | None] = mapped_column(Integer)
    # court
    trial_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    judgment_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rec_adopted: Mapped[bool | None] = mapped_column(Boolean)
    appealed: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    handling_department: Mapped[str | None] = mapped_column(String(40))
    compulsory_measure: Mapped[str | None] = mapped_column(String(20))  # 逮捕/取保候审/监视居住
    juvenile: Mapped[bool] = mapped_column(Boolean, default=False)
    # procedure and origin set the legal time limits (CPL arts. 91, 170, 172; domain.procedure)
    procedure: Mapped[str | None] = mapped_column(String(4))  # 普通 / 简易 / 速裁 (criminal cases)
    origin: Mapped[str | None] = mapped_column(String(10))  # 公安机关 / 监察机关 / 检察机关
    complex_case: Mapped[bool] = mapped_column(Boolean, default=False)  # 重大、复杂 (Rules art. 282)
    over_one_year: Mapped[bool] = mapped_column(Boolean, default=False)  # likely sentence > 1 year (art. 172)
    town: Mapped[str | None] = mapped_column(String(20))  # 街道 / 镇 where it happened (类案 clusters)

    __table_args__ = (
        Index("ix_case_accepted", "accepted_at", "district_id"),
        Index("ix_case_district_accepted", "district_id", "accepted_at"),
        Index("ix_case_stage", "stage", "district_id"),
        Index("ix_case_charge", "charge"),
        Index("ix_case_arrest_decided", "arrest_decided_at"),
        Index("ix_case_prosecution_decided", "prosecution_decided_at"),
        Index("ix_case_judgment", "judgment_at"),
        # case statistics (queries/cases.py, migrations 0002_cases, 0003_cases_cover): covering
        # indexes so each period aggregate is an index-only range scan
        Index("ix_case_closed", "closed_at"),
        Index("ix_case_cov_accepted", "accepted_at", "district_id", "function", "charge", "stage"),
        Index("ix_case_cov_arrest_review", "arrest_review_at", "district_id", "function", "charge", "stage"),
        Index("ix_case_cov_pros_review", "prosecution_review_at", "district_id", "function", "charge",
              "stage", "arrest_decision"),
        Index("ix_case_cov_arrest_decided", "arrest_decided_at", "district_id", "function", "charge",
              "stage", "arrest_decision", "suspects"),
        Index("ix_case_cov_pros_decided", "prosecution_decided_at", "district_id", "function", "charge",
              "stage", "prosecution_decision", "plea_leniency", "arrest_decision", "suspects"),
        Index("ix_case_charge_town", "charge", "district_id", "town", "accepted_at"),
        Index("ix_case_cov_judgment", "judgment_at", "district_id", "function", "charge", "stage",
              "sentencing_rec_kind", "rec_adopted"),
    )


class CaseEvent(Base):
    """The live stream: every acceptance, stage change and procedural step of a case."""

    __tablename__ = "case_event"
    __catalogue__ = declare("案件流程节点", SRC_CASES, OWN_CASE_MGMT, "实时", INTERNAL, updated="occurred_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    event_type: Mapped[str] = mapped_column(String(20))  # 受理/批捕/不批捕/退查/延长/起诉/...
    stage_from: Mapped[str | None] = mapped_column(String(20))
    stage_to: Mapped[str | None] = mapped_column(String(20))
    counts_as_matter: Mapped[bool] = mapped_column(Boolean, default=False)  # adds a 件 (案件比)
    note: Mapped[str | None] = mapped_column(String(200))  # never personal data

    __table_args__ = (
        Index("ix_event_occurred", "occurred_at"),
        Index("ix_event_district_occurred", "district_id", "occurred_at"),
        Index("ix_event_matter", "counts_as_matter", "occurred_at", "district_id"),  # 案件比 (0002_cases)
        Index("ix_event_type_occurred", "event_type", "occurred_at", "district_id", "case_id"),  # 案件比 (0010)
        UniqueConstraint("case_id", "event_type", "occurred_at", name="uq_event_natural"),
    )


class Suspect(Base):
    """One suspect's own procedural record in one criminal case (issue 12): the SPP counts persons,
    and each suspect is arrested or not, prosecuted or not, pleads or not, on their own. Vocabulary in
    ``domain.procedure``; the case-quality indicators (``domain.indicators``) are counted from here.
    ``district_id`` repeats the case's, so that scope and period filters use one index."""

    __tablename__ = "suspect"
    __catalogue__ = declare("犯罪嫌疑人处理情况", SRC_CASES, OWN_CRIMINAL, "每日", SENSITIVE, updated="prosecution_decided_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the case
    juvenile: Mapped[bool] = mapped_column(Boolean, default=False)  # under 18 at the time of the crime
    # arrest review (CPL arts. 87–91; Rules art. 282)
    arrest_review_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    arrest_decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    arrest_decision: Mapped[str | None] = mapped_column(String(10))  # domain.procedure.ARREST_DECISIONS
    arrest_decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # plea and sentencing recommendation (CPL arts. 15, 174, 176)
    plea: Mapped[bool] = mapped_column(Boolean, default=False)  # 认罪认罚 (signed 具结书)
    rec_kind: Mapped[str | None] = mapped_column(String(4))  # 确定刑 / 幅度刑
    rec_months: Mapped[int | None] = mapped_column(Integer)  # the term, or a range's lower end
    rec_months_hi: Mapped[int | None] = mapped_column(Integer)  # a range's upper end
    # prosecution decision (CPL arts. 172–177)
    prosecution_decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    prosecution_decision: Mapped[str | None] = mapped_column(String(4))  # 起诉 / 不起诉
    non_prosecution_type: Mapped[str | None] = mapped_column(String(10))
    # judgment of first instance
    judgment_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    judgment_kind: Mapped[str | None] = mapped_column(String(10))  # domain.procedure.JUDGMENT_KINDS
    judgment_months: Mapped[int | None] = mapped_column(Integer)
    probation: Mapped[bool] = mapped_column(Boolean, default=False)  # 缓刑
    rec_adopted: Mapped[bool | None] = mapped_column(Boolean)  # the court adopted the recommendation

    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_suspect_case_seq"),
        # the indicators (queries/cases.py, migration 0010_indicator_indexes): index-only period aggregates
        Index("ix_suspect_cov_arrest_decided", "arrest_decided_at", "district_id", "arrest_decision", "case_id"),
        Index("ix_suspect_cov_pros_decided", "prosecution_decided_at", "district_id", "prosecution_decision",
              "plea", "arrest_decision", "case_id"),
        Index("ix_suspect_cov_judgment", "judgment_at", "district_id", "plea", "rec_kind", "rec_adopted", "case_id"),
        Index("ix_suspect_case_arrest", "case_id", "arrest_decision", "arrest_decided_at"),
    )


class CustodyPeriod(Base):
    """A suspect's custody status over time: one row per spell of 拘留, 逮捕, 取保候审, 监视居住 or 释放
    (``ended_at`` NULL while it lasts)."""

    __tablename__ = "custody_period"
    __catalogue__ = declare("羁押与强制措施", SRC_CASES, OWN_CRIMINAL, "每日", SENSITIVE, updated="started_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suspect_id: Mapped[int] = mapped_column(ForeignKey("suspect.id"), index=True)
    measure: Mapped[str] = mapped_column(String(6))  # domain.procedure.CUSTODY_MEASURES
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("suspect_id", "measure", "started_at", name="uq_custody_natural"),)


class CaseParty(Base):
    __tablename__ = "case_party"
    __catalogue__ = declare("案件当事人", SRC_CASES, OWN_CASE_MGMT, "每日", SENSITIVE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # 犯罪嫌疑人 / 被害人 / 近亲属
    __table_args__ = (UniqueConstraint("case_id", "person_id", "role"),)


class LawyerBinding(Base):
    """A lawyer's request to follow a case; a prosecutor approves it before anything is shown."""

    __tablename__ = "lawyer_binding"
    __catalogue__ = declare("律师关联申请", SRC_SYSTEM, OWN_CASE_MGMT, "按需", SENSITIVE, updated="requested_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    client_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    papers: Mapped[str | None] = mapped_column(Text)  # description of the authorisation papers
    status: Mapped[str] = mapped_column(String(10))  # 待审核 / 已批准 / 已驳回 / 已解除
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


# --------------------------------------------------------------------------- sentencing


SENTENCING_FLAGS = ("c_surrender", "c_confession", "c_recidivist", "c_prior_record", "c_forgiveness",
                    "c_compensation", "c_attempt", "c_accomplice", "c_plea")


class SentencingRecord(Base):
    """One judgment's sentence: real CAIL2018 rows (no year) or calibrated synthetic dated rows."""

    __tablename__ = "sentencing_record"
    __catalogue__ = declare("裁判量刑记录", SRC_SENTENCING, OWN_CRIMINAL, "按需", INTERNAL)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # CAIL2018 / synthetic / import
    source_ref: Mapped[str] = mapped_column(String(80))
    charge: Mapped[str] = mapped_column(String(60))  # first (or only) charge
    charges_all: Mapped[str] = mapped_column(String(200))
    single_charge: Mapped[bool] = mapped_column(Boolean)
    articles: Mapped[str | None] = mapped_column(String(60))
    months: Mapped[int | None] = mapped_column(Integer)  # custodial term; NULL for life/death
    life: Mapped[bool] = mapped_column(Boolean, default=False)
    death: Mapped[bool] = mapped_column(Boolean, default=False)
    fine_yuan: Mapped[int | None] = mapped_column(Integer)
    probation: Mapped[bool | None] = mapped_column(Boolean)  # NULL = not recorded (CAIL)
    judgment_year: Mapped[int | None] = mapped_column(Integer)  # NULL = unknown (CAIL)
    tier: Mapped[int | None] = mapped_column(Integer)  # guideline starting-point tier, if known
    circumstances_from: Mapped[str] = mapped_column(String(10))  # text / recorded
    c_surrender: Mapped[bool] = mapped_column(Boolean, default=False)  # 自首
    c_confession: Mapped[bool] = mapped_column(Boolean, default=False)  # 坦白 / 如实供述
    c_recidivist: Mapped[bool] = mapped_column(Boolean, default=False)  # 累犯
    c_prior_record: Mapped[bool] = mapped_column(Boolean, default=False)  # 前科
    c_forgiveness: Mapped[bool] = mapped_column(Boolean, default=False)  # 谅解
    c_compensation: Mapped[bool] = mapped_column(Boolean, default=False)  # 赔偿
    c_attempt: Mapped[bool] = mapped_column(Boolean, default=False)  # 未遂
    c_accomplice: Mapped[bool] = mapped_column(Boolean, default=False)  # 从犯
    c_plea: Mapped[bool] = mapped_column(Boolean, default=False)  # 认罪认罚
    fact_excerpt: Mapped[str | None] = mapped_column(Text)
    # a judgment in one of this procuratorate's own cases: the defendant, and the amount where the
    # charge's guideline counts one (量刑偏离 model)
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("suspect.id"), index=True)
    amount_yuan: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_sentencing_source"),
        Index("ix_sentencing_charge", "charge", "single_charge", "months"),
        Index("ix_sentencing_charge_year", "charge", "judgment_year"),
        # covering indexes of the ruler's queries (queries/sentencing.py; migrations 0002_sentencing and
        # 0011_sentencing_probation, which added probation for the kinds of sentence)
        Index("ix_sentencing_cover", "charge", "single_charge", "source", "months", "life", "death",
              "judgment_year", *SENTENCING_FLAGS, "probation"),
        Index("ix_sentencing_year_cover", "charge", "single_charge", "judgment_year", "months", "source",
              *SENTENCING_FLAGS, "probation"),
        Index("ix_sentencing_source", "source", "single_charge", "charge"),
    )


# --------------------------------------------------------------------------- supervision


class SupervisedPerson(Base):
    """Someone charged but not detained (取保候审 / 监视居住), supervised digitally."""

    __tablename__ = "supervised_person"
    __catalogue__ = declare("非羁押监管对象", SRC_SUPERVISION, OWN_EXECUTION, "实时", SENSITIVE, updated="last_ping_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_code: Mapped[str] = mapped_column(String(20), unique=True)  # shown instead of the name
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    measure: Mapped[str] = mapped_column(String(10))  # 取保候审 / 监视居住
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # 在管 / 已解除 / 已转出
    home_district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    prosecutor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    risk_code: Mapped[str] = mapped_column(String(6), default="green")  # green / yellow / red
    risk_reasons: Mapped[str | None] = mapped_column(Text)
    first_offender: Mapped[bool] = mapped_column(Boolean, default=True)
    confessed: Mapped[bool] = mapped_column(Boolean, default=True)
    absconded: Mapped[bool] = mapped_column(Boolean, default=False)
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # A release (解除) is requested by one officer and approved by another (four eyes).
    release_requested_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    release_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    release_reason: Mapped[str | None] = mapped_column(String(300))
    # latest position, kept by the ping writer so "everyone's latest position" is one indexed read
    last_ping_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_lon: Mapped[float | None] = mapped_column(Float)
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_accuracy_m: Mapped[float | None] = mapped_column(Float)


class Device(Base):
    __tablename__ = "device"
    __catalogue__ = declare("监管设备", SRC_SUPERVISION, OWN_EXECUTION, "实时", INTERNAL, updated="last_seen_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # 手机 / 手环
    supervised_id: Mapped[int | None] = mapped_column(ForeignKey("supervised_person.id"), index=True)
    battery_pct: Mapped[int | None] = mapped_column(Integer)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default="在用")  # 在用 / 库存 / 停用


class DeviceAssignment(Base):
    __tablename__ = "device_assignment"
    __catalogue__ = declare("设备佩戴记录", SRC_SUPERVISION, OWN_EXECUTION, "按需", INTERNAL, updated="assigned_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"), index=True)
    supervised_id: Mapped[int] = mapped_column(ForeignKey("supervised_person.id"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LocationPing(Base):
    """A position report (WGS84). ``accuracy_m`` is the device's reported radius."""

    __tablename__ = "location_ping"
    __catalogue__ = declare("定位轨迹", SRC_SUPERVISION, OWN_EXECUTION, "实时", SENSITIVE, updated="ts")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervised_id: Mapped[int] = mapped_column(ForeignKey("supervised_person.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"))
    ts: Mapped[dt.datetime] = mapped_column(DateTime)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float, default=20.0)
    battery_pct: Mapped[int | None] = mapped_column(Integer)
    band_separated: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_ping_person_ts", "supervised_id", "ts"),
        Index("ix_ping_ts", "ts"),
    )


class Fence(Base):
    """A polygon: the home fence (default: the real home-district boundary) or a banned zone."""

    __tablename__ = "fence"
    __catalogue__ = declare("电子围栏", SRC_SUPERVISION, OWN_EXECUTION, "按需", SENSITIVE)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervised_id: Mapped[int | None] = mapped_column(ForeignKey("supervised_person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # home / banned
    name: Mapped[str] = mapped_column(String(60))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    geojson: Mapped[str | None] = mapped_column(Text)  # NULL = the district's own boundary


class CheckinTask(Base):
    __tablename__ = "checkin_task"
    __catalogue__ = declare("签到任务", SRC_SUPERVISION, OWN_EXECUTION, "每日", SENSITIVE, updated="answered_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervised_id: Mapped[int] = mapped_column(ForeignKey("supervised_person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(6))  # 定时 / 随机
    scheduled_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    verify_result: Mapped[str | None] = mapped_column(String(10))  # 通过 / 未通过
    status: Mapped[str] = mapped_column(String(10))  # 待签到 / 已签到 / 未签到
    __table_args__ = (Index("ix_checkin_due", "status", "due_at"),)


class LeaveRequest(Base):
    __tablename__ = "leave_request"
    __catalogue__ = declare("外出请假", SRC_SUPERVISION, OWN_EXECUTION, "按需", SENSITIVE, updated="requested_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervised_id: Mapped[int] = mapped_column(ForeignKey("supervised_person.id"), index=True)
    destination: Mapped[str] = mapped_column(String(80))
    dest_district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    dest_geojson: Mapped[str | None] = mapped_column(Text)  # polygon outside Shanghai, if any
    start_at: Mapped[dt.datetime] = mapped_column(DateTime)
    end_at: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))  # 待审批 / 已批准 / 已驳回 / 已返回
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(String(200))
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Alert(Base):
    """One alert per person and cause while open (``open_key`` is unique among open alerts)."""

    __tablename__ = "alert"
    __catalogue__ = declare("监管预警", SRC_SUPERVISION, OWN_EXECUTION, "实时", SENSITIVE, updated="raised_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervised_id: Mapped[int] = mapped_column(ForeignKey("supervised_person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # 越界/未签到/设备离线/低电量/人机分离/进入禁区/逾期未返
    severity: Mapped[str] = mapped_column(String(6))  # 高 / 中 / 低
    status: Mapped[str] = mapped_column(String(6))  # 新 / 已确认 / 已关闭
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime)
    evidence: Mapped[str | None] = mapped_column(Text)  # JSON: pings / task behind it
    open_key: Mapped[str | None] = mapped_column(String(60), unique=True)  # NULL once closed
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    close_note: Mapped[str | None] = mapped_column(String(200))
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_alert_status_raised", "status", "raised_at"),)


# --------------------------------------------------------------------------- rivers


class River(Base):
    __tablename__ = "river"
    __catalogue__ = declare("河道", SRC_WATER, OWN_PIL, "参考数据", PUBLIC)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(6))  # 市级 / 区级 / 镇级 / 农场级 / 村级
    length_km: Mapped[float] = mapped_column(Float)
    town: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    geojson: Mapped[str] = mapped_column(Text)  # simplified LineString, WGS84
    river_chief: Mapped[str] = mapped_column(String(40))  # name + post (public office, not masked)
    prosecutor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class MonitoringSite(Base):
    __tablename__ = "monitoring_site"
    __catalogue__ = declare("水质监测点", SRC_WATER, OWN_PIL, "参考数据", PUBLIC)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    river_id: Mapped[int] = mapped_column(ForeignKey("river.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class WaterSample(Base):
    """Monthly sample; ``water_class`` (1–6, 6 = 劣V) is computed by ``domain.water`` on write."""

    __tablename__ = "water_sample"
    __catalogue__ = declare("水质监测数据", SRC_WATER, OWN_PIL, "每月", PUBLIC, updated="sampled_on")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("monitoring_site.id"))
    river_id: Mapped[int] = mapped_column(ForeignKey("river.id"))
    sampled_on: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, for grouping on both engines
    do_mg: Mapped[float | None] = mapped_column(Float)
    codmn: Mapped[float | None] = mapped_column(Float)
    cod: Mapped[float | None] = mapped_column(Float)
    bod5: Mapped[float | None] = mapped_column(Float)
    nh3n: Mapped[float | None] = mapped_column(Float)
    tp: Mapped[float | None] = mapped_column(Float)
    tn: Mapped[float | None] = mapped_column(Float)
    ph: Mapped[float | None] = mapped_column(Float)
    water_class: Mapped[int | None] = mapped_column(Integer)
    main_pollutants: Mapped[str | None] = mapped_column(String(60))
    __table_args__ = (
        UniqueConstraint("site_id", "month", name="uq_sample_site_month"),
        Index("ix_sample_river_month", "river_id", "month"),
        Index("ix_sample_month", "month", "river_id"),
    )


class PilCase(Base):
    """Public-interest case (公益诉讼), linked to a river where it is about water."""

    __tablename__ = "pil_case"
    __catalogue__ = declare("公益诉讼案件", SRC_CASES, OWN_PIL, "每日", INTERNAL, updated="stage_entered_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    river_id: Mapped[int | None] = mapped_column(ForeignKey("river.id"), index=True)
    procuratorate_id: Mapped[int] = mapped_column(ForeignKey("procuratorate.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    source: Mapped[str] = mapped_column(String(20))  # 河长办移送 / 自行发现 / 水质线索
    stage: Mapped[str] = mapped_column(String(10))  # 线索/立案/调查/磋商/诉前建议/跟进/起诉/结案
    summary: Mapped[str] = mapped_column(String(200))
    clue_at: Mapped[dt.datetime] = mapped_column(DateTime)
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stage_entered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))


class ProcuratorialSuggestion(Base):
    __tablename__ = "procuratorial_suggestion"
    __catalogue__ = declare("检察建议", SRC_CASES, OWN_PIL, "按需", INTERNAL, updated="issued_on")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_no: Mapped[str] = mapped_column(String(40), unique=True)
    pil_case_id: Mapped[int | None] = mapped_column(ForeignKey("pil_case.id"), index=True)
    river_id: Mapped[int | None] = mapped_column(ForeignKey("river.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(60))  # the agency
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    reply_due: Mapped[dt.date] = mapped_column(Date)  # two months, or 15 days in an emergency
    replied_on: Mapped[dt.date | None] = mapped_column(Date)
    rectified_on: Mapped[dt.date | None] = mapped_column(Date)
    content: Mapped[str] = mapped_column(String(300))


# --------------------------------------------------------------------------- supervision models


class ModelHit(Base):
    """One hit (线索) of a legal-supervision model (``domain.models``), raised once: unique by model
    and the hit's natural key, so a rerun over the same data adds nothing. ``version`` is the model
    version that found it. ``evidence`` is JSON with ids, codes and masked values only, never a name
    or an identity number; ``group_key`` lets hits be counted by pattern (e.g. stage/department)."""

    __tablename__ = "model_hit"
    __catalogue__ = declare("法律监督线索", SRC_MODELS, OWN_CASE_MGMT, "按需", INTERNAL, updated="found_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_key: Mapped[str] = mapped_column(String(40))
    hit_key: Mapped[str] = mapped_column(String(120))  # natural key, e.g. "sp:12/case:345"
    version: Mapped[str] = mapped_column(String(12))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("model_run.id"))
    found_at: Mapped[dt.datetime] = mapped_column(DateTime)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    group_key: Mapped[str | None] = mapped_column(String(80))
    evidence: Mapped[str] = mapped_column(Text)  # JSON, no clear personal data
    # the clue's life (domain.clues): 待分流 → 核查中 → 成案 / 不成案 / 移送, with its deadline and handler
    state: Mapped[str] = mapped_column(String(6), default="待分流", server_default="待分流")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # a decision is due by then
    state_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome_kind: Mapped[str | None] = mapped_column(String(6))  # 成案: 立案 / 检察建议
    outcome_ref: Mapped[str | None] = mapped_column(String(80))  # case or suggestion no.; 移送: the body
    reason: Mapped[str | None] = mapped_column(String(200))  # 不成案 reason, or the decision's note
    quality_note: Mapped[str | None] = mapped_column(Text)  # JSON: input checks failing when found

    __table_args__ = (
        UniqueConstraint("model_key", "hit_key", name="uq_model_hit_natural"),
        Index("ix_model_hit_model_found", "model_key", "found_at"),
        Index("ix_model_hit_district", "district_id", "model_key"),
        Index("ix_model_hit_state", "state", "model_key", "due_at"),
        Index("ix_model_hit_assignee", "assignee_id", "state"),
    )


class ClueHistory(Base):
    """Every change of a clue's state or assignee: who, when, from what to what, and the note."""

    __tablename__ = "clue_history"
    __catalogue__ = declare("线索处理记录", SRC_MODELS, OWN_CASE_MGMT, "按需", INTERNAL, updated="at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hit_id: Mapped[int] = mapped_column(ForeignKey("model_hit.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(6))
    to_state: Mapped[str] = mapped_column(String(6))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(String(200))


class ModelConfig(Base):
    """A model's parameters as this installation set them (changed on the page, or imported from
    another procuratorate's export): the newest active row per model is in effect. ``definition``
    is the exported file's definition as imported (JSON), kept for the record."""

    __tablename__ = "model_config"
    __catalogue__ = declare("模型参数配置", SRC_MODELS, OWN_TECH, "按需", INTERNAL, updated="created_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_key: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(12))
    param_values: Mapped[str] = mapped_column(Text)  # JSON {name: value}
    source: Mapped[str] = mapped_column(String(120))  # 本院调整 / 导入：<file>
    definition: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (Index("ix_model_config_key", "model_key", "created_at"),)


class QualityResult(Base):
    """One data-quality check's outcome in one run (run with the models): rows checked and failing."""

    __tablename__ = "quality_result"
    __catalogue__ = declare("数据质量检查结果", SRC_MODELS, OWN_TECH, "按需", INTERNAL, updated="run_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_at: Mapped[dt.datetime] = mapped_column(DateTime)
    dataset: Mapped[str] = mapped_column(String(40))  # a table name
    check_key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(6))  # 完整性 / 有效性 / 及时性 / 一致性
    checked: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_quality_result_dataset", "dataset", "run_at"),)


class ModelRun(Base):
    """One run of one model: the version run, when, hits the query found and hits new to the table."""

    __tablename__ = "model_run"
    __catalogue__ = declare("模型运行记录", SRC_MODELS, OWN_TECH, "按需", INTERNAL, updated="started_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_key: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    hits_found: Mapped[int] = mapped_column(Integer, default=0)
    new_hits: Mapped[int] = mapped_column(Integer, default=0)
    watermark: Mapped[str | None] = mapped_column(Text)  # JSON: what the inputs looked like at the run
    __table_args__ = (Index("ix_model_run_model_started", "model_key", "started_at"),)


# --------------------------------------------------------------------------- documents & portal


class Document(Base):
    __tablename__ = "document"
    __catalogue__ = declare("法律文书", SRC_CASES, OWN_CASE_MGMT, "每日", SENSITIVE, updated="issued_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # random; never a sequence
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    procuratorate_id: Mapped[int] = mapped_column(ForeignKey("procuratorate.id"))
    doc_type: Mapped[str] = mapped_column(String(30))  # 权利义务告知书 / 取保候审决定书 / 不起诉决定书
    doc_no: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    body: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)


class DocumentRecipient(Base):
    """Who a document is served on; ``served_at`` is the electronic service receipt."""

    __tablename__ = "document_recipient"
    __catalogue__ = declare("文书送达", SRC_SYSTEM, OWN_CASE_MGMT, "每日", SENSITIVE, updated="notified_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    notified_at: Mapped[dt.datetime] = mapped_column(DateTime)
    served_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # first opened
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # receipt confirmed


class OtpChallenge(Base):
    """One SMS code: stored only as a keyed hash, bound to the subject that asked for it."""

    __tablename__ = "otp_challenge"
    __catalogue__ = declare("短信验证码", SRC_SYSTEM, OWN_SECURITY, "按需", SENSITIVE, updated="created_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_hash: Mapped[str] = mapped_column(String(64), index=True)  # HMAC of the ID number/user
    request_id: Mapped[str] = mapped_column(String(32), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)  # False: pair not on record


class LoginLock(Base):
    __tablename__ = "login_lock"
    __catalogue__ = declare("登录锁定", SRC_SYSTEM, OWN_SECURITY, "按需", SENSITIVE)
    subject_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SmsOutbox(Base):
    """What the development SMS sender "sent"; the operator reads it. Never logged elsewhere."""

    __tablename__ = "sms_outbox"
    __catalogue__ = declare("短信发件箱", SRC_SYSTEM, OWN_SECURITY, "按需", SENSITIVE, updated="created_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone_masked: Mapped[str] = mapped_column(String(20))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditLog(Base):
    """Who did what, when, with what result (等保 level 3). Actor is stored masked."""

    __tablename__ = "audit_log"
    __catalogue__ = declare("审计日志", SRC_SYSTEM, OWN_SECURITY, "实时", INTERNAL, updated="at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(60))
    actor_role: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(80))
    result: Mapped[str] = mapped_column(String(20))  # 成功 / 失败 / 拒绝 / 锁定
    detail: Mapped[str | None] = mapped_column(String(300))
    actor_procuratorate: Mapped[str | None] = mapped_column(String(60))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))  # the chain: see queries.audit
    row_hash: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_at", "at"), Index("ix_audit_event_at", "event", "at"))


class AuditChain(Base):
    """One row: the chain's head (last id and hash) and its base after a purge, so that deleting
    the newest rows or editing the base is detected too."""

    __tablename__ = "audit_chain"
    __catalogue__ = declare("审计哈希链", SRC_SYSTEM, OWN_SECURITY, "实时", INTERNAL)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    base_id: Mapped[int] = mapped_column(Integer, default=0)  # rows with id <= base_id were purged
    base_hash: Mapped[str] = mapped_column(String(64))
    exported_through: Mapped[int] = mapped_column(Integer, default=0)  # a purge needs an export first


class ImportBatch(Base):
    """Each imported file by content hash, so re-importing the same file changes nothing."""

    __tablename__ = "import_batch"
    __catalogue__ = declare("导入批次", SRC_SYSTEM, OWN_TECH, "按需", INTERNAL, updated="imported_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    rows_written: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("kind", "file_sha256", name="uq_import_file"),)


class DataVersion(Base):
    """A single-row heartbeat: the live writer bumps it so screens can ask "anything new?" cheaply."""

    __tablename__ = "data_version"
    __catalogue__ = declare("数据版本", SRC_SYSTEM, OWN_TECH, "实时", INTERNAL, updated="updated_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    scale: Mapped[str | None] = mapped_column(String(10))  # which sample scale built it


class DatabaseIdentity(Base):
    """One row written when the database is created: every serving process checks it on connect, so
    a file or schema swapped underneath is detected instead of served (``queries.db``)."""

    __tablename__ = "db_identity"
    __catalogue__ = declare("数据库标识", SRC_SYSTEM, OWN_TECH, "参考数据", INTERNAL, updated="created_at")
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


metadata = Base.metadata

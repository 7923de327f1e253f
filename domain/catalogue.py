"""The data catalogue's vocabulary (issue 13, "data under one set of rules"): what every table
declares about itself where it is defined (``queries.schema``: a ``__catalogue__`` class attribute),
the sensitivity rule a declaration must obey, and the quality score.

Why declared beside the table and not in a document: the catalogue page is generated from the schema,
the model definitions and the pages' code, so a new table without a declaration fails a test instead
of silently missing from the catalogue. Pure: no SQL, no Streamlit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# ------------------------------------------------------------------ sensitivity (PIPL arts. 28-29)
PUBLIC, INTERNAL, SENSITIVE = "公开", "内部", "敏感个人信息"
SENSITIVITIES: tuple[str, ...] = (PUBLIC, INTERNAL, SENSITIVE)  # ascending
SENSITIVITY_EN = {PUBLIC: "Public", INTERNAL: "Internal", SENSITIVE: "Sensitive personal information"}

# Columns that identify a natural person (names, identity numbers or their hashes and masks, phones):
# a table holding any of them is 敏感个人信息 — criminal records and identity numbers are sensitive
# personal information under PIPL art. 28, and a hash of an ID number still identifies the person.
PERSONAL_COLUMNS: frozenset[str] = frozenset({
    "full_name", "name_masked", "id_hash", "id_masked", "phone_hash", "phone_masked", "subject_hash",
})

# ------------------------------------------------------------------ update frequency
# name → how old the newest row may be before the feed counts as late (the period plus a grace:
# a monthly sample is reported within the following month). None: reference data, no timeliness.
FREQUENCIES: dict[str, float | None] = {
    "实时": 1.0, "每日": 2.0, "每周": 9.0, "每月": 62.0, "按需": None, "参考数据": None,
}
FREQUENCY_EN = {"实时": "Live", "每日": "Daily", "每周": "Weekly", "每月": "Monthly", "按需": "On demand",
                "参考数据": "Reference data"}

# ------------------------------------------------------------------ sources and owners (one spelling each)
SRC_CASES = "检察业务应用系统（导入/实时接入）"
SRC_SYSTEM = "本系统运行产生"
SRC_SUPERVISION = "非羁押人员数字监管平台"
SRC_WATER = "区生态环境局 / 河长办水质监测"
SRC_SENTENCING = "裁判文书（CAIL2018 公开数据集）与本院判决"
SRC_REFERENCE = "国家标准与机构设置（GB/T 2260 等）"
SRC_MODELS = "法律监督模型运行"

OWN_CASE_MGMT = "案件管理部"
OWN_CRIMINAL = "第二检察部（刑事检察）"
OWN_EXECUTION = "刑事执行检察部"
OWN_PIL = "公益诉讼检察部"
OWN_TECH = "检察技术信息部门"
OWN_SECURITY = "安全保密管理"


@dataclass(frozen=True)
class Declaration:
    """What a table says about itself: where its rows come from, who answers for them, how often
    they change, how sensitive they are, and which column tells the last update (None: none has)."""

    zh: str  # the data set's name
    source: str
    owner: str
    frequency: str
    sensitivity: str
    updated: str | None = None  # a timestamp column; the newest value is the last update

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"{self.zh}: unknown frequency {self.frequency!r}")
        if self.sensitivity not in SENSITIVITIES:
            raise ValueError(f"{self.zh}: unknown sensitivity {self.sensitivity!r}")

    @property
    def max_age(self) -> dt.timedelta | None:
        days = FREQUENCIES[self.frequency]
        return None if days is None else dt.timedelta(days=days)


def declare(zh: str, source: str, owner: str, frequency: str, sensitivity: str,
            updated: str | None = None) -> Declaration:
    """The one call a table's class makes (``__catalogue__ = declare(...)``)."""
    return Declaration(zh, source, owner, frequency, sensitivity, updated)


def minimum_sensitivity(columns: set[str] | frozenset[str]) -> str:
    """The least sensitivity a table with these columns may declare: 敏感个人信息 when any column
    identifies a person, else 公开 (the declaration may always be stricter)."""
    return SENSITIVE if set(columns) & PERSONAL_COLUMNS else PUBLIC


def sensitivity_problem(table: str, declared: str, columns: set[str] | frozenset[str]) -> str | None:
    """Why a declaration is too lax for its columns, or None."""
    need = minimum_sensitivity(columns)
    if SENSITIVITIES.index(declared) < SENSITIVITIES.index(need):
        found = "、".join(sorted(set(columns) & PERSONAL_COLUMNS))
        return f"{table}：含个人身份列（{found}），应为“{need}”，声明为“{declared}”"
    return None


def is_late(last_update: dt.datetime | None, frequency: str, now: dt.datetime) -> bool | None:
    """Whether a feed is late: its newest row older than the frequency allows. None (not judged)
    when the frequency has no limit, or when there is no timestamp at all (an empty table)."""
    days = FREQUENCIES[frequency]
    if days is None or last_update is None:
        return None
    return now - last_update > dt.timedelta(days=days)


def score(checked: int, failed: int) -> float | None:
    """Quality score of a data set: passed ÷ checked over its checks (row-checks), None if nothing
    was checked."""
    if checked <= 0:
        return None
    return (checked - failed) / checked

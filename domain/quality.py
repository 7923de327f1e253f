"""Data-quality checks, declared (issue 13): each has a key, the data set (table) it checks, its kind
(完整性 / 有效性 / 及时性 / 一致性) and what it means in Chinese. ``queries.quality`` builds each check's
SQL from its key and runs them all with the models; a model whose input fails a check says so on its
hits.

What can and cannot be checked here, honestly: identity numbers are stored only as a keyed hash and a
mask (``queries.crypto``, ``domain.masking.mask_id``), so their check digit (GB 11643, ISO 7064
MOD 11-2) cannot be recomputed from stored data. It is checked once, at entry: the importer rejects
a number whose check digit is wrong (``domain.identity.validate_id``). What the stored data allows is
the mask's format: six digits of area code, then twelve asterisks. Pure: no SQL, no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.cases import CRIMINAL_STAGES, OTHER_STAGES

COMPLETENESS, VALIDITY, TIMELINESS, CONSISTENCY = "完整性", "有效性", "及时性", "一致性"
KINDS: tuple[str, ...] = (COMPLETENESS, VALIDITY, TIMELINESS, CONSISTENCY)
KIND_EN = {COMPLETENESS: "Completeness", VALIDITY: "Validity", TIMELINESS: "Timeliness",
           CONSISTENCY: "Consistency"}


@dataclass(frozen=True)
class Check:
    """One declared check. ``key`` is stable (stored in ``quality_result`` and used in links)."""

    key: str
    dataset: str  # a table name
    kind: str
    zh: str  # what a failing row means

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.key}: unknown kind {self.kind!r}")


# The stage order of domain.cases, as the moves a case may make from one stage to the next. A stage
# may also stay where it is (a procedural step inside a stage). A case enters 审查逮捕 (police ask for
# an arrest) or 审查起诉 (sent for prosecution directly) first; 退回补充侦查 goes back to 审查起诉.
STAGE_MOVES: frozenset[tuple[str, str]] = frozenset({
    ("受理", "审查逮捕"), ("受理", "审查起诉"), ("审查逮捕", "侦查"), ("审查逮捕", "审查起诉"),
    ("侦查", "审查起诉"), ("审查起诉", "退回补充侦查"), ("退回补充侦查", "审查起诉"),
    ("审查起诉", "提起公诉"), ("审查起诉", "不起诉"), ("提起公诉", "一审"), ("一审", "判决"),
    ("判决", "上诉抗诉"), ("上诉抗诉", "一审"), ("上诉抗诉", "判决"),  # appeal: remand, or the second judgment
    ("受理", "审查"), ("审查", "办结"),
})
assert {s for move in STAGE_MOVES for s in move} <= set(CRIMINAL_STAGES) | set(OTHER_STAGES)

# Stages before any prosecution decision: a suspect decided on while the case is still here
# contradicts the case's stage.
BEFORE_DECISION: tuple[str, ...] = ("受理", "审查逮捕", "侦查", "审查起诉", "退回补充侦查")

CHECKS: tuple[Check, ...] = (
    # 完整性 (required fields)
    Check("case_charge_present", "case", COMPLETENESS, "刑事案件未填写罪名"),
    Check("case_cause_present", "case", COMPLETENESS, "民事、行政、公益诉讼案件未填写案由"),
    Check("suspect_person_present", "suspect", COMPLETENESS, "犯罪嫌疑人记录未关联自然人"),
    Check("water_class_present", "water_sample", COMPLETENESS, "水质监测数据未计算水质类别"),
    # 有效性 (codes in their vocabularies, dates in order, identity formats)
    Check("case_stage_code", "case", VALIDITY, "案件阶段不在本职能的阶段代码表中（domain.cases）"),
    Check("case_dates_order", "case", VALIDITY, "日期先后颠倒：受理应不晚于进入当前阶段和结案，提请审查不晚于决定（逮捕、起诉）"),
    Check("event_type_code", "case_event", VALIDITY, "流程节点类型不在代码表中（domain.cases.EVENT_TYPES）"),
    Check("suspect_decision_codes", "suspect", VALIDITY, "逮捕或起诉决定、不起诉种类不在代码表中（domain.procedure）"),
    Check("suspect_arrest_after_review", "suspect", VALIDITY, "逮捕决定早于提请审查逮捕"),
    Check("person_id_mask_format", "person", VALIDITY,
          "身份证号掩码格式不符（应为6位地址码加12个*；校验位已在导入时核验，库中只存哈希和掩码，无法复核）"),
    Check("water_class_range", "water_sample", VALIDITY, "水质类别不在1–6（Ⅰ类至劣Ⅴ类）之间"),
    Check("measure_dates_order", "supervised_person", VALIDITY, "强制措施结束日期早于开始日期"),
    # 一致性
    Check("event_stage_skip", "case_event", CONSISTENCY, "阶段变更跳过了法定流程中的阶段（domain.cases 阶段顺序）"),
    Check("suspect_decision_vs_stage", "suspect", CONSISTENCY, "已作出起诉或不起诉决定，但案件仍处于决定前的阶段"),
    Check("closed_stage_without_date", "case", CONSISTENCY, "案件处于终结阶段（不起诉、判决、办结）但没有结案时间"),
)
TIMELINESS_PREFIX = "timely_"  # 及时性 checks are one per data set with a frequency: timely_<table>


def timeliness_check(dataset: str, zh_name: str, frequency: str) -> Check:
    """The timeliness check of one data set, from its catalogue declaration."""
    return Check(f"{TIMELINESS_PREFIX}{dataset}", dataset, TIMELINESS,
                 f"{zh_name}最近更新超过“{frequency}”的更新频率所允许的时间")


def by_key(checks: tuple[Check, ...] | list[Check]) -> dict[str, Check]:
    out = {c.key: c for c in checks}
    if len(out) != len(checks):
        raise ValueError("two checks share a key")
    return out

"""The life of a legal-supervision clue (法律监督线索), whichever model raised it.

待分流 (triage: nobody has it yet) → 核查中 (an assignee checks it) → one of three ends:
成案 (it opens a case or a procuratorial suggestion; the number is recorded), 不成案 (a reason is
required: the record must say why a clue was dropped) or 移送 (handed to another body, named).
A clue may also be closed as 不成案 or 移送 straight from triage (plainly unfounded, plainly someone
else's); it cannot become 成案 without having been checked. An end state is final.

Pure rules: no SQL, no Streamlit. ``queries.clues`` applies them inside the write transaction.
"""
from __future__ import annotations

import datetime as dt

PENDING, CHECKING, CASE, NO_CASE, REFERRED = "待分流", "核查中", "成案", "不成案", "移送"
STATES: tuple[str, ...] = (PENDING, CHECKING, CASE, NO_CASE, REFERRED)
OPEN_STATES = frozenset({PENDING, CHECKING})
FINAL_STATES = frozenset({CASE, NO_CASE, REFERRED})
STATE_EN = {PENDING: "To triage", CHECKING: "Being checked", CASE: "Became a case",
            NO_CASE: "No case", REFERRED: "Referred"}

# what 成案 opened
OPEN_CASE, SUGGESTION = "立案", "检察建议"
OUTCOME_KINDS: tuple[str, ...] = (OPEN_CASE, SUGGESTION)

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({CHECKING, NO_CASE, REFERRED}),
    CHECKING: frozenset({CASE, NO_CASE, REFERRED}),
}

REASON_MIN, TEXT_MAX = 2, 200


class ClueRuleError(ValueError):
    """A change the rules do not allow; the message (Chinese) is shown to the user as-is."""


def check_transition(current: str, target: str, *, assignee_id: int | None = None, reason: str | None = None,
                     outcome_kind: str | None = None, outcome_ref: str | None = None) -> None:
    """Raise ``ClueRuleError`` unless ``current`` → ``target`` is allowed with these particulars:
    核查中 needs an assignee, 不成案 a reason, 成案 what it opened and its number, 移送 the body."""
    if current not in STATES or target not in STATES:
        raise ClueRuleError(f"未知的线索状态：{current if current not in STATES else target}")
    if current in FINAL_STATES:
        raise ClueRuleError(f"线索已{current}，不能再变更")
    if target not in TRANSITIONS[current]:
        raise ClueRuleError(f"线索不能从“{current}”直接变为“{target}”")
    reason = (reason or "").strip()
    ref = (outcome_ref or "").strip()
    if len(reason) > TEXT_MAX or len(ref) > 80:
        raise ClueRuleError(f"理由不能超过{TEXT_MAX}字，编号或接收单位不能超过80字")
    if target == CHECKING and assignee_id is None:
        raise ClueRuleError("转入核查须指定承办人")
    if target == NO_CASE and len(reason) < REASON_MIN:
        raise ClueRuleError("不成案须填写理由")
    if target == CASE:
        if outcome_kind not in OUTCOME_KINDS:
            raise ClueRuleError("成案须选择“立案”或“检察建议”")
        if not ref:
            raise ClueRuleError("成案须填写案件编号或检察建议文号")
    if target == REFERRED and not ref:
        raise ClueRuleError("移送须填写接收单位")


def decision_due(found_at: dt.datetime, decision_days: int) -> dt.datetime:
    """When a decision on a clue found at ``found_at`` is due: the end (24:00) of the
    ``decision_days``-th calendar day after the day it was found (the day found is not counted,
    as CPL art. 105 counts periods)."""
    if decision_days < 1:
        raise ValueError("decision_days must be at least 1")
    return dt.datetime.combine(found_at.date() + dt.timedelta(days=decision_days + 1), dt.time())


def is_overdue(state: str, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """An open clue whose decision deadline has passed."""
    return state in OPEN_STATES and due_at is not None and now >= due_at


def reveals_identity(*, handler_role: str, viewer_roles: frozenset[str] | set[str], viewer_id: int | None,
                     assignee_id: int | None) -> bool:
    """Whether a clue's detail shows people's full names and ID masks unmasked: only to the account
    the clue is assigned to, and only when it holds the role the model names as handler (the
    supervision officer checking a 再犯 clue must know whom to call). Everyone else, the leader
    included, sees masked names: the list and the patterns need no identity (PIPL art. 6, minimum
    necessary). The one place this rule is written."""
    return viewer_id is not None and viewer_id == assignee_id and handler_role in viewer_roles


_SUMMARY_KEYS = ("case_no", "person_code", "measure", "stage", "department", "days_overdue", "charge",
                 "non_prosecution_type", "days_since", "code", "name", "town", "months", "classes")


def _num(v) -> str:
    """A figure for a summary: whole numbers without a decimal point, others to one decimal."""
    if v is None:
        return "?"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f == int(f) else f"{f:.1f}"


def clue_summary(model_key: str, evidence: dict) -> str:
    """One line about a hit, from its evidence only (which holds no personal data by contract)."""
    e = evidence or {}
    if model_key == "recidivism_on_measure":
        return (f"{e.get('person_code', '?')}（{e.get('measure', '')}期间）于{str(e.get('accepted_at', ''))[:10]}"
                f"成为案件{e.get('case_no', '?')}（{e.get('charge') or '—'}）的犯罪嫌疑人")
    if model_key == "overdue_cases":
        return (f"{e.get('case_no', '?')} {e.get('stage', '')}超期{e.get('days_overdue', '?')}天"
                f"（{e.get('department', '')}）")
    if model_key == "non_prosecution_referral":
        return (f"{e.get('case_no', '?')} 第{e.get('suspect_seq', '?')}名嫌疑人{e.get('non_prosecution_type', '不起诉')}"
                f"后{e.get('days_since', '?')}天未移送行政处罚")
    if model_key == "water_worse_than_v":
        months = e.get("months")
        span = "、".join(map(str, months)) if isinstance(months, (list, tuple)) else (months or "")
        return f"{e.get('name', '?')}（{e.get('town', '')}）水质劣Ⅴ类 {span}".strip()
    if model_key == "sentencing_deviation":
        lo, hi = (list(e.get("compared") or e.get("range") or [None, None]) + [None, None])[:2]
        side = {"低于幅度": "低于", "高于幅度": "高于"}.get(str(e.get("direction")), "偏离")
        return (f"{e.get('case_no', '?')} 第{e.get('suspect_seq', '?')}名被告人{e.get('charge', '')}判处"
                f"{_num(e.get('actual_months'))}个月，{side}量刑尺区间{_num(lo)}–{_num(hi)}个月"
                f"{_num(abs(e.get('deviation_months') or 0))}个月")
    if model_key == "similar_case_cluster":
        return (f"{e.get('town', '?')} {e.get('charge', '')} {e.get('month', '')} 受理{e.get('observed', '?')}件，"
                f"前12个月月均{_num(e.get('baseline_mean', e.get('lambda')))}件；建议向{e.get('agency', '有关单位')}"
                f"提出检察建议")
    if model_key == "detention_after_arrest_refusal":
        held = "至今仍在拘留" if e.get("still_detained") else "仍拘留"
        return (f"{e.get('case_no', '?')} 第{e.get('suspect_seq', '?')}名嫌疑人{e.get('decision', '不批准逮捕')}后"
                f"{held}{_num(e.get('hours_after_decision'))}小时")
    parts = [f"{k}={e[k]}" for k in _SUMMARY_KEYS if k in e]
    parts = parts or [f"{k}={v}" for k, v in sorted(e.items()) if not k.endswith("_id")][:4]
    return "；".join(map(str, parts))[:200]

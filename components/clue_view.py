"""Rendering of the 法律监督线索 page: filters, the table whose selection is held by the clue's id,
the detail with its evidence rows and history, and the action buttons and form. No SQL: the page
passes frames in and gets the user's choices back."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components.column_labels import COLUMN_LABELS
from components.i18n import tr
from domain.clues import CASE, CHECKING, NO_CASE, OPEN_STATES, OUTCOME_KINDS, REFERRED, STATE_EN, STATES, TRANSITIONS

K_HIT, K_TABLE = "clue_hit", "clue_table_seen"
VERB = {CHECKING: ("转核查", "To check"), CASE: ("成案", "Case"), NO_CASE: ("不成案", "No case"),
        REFERRED: ("移送", "Refer")}
DUE = {"": ("全部", "Any"), "overdue": ("已超期", "Overdue"), "3": ("3天内到期", "Due in 3 days"),
       "7": ("7天内到期", "Due in 7 days")}
SORT = {"due": ("截止时间（近→远）", "Deadline (soonest)"), "found": ("发现时间（新→旧）", "Found (newest)"),
        "id": ("编号（大→小）", "Id (highest)")}


@dataclass(frozen=True)
class Filters:
    model: str | None
    state: str | None
    assignee: int | None  # None any, 0 nobody, else a user id
    due: str | None
    sort: str


def filters(models: dict[str, tuple[str, str]], me: int) -> Filters:
    """The filter row; values are what ``queries.clues.clue_list`` takes."""
    c = st.columns([3, 2, 2, 2, 2])
    model = c[0].selectbox(tr("模型", "Model"), [""] + list(models), key="cf_model",
                           format_func=lambda k: tr("全部模型", "All models") if not k else tr(*models[k]))
    state = c[1].selectbox(tr("状态", "State"), [""] + list(STATES), key="cf_state",
                           format_func=lambda s: tr("全部", "Any") if not s else tr(s, STATE_EN[s]))
    who = c[2].selectbox(tr("承办人", "Assignee"), ["", "me", "none"], key="cf_who",
                         format_func=lambda w: {"": tr("全部", "Anyone"), "me": tr("我承办的", "Mine"),
                                                "none": tr("未分配", "Nobody")}[w])
    due = c[3].selectbox(tr("期限", "Deadline"), list(DUE), key="cf_due", format_func=lambda d: tr(*DUE[d]))
    sort = c[4].selectbox(tr("排序", "Sort"), list(SORT), key="cf_sort", format_func=lambda s: tr(*SORT[s]))
    return Filters(model or None, state or None, {"": None, "me": me, "none": 0}[who], due or None, sort)


def sort_clues(df: pd.DataFrame, how: str) -> pd.DataFrame:
    by = {"due": (["due_at", "hit_id"], [True, True]), "found": (["found_at", "hit_id"], [False, False]),
          "id": (["hit_id"], [False])}[how]
    return df.sort_values(by[0], ascending=by[1], kind="stable").reset_index(drop=True)


def metrics(df: pd.DataFrame) -> None:
    c = st.columns(4)
    c[0].metric(tr("线索", "Clues"), len(df))
    c[1].metric(tr("待分流", "To triage"), int((df["state"] == "待分流").sum()))
    c[2].metric(tr("核查中", "Being checked"), int((df["state"] == "核查中").sum()))
    c[3].metric(tr("已超期", "Overdue"), int(df["overdue"].sum()))


def table(df: pd.DataFrame) -> int | None:
    """The clue table; returns the selected clue's id. The selection is kept by id across reruns:
    a new list (other filters, other order) is a new table, so a row position never carries over;
    the clue stays selected while it is in the list and is dropped when it leaves it."""
    ids = [int(i) for i in df["hit_id"]]
    key = "clue_table_" + hashlib.sha1(json.dumps(ids).encode()).hexdigest()[:12]
    show = pd.DataFrame({
        "#": ids, tr("模型", "Model"): df["model"], tr("状态", "State"): df["state"],
        tr("承办人", "Assignee"): df["assignee"].fillna("—"), tr("发现", "Found"): df["found_at"].map(when),
        tr("截止", "Due"): df["due_at"].map(due_text), tr("超期", "Overdue"): df["overdue"].map({True: "⚠", False: ""}),
        tr("区", "District"): df["district"], tr("案号", "Case no."): df["case_no"].fillna("—"),
        tr("摘要", "Summary"): df["summary"]})
    sel = st.dataframe(show, hide_index=True, width="stretch", height=380, on_select="rerun",
                       selection_mode="single-row", key=key,
                       column_config={"#": st.column_config.NumberColumn(format="%d", width="small")})
    rows = list(sel.selection.rows) if sel is not None and sel.selection else []
    before = st.session_state.get(K_TABLE)
    st.session_state[K_TABLE] = (key, rows)
    if rows:
        st.session_state[K_HIT] = ids[rows[0]]
    elif before and before[0] == key and before[1]:  # the user cleared the selection in this very table
        st.session_state.pop(K_HIT, None)
    held = st.session_state.get(K_HIT)
    if held not in ids:
        st.session_state.pop(K_HIT, None)
        return None
    return held


def due_text(due) -> str:
    """A deadline at 00:00 is the end of the day before: shown as that day's 24:00, as the rules say."""
    if due is None or pd.isna(due):
        return "—"
    t = pd.Timestamp(due)
    if t.hour == 0 and t.minute == 0:
        return f"{(t - pd.Timedelta(days=1)):%Y-%m-%d} 24:00"
    return f"{t:%Y-%m-%d %H:%M}"


def when(t) -> str:
    return "—" if t is None or pd.isna(t) else f"{pd.Timestamp(t):%Y-%m-%d %H:%M}"


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df.rename(columns={k: tr(*v) for k, v in COLUMN_LABELS.items()})
    return df.astype(object).where(df.notna(), "—")


def detail(d, hit_id: int) -> None:
    """The clue's facts, the rows that raised it and its history (``queries.clues.ClueDetail``)."""
    c = d.clue
    st.subheader(f"#{hit_id} · {c['model']} · {c['state']}" + (" · ⚠ " + tr("已超期", "overdue") if c["overdue"] else ""))
    st.write(c["summary"])
    facts = {tr("发现时间", "Found"): when(c["found_at"]), tr("决定期限", "Decision due"): due_text(c["due_at"]),
             tr("承办人", "Assignee"): c["assignee"] or tr("未分配", "nobody"),
             tr("模型版本", "Model version"): c["version"]}
    if c.get("outcome_kind") or c.get("outcome_ref"):
        facts[tr("结果", "Outcome")] = " ".join(x for x in (c.get("outcome_kind"), c.get("outcome_ref")) if x)
    if c.get("reason"):
        facts[tr("理由", "Reason")] = c["reason"]
    st.markdown("  \n".join(f"**{k}**：{v}" for k, v in facts.items()))
    if c.get("quality_note"):
        st.warning(tr("发现本线索时，模型读取的数据有质量检查未通过：", "When this clue was found, checks on the "
                      "model's input data were failing:") + "\n" + "\n".join(f"- {w}" for w in _notes(c["quality_note"])))
    st.caption(tr("人员信息显示全名（您是该线索的承办人）；查看已记入审计日志。" if d.full_names else
                  "人员信息已脱敏；查看已记入审计日志。",
                  "Names shown in full (you handle this clue); the view is audited." if d.full_names else
                  "Names are masked; the view is audited."))
    for title, rows in d.rows.items():
        st.markdown(f"**{title}**")
        st.dataframe(_frame(rows), hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 250))
    if not d.rows:
        st.json(d.evidence)
    st.markdown(f"**{tr('处理经过', 'History')}**")
    if d.history.empty:
        st.caption(tr("尚无处理记录。", "Nothing done yet."))
    else:
        st.dataframe(_frame(d.history.rename(columns={
            "at": tr("时间", "At"), "from_state": tr("原状态", "From"), "to_state": tr("新状态", "To"),
            "assignee": tr("承办人", "Assignee"), "actor_name": tr("操作人", "By"), "note": tr("说明", "Note")})),
            hide_index=True, width="stretch")


def action_buttons(hit_id: int, state: str) -> str | None:
    """One button per allowed next state, each naming its clue ("成案 #61"); returns the target
    chosen (kept in the session until the form is sent or cancelled)."""
    targets = sorted(TRANSITIONS.get(state, ()), key=list(VERB).index)
    if not targets:
        st.info(tr(f"线索已{state}，处理完毕。", f"The clue is closed ({STATE_EN[state]})."))
        return None
    cols = st.columns(len(targets) + (1 if state in OPEN_STATES else 0) + 2)
    for col, t in zip(cols, targets):
        if col.button(f"{tr(*VERB[t])} #{hit_id}", key=f"do_{t}_{hit_id}"):
            st.session_state["clue_action"] = (hit_id, t)
    if state in OPEN_STATES and cols[len(targets)].button(f"{tr('改派', 'Reassign')} #{hit_id}",
                                                          key=f"do_assign_{hit_id}"):
        st.session_state["clue_action"] = (hit_id, "assign")
    chosen = st.session_state.get("clue_action")
    return chosen[1] if chosen and chosen[0] == hit_id else None


def action_form(hit_id: int, target: str, people: pd.DataFrame, current: int | None) -> dict | None:
    """The particulars the rules need for ``target``; returns them when sent, None otherwise."""
    label = tr("改派", "Reassign") if target == "assign" else tr(*VERB[target])
    with st.form(f"clue_form_{hit_id}_{target}"):
        st.markdown(f"**{label} #{hit_id}**")
        out: dict = {}
        if target in (CHECKING, "assign"):
            names = dict(zip(people["user_id"].astype(int), people["display_name"]))
            ids = list(names)
            out["assignee_id"] = st.selectbox(tr("承办人", "Assignee"), ids, format_func=lambda i: names[i],
                                              index=ids.index(current) if current in ids else 0) if ids else None
        if target == CASE:
            out["outcome_kind"] = st.radio(tr("成案方式", "Outcome"), list(OUTCOME_KINDS), horizontal=True)
            out["outcome_ref"] = st.text_input(tr("案件编号或检察建议文号（水质线索立案时自动生成）",
                                                  "Case or suggestion no. (generated for a water case)"), max_chars=80)
        if target == REFERRED:
            out["outcome_ref"] = st.text_input(tr("接收单位", "Receiving body"), max_chars=80)
        out["reason"] = st.text_area(tr("理由 / 说明（不成案必填）", "Reason / note (required for no case)"),
                                     max_chars=200)
        c = st.columns([1, 1, 4])
        sent = c[0].form_submit_button(f"{tr('确认', 'Confirm')}{label} #{hit_id}", type="primary")
        cancelled = c[1].form_submit_button(tr("取消", "Cancel"))
    if cancelled:
        st.session_state.pop("clue_action", None)
        st.rerun()
    return out if sent else None


def _notes(note: str) -> list[str]:
    """The failing checks stored on a hit (a JSON list; older text shown as it is)."""
    try:
        items = json.loads(note)
    except ValueError:
        return [note]
    return [str(i) for i in items] if isinstance(items, list) else [str(items)]

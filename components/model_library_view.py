"""Rendering for the 模型库 page: a model's definition, its parameters as inputs, its versions and an
import preview. Renders only: the page reads and writes through ``queries.model_library``."""
from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from components.i18n import lang, tr
from domain.access import ROLE_NAMES
from domain.models import Model, Param

STATUS_EN = {"新模型": "New model", "新版本": "New version", "无变化": "Unchanged", "拒绝": "Refused"}


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return tr("是", "yes") if v else tr("否", "no")
    if isinstance(v, (tuple, list)):
        return "、".join(str(x) for x in v)
    return str(v)


def _bounds(p: Param) -> str:
    if p.choices is not None:
        return tr("可选：", "one of: ") + "、".join(str(c) for c in p.choices)
    if p.minimum is not None or p.maximum is not None:
        return f"{p.minimum if p.minimum is not None else '−∞'} – {p.maximum if p.maximum is not None else '∞'}"
    return ""


def params_frame(model: Model) -> pd.DataFrame:
    current = model.parameters
    return pd.DataFrame([{tr("参数", "Parameter"): p.name, tr("含义", "Meaning"): tr(p.zh, p.en),
                          tr("类型", "Type"): p.kind.__name__ + ("[]" if p.many else ""),
                          tr("当前值", "Value"): _value(current[p.name]), tr("默认值", "Default"): _value(p.default),
                          tr("取值范围", "Allowed"): _bounds(p)} for p in model.params])


def definition(model: Model, run: dict[str, Any] | None) -> None:
    """The model's definition as a procuratorate reviews it, with its last run."""
    st.subheader(f"{tr(model.name_zh, model.name_en)}  ·  `{model.key}`")
    c = st.columns(5)
    c[0].metric(tr("当前版本", "Version"), model.version)
    c[1].metric(tr("处理角色", "Handled by"), ROLE_NAMES[model.role][1 if lang() == "en" else 0])
    c[2].metric(tr("决定期限", "Decision within"), tr(f"{model.decision_days} 天", f"{model.decision_days} days"))
    c[3].metric(tr("线索总数", "Hits stored"), int(run["hits"]) if run else 0)
    last = run.get("last_run") if run else None
    c[4].metric(tr("最近运行", "Last run"), pd.Timestamp(last).strftime("%m-%d %H:%M") if last is not None
                and not pd.isna(last) else tr("未运行", "never"),
                help=tr(f"方式：{run.get('mode')}", f"mode: {run.get('mode')}") if run and run.get("mode") else None)
    st.markdown(f"**{tr('用途', 'Purpose')}**：{model.purpose}")
    st.markdown(f"**{tr('法律依据', 'Legal basis')}**：{'；'.join(model.legal_basis)}")
    st.markdown(f"**{tr('读取的数据集', 'Data sets read')}**：" + "、".join(f"`{t}`" for t in model.reads))
    st.markdown(f"**{tr('线索显示', 'A hit shows')}**：{model.shows}")
    st.markdown(f"**{tr('责任部门', 'Owner')}**：{model.owner}　**{tr('查询类型', 'Query kind')}**：`{model.query}`"
                + (f"　{tr('（随时间变化，每小时至少重算一次）', '(depends on the clock: rerun each hour)')}"
                   if model.clock_dependent else ""))
    st.dataframe(params_frame(model), hide_index=True, width="stretch")


def param_inputs(model: Model, prefix: str) -> dict[str, Any]:
    """One input per parameter, starting at the value in effect; returns the values entered."""
    out: dict[str, Any] = {}
    current = model.parameters
    for p in model.params:
        label, key, v = f"{tr(p.zh, p.en)} ({p.name})", f"{prefix}_{model.key}_{p.name}", current[p.name]
        if p.kind is bool:
            out[p.name] = st.checkbox(label, value=v, key=key)
        elif p.many and p.choices is not None:
            out[p.name] = tuple(st.multiselect(label, list(p.choices), default=list(v), key=key))
        elif p.choices is not None:
            out[p.name] = st.selectbox(label, list(p.choices), index=list(p.choices).index(v), key=key)
        elif p.kind is int:
            out[p.name] = int(st.number_input(label, value=int(v), step=1, key=key,
                                              min_value=None if p.minimum is None else int(p.minimum),
                                              max_value=None if p.maximum is None else int(p.maximum)))
        elif p.kind is float:
            out[p.name] = float(st.number_input(label, value=float(v), step=0.5, key=key,
                                                min_value=None if p.minimum is None else float(p.minimum),
                                                max_value=None if p.maximum is None else float(p.maximum)))
        else:
            text = st.text_input(label, value="、".join(v) if p.many else str(v), key=key)
            out[p.name] = tuple(x.strip() for x in text.replace(",", "、").split("、") if x.strip()) if p.many else text
    return out


def history_table(df: pd.DataFrame) -> None:
    if df.empty:
        st.caption(tr("尚无版本记录。", "No versions yet."))
        return
    show = pd.DataFrame({
        tr("版本", "Version"): df["version"],
        tr("参数值", "Values"): [", ".join(f"{k}={_value(v)}" for k, v in json.loads(s).items()) for s in df["values"]],
        tr("来源", "Source"): df["source"], tr("操作人", "By"): df["by"].fillna("—"),
        tr("时间", "At"): [pd.Timestamp(a).strftime("%Y-%m-%d %H:%M") if a is not None and not pd.isna(a) else "—"
                           for a in df["at"]],
        tr("生效", "In effect"): ["✓" if a else "" for a in df["active"]]})
    st.dataframe(show, hide_index=True, width="stretch")


def import_preview(frame: pd.DataFrame, installation: str | None, exported_at: str | None) -> None:
    st.caption(tr(f"来自安装实例 {installation}，导出于 {exported_at}",
                  f"From installation {installation}, exported at {exported_at}"))
    if lang() == "en":
        frame = frame.assign(status=frame["status"].map(STATUS_EN))
    frame.columns = [tr("模型键", "Key"), tr("名称", "Name"), tr("结果", "Result"), tr("文件版本", "File version"),
                     tr("本院版本", "Our version"), tr("说明", "Reason")]
    st.dataframe(frame, hide_index=True, width="stretch")

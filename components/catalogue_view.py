"""Rendering of the data catalogue and the data-quality pages (issue 13): tables with Chinese
headings first and English after, scores as bars, failing rows. No SQL: the pages pass frames in."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from components.column_labels import labelled_columns
from components.i18n import lang, tr
from domain.catalogue import FREQUENCY_EN, SENSITIVITY_EN
from domain.quality import KIND_EN

NO_STAMP = ("无时间戳列", "no timestamp column")
NO_ROWS = ("无数据", "no rows")


def _kind(k: str) -> str:
    return k if lang() == "zh" else KIND_EN.get(k, k)


def catalogue_table(df: pd.DataFrame, model_names: dict[str, str]) -> None:
    """One row per data set: name, table, source, owner, frequency, last update (or why none),
    rows, sensitivity, the models and the pages that read it."""
    def last(r) -> str:
        if pd.isna(r["updated_column"]) or not r["updated_column"]:
            return tr(*NO_STAMP)
        if pd.isna(r["last_update"]):
            return tr(*NO_ROWS)
        return f"{pd.Timestamp(r['last_update']):%Y-%m-%d %H:%M}（{r['updated_column']}）"

    out = pd.DataFrame({
        tr("数据集", "Data set"): df["zh"],
        tr("表名", "Table"): df["table"],
        tr("来源", "Source"): df["source"],
        tr("责任部门", "Owner"): df["owner"],
        tr("更新频率", "Frequency"): [f if lang() == "zh" else FREQUENCY_EN[f] for f in df["frequency"]],
        tr("最近更新", "Last update"): [last(r) for _, r in df.iterrows()],
        tr("行数", "Rows"): df["rows"],
        tr("敏感级别", "Sensitivity"): [s if lang() == "zh" else SENSITIVITY_EN[s] for s in df["sensitivity"]],
        tr("读取的模型", "Models reading it"): ["、".join(model_names.get(k, k) for k in m) or "—"
                                                for m in df["models"]],
        tr("读取的页面", "Pages reading it"): ["、".join(p) or "—" for p in df["pages"]],
    })
    st.dataframe(out, hide_index=True, width="stretch", height=min(38 + 35 * len(out), 900),
                 column_config={tr("行数", "Rows"): st.column_config.NumberColumn(format="%d")})


def score_table(df: pd.DataFrame, names: dict[str, str]) -> None:
    """Score per data set (passed ÷ checked), lowest first, as a bar."""
    out = pd.DataFrame({
        tr("数据集", "Data set"): [f"{names.get(t, t)}（{t}）" for t in df["dataset"]],
        tr("检查项", "Checks"): df["checks"],
        tr("未通过检查项", "Failing checks"): df["failing_checks"],
        tr("检查行次", "Row-checks"): df["checked"],
        tr("未通过行次", "Failing"): df["failed"],
        tr("质量得分", "Score"): (df["score"].astype(float) * 100).round(2),
    })
    st.dataframe(out, hide_index=True, width="stretch", height=_height(len(out), 6), column_config={
        tr("质量得分", "Score"): st.column_config.ProgressColumn(format="%.2f", min_value=0, max_value=100)})


def _height(rows: int, shown: int) -> int:
    """A table's height in pixels showing at most ``shown`` rows (the lowest scores come first; the
    rest scroll), so the failing checks stay on the first screen."""
    return 38 + 35 * max(1, min(rows, shown))


def checks_table(df: pd.DataFrame) -> None:
    """Every check of the latest run: kind, data set, what it means, rows checked and failing."""
    out = pd.DataFrame({
        tr("类别", "Kind"): [_kind(k) for k in df["kind"]],
        tr("数据集", "Data set"): df["dataset"],
        tr("检查项", "Check"): df["check_key"],
        tr("含义", "Meaning"): df["zh"],
        tr("检查行数", "Checked"): df["checked"],
        tr("未通过", "Failing"): df["failed"],
    })
    st.dataframe(out, hide_index=True, width="stretch")


def failing_buttons(df: pd.DataFrame, on_pick: Callable[[str], None]) -> None:
    """A button per failing check, labelled with the data set, meaning and count; the pick is the
    check's key (so a rerun or a new run cannot shift it to another row)."""
    failing = df[df["failed"] > 0]
    if failing.empty:
        st.success(tr("最近一次运行中所有检查均通过。", "Every check passed in the latest run."))
        return
    cols = st.columns(2)
    for i, r in enumerate(failing.itertuples(index=False)):
        label = f"{_kind(r.kind)} · {r.dataset} · {r.zh}（{r.failed}）"
        cols[i % 2].button(label, key=f"dq_pick_{r.check_key}", on_click=on_pick, args=(r.check_key,),
                           width="stretch")


def failing_rows_table(df: pd.DataFrame) -> None:
    """The failing rows as the query returned them (ids, codes, dates; people masked)."""
    if df.empty:
        st.info(tr("当前范围内没有未通过的行（可能已修正，或不在您的辖区）。",
                   "No failing rows in your scope now (fixed since, or outside your districts)."))
        return
    st.dataframe(labelled_columns(df), hide_index=True, width="stretch")

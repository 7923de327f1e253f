"""数据目录 (data catalogue, issue 13): every data set the product holds, generated from the schema's
declarations, the model definitions and the pages' code, with rows and last update read live."""
import streamlit as st

from components import auth
from components.catalogue_view import catalogue_table
from components.i18n import lang, tr
from components.shell import friendly_errors
from domain.catalogue import SENSITIVITIES
from domain.models import registry
from queries import catalogue
from queries.cache import get_engine

who = auth.require("catalogue")
st.title(tr("数据目录", "Data catalogue"))
with friendly_errors(tr("数据目录", "Data catalogue")):
    engine = get_engine()
    df = catalogue.catalogue(engine, who.scope("catalogue"))
    st.caption(tr("本目录由数据表定义中的声明（来源、责任部门、更新频率、敏感级别）、模型定义和页面代码自动生成，"
                  "行数与最近更新为实时读取；最近更新取声明的时间戳列的最大值。",
                  "Generated from each table's declaration (source, owner, frequency, sensitivity), the model "
                  "definitions and the pages' code; rows and last update are read live (the newest value of the "
                  "declared timestamp column)."))
    st.caption(tr(catalogue.METHOD_ZH, catalogue.METHOD_EN))
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("数据集", "Data sets"), len(df))
    m2.metric(tr("敏感个人信息数据集", "Sensitive data sets"), int((df["sensitivity"] == SENSITIVITIES[2]).sum()))
    m3.metric(tr("模型读取的数据集", "Data sets read by models"), int((df["models"].map(len) > 0).sum()))
    c1, c2 = st.columns([1, 2])
    levels = c1.multiselect(tr("敏感级别", "Sensitivity"), list(SENSITIVITIES), default=list(SENSITIVITIES))
    text = c2.text_input(tr("按名称、表名、来源或责任部门筛选", "Filter by name, table, source or owner"), max_chars=40)
    shown = df[df["sensitivity"].isin(levels)]
    if text.strip():
        t = text.strip()
        shown = shown[shown[["zh", "table", "source", "owner"]].apply(
            lambda col: col.str.contains(t, regex=False)).any(axis=1)]
    names = {k: m.name_zh if lang() == "zh" else m.name_en for k, m in registry().items()}
    catalogue_table(shown, names)

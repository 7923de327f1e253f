"""数据导入: upload a CSV of cases, case events or sentencing judgments, read the report, import.

The page validates on upload (a dry run: nothing is written), shows every problem as line /
column / reason, and offers "导入" when the file is clean or "仅导入无误的行" when some rows are bad.
All rules and writes live in ``domain.import_rules`` and ``queries.imports``.
"""
import pandas as pd
import streamlit as st

from components import auth
from components.export import csv_download
from components.i18n import lang, tr
from components.shell import friendly_errors
from domain.import_rules import DATE_FORMATS_ZH, KIND_ZH, KINDS, MAX_BYTES, columns_table, template_csv
from queries.cache import get_engine
from queries.imports import import_file

KIND_EN = {"cases": "Cases", "suspects": "Suspects", "events": "Case events", "sentencing": "Sentencing judgments"}


def _label(kind: str) -> str:
    return tr(KIND_ZH[kind], KIND_EN[kind])


def _summary(res) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("数据行", "Rows"), res.rows_total)
    c2.metric(tr("有错误的行", "Rows with errors"), res.rows_bad)
    c3.metric(tr("已存在（跳过）", "Already stored (skipped)"), res.rows_skipped)
    c4.metric(tr("编码", "Encoding"), {"utf-8-sig": "UTF-8", "gb18030": "GBK"}.get(res.encoding, "—"))


def _report(res) -> None:
    rep = res.report_frame()
    if rep.empty:
        st.success(tr("未发现问题。", "No problems found."))
        return
    if lang() == "en":
        rep.columns = ["Line", "Column", "Level", "Problem"]
    st.dataframe(rep, hide_index=True, width="stretch",
                 height=min(38 + 35 * len(rep), 420))
    csv_download(rep, "import_report.csv", key="import_report_csv")


scope = auth.scope("import")  # the data steward's procuratorate: a district steward imports its own cases
st.title(tr("数据导入", "Data import"))
st.caption(tr("导入案件、案件事件和量刑判决（CSV：UTF-8、UTF-8 BOM 或 GBK）。有任何错误行时整份文件不写入；"
              "同一文件重复导入不会产生任何变化。",
              "Import cases, suspects, case events and sentencing judgments (CSV in UTF-8, UTF-8 with BOM or GBK). "
              "If any row has an error nothing is written; importing the same file again changes nothing."))

with friendly_errors(tr("数据导入", "Data import")):
    labels = {k: _label(k) for k in KINDS}  # bound now: format_func may be called outside this run
    kind = st.radio(tr("文件类型", "File type"), KINDS, format_func=labels.__getitem__, horizontal=True,
                    key="import_kind")
    if st.toggle(tr("显示列说明与模板", "Show columns and template"), key="import_show_columns"):
        st.dataframe(pd.DataFrame(columns_table(kind)), hide_index=True, width="stretch")
        st.caption(tr(f"日期格式：{DATE_FORMATS_ZH}。身份证号、手机号只保存密钥哈希和脱敏形式。",
                      "Dates: 2024-01-05, 2024/1/5 or 2024年1月5日, optionally with a time. Identity numbers "
                      "and phones are stored only as keyed hash plus masked form."))
        st.download_button(tr("下载模板（CSV）", "Download template (CSV)"),
                           template_csv(kind).encode("utf-8-sig"), file_name=f"template_{kind}.csv",
                           mime="text/csv", key=f"template_{kind}")

    up = st.file_uploader(tr("选择 CSV 文件", "Choose a CSV file"), type=["csv"], key=f"upload_{kind}")
    if up is None:
        st.info(tr("请选择要导入的文件。上传后先校验，确认后才写入数据库。",
                   "Choose a file. It is checked first; nothing is written until you confirm."))
    elif up.size > MAX_BYTES:
        st.error(tr(f"文件过大，上限为 {MAX_BYTES // 1048576} MB。", f"File too large (limit {MAX_BYTES // 1048576} MB)."))
    else:
        data = up.getvalue()
        engine = get_engine()
        check = import_file(engine, scope, kind, data, up.name, dry_run=True, actor=auth.actor())
        st.subheader(tr("校验报告", "Validation report"))
        _summary(check)
        _report(check)

        file_level = any(p.is_error and p.line <= 1 for p in check.problems)
        good = check.rows_total - check.rows_bad
        action = None
        if file_level or check.rows_total == 0:
            st.error(tr("文件本身有问题（编码、表头或格式），不能导入。请按上表修改后重新上传。",
                        "The file itself cannot be read (encoding, header or format); fix it and upload again."))
        elif check.rows_bad == 0:
            if st.button(tr("导入", "Import"), type="primary", key="do_import"):
                action = False
        else:
            st.warning(tr(f"{check.rows_bad} 行有错误。整份文件不会导入；可以修改后重新上传，"
                          f"或只导入其余 {good} 行无误的行。",
                          f"{check.rows_bad} rows have errors. The file will not be imported as a whole; fix "
                          f"and upload again, or import the {good} good rows only."))
            if good and st.button(tr("仅导入无误的行", "Import the good rows only"), key="do_import_good"):
                action = True
        if action is not None:
            res = import_file(engine, scope, kind, data, up.name, good_rows_only=action, actor=auth.actor())
            if res.ok:
                st.success(res.summary_zh() if lang() == "zh" else
                           f"Done: {res.rows_written} rows written, {res.rows_skipped} already stored, "
                           f"{res.rows_bad} rows with errors not imported.")
            else:
                st.error(res.summary_zh())
                _report(res)

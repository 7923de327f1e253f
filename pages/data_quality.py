"""数据质量 (data quality, issue 13): the latest run of the declared checks, a score per data set,
and the failing rows of a check one click away (the pick is held by the check's key)."""
import streamlit as st

from components import auth
from components.catalogue_view import checks_table, failing_buttons, failing_rows_table, score_table
from components.i18n import tr
from components.shell import friendly_errors
from domain.catalogue import score
from queries import catalogue, quality
from queries.cache import get_engine

K_CHECK = "dq_check"
who = auth.require("catalogue")
st.title(tr("数据质量", "Data quality"))


def pick(key: str) -> None:
    st.session_state[K_CHECK] = key


with friendly_errors(tr("数据质量", "Data quality")):
    engine = get_engine()
    scope = who.scope("catalogue")
    if st.button(tr("立即运行全部检查", "Run every check now"), key="dq_run"):
        quality.run_checks(engine)
    checks = quality.check_results(engine, scope)
    if checks.empty:
        st.info(tr("尚未运行数据质量检查：检查随模型运行（jcy models run），也可点击上方按钮立即运行。",
                   "No check has run yet: the checks run with the models (jcy models run), or press the button."))
        st.stop()
    st.caption(tr(f"最近一次运行：{checks['run_at'].iloc[0]:%Y-%m-%d %H:%M}。得分 = 通过行次 ÷ 检查行次（全库，不分辖区）；"
                  "完整性、有效性、一致性逐行检查，及时性按数据集最近更新与声明的更新频率比较。身份证号库中只存哈希和掩码，"
                  "校验位在导入时核验，此处只能检查掩码格式。",
                  f"Latest run: {checks['run_at'].iloc[0]:%Y-%m-%d %H:%M}. Score = passed ÷ checked row-checks "
                  "(whole database). Completeness, validity and consistency are checked per row; timeliness "
                  "compares a data set's last update with its declared frequency. ID numbers are stored as hash "
                  "and mask only: their check digit is verified at import; here only the mask's form is checked."))
    scores = quality.dataset_scores(engine, scope)
    m1, m2, m3 = st.columns(3)
    overall = score(int(checks["checked"].sum()), int(checks["failed"].sum()))
    m1.metric(tr("总体得分", "Overall score"), "—" if overall is None else f"{overall * 100:.2f}")
    m2.metric(tr("检查项", "Checks"), len(checks))
    m3.metric(tr("未通过检查项", "Failing checks"), int((checks["failed"] > 0).sum()))
    names = catalogue.dataset_names()
    st.subheader(tr("各数据集质量得分", "Score per data set"))
    score_table(scores, names)
    st.subheader(tr("未通过的检查（点击查看未通过的行）", "Failing checks (click for the failing rows)"))
    failing_buttons(checks, pick)
    key = st.session_state.get(K_CHECK)
    if key:
        row = checks[checks["check_key"] == key]
        title = f"{key}" + (f" · {row['zh'].iloc[0]}" if not row.empty else "")
        st.subheader(tr(f"未通过的行：{title}", f"Failing rows: {title}"))
        failing_rows_table(quality.failing_rows(engine, scope, key, limit=200, actor=auth.actor()))
    with st.expander(tr("全部检查项", "Every check")):
        checks_table(checks)

"""案件统计 · 期限预警: open cases near or past their legal time limits, by procedure (arrest review 7
days for a detained suspect, else 15/20; review for prosecution one month (+15 days when extended),
速裁 10/15 days, cases from a supervisory commission 10 days for the coercive measure first; each return
one month, at most twice), counted by CPL art. 105 over the State Council's holiday calendar
(``queries.cases.time_limit_watch`` → ``domain.cases.deadline``). Sortable and exportable."""
import streamlit as st

from components import auth
from components.freshness import unavailable
from components.i18n import lang, tr
from components.shell import friendly_errors
from components.stats_filters import filter_bar
from components.stats_widgets import table
from domain.cases import STAGES_EN
from queries.cases import charge_options_live, districts_live, time_limit_watch_live

scope = auth.scope("cases")
st.title(tr("办案期限预警", "Time-limit watch list"))
view = filter_bar(districts_live(scope).value, charge_options_live(scope).value, base_scope=scope)
en = lang() == "en"

with friendly_errors(tr("期限预警", "Time-limit watch")):
    st.caption(tr("预警名单反映当前在办案件，不受统计期间影响；区、职能、罪名、阶段筛选有效。"
                  "期限按刑事诉讼法第105条计算：起算日不计入，期满日24时届满；期满日为节假日的顺延至其后第一个工作日，"
                  "犯罪嫌疑人在押的不顺延（节假日依国务院办公厅年度通知）。",
                  "The list shows open cases now; the period does not apply, the other filters do. Limits are "
                  "counted by CPL art. 105: the first day does not count and a limit ends at the end of its last "
                  "day; a last day that is a public holiday or rest day moves to the next working day, except "
                  "while the suspect is in custody (holidays per the State Council's yearly notice)."))
    c1, c2 = st.columns([1, 2])
    warn = c1.number_input(tr("临期提前天数", "Warn days before the limit"), 0.5, 10.0, 2.0, 0.5, key="w_days")
    order = c2.radio(tr("排序", "Sort by"), ["deadline", "days_in_stage", "district"], horizontal=True,
                     format_func=lambda k: {"deadline": tr("期限（最紧迫在前）", "Deadline (most urgent first)"),
                                            "days_in_stage": tr("在本阶段天数", "Days in stage"),
                                            "district": tr("区", "District")}[k], key="w_order")
    res = time_limit_watch_live(view.scope, None, float(warn), view.flt)
    if res.value is None:
        unavailable(tr("期限预警", "Time-limit watch"))
        st.stop()
    df = res.value
    over, near = int((df["status"] == "超期").sum()), int((df["status"] == "临期").sum())
    m1, m2 = st.columns(2)
    m1.metric(tr("超期", "Overdue"), over, border=True)
    m2.metric(tr("临期", "Due soon"), near, border=True)
    if df.empty:
        st.success(tr("没有临期或超期案件。", "No case is near or past its limit."))
        st.stop()
    asc = order != "days_in_stage"
    df = df.sort_values("district_id" if order == "district" else order, ascending=asc, kind="stable")
    if en:
        df = df.assign(stage=df["stage"].map(lambda x: STAGES_EN.get(x, x)),
                       status=df["status"].map({"超期": "overdue", "临期": "due soon"}))
    df = df.assign(deadline=df["deadline"].dt.date, procedure=df["procedure"].fillna(""),
                   custody=df["custody"].map({True: tr("在押·不顺延", "in custody: not extended")}).fillna(""))
    # what a prosecutor reads first: which case, when it runs out, why; then how long it has been open
    df = df[["case_id", "district_id", "case_no", "name_zh", "name_en", "charge", "stage", "procedure", "deadline",
             "days_left", "status", "custody", "basis", "stage_entered_at", "days_in_stage", "function",
             "returns_count"]]
    shown = df.rename(columns={
        "case_no": tr("案号", "Case no."), "name_en" if en else "name_zh": tr("区", "District"),
        "function": tr("职能", "Function"), "charge": tr("罪名/案由", "Charge"), "stage": tr("阶段", "Stage"),
        "stage_entered_at": tr("进入阶段", "Stage since"), "days_in_stage": tr("在本阶段天数", "Days in stage"),
        "procedure": tr("程序", "Procedure"), "custody": tr("羁押", "Custody"),
        "deadline": tr("期满日", "Last day"), "days_left": tr("剩余天数", "Days left"),
        "status": tr("状态", "Status"), "basis": tr("法律依据", "Legal basis"),
        "returns_count": tr("退查次数", "Returns")}).drop(columns=["case_id", "district_id", "name_zh" if en else "name_en"])
    table(shown, "time_limit_watch.csv", "watch")

"""案件统计 · 逐级下钻: district → its charges → the cases → one case's timeline. Parties are named in
clear only on the cases the signed-in prosecutor handles (承办); masked everywhere else."""
import pandas as pd
import streamlit as st

from components import auth
from components.charts import bar_chart
from components.freshness import unavailable
from components.i18n import lang, tr
from components.shell import friendly_errors
from components.stats_filters import filter_bar
from components.stats_widgets import chart, table
from queries.cases import (case_list_live, case_timeline_live, charge_options_live, charges_in_district_live,
                           districts_live)

scope = auth.scope("cases")
st.title(tr("逐级下钻", "Drill-down"))
view = filter_bar(districts_live(scope).value, charge_options_live(scope).value, base_scope=scope)
en = lang() == "en"

with friendly_errors(tr("逐级下钻", "Drill-down")):
    names = {d: n for d, n in view.district_names.items()
             if view.scope.district_ids is None or d in view.scope.district_ids}
    if not names:
        st.info(tr("没有可查看的区。", "No district in scope."))
        st.stop()
    ids = list(names)
    qd = st.query_params.get("dd", "")
    d_default = ids.index(int(qd)) if qd.isdigit() and int(qd) in names else 0
    district = st.selectbox(tr("① 选择区", "① District"), ids, index=d_default,
                            format_func=lambda d: names[d], key="dd_district")
    st.query_params["dd"] = str(district)

    ch = charges_in_district_live(view.scope, district, view.start, view.end, view.flt).value
    if ch is None:
        unavailable(tr("各区罪名", "Charges in the district"))
        st.stop()
    st.caption(tr(f"{names[district]} · {view.label} · 共 {int(ch['cases'].sum()):,} 件",
                  f"{names[district]} · {view.label} · {int(ch['cases'].sum()):,} cases"))
    if ch.empty:
        st.info(tr("该区本期没有符合条件的案件。", "No matching case in this district and period."))
        st.stop()
    left, right = st.columns([1.3, 1])
    with left:
        chart(bar_chart(ch.head(15), "charge", "cases", height=360), f"charges_{district}", "dd_ch")
    with right:
        table(ch.rename(columns={"charge": tr("罪名/案由", "Charge/cause"), "cases": tr("件数", "Cases")}),
              f"charges_{district}.csv", "dd_ch_t", height=360)

    opts = list(ch["charge"])
    qc = st.query_params.get("dc", "")
    charge = st.selectbox(tr("② 选择罪名/案由", "② Charge or cause"), opts,
                          index=opts.index(qc) if qc in opts else 0, key="dd_charge")
    st.query_params["dc"] = charge

    cases = case_list_live(view.scope, view.start, view.end, view.flt, district, charge).value
    if cases is None:
        st.stop()
    shown = cases.rename(columns={
        "case_no": tr("案号", "Case no."), "district": tr("区", "District"), "function": tr("职能", "Function"),
        "charge": tr("罪名/案由", "Charge"), "stage": tr("阶段", "Stage"),
        "stage_entered_at": tr("进入阶段", "Stage since"), "days_in_stage": tr("在本阶段天数", "Days in stage"),
        "procedure": tr("程序", "Procedure"), "deadline": tr("期满日", "Last day"),
        "status": tr("期限状态", "Status"), "basis": tr("期限依据", "Basis of the limit"),
        "suspects": tr("嫌疑人数", "Suspects"), "own": tr("本人承办", "Mine"), "parties": tr("当事人", "Parties")})
    shown[tr("本人承办", "Mine")] = cases["own"].map({True: "✔", False: ""})
    # the last day of the limit (CPL art. 105: it ends at 24:00 that day); none: an empty cell, not "None"
    shown[tr("期满日", "Last day")] = pd.to_datetime(cases["deadline"])
    shown[tr("程序", "Procedure")] = cases["procedure"].fillna("")
    st.caption(tr(f"③ {len(cases):,} 件案件（最多显示500件）。点选一行查看办案节点。当事人姓名仅在本人承办的案件中显示全名，其余一律脱敏。",
                  f"③ {len(cases):,} cases (at most 500 shown). Select a row for its timeline. Parties are "
                  "named in full only on the cases you handle; masked on all others."))
    sel = st.dataframe(shown.drop(columns=["case_id"]), hide_index=True, width="stretch", key="dd_cases",
                       on_select="rerun", selection_mode="single-row", height=320,
                       column_config={tr("期满日", "Last day"): st.column_config.DateColumn(format="YYYY-MM-DD")})
    from components.export import csv_download

    csv_download(shown.drop(columns=["case_id"]), f"cases_{district}.csv", key="dd_cases_csv")
    rows = sel.selection.rows if sel and sel.selection else []
    if rows:
        one = cases.iloc[rows[0]]
        st.subheader(tr(f"④ {one['case_no']} 办案节点", f"④ Timeline of {one['case_no']}"))
        tl = case_timeline_live(view.scope, int(one["case_id"])).value
        if tl is not None:
            tl = tl.rename(columns={"occurred_at": tr("时间", "Time"), "event_type": tr("节点", "Step"),
                                    "stage_from": tr("原阶段", "From"), "stage_to": tr("新阶段", "To"),
                                    "counts_as_matter": tr("计入“件”", "Counts as matter"),
                                    "note": tr("备注", "Note")})
            table(tl, f"timeline_{one['case_no']}.csv", "dd_tl")

"""非羁押监管 · 人员管理: the supervised persons of the officer's procuratorate, their risk code and
its reasons; enrol, transfer, and release on two signatures (one officer asks, another approves);
each audited as the signed-in account.

Queries: queries.supervision.supervised_list / supervision_summary / enrolment_candidates /
staff_choices / enrol / transfer / request_release / release_requests / decide_release.
"""
import datetime as dt

import streamlit as st

from components import auth
from components.export import csv_download
from components.i18n import tr
from components.shell import friendly_errors, inject_font
from components.supervision_ui import now, risk_label, run_action
from components.freshness import fresh_note
from domain import clock
from domain.supervision.risk import DEFAULT_RULE
from queries.cache import get_engine
from queries.supervision import (
    decide_release, district_shapes_live, enrol, enrolment_candidates, release_requests, request_release,
    staff_choices, supervised_list, supervision_summary_live, transfer,
)

inject_font()
scope = auth.scope("supervision")
st.title(tr("人员管理", "Supervised persons"))

with friendly_errors(tr("人员管理", "Personnel")):
    s = supervision_summary_live(scope)
    if s.value:
        c = st.columns(5)
        c[0].metric(tr("在管", "Active"), s.value["active"])
        c[1].metric(tr("累计登记", "Enrolled"), s.value["total"])
        c[2].metric(tr("红码 / 黄码", "Red / yellow"), f"{s.value['red']} / {s.value['yellow']}")
        c[3].metric(tr("未处置告警", "Open alerts"), s.value["open_alerts"])
        c[4].metric(tr("脱管人数", "Absconded"), s.value["absconded"])
    with st.expander(tr("风险码规则", "Risk-code rule")):
        st.write(tr(DEFAULT_RULE.explain(), DEFAULT_RULE.explain_en()))
    f1, f2, f3 = st.columns([1, 1, 2])
    status = f1.selectbox(tr("状态", "Status"), ["在管", "已解除", "已转出", tr("全部", "All")])
    risk = f2.selectbox(tr("风险码", "Risk"), ["", "red", "yellow", "green"],
                        format_func=lambda c: tr("全部", "All") if not c else risk_label(c))
    search = f3.text_input(tr("人员编号或案号", "Person code or case no."), max_chars=40).strip() or None
    df = supervised_list(get_engine(), scope, status if status in ("在管", "已解除", "已转出") else None,
                         risk or None, search)
    asked = df["release_requested_at"].notna()
    view = df.assign(risk=df["risk_code"].map(risk_label),
                     status=df["status"].where(~asked, df["status"] + tr("（解除待审批）", " (release pending)")))
    view = view.rename(columns={
        "person_code": tr("人员编号", "Code"), "name_masked": tr("姓名", "Name"),
        "id_masked": tr("身份证号", "ID no."), "case_no": tr("案号", "Case"), "charge": tr("罪名", "Charge"),
        "measure": tr("强制措施", "Measure"), "start_date": tr("开始", "Start"), "end_date": tr("届满", "End"),
        "status": tr("状态", "Status"), "district": tr("居住区", "District"),
        "prosecutor": tr("承办检察官", "Prosecutor"), "devices": tr("设备", "Devices"),
        "risk": tr("风险码", "Risk"), "risk_reasons": tr("风险依据", "Reasons")})
    cols = [c for c in view.columns if c not in ("id", "risk_code", "min_battery", "first_offender", "confessed",
                                                 "absconded", "last_ping_at", "home_district_id",
                                                 "release_requested_at")]
    st.dataframe(view[cols], hide_index=True, width="stretch", height=380)
    st.caption(tr(f"共 {len(df)} 人；身份信息已脱敏。", f"{len(df)} persons; identities masked."))
    csv_download(view[cols], "supervised.csv")

    t_enrol, t_transfer, t_release = st.tabs([tr("登记（加入）", "Enrol"), tr("流转", "Transfer"),
                                              tr("解除", "Release")])
    staff = staff_choices(get_engine(), scope)
    names = dict(zip(staff["id"], staff["display_name"] + " #" + staff["id"].astype(str)))
    with t_enrol, st.form("sup_enrol"):
        cand = enrolment_candidates(get_engine(), scope)
        opts = {int(r.person_id): f"{r.case_no} · {r.name_masked} · {r.charge} · {r.compulsory_measure}"
                for r in cand.itertuples()}
        pick = st.selectbox(tr("案件与嫌疑人（取保候审/监视居住，未登记）", "Case and suspect"), list(opts),
                            format_func=opts.get)
        e1, e2, e3 = st.columns(3)
        start = e1.date_input(tr("开始日期", "Start"), value=clock.today())
        months = e2.number_input(tr("期限（月）", "Months"), 1, 12, 12)
        pros = e3.selectbox(tr("承办检察官", "Prosecutor"), list(names), format_func=names.get)
        consent = st.checkbox(tr("已告知本人并取得佩戴设备/安装应用的同意", "Person informed and consented"))
        if st.form_submit_button(tr("登记", "Enrol")):
            if pick is None or not consent:
                st.error(tr("请选择人员并确认已告知同意。", "Pick a person and confirm consent."))
            else:
                row = cand.set_index("person_id").loc[pick]
                code = run_action(enrol, get_engine(), scope, case_id=int(row.case_id), person_id=int(pick),
                                  measure=row.compulsory_measure, start=start,
                                  end=start + dt.timedelta(days=30 * int(months)),
                                  home_district_id=int(row.district_id), prosecutor_id=pros, actor=auth.actor(),
                                  now=now())
                if code:
                    st.success(tr(f"已登记：{code}", f"Enrolled: {code}"))
    active = df[df["status"] == "在管"] if "status" in df else df
    people = dict(zip(active["id"], active["person_code"]))
    with t_transfer, st.form("sup_transfer"):
        who = st.selectbox(tr("人员", "Person"), list(people), format_func=people.get, key="tr_who")
        dist = district_shapes_live().value
        dnames = {0: tr("不变", "Unchanged")} | dict(zip(dist["id"], dist["name_zh"]))
        to_d = st.selectbox(tr("迁往居住区（电子围栏随之变更）", "New home district"), list(dnames), format_func=dnames.get)
        to_p = st.selectbox(tr("新承办检察官", "New prosecutor"), [0] + list(names),
                            format_func=lambda i: tr("不变", "Unchanged") if not i else names[i])
        note = st.text_input(tr("说明", "Note"), max_chars=100)
        if st.form_submit_button(tr("流转", "Transfer")) and who is not None:
            run_action(transfer, get_engine(), scope, int(who), to_district_id=to_d or None,
                       to_prosecutor_id=to_p or None, actor=auth.actor(), now=now(), note=note,
                       success=tr("已流转。", "Transferred."))
    with t_release:
        st.caption(tr("解除须两人办理：一名工作人员提出申请，另一名工作人员审批后才解除（本人不能审批本人的申请）。",
                      "A release takes two people: one asks, another approves (nobody approves their own request)."))
        idle = active[active["release_requested_at"].isna()]
        free = dict(zip(idle["id"], idle["person_code"]))
        with st.form("sup_release"):
            who = st.selectbox(tr("人员", "Person"), list(free), format_func=free.get, key="rel_who")
            reason = st.text_input(tr("解除原因", "Reason"), max_chars=100,
                                   placeholder=tr("期限届满 / 变更强制措施 / 判决生效", "Term ended / measure changed"))
            if st.form_submit_button(tr("提交解除申请", "Ask for release")) and who is not None:
                run_action(request_release, get_engine(), scope, int(who), actor=auth.actor(), now=now(),
                           reason=reason, success=tr("已提交解除申请，待另一名工作人员审批。",
                                                     "Release requested; another officer must approve it."))
        pend = release_requests(get_engine(), scope)
        st.markdown(tr(f"**待审批的解除申请（{len(pend)}）**", f"**Release requests awaiting approval ({len(pend)})**"))
        if pend.empty:
            st.caption(tr("没有待审批的解除申请。", "No release request is waiting."))
        else:
            pend["requested_by"] = (pend["requested_by"].fillna("—") + "（"
                                    + pend["requested_by_username"].fillna("—") + "）")
            st.dataframe(pend[["person_code", "name_masked", "case_no", "release_requested_at", "release_reason",
                               "requested_by"]].rename(columns={
                "person_code": tr("人员编号", "Code"), "name_masked": tr("姓名", "Name"),
                "case_no": tr("案号", "Case"), "release_requested_at": tr("申请时间", "Asked at"),
                "release_reason": tr("解除原因", "Reason"), "requested_by": tr("申请人", "Asked by")}),
                hide_index=True, width="stretch")
            with st.form("sup_release_decide"):
                opts = {int(r.id): f"{r.person_code} · {r.requested_by or '—'} · {r.release_reason}"
                        for r in pend.itertuples()}
                pick = st.selectbox(tr("申请", "Request"), list(opts), format_func=opts.get, key="rel_pick")
                note = st.text_input(tr("审批意见（驳回时必填）", "Note (required to reject)"), max_chars=100)
                a, b = st.columns(2)
                ok = a.form_submit_button(tr("批准解除", "Approve release"), type="primary")
                no = b.form_submit_button(tr("驳回 / 撤回", "Reject / withdraw"))
            if (ok or no) and pick is not None:  # approving one's own request is refused (and audited) below
                run_action(decide_release, get_engine(), scope, int(pick), approve=bool(ok),
                           actor=auth.actor(), now=now(), note=note,
                           success=tr("已解除，设备已回收入库。", "Released; devices returned to stock.") if ok
                           else tr("已驳回该解除申请。", "Release request rejected."))
    fresh_note(s)

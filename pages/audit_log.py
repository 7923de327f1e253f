"""Audit log, for the security auditor only (等保 level 3: every sign-in, view of personal data and
decision is recorded, chained by hashes; the auditor reads, checks, exports and purges it)."""
import datetime as dt

import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors
from domain import clock
from queries import audit
from queries.cache import get_engine

K_CHECK, K_EXPORT = "audit_log_check", "audit_log_export"
ALL = "全部"
COLUMNS = {"id": ("编号", "No."), "at": ("时间", "Time"), "actor": ("账号", "Account"),
           "actor_role": ("角色", "Role"), "actor_procuratorate": ("所属院", "Procuratorate"),
           "client_addr": ("客户端地址", "Client address"), "event": ("事件", "Event"),
           "target": ("对象", "Target"), "result": ("结果", "Result"), "detail": ("详情", "Detail")}

who = auth.require("audit")  # anyone else: "无权访问", audited, and the queries refuse them too
addr = auth.client_addr()
st.title(tr("审计日志", "Audit log"))
with friendly_errors(tr("审计日志", "Audit log")):
    engine = get_engine()
    st.caption(tr("仅安全审计员可查阅。每条记录含账号、角色、所属院、客户端地址，并以哈希链相连，删改可被校验发现。",
                  "For the security auditor only. Each entry names the account, role, procuratorate and client "
                  "address, and is chained by hashes so that an edit or deletion is detected."))

    # ------------------------------------------------------------------ filters and the table
    today = clock.today()
    with st.form("audit_filters"):
        c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
        span = c1.date_input(tr("时间范围", "Dates"), value=(today - dt.timedelta(days=7), today),
                             max_value=today, format="YYYY-MM-DD")
        event = c2.selectbox(tr("事件", "Event"), [ALL, *audit.events(engine, who)])
        result = c3.selectbox(tr("结果", "Result"), [ALL, *audit.results(engine, who)])
        limit = c4.number_input(tr("最多条数", "At most"), min_value=10, max_value=5000, value=500, step=100)
        actor = st.text_input(tr("账号包含（可留空）", "Account contains (optional)"), max_chars=60)
        st.form_submit_button(tr("查询", "Search"), type="primary")
    if isinstance(span, (tuple, list)) and len(span) == 2:
        start, end = span
    else:  # one day picked so far
        start = end = span[0] if isinstance(span, (tuple, list)) and span else today
    df = audit.search(engine, who, start=dt.datetime.combine(start, dt.time()),
                      end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
                      event=None if event == ALL else event, result=None if result == ALL else result,
                      actor=actor.strip() or None, limit=int(limit))
    st.caption(tr(f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}：{len(df)} 条（最新在前）",
                  f"{start:%Y-%m-%d} to {end:%Y-%m-%d}: {len(df)} entries (newest first)"))
    text_cols = [c for c in ("actor_procuratorate", "client_addr", "target", "detail") if c in df.columns]
    df[text_cols] = df[text_cols].astype(object).where(df[text_cols].notna(), "—")  # not "None"
    st.dataframe(df.rename(columns={k: tr(*v) for k, v in COLUMNS.items()}), hide_index=True, width="stretch",
                 column_config={tr(*COLUMNS["at"]): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})

    # ------------------------------------------------------------------ integrity
    st.subheader(tr("完整性校验", "Integrity check"))
    if st.button(tr("校验完整性", "Check integrity"), key="audit_verify"):
        st.session_state[K_CHECK] = audit.verify(engine, who, client_addr=addr)
    check = st.session_state.get(K_CHECK)
    if check is not None:
        if check.ok:
            st.success(check.reason)
        else:
            st.error(tr(f"校验未通过（共校验 {check.checked} 条后发现问题）：{check.reason}",
                        f"The check failed after {check.checked} entries: {check.reason}"))

    # ------------------------------------------------------------------ export and purge
    st.subheader(tr("导出与清理", "Export and purge"))
    s = audit.state(engine, who)
    oldest = f"{s.oldest_at:%Y-%m-%d}" if s.oldest_at else "—"
    m1, m2, m3 = st.columns(3)
    m1.metric(tr("现存记录", "Entries kept"), f"{s.entries:,}")
    m2.metric(tr("最早记录", "Oldest entry"), oldest)
    m3.metric(tr("已导出至", "Exported through"), f"#{s.exported_through}" if s.exported_through else "—")
    st.caption(tr(f"审计日志至少保留{audit.RETENTION_DAYS}天（《网络安全法》第二十一条）。只能清理 "
                  f"{s.purgeable_before:%Y-%m-%d} 之前、且已导出的记录；清理本身也记入日志。",
                  f"Entries are kept at least {audit.RETENTION_DAYS} days (Cybersecurity Law art. 21). Only "
                  f"entries before {s.purgeable_before:%Y-%m-%d} that have been exported may be purged; "
                  "the purge is logged too."))
    if st.button(tr("导出全部日志（CSV，含哈希）", "Export the whole log (CSV with hashes)"), key="audit_export"):
        st.session_state[K_EXPORT] = audit.export(engine, who, client_addr=addr)
    exp = st.session_state.get(K_EXPORT)
    if exp is not None:
        st.download_button(tr(f"下载导出文件（{exp.rows} 条）", f"Download the export ({exp.rows} entries)"),
                           exp.data, file_name=exp.filename, mime="text/csv", key="audit_download")

    with st.form("audit_purge"):
        before = st.date_input(tr("清理此日期之前的记录", "Purge entries before"),
                               value=s.purgeable_before.date(), format="YYYY-MM-DD")
        sure = st.checkbox(tr("我确认导出文件已妥善保存；清理后记录无法恢复。",
                              "The export is stored safely; purged entries cannot be restored."))
        go = st.form_submit_button(tr("清理", "Purge"))
    if go:
        if not sure:
            st.warning(tr("请先勾选确认。", "Tick the confirmation first."))
        else:
            try:
                done = audit.purge(engine, who, before, client_addr=addr)
            except audit.PurgeRefused as refused:
                st.error(tr("未清理：", "Not purged: ") + refused.zh)
            else:
                st.session_state.pop(K_CHECK, None)
                st.success(tr(f"已清理 {done.rows} 条记录，链的基点移至第 {done.base_id} 号。",
                              f"Purged {done.rows} entries; the chain's base is now entry {done.base_id}.")
                           + (tr(f"另有 {done.kept_unexported} 条未导出，已保留。",
                                 f" {done.kept_unexported} entries not exported yet were kept.")
                              if done.kept_unexported else ""))

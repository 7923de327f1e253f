"""Landing page: what data the workbench holds and how fresh it is."""
import pandas as pd
import streamlit as st

from components import auth
from components.freshness import fresh_note, unavailable
from components.i18n import tr
from components.shell import friendly_errors
from queries.status import data_status_live

auth.require("home")
st.title(tr("检察工作台 · 数据状态", "Procuratorate workbench · data status"))
with friendly_errors(tr("数据状态", "Data status")):
    res = data_status_live()
    if res.value is None:
        unavailable(tr("数据状态", "Data status"))
    else:
        s = res.value
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("样例规模", "Sample scale"), s.scale or "—")
        c2.metric(tr("数据版本", "Data version"), s.version)
        c3.metric(tr("最近写入", "Last write"), f"{s.updated_at:%Y-%m-%d %H:%M:%S}" if s.updated_at else "—")
        st.dataframe(pd.DataFrame(s.counts, columns=[tr("表", "Table"), tr("行数", "Rows")]),
                     hide_index=True, width="content")
        fresh_note(res)  # a failed refresh says so: never the normal caption over old figures

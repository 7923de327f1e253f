"""量刑知识小工具（公众版）: the same guideline arithmetic in plain language, no login, no personal data.

Rules: domain.sentencing.compute. Real sentences: queries.sentencing.distribution (aggregates only).
"""
import streamlit as st

from components.i18n import tr
from components.freshness import fresh_value
from components.sentencing_charts import ruler
from components.sentencing_view import (
    RULER_KEY, ask_for_tier, badge, mrange, pct_text, real_sentences, ruler_inputs,
)
from components.shell import friendly_errors, inject_font
from domain.sentencing import CRIMES_BY_NAME, compute
from domain.sentencing.bins import SMALL_BIN
from queries.sentencing import public_distribution_live

inject_font()
st.title(tr("量刑知识小工具", "How sentences are worked out"))
st.warning(tr("本工具仅用于普及法律知识，不构成法律意见，也不预测任何具体案件的判决结果。实际刑罚由人民法院依法综合全案决定；"
              "如有具体案件，请咨询律师或向检察机关、法律援助机构求助。本页不收集任何个人信息。",
              "For general legal education only: this is not legal advice and does not predict any case. Courts "
              "decide sentences on the whole case; for a real case, consult a lawyer or legal aid. This page "
              "collects no personal information."))
with friendly_errors(tr("量刑知识小工具", "Sentencing explainer")):
    inp = ruler_inputs([], prefix="pub", public=True)
    res = compute(inp.crime, inp.tier, inp.chosen, extra_months=inp.extra, age=inp.age,
                  confirmations=inp.confirmations)
    if not res.ok:
        if inp.tier is None and not any(n.article.startswith("刑法第17条") for n in res.refusals) \
                and not CRIMES_BY_NAME[inp.crime].direct_only:
            ask_for_tier()
        else:
            for n in res.refusals:
                st.info(tr(n.zh, n.en) + (tr(f"（依据：{n.article}）", f" (ground: {n.article})") if n.article else ""))
    else:
        st.altair_chart(ruler(res), width="stretch")
        st.caption(tr(*RULER_KEY))
        steps = {s.key: s for s in res.steps}
        t = CRIMES_BY_NAME[inp.crime].tier_of(inp.tier)
        b0 = badge(steps["start"].label)
        lines = [tr(f"**第一步：起点。** 对“{t.condition_zh}”这类情形，法律文件规定的起点是 {mrange(t.sp_min, t.sp_max)} 个月 {b0}。",
                    f"**Step 1: starting point.** For '{t.condition_en}', the guideline starts at {mrange(t.sp_min, t.sp_max)} months {b0}.")]
        t1 = [s for s in res.steps if s.key.startswith("t1:")]
        for s in t1:
            p = s.pcts[0]
            lines.append(tr(f"**先行调节：{s.title_zh.split('：')[-1]}（{pct_text(p)}）。** 下限、上限分别按比例的两端相乘，变为 {mrange(s.lo, s.hi)} 个月 {badge(s.label)}。",
                            f"**First: {s.title_en.split(': ')[-1]} ({pct_text(p)}).** Each end is multiplied by the matching end of the percentage: {mrange(s.lo, s.hi)} months {badge(s.label)}."))
        if "t2" in steps:
            s = steps["t2"]
            lines.append(tr(f"**其他情节合并计算。** 从轻的相加、从重的相减，一次性调整：{s.detail_zh}，得到 {mrange(s.lo, s.hi)} 个月 {badge(s.label)}。",
                            f"**Other circumstances together.** Added and netted, applied once: {s.detail_en}; {mrange(s.lo, s.hi)} months {badge(s.label)}."))
        s = steps["statutory"]
        lines.append(tr(f"**不能超出法律规定的幅度。** {s.detail_zh}：{mrange(s.lo, s.hi)} 个月 {badge(res.label)}。",
                        f"**Within the law's limits.** {s.detail_en}: {mrange(s.lo, s.hi)} months {badge(res.label)}."))
        lines.append(tr(f"**法官还会综合全案考量**，可在此基础上上下调整不超过 20%，即大约 {mrange(*res.band)} 个月 {badge(res.band_label)}。",
                        f"**The judge weighs the whole case** and may move this by up to 20 %: about {mrange(*res.band)} months {badge(res.band_label)}."))
        lines.append(tr(f"**结果：{mrange(*res.range)} 个月** {badge(res.label)}。为什么是一个幅度：本页不替您选定任何情节的比例，"
                        "每个勾选的情节都按法律允许的整个幅度计算（例如自首为减少0%–40%），所以结果给出最轻到最重的整个范围。"
                        "标签取计算中最弱的一步：“地方做法”表示全国文本未规定、按部分省份做法（如多个先行情节连乘），"
                        "“解释”表示条文未明说、按通行理解（如认罪认罚吸收自首）。",
                        f"**Result: {mrange(*res.range)} months** {badge(res.label)}. Why a range: this page picks no "
                        "percentage for you; each ticked circumstance counts over the whole range the law allows (surrender: "
                        "0–40 % off), so the result runs from the lightest to the heaviest. The label is the weakest step's: "
                        "PRACTICE means the national text is silent and some provinces' practice is followed (several "
                        "first-tier factors multiplied); INTERPRETATION means a common reading of text that does not say it "
                        "(plea leniency absorbing surrender)."))
        st.markdown("\n\n".join(lines))
        for n in res.notices:
            st.caption("ⓘ " + tr(n.zh, n.en))
    dist = fresh_value(public_distribution_live(inp.crime), tr("判决分布", "Distribution"))
    if dist.n:
        st.subheader(tr("法院实际判了什么（公开判决样本）", "What courts actually imposed (published judgments)"))
        real_sentences(dist, SMALL_BIN, tr("无", "none"))
        st.caption(tr("来源：CAIL2018 公开裁判文书数据集，多为2012–2017年的案件，不代表当前或本地的量刑水平；与上方的法律计算分开显示，从不混合。",
                      "Source: CAIL2018 published judgments, mostly 2012–2017 cases, not current or local sentencing "
                      "levels; shown apart from the legal arithmetic above, never blended."))

"""智能量刑尺: the guideline's arithmetic step by step, beside (never blended with) real sentences.

Queries: queries.sentencing.distribution / trend / what_if / charges_with_data (cached, ``*_live``).
Rules: domain.sentencing.compute. Export: components.sentencing_export (audited via record_export).
"""
import streamlit as st

from components import auth
from components.i18n import tr
from components.freshness import fresh_value
from components.sentencing_charts import ruler, trend_chart, waterfall
from components.sentencing_export import reasoning_pdf
from components.sentencing_view import (
    ask_for_tier, headline, mrange, real_sentences, references, ruler_inputs, show_notices, show_steps, source_choice,
)
from components.shell import friendly_errors, inject_font
from domain import clock
from domain.sentencing import CIRCUMSTANCES_BY_KEY, CRIMES_BY_NAME, compute
from domain.sentencing.bins import KINDS, SMALL_BIN
from queries.cache import get_engine
from queries.sentencing import charges_with_data_live, distribution_live, record_export, trend_live, what_if_live

inject_font()
scope = auth.scope("sentencing")
FLAG_ZH = {"c_surrender": "自首", "c_confession": "坦白/如实供述", "c_recidivist": "累犯", "c_prior_record": "前科",
           "c_forgiveness": "谅解", "c_compensation": "赔偿", "c_attempt": "未遂", "c_accomplice": "从犯",
           "c_plea": "认罪认罚"}
# circumstances the data can filter on (comp_forgiveness = compensation and forgiveness)
RECORDED = {c.key: (c.record_col,) for c in CIRCUMSTANCES_BY_KEY.values() if c.record_col}
RECORDED["comp_forgiveness"] = ("c_compensation", "c_forgiveness")
RECORDED["confession_same_kind"] = RECORDED["confession_major"] = ("c_confession",)

st.title(tr("智能量刑尺", "Smart sentencing ruler"))
st.caption(tr("左边是法律的算术（法发〔2021〕21号，逐步列明依据），右边是法院实际判了什么；两者并列，从不混合。",
              "The law's arithmetic step by step, and beside it, never blended, what courts actually imposed."))
with friendly_errors(tr("智能量刑尺", "Sentencing ruler")):
    charges = fresh_value(charges_with_data_live(scope), tr("罪名列表", "Charges"))
    inp = ruler_inputs(list(charges["charge"]))
    res = compute(inp.crime, inp.tier, inp.chosen, extra_months=inp.extra, start=inp.start,
                  minor_crime=inp.minor_crime, several_crimes=inp.several_crimes, life_or_death=inp.life_or_death,
                  age=inp.age, confirmations=inp.confirmations)
    tier_missing = inp.crime in CRIMES_BY_NAME and not CRIMES_BY_NAME[inp.crime].direct_only and inp.tier is None

    left, right = st.columns([1.15, 1])
    with left:
        st.subheader(tr("规则计算（量刑指导意见）", "The guideline's arithmetic"))
        if res.statutory:
            st.altair_chart(ruler(res), width="stretch")
        if res.ok:
            headline(res)
        if tier_missing and not any(n.article.startswith("刑法第17条") for n in res.refusals):
            ask_for_tier()
        else:
            show_notices(res)
    with right:
        st.subheader(tr("实际判决", "Real sentences"))
        source = source_choice("sr_src")
        cols = tuple(sorted({col for ch in inp.chosen for col in RECORDED.get(ch.key, ())}))
        use_filter = st.toggle(tr("按所选情节筛选（仅数据记录的情节）", "Filter by the chosen circumstances the data records"),
                               value=True, key="sr_filter", disabled=not cols)
        flags = cols if use_filter else ()
        dist = fresh_value(distribution_live(scope, inp.crime, flags, source), tr("判决分布", "Distribution"))
        if flags and dist.n < 10:
            st.info(tr(f"按所选情节筛选后只有 {dist.n} 例，下图改为未筛选的全部判决。",
                       f"Only {dist.n} judgments match the chosen circumstances; showing all judgments instead."))
            flags = ()
            dist = fresh_value(distribution_live(scope, inp.crime, flags, source), tr("判决分布", "Distribution"))
        if dist.n == 0:
            st.info(tr("该罪名在所选来源中没有单一罪名判决记录。", "No single-charge judgments for this charge in this source."))
        else:
            real_sentences(dist, SMALL_BIN, "、".join(FLAG_ZH[f] for f in flags) or tr("无", "none"))
            if dist.median is not None:
                if res.ok and (res.range[1] < dist.p25 or res.range[0] > dist.p75):
                    st.warning(tr("规则计算幅度与实际判决的中间一半不重叠：请核对档次、情节与本省细则。",
                                  "The rule range and the middle half of real sentences do not overlap: check the "
                                  "tier, the circumstances and provincial rules."))
            if dist.n < 30:
                st.warning(tr(f"样本很小（n={dist.n}），分布仅供参考。", f"Small sample (n={dist.n}): indicative only."))

    if res.ok:
        st.subheader(tr("计算步骤（每步列明依据与可信度）", "The steps, each with its citation and confidence"))
        show_steps(res)
    if res.ok and res.effects:
        st.subheader(tr("情节影响（按适用顺序）", "What each circumstance does (in tier order)"))
        st.altair_chart(waterfall(res), width="stretch")
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(tr("近年走势", "Recent years"))
        tr_df = fresh_value(trend_live(scope, inp.crime, flags, (source,)), tr("走势", "Trend"))
        if tr_df.empty:
            st.info(tr("所选来源中没有带判决年份的记录（CAIL2018 真实判决没有年份，不能用于走势）。",
                       "No dated records in the chosen source (the real CAIL2018 rows have no year and never appear in a trend)."))
        else:
            st.altair_chart(trend_chart(tr_df), width="stretch")
            st.caption(tr("实际执行刑期（不含刑期为0与缓刑）的中位数与四分位（阴影），仅来自有判决年份的合成数据。",
                          "Median and quartiles (shaded) of custodial terms (no zero-month or suspended sentences), "
                          "dated synthetic records only."))
        st.markdown(tr("**数据中的情节差异**（有无该情节的实际执行刑期中位数；所选来源；经验对比，非法律）",
                       "**Circumstances in the data** (median custodial term with and without; chosen source; empirical, not law)"))
        if not cols:
            st.caption(tr("勾选数据记录的情节（自首、坦白、累犯、前科、谅解、赔偿、未遂、从犯、认罪认罚）后显示。",
                          "Tick a circumstance the data records to compare."))
        else:
            wi = fresh_value(what_if_live(scope, inp.crime, cols, source), tr("情节对比", "What-if")).copy()
            wi.insert(0, tr("情节", "Circumstance"), wi.pop("flag").map(FLAG_ZH))  # a copy: the cache is shared
            wi.columns = [wi.columns[0], tr("有此情节 n", "n with"), tr("中位数（月）", "median with"),
                          tr("无此情节 n", "n without"), tr("中位数（月） ", "median without")]
            st.dataframe(wi, hide_index=True, width="stretch")
    with c2:
        st.subheader(tr("法律依据", "References"))
        references(inp.crime)

    st.subheader(tr("导出计算说明", "Export the reasoning"))
    engine = get_engine()
    me = auth.staff()
    actor = auth.actor()
    kinds = "、".join(f"{zh.split('（')[0]} {n}" for (c, zh, _), (_, n) in zip(KINDS, dist.kinds) if n)
    summary = "" if dist.n == 0 else (
        f"{inp.crime}：{dist.source} 单一罪名判决 n={dist.n}（刑种：{kinds}）"
        + (f"；实际执行刑期（不含刑期为0与缓刑）中位数 {dist.median:g} 个月，中间一半 {dist.p25:g}–{dist.p75:g} 个月"
           f"（n={dist.custodial_n}）。" if dist.median is not None else "。"))

    def export() -> bytes:
        now = clock.now()
        pdf = reasoning_pdf(res, when=now, real_summary=summary,
                            prepared_by=f"{me.display_name}（{me.username}）")
        record_export(engine, actor=actor, target=f"{inp.crime} " + (f"第{inp.tier}档" if inp.tier else "未选档次"),
                      detail=f"{'range ' + mrange(*res.range) + ' [' + res.label + ']' if res.ok else 'refused'}; "
                             f"{res.ruleset}", at=now)
        return pdf

    st.download_button(tr("下载量刑计算说明（PDF，记入审计日志）", "Download the reasoning (PDF, audited)"), export,
                       file_name="量刑计算说明.pdf", mime="application/pdf", key="sr_export", on_click="ignore")

"""Inputs, step table, notices and references of the sentencing ruler (rendering only, no SQL)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from components.i18n import lang, tr
from components.sentencing_charts import kind_bars, term_bars
from domain.sentencing import (
    CRIMES_BY_NAME, GUIDELINE_CHARGES, Chosen, Pct, Result, allowed_max, circumstances_for, confirmations_needed,
)
from domain.sentencing.guideline import (
    CONFIRMED, EARLIER, INTERPRETATION, LABELS_ZH, ONE_SOURCE, PRACTICE, PROVINCIAL, UNCONFIRMED,
)
from domain.sentencing.liability import AGE_BANDS, CIRCUMSTANCE_AGES, CONFIRM_TEXT

SHORT_ZH = {
    "minor_12_16": "未成年人（12–15岁）", "minor_16_18": "未成年人（16–17岁）", "elderly": "75岁以上老年人故意犯罪",
    "deaf_blind": "又聋又哑或盲人", "partial_incapacity": "限制责任能力精神病人", "excess_defence": "防卫过当、避险过当",
    "confession": "坦白（如实供述）", "confession_same_kind": "供述同种较重罪行", "confession_major": "重大坦白",
    "comp_forgiveness": "赔偿并取得谅解", "compensation": "赔偿未获谅解", "forgiveness": "谅解未赔偿",
    "vulnerable_victim": "侵害弱势人员", "disaster": "灾害、疫情期间犯罪",
    "nonpublic_restitution": "起诉前退赃退赔", "detention_abuse": "殴打侮辱被害人或滥用职权",
    "drug_aggravating": "利用/向未成年人、毒品再犯", "drug_mitigating": "受雇运输、含量低、数量引诱",
    "vice_business": "利用本单位经营条件",
}
BADGE_COLOR = {CONFIRMED: "green", ONE_SOURCE: "orange", EARLIER: "orange", UNCONFIRMED: "red", PROVINCIAL: "blue",
               PRACTICE: "violet", INTERPRETATION: "violet"}
AGE_OPTS = [None] + [k for k, _, _ in AGE_BANDS]


def label_text(label: str) -> str:
    """Plain-text badge (tables, charts, PDF): every number shown carries one."""
    return f"[{LABELS_ZH.get(label, label)}]" if lang() == "zh" else f"[{label}]"


def pct_text(p: Pct) -> str:
    """A circumstance's percentage and whether it entered as a point or a range."""
    sign = "+" if p.direction > 0 else "−"
    if p.is_point:
        return tr(f"{sign}{_m(p.lo)}%（点值）", f"{sign}{_m(p.lo)} % (point)")
    if p.kind == "legal_range":
        return tr(f"{sign}{_m(p.lo)}–{_m(p.hi)}%（幅度：未选定，按法定幅度）", f"{sign}{_m(p.lo)}–{_m(p.hi)} % (range: none chosen, the legal range)")
    return tr(f"{sign}{_m(p.lo)}–{_m(p.hi)}%（幅度：选定）", f"{sign}{_m(p.lo)}–{_m(p.hi)} % (range chosen)")


def badge(label: str) -> str:
    """Markdown badge."""
    return f":{BADGE_COLOR.get(label, 'gray')}-badge[{LABELS_ZH.get(label, label) if lang() == 'zh' else label}]"


def _m(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}".rstrip("0").rstrip(".")


def mrange(lo: float, hi: float) -> str:
    return _m(lo) if abs(hi - lo) < 1e-9 else f"{_m(lo)}–{_m(hi)}"


@dataclass
class Inputs:
    crime: str
    tier: int | None
    start: tuple[float, float] | None = None
    extra: tuple[float, float] = (0.0, 0.0)
    chosen: list[Chosen] = field(default_factory=list)
    minor_crime: bool = False
    several_crimes: bool = False
    life_or_death: bool = False
    age: str | None = None
    confirmations: list[str] = field(default_factory=list)


def charge_options(data_charges: list[str], guideline_only: bool = False) -> list[str]:
    """The 23 guideline crimes first (in the guideline's order), then any other charge with data."""
    opts = list(GUIDELINE_CHARGES)
    if not guideline_only:
        opts += [c for c in data_charges if c not in CRIMES_BY_NAME]
    return opts


def charge_label(c: str) -> str:
    cr = CRIMES_BY_NAME.get(c)
    if cr is None:
        return tr(f"{c}（非23种，无量刑起点）", f"{c} (not among the 23; no starting point)")
    return f"{c}" if lang() == "zh" else f"{c} · {cr.name_en}"


def _age_input(prefix: str) -> str | None:
    """The offender's age at the time of the crime: it decides liability (art. 17) and adds the age
    circumstance the law requires; "not stated" assumes nothing and adds nothing."""
    names = {k: tr(zh, en) for k, zh, en in AGE_BANDS}
    return st.selectbox(tr("行为时年龄", "Age at the time of the crime"), AGE_OPTS,
                        format_func=lambda k: tr("未说明（不加年龄情节）", "not stated (no age circumstance)") if k is None
                        else names[k], key=f"{prefix}_age",
                        help=tr("不满16周岁只对刑法第17条第2、3款所列犯罪负刑事责任；未成年人、75周岁以上的年龄情节随年龄自动加入。",
                                "Under 16, liability is limited to the crimes of Criminal Law art. 17(2)–(3); the "
                                "minor and 75+ circumstances follow from the age."))


def _confirm_inputs(inp: Inputs, prefix: str) -> None:
    """A checkbox for each fact the tool cannot see but the law needs (SPP approval, selling drugs …)."""
    for key in confirmations_needed(inp.crime, inp.tier, inp.age, [c.key for c in inp.chosen]):
        zh, en = CONFIRM_TEXT[key]
        if st.checkbox(tr("我确认：" + zh.removeprefix("已确认："), "I confirm: " + en.removeprefix("Confirmed: ")),
                       key=f"{prefix}_confirm_{key}"):
            inp.confirmations.append(key)


def ruler_inputs(data_charges: list[str], prefix: str = "sr", public: bool = False,
                 default_charge: str = "盗窃") -> Inputs:
    opts = charge_options(data_charges, guideline_only=public)
    top1, top2 = st.columns([1, 2])
    crime = top1.selectbox(tr("罪名", "Charge"), opts, index=opts.index(default_charge) if default_charge in opts else 0,
                         format_func=charge_label, key=f"{prefix}_crime")
    cr = CRIMES_BY_NAME.get(crime)
    inp = Inputs(crime, None)
    if cr is None or cr.direct_only:
        if cr is not None:
            inp.age = _age_input(prefix)
        return inp
    tiers = [None] + [t.tier for t in cr.tiers]

    def fmt(n):
        if n is None:
            return tr("— 请选择档次（基本犯罪事实）—", "— choose the tier (basic facts) —")
        t = cr.tier_of(n)
        cond = t.condition_zh if lang() == "zh" else t.condition_en
        lab = "" if t.label == CONFIRMED else " " + label_text(t.label)
        return tr(f"第{n}档：{cond}（起点 {mrange(t.sp_min, t.sp_max)} 个月）{lab}",
                  f"Tier {n}: {cond} (start {mrange(t.sp_min, t.sp_max)} months){lab}")

    # no tier is pre-selected: the starting point rests on facts only the user knows
    inp.tier = top2.selectbox(tr("量刑起点档次", "Tier"), tiers, index=0, format_func=fmt, key=f"{prefix}_tier_{crime}")
    inp.age = _age_input(prefix)
    if inp.tier is None:
        _confirm_inputs(inp, prefix)
        return inp
    t = cr.tier_of(inp.tier)
    c1, c2 = st.columns(2)
    if not public and t.sp_max > t.sp_min:
        inp.start = c1.slider(tr("量刑起点（月，可在本档内收窄）", "Starting point (months, may narrow within the tier)"),
                              t.sp_min, t.sp_max, (t.sp_min, t.sp_max), step=0.5, format="%.1f",
                              key=f"{prefix}_sp_{crime}_{inp.tier}")
    e1, e2, e3 = c2.columns(3)
    amount = e1.number_input(tr("超出本档的数额（元）或次数", "Amount (yuan) or count beyond the tier"),
                             min_value=0.0, value=0.0, step=1.0, key=f"{prefix}_amount")
    per = e2.number_input(tr("本省细则：每增加1个月对应", "Provincial rule: per extra month"), min_value=0.0,
                          value=0.0, step=1.0, key=f"{prefix}_per", help=tr(
                              "各省实施细则规定“数额每增加X元（或每增加一次）增加1个月刑期”，全国文本没有统一标准。",
                              "Provincial rules set '+1 month per X yuan (or per extra count)'; there is no national rate."))
    if amount > 0 and per > 0:
        ex = round(amount / per, 1)
        e3.metric(tr("增加刑罚量（月）", "Extra months"), f"{ex:g}")
    else:
        ex = e3.number_input(tr("或直接输入增加的月数", "Or extra months directly"), min_value=0.0,
                             max_value=120.0, value=0.0, step=1.0, key=f"{prefix}_extra")
    inp.extra = (ex, ex)
    circ = circumstances_for(crime)
    box = st.container(border=True)  # not an expander: its icon font is overridden by the CJK font CSS
    box.markdown(tr("**量刑情节**（勾选后按法定幅度全程计算；拖动滑块可收窄为一个幅度或一个比例）",
                    "**Circumstances** (once ticked, the whole legal range counts; drag to narrow it to a range or a point)"))
    picked: list[str] = []
    vals: dict[str, float | tuple[float, float] | None] = {}
    groups = [(tr("第一类（先行连乘）", "Tier 1 (applied first)"), [c for c in circ if c.tier == 1]),
              (tr("第二类（同向相加、逆向相减）", "Tier 2 (netted)"), [c for c in circ if c.tier == 2 and not c.crimes]),
              (tr("本罪特有情节", "Crime-specific"), [c for c in circ if c.crimes])]
    common = {"attempt", "accomplice", "minor_16_18", "surrender", "confession", "court_plea", "restitution",
              "comp_forgiveness", "compensation", "forgiveness", "plea", "recidivist", "prior_record"}
    for title, items in groups:
        items = [c for c in items if c.key not in CIRCUMSTANCE_AGES]  # the age input decides these
        if public:
            items = [c for c in items if c.key in common or c.crimes]
        if not items:
            continue
        box.caption(title)
        cols = box.columns(4)
        for i, c in enumerate(items):
            col = cols[i % 4]
            name = SHORT_ZH.get(c.key, c.name_zh) if lang() == "zh" else c.name_en
            rng_txt = tr("比例由本省细则定", "provincial figure") if c.needs_provincial else (
                f"{'+' if c.direction > 0 else '−'}{_m(c.pct_min)}–{_m(allowed_max(c, picked + [c.key], inp.minor_crime))}%")
            lab = "" if c.label == CONFIRMED else " " + label_text(c.label)
            tip = tr(f"{c.name_zh}。{c.notes_zh}（{c.source}）", f"{c.name_en} ({c.source})")
            if not col.checkbox(f"{name}（{rng_txt}）{lab}", key=f"{prefix}_c_{c.key}", help=tip):
                continue
            picked.append(c.key)
            if public:
                vals[c.key] = None
            elif c.needs_provincial:
                vals[c.key] = col.number_input(tr("本省比例（%）", "Provincial %"), 1.0, 100.0, value=None,
                                               key=f"{prefix}_p_{c.key}", placeholder=tr("请输入", "enter"))
            else:
                mx = allowed_max(c, picked, inp.minor_crime)
                vals[c.key] = None  # untouched: the whole legal range, never a silent middle value
                if mx > c.pct_min:
                    lo, hi = col.slider(tr("比例（%）", "Percent"), float(c.pct_min), float(mx),
                                        (float(c.pct_min), float(mx)), 1.0, format="%.0f%%",
                                        key=f"{prefix}_p_{c.key}_{mx}", label_visibility="collapsed")
                    if (lo, hi) != (c.pct_min, mx):
                        vals[c.key] = lo if lo == hi else (lo, hi)
    inp.chosen = [Chosen(k, vals.get(k)) for k in picked]
    if not public:
        f1, f2, f3 = box.columns(3)
        inp.minor_crime = f1.checkbox(tr("犯罪较轻（部分情节可超出一般比例）", "Minor crime (some ranges extend)"),
                                      key=f"{prefix}_minor")
        inp.several_crimes = f2.checkbox(tr("同时犯有数罪", "Several crimes at once"), key=f"{prefix}_several")
        inp.life_or_death = f3.checkbox(tr("拟判处无期徒刑以上", "Life or death is called for"), key=f"{prefix}_life")
    _confirm_inputs(inp, prefix)
    return inp


def steps_table(res: Result) -> pd.DataFrame:
    zh = lang() == "zh"
    rows = []
    for s in res.steps:
        rows.append({
            tr("步骤", "Step"): s.title_zh if zh else s.title_en,
            tr("输入（月）", "In (months)"): "" if s.lo_in is None else mrange(s.lo_in, s.hi_in),
            tr("结果（月）", "Out (months)"): mrange(s.lo, s.hi),
            tr("可信度", "Confidence"): label_text(s.label),
            tr("情节比例（点值/幅度）", "Percentages (point/range)"):
                "；".join(f"{p.name_zh if zh else p.name_en} {pct_text(p)}" for p in s.pcts),
            tr("计算", "Computation"): s.detail_zh if zh else s.detail_en,
            tr("依据", "Citation"): s.citation,
        })
    return pd.DataFrame(rows)


def show_steps(res: Result) -> None:
    df = steps_table(res)
    cfg = {df.columns[0]: st.column_config.TextColumn(width="medium"),
           df.columns[1]: st.column_config.TextColumn(width="small"),
           df.columns[2]: st.column_config.TextColumn(width="small"),
           df.columns[3]: st.column_config.TextColumn(width="small"),
           df.columns[4]: st.column_config.TextColumn(width="medium"),
           df.columns[5]: st.column_config.TextColumn(width="large"),
           df.columns[6]: st.column_config.TextColumn(width="large")}
    st.dataframe(df, hide_index=True, width="stretch", column_config=cfg)


def show_notices(res: Result) -> None:
    for n in res.notices:
        msg = n.zh if lang() == "zh" else n.en
        if n.level == "refusal" and n.article:
            msg += tr(f"（依据：{n.article}）", f" (ground: {n.article})")
        {"refusal": st.error, "warning": st.warning}.get(n.level, st.info)(msg)


RULER_KEY = ("图中深蓝为规则计算幅度，浅蓝为法官 ±20% 幅度，灰色为法定刑幅度。",
             "Dark blue: the rule range; light blue: the judge's ±20 % band; grey: the statutory bracket.")


def headline(res: Result) -> None:
    """The recommended range, the ±20 % band and the statutory bracket, each with its label."""
    st.caption(tr(*RULER_KEY))
    st.markdown(tr(f"**规则计算幅度 {mrange(*res.range)} 个月** {badge(res.label)}；法官 ±20% 后 {mrange(*res.band)} 个月 "
                   f"{badge(res.band_label)}；法定刑 {mrange(*res.statutory)} 个月 {badge(CONFIRMED)}",
                   f"**Rule range {mrange(*res.range)} months** {badge(res.label)}; with the judge's ±20 % "
                   f"{mrange(*res.band)} {badge(res.band_label)}; statutory {mrange(*res.statutory)} {badge(CONFIRMED)}"))
    if res.label != CONFIRMED:
        why = [s for s in res.steps if s.label == res.label and s.key != "band"]
        st.caption(tr(f"可信度取最弱一步：“{LABELS_ZH.get(res.label, res.label)}”来自“{why[0].title_zh}”（{why[0].citation}）。",
                      f"The weakest step sets the label: '{res.label}' from '{why[0].title_en}' ({why[0].citation}).")
                   if why else "")


def ask_for_tier() -> None:
    st.info(tr("请选择量刑起点档次（基本犯罪构成事实）。本工具不替您预设档次。",
               "Choose the starting-point tier (the basic facts of the offence); the tool does not choose one for you."))


def references(crime: str) -> None:
    cr = CRIMES_BY_NAME.get(crime)
    if cr is None:
        st.caption(tr("该罪名不在2021年量刑指导意见的23种之列。", "This charge is not among the guideline's 23 crimes."))
        return
    r = cr.reference
    lines = [
        f"- {tr('刑法条文', 'Criminal Law')}：{r.article}",
        f"- {tr('数额/情节标准', 'Thresholds')}：{r.thresholds_zh} {badge(r.thresholds_label)}",
        f"- {tr('司法解释', 'Interpretation')}：{r.interpretation}",
        f"- {tr('量刑起点来源', 'Starting-point source')}：法发〔2021〕21号 四({cr.no})；{cr.source} {badge(cr.label)}",
    ]
    if cr.notes_zh:
        lines.append(f"- {tr('说明', 'Note')}：{cr.notes_zh}")
    if r.guiding_cases:
        lines.append(f"- {tr('指导性案例（经核实）', 'Guiding cases (verified)')}：" + "；".join(r.guiding_cases))
    else:
        lines.append(f"- {tr('指导性案例', 'Guiding cases')}：{tr('暂无经核实的指导性案例', 'none verified')}")
    st.markdown("\n".join(lines))


SOURCE_NAMES = {"CAIL2018": ("真实判决（CAIL2018）", "Real (CAIL2018)"), "synthetic": ("合成样例数据", "Synthetic sample")}


def source_choice(key: str) -> str:
    """One source per figure: real and synthetic judgments are never drawn together."""
    return st.radio(tr("数据来源（每次只显示一种，从不混合）", "Source (one at a time, never mixed)"), list(SOURCE_NAMES),
                    format_func=lambda s: tr(*SOURCE_NAMES[s]), horizontal=True, key=key)


def real_sentences(dist, small: int, flags_text: str) -> None:
    """The kinds of sentence beside the terms of the custodial ones, with the sample and its caveats.

    ``dist`` is a queries.sentencing.Distribution (components do not import queries, not even for types).
    """
    st.markdown(tr(f"**刑种构成**（全部 {dist.n} 份判决）", f"**Kinds of sentence** (all {dist.n} judgments)"))
    st.altair_chart(kind_bars(dist.kinds), width="stretch")
    st.markdown(tr(f"**实际执行刑期分布**（仅拘役、有期徒刑，n={dist.custodial_n}）",
                   f"**Custodial terms** (detention and prison only, n={dist.custodial_n})"))
    if dist.custodial_n:
        st.altair_chart(term_bars(dist.terms, small), width="stretch")
    else:
        st.caption(tr("没有实际执行的拘役或有期徒刑。", "No custodial sentence."))
    src = tr(*SOURCE_NAMES[dist.source])
    prob = "" if dist.probation_recorded else tr(
        "该来源不记录缓刑，拘役、有期徒刑中可能含缓刑；", "this source does not record suspension, so the custodial terms may include suspended ones; ")
    st.caption(tr(f"{src}，单一罪名判决 n = {dist.n}；筛选情节：{flags_text}。{prob}刑期为0的判决（免予刑事处罚、管制、单处罚金等，数据不区分）"
                  f"和缓刑只计入刑种构成，不计入刑期分布与中位数。6个月的刑期可能是拘役或有期徒刑。少于{small}例的分组为灰色。"
                  "CAIL2018 的情节由案情文本提取（公诉指控、截断至300字），会低估法院认定的情节；合成数据按真实分布校准，仅供演示。",
                  f"{src}, single-charge judgments n = {dist.n}; filter: {flags_text}. {prob}zero-month sentences "
                  "(exemption, surveillance, a fine alone: not told apart) and suspended ones count only among the "
                  f"kinds, never in the terms or the median. A 6-month term may be detention or prison. Bins under {small} "
                  "are grey. CAIL2018 circumstances come from the fact text (allegations cut at 300 characters) and "
                  "understate what courts found; synthetic rows are calibrated, demo only."))
    if dist.median is not None:
        st.markdown(tr(f"实际执行刑期中位数 **{dist.median:g}** 个月，中间一半 {dist.p25:g}–{dist.p75:g} 个月"
                       f"（n={dist.custodial_n}，不含刑期为0与缓刑）",
                       f"Median custodial term **{dist.median:g}** months, middle half {dist.p25:g}–{dist.p75:g} "
                       f"(n={dist.custodial_n}; zero-month and suspended sentences excluded)"))

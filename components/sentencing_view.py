"""Inputs, step table, notices and references of the sentencing ruler (rendering only, no SQL)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from components.i18n import lang, tr
from domain.sentencing import (
    CRIMES_BY_NAME, GUIDELINE_CHARGES, Chosen, Result, allowed_max, circumstances_for, default_pct,
)
from domain.sentencing.guideline import CONFIRMED, EARLIER, LABELS_ZH, ONE_SOURCE, PROVINCIAL, UNCONFIRMED

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
BADGE_COLOR = {CONFIRMED: "green", ONE_SOURCE: "orange", EARLIER: "orange", UNCONFIRMED: "red", PROVINCIAL: "blue"}


def label_text(label: str) -> str:
    """Plain-text badge (tables): always shown next to a number that is not CONFIRMED."""
    return f"[{LABELS_ZH.get(label, label)}]" if lang() == "zh" else f"[{label}]"


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


def ruler_inputs(data_charges: list[str], prefix: str = "sr", public: bool = False,
                 default_charge: str = "盗窃") -> Inputs:
    opts = charge_options(data_charges, guideline_only=public)
    top1, top2 = st.columns([1, 2])
    crime = top1.selectbox(tr("罪名", "Charge"), opts, index=opts.index(default_charge) if default_charge in opts else 0,
                         format_func=charge_label, key=f"{prefix}_crime")
    cr = CRIMES_BY_NAME.get(crime)
    inp = Inputs(crime, None)
    if cr is None or cr.direct_only:
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

    inp.tier = top2.selectbox(tr("量刑起点档次", "Tier"), tiers, index=1, format_func=fmt, key=f"{prefix}_tier_{crime}")
    if inp.tier is None:
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
    box.markdown(tr("**量刑情节**（勾选后可在法定比例内调整；默认取中间值）",
                    "**Circumstances** (adjust within the legal range once ticked; default is the middle)"))
    picked: list[str] = []
    vals: dict[str, float | None] = {}
    groups = [(tr("第一类（先行连乘）", "Tier 1 (applied first)"), [c for c in circ if c.tier == 1]),
              (tr("第二类（同向相加、逆向相减）", "Tier 2 (netted)"), [c for c in circ if c.tier == 2 and not c.crimes]),
              (tr("本罪特有情节", "Crime-specific"), [c for c in circ if c.crimes])]
    common = {"attempt", "accomplice", "minor_16_18", "surrender", "confession", "court_plea", "restitution",
              "comp_forgiveness", "compensation", "forgiveness", "plea", "recidivist", "prior_record"}
    for title, items in groups:
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
                if mx > c.pct_min:
                    vals[c.key] = col.slider(tr("比例（%）", "Percent"), float(c.pct_min), float(mx),
                                             float(default_pct(c, picked)), 1.0, format="%.0f%%",
                                             key=f"{prefix}_p_{c.key}_{mx}", label_visibility="collapsed")
                else:
                    vals[c.key] = None
    inp.chosen = [Chosen(k, vals.get(k)) for k in picked]
    if not public:
        f1, f2, f3 = box.columns(3)
        inp.minor_crime = f1.checkbox(tr("犯罪较轻（部分情节可超出一般比例）", "Minor crime (some ranges extend)"),
                                      key=f"{prefix}_minor")
        inp.several_crimes = f2.checkbox(tr("同时犯有数罪", "Several crimes at once"), key=f"{prefix}_several")
        inp.life_or_death = f3.checkbox(tr("拟判处无期徒刑以上", "Life or death is called for"), key=f"{prefix}_life")
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
           df.columns[4]: st.column_config.TextColumn(width="large"),
           df.columns[5]: st.column_config.TextColumn(width="large")}
    st.dataframe(df, hide_index=True, width="stretch", column_config=cfg)


def show_notices(res: Result) -> None:
    for n in res.notices:
        msg = n.zh if lang() == "zh" else n.en
        {"refusal": st.error, "warning": st.warning}.get(n.level, st.info)(msg)


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

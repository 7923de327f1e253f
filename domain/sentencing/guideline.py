"""The 2021 sentencing guideline (法发〔2021〕21号) as data: starting-point tiers and circumstances.

Every row carries its legal source and a confidence label copied from the team's notes
(``shared/domain/sentencing_guideline.md`` §2–§4 and ``sentencing_products.md`` §2). Months are
the unit throughout: "X年以下有期徒刑、拘役" is written 1–12X months (拘役 starts at 1 month); open
brackets that continue into life imprisonment stop at 180 (the 15-year cap for one crime).

Nothing here is computed; ``domain.sentencing.rules`` does the arithmetic.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

# ----------------------------------------------------------------------------- labels

CONFIRMED = "CONFIRMED"
ONE_SOURCE = "CONFIRMED (one source)"
EARLIER = "EARLIER-VERSION"
UNCONFIRMED = "UNCONFIRMED"
PROVINCIAL = "PROVINCIAL"  # a figure the user enters from a provincial 实施细则; never a national number
PRACTICE = "PRACTICE"  # provincial practice where the national text is silent (e.g. multiplying tier-1 factors)
INTERPRETATION = "INTERPRETATION"  # a reading of the text that the text itself does not state
LABELS = (CONFIRMED, ONE_SOURCE, EARLIER, UNCONFIRMED, PROVINCIAL, PRACTICE, INTERPRETATION)
LABELS_ZH = {CONFIRMED: "已核实", ONE_SOURCE: "单一来源", EARLIER: "旧版文本", UNCONFIRMED: "未核实",
             PROVINCIAL: "地方细则", PRACTICE: "地方做法", INTERPRETATION: "解释"}
# Weakest first: a number carries the label of its weakest step (``weakest``).
LABEL_RANK = {PROVINCIAL: 0, UNCONFIRMED: 1, PRACTICE: 2, INTERPRETATION: 3, EARLIER: 4, ONE_SOURCE: 5,
              CONFIRMED: 6}


def weakest(labels) -> str:
    """The weakest of several labels (unknown labels count as the weakest): what a combined number carries."""
    labels = list(labels)
    return min(labels, key=lambda lab: LABEL_RANK.get(lab, -1)) if labels else CONFIRMED

DOC = "法发〔2021〕21号《关于常见犯罪的量刑指导意见（试行）》"
RULESET_VERSION = "2021-21/app-2"  # bump when any table below changes (the hash changes by itself)

SRC_METHOD = f"{DOC} 二(二)"
SRC_FIX = f"{DOC} 二(三)"
SRC_PART4 = "the 2021 part 四 file (yuwenhan07/LawLLM-cupl-buaa punishment-mapping.json @4c01883)"
# The sources behind the two readings the national text leaves open (sentencing_guideline.md §1, §2 item 14).
SRC_PRACTICE_T1 = ("地方做法：山东实施细则“采用连乘的方法依次调节基准刑”（uianet.net/dictionary/b7683050.html）；"
                   "山西实施细则（flzsz.com/flgw/falv/1dlxm8.html）；《法律适用》2020年第22期。全国文本仅规定“在此基础上”")
SRC_INTERP_PLEA = (f"解释：{DOC} 三(十四)只规定“不作重复评价”；“被吸收、取认罪认罚比例与被吸收情节之和的较大者”"
                   "为通行理解，非条文原文")
SRC_INTERP_COURT_PLEA = (f"解释：{DOC} 三(八)规定“依法认定自首、坦白的除外”；本工具取两者较大者，"
                         "使增加从宽情节不致加重结果，非条文原文")


@dataclass(frozen=True)
class Tier:
    """One starting-point tier of a crime (part 四) inside its statutory bracket."""

    tier: int
    condition_zh: str
    condition_en: str
    sp_min: float  # starting point, months
    sp_max: float
    stat_min: float  # statutory bracket, months
    stat_max: float
    label: str
    source: str
    above_note_zh: str = ""  # e.g. 无期徒刑以上除外


@dataclass(frozen=True)
class Reference:
    """Law anchors for a charge (sentencing_products.md §2): article, thresholds, interpretation, cases."""

    article: str
    thresholds_zh: str
    thresholds_label: str
    interpretation: str
    guiding_cases: tuple[str, ...] = ()  # only those the notes mark CONFIRMED


@dataclass(frozen=True)
class Crime:
    no: int  # item number in part 四
    name: str  # charge name as in the data (CAIL / accu.txt, without 罪)
    name_en: str
    tiers: tuple[Tier, ...]
    label: str
    source: str
    reference: Reference
    direct_only: bool = False  # 危险驾驶: declared sentence set directly, no step arithmetic
    direct_range: tuple[float, float] | None = None
    strict_leniency: bool = False  # part 三 preamble: violent / drug / sexual crimes
    notes_zh: str = ""
    negligent: bool = False  # a negligent crime (过失犯罪): no recidivism (art. 65), 75+ band of −20 % to −50 %

    def tier_of(self, n: int | None) -> Tier | None:
        for t in self.tiers:
            if t.tier == n:
                return t
        return None


def _t(tier, czh, cen, sp, stat, label, source, above="") -> Tier:
    return Tier(tier, czh, cen, float(sp[0]), float(sp[1]), float(stat[0]), float(stat[1]), label, source,
                above)


LIFE_X = "无期徒刑以上刑罚的除外"

# ----------------------------------------------------------------------------- the 23 crimes (part 四)

CRIMES: tuple[Crime, ...] = (
    Crime(1, "交通肇事", "Traffic accident", (
        _t(1, "致人重伤、死亡或者使公私财产遭受重大损失", "serious injury, death or major loss", (1, 24), (1, 36),
           CONFIRMED, "scxsls.com/knowledge/detail?id=181750 (2021 part 四 (一))"),
        _t(2, "交通运输肇事后逃逸或者有其他特别恶劣情节", "escape or especially bad circumstances", (36, 60),
           (36, 84), CONFIRMED, "scxsls.com/knowledge/detail?id=181750"),
        _t(3, "因逃逸致一人死亡", "escape causing one death", (84, 120), (84, 180), CONFIRMED,
           "scxsls.com/knowledge/detail?id=181750"),
    ), CONFIRMED, "scxsls.com/knowledge/detail?id=181750",
        Reference("刑法第133条", "致1人死亡或3人重伤且负全部/主要责任；无法赔偿损失≥30万元。特别恶劣：2人死亡或5人重伤；≥60万元",
                  CONFIRMED, "最高人民法院关于审理交通肇事刑事案件具体应用法律若干问题的解释（2000）"),
        negligent=True, notes_zh="过失犯罪：不构成累犯（刑法第65条）"),
    Crime(2, "危险驾驶", "Dangerous driving", (), CONFIRMED, f"{SRC_PART4}; m.pay1999.com/wd/4515471.html",
          Reference("刑法第133条之一", "醉驾：血液酒精含量≥80mg/100ml；<150且无第10条情形可认定情节显著轻微",
                    CONFIRMED, "两高两部《关于办理醉酒危险驾驶刑事案件的意见》（2023-12-28施行）",
                    ("指导案例32号 张某某、金某危险驾驶案（追逐竞驶、情节恶劣）",)),
          direct_only=True, direct_range=(1.0, 6.0),
          notes_zh="依法在一个月至六个月拘役幅度内确定宣告刑，并处罚金；不适用量刑起点—基准刑的步骤计算"),
    Crime(3, "非法吸收公众存款", "Illegal public deposit-taking", (
        _t(1, "犯罪情节一般", "ordinary circumstances", (1, 12), (1, 36), ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (36, 48), (36, 120),
           ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge amount or especially serious", (120, 144),
           (120, 180), ONE_SOURCE, f"{SRC_PART4}; fxcxw.org.cn/dyna/content.php?id=23022"),
    ), ONE_SOURCE, SRC_PART4,
        Reference("刑法第176条", "入罪≥100万元或≥150人或损失≥50万元；巨大≥500万元/500人/损失250万元；特别巨大≥5000万元/5000人/损失2500万元",
                  CONFIRMED, "最高人民法院关于审理非法集资刑事案件具体应用法律若干问题的解释（2022-03-01施行）第3–6条")),
    Crime(4, "集资诈骗", "Fraudulent fund-raising", (
        _t(1, "数额较大", "large amount", (36, 48), (36, 84), CONFIRMED, "zyslawfirm.cn/page/m/323.html"),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or serious circumstances", (84, 108), (84, 180), CONFIRMED,
           "zyslawfirm.cn/page/m/323.html", LIFE_X),
    ), CONFIRMED, "zyslawfirm.cn/page/m/323.html",
        Reference("刑法第192条", "较大≥10万元；巨大≥100万元", CONFIRMED,
                  "最高人民法院关于审理非法集资刑事案件具体应用法律若干问题的解释（2022）第8条")),
    Crime(5, "信用卡诈骗", "Credit-card fraud", (
        _t(1, "数额较大", "large amount", (1, 24), (1, 60), ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (60, 72), (60, 120),
           ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge or especially serious", (120, 144), (120, 180),
           ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4,
        Reference("刑法第196条", "冒用/伪造/作废卡：5千/5万/50万元；恶意透支：5万/50万/500万元", CONFIRMED,
                  "两高《关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》（2018-12-01修改施行）")),
    Crime(6, "合同诈骗", "Contract fraud", (
        _t(1, "数额较大", "large amount", (1, 12), (1, 36), ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (36, 48), (36, 120),
           ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge or especially serious", (120, 144), (120, 180),
           ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4,
        Reference("刑法第224条", "立案追诉≥2万元；全国未统一分档，由各省确定（广东2万/30万/150万元，未核实）", UNCONFIRMED,
                  "立案追诉标准（二）（2022）第69条",
                  ("指导案例62号 王新明合同诈骗案（既遂与未遂分属不同量刑幅度时的处理）",))),
    Crime(7, "故意伤害", "Intentional injury", (
        _t(1, "故意伤害致一人轻伤", "one minor injury", (1, 24), (1, 36), CONFIRMED,
           "llgarden.com topic 583174 (2021 两高…(试行) item (七))"),
        _t(2, "故意伤害致一人重伤", "one serious injury", (36, 60), (36, 120), CONFIRMED, "llgarden.com topic 583174"),
        _t(3, "以特别残忍手段故意伤害致一人重伤，造成六级严重残疾", "serious injury by especially cruel means, grade-6 disability",
           (120, 156), (120, 180), CONFIRMED, "llgarden.com topic 583174", LIFE_X),
    ), CONFIRMED, "llgarden.com topic 583174", Reference(
        "刑法第234条", "按伤情（轻伤/重伤/死亡）而非数额", CONFIRMED, "人体损伤程度鉴定标准",
        ("指导案例93号 于欢故意伤害案（防卫过当）", "检例第46号 朱凤山故意伤害（防卫过当）案")),
        strict_leniency=True),
    Crime(8, "强奸", "Rape", (
        _t(1, "强奸妇女一人", "one woman", (36, 72), (36, 120), ONE_SOURCE, SRC_PART4),
        _t(2, "奸淫幼女一人", "one girl under 14", (48, 84), (36, 120), ONE_SOURCE, SRC_PART4),
        _t(3, "情节恶劣；强奸三人以上；公共场所当众强奸；轮奸；奸淫不满十周岁的幼女或者造成幼女伤害；致使被害人重伤、死亡或者造成其他严重后果",
           "aggravated (bad circumstances, 3+ victims, public place, gang rape, girl under 10 or injured, serious injury)",
           (120, 156), (120, 180), ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4, Reference(
        "刑法第236条", "按加重情节而非数额", CONFIRMED, "两高《关于办理强奸、猥亵未成年人刑事案件适用法律若干问题的解释》（2023-06-01施行）",
        ("检例第42号 齐某强奸、猥亵儿童案（情节恶劣、公共场所当众）",)), strict_leniency=True),
    Crime(9, "非法拘禁", "Unlawful detention", (
        _t(1, "犯罪情节一般", "ordinary circumstances", (1, 12), (1, 36), ONE_SOURCE, SRC_PART4),
        _t(2, "致一人重伤", "one serious injury", (36, 60), (36, 120), ONE_SOURCE, SRC_PART4),
        _t(3, "致一人死亡", "one death", (120, 156), (120, 180), ONE_SOURCE, SRC_PART4),
    ), ONE_SOURCE, SRC_PART4, Reference("刑法第238条", "无数额标准（按伤亡后果）", CONFIRMED, "—")),
    Crime(10, "抢劫", "Robbery", (
        _t(1, "抢劫一次", "one robbery", (36, 72), (36, 120), ONE_SOURCE, SRC_PART4),
        _t(2, "有刑法第263条八种加重情节之一（入户、公共交通工具、金融机构、多次或数额巨大、致人重伤死亡、冒充军警、持枪、军用救灾物资）",
           "any of the 8 statutory aggravators of art. 263", (120, 156), (120, 180), ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4, Reference(
        "刑法第263条", "八种法定加重情节；“数额巨大”参照盗窃标准（未核实）", UNCONFIRMED,
        "最高人民法院关于审理抢劫案件具体应用法律若干问题的解释（2000）",
        ("指导案例14号 董某某、宋某某抢劫案（未成年人、缓刑与禁止令）",)), strict_leniency=True),
    Crime(11, "盗窃", "Theft", (
        _t(1, "数额较大，或二年内三次盗窃，或入户盗窃，或携带凶器盗窃，或扒窃",
           "large amount, three thefts in two years, entering a home, armed, or pickpocketing",
           (1, 12), (1, 36), CONFIRMED, "yz148.com/article/24874.html (item (十一))"),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (36, 48), (36, 120),
           CONFIRMED, "yz148.com/article/24874.html"),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge or especially serious", (120, 144), (120, 180),
           CONFIRMED, "yz148.com/article/24874.html", LIFE_X),
    ), CONFIRMED, "yz148.com/article/24874.html; m.110ask.com/zhishi/8128808912121848715.html", Reference(
        "刑法第264条", "全国：较大1千–3千元 / 巨大3万–10万元 / 特别巨大30万–50万元（各省在幅度内确定；上海现行数额未核实）",
        UNCONFIRMED, "两高《关于办理盗窃刑事案件适用法律若干问题的解释》法释〔2013〕8号"),
        notes_zh="多次盗窃：以数额确定量刑起点，次数作为调节基准刑的因素"),
    Crime(12, "诈骗", "Fraud", (
        _t(1, "数额较大", "large amount", (1, 12), (1, 36), ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (36, 48), (36, 120),
           ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge or especially serious", (120, 144), (120, 180),
           ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4, Reference(
        "刑法第266条", "全国：3千–1万元 / 3万–10万元 / 50万元。上海：1万元（有从重情节5千元）/ 10万元 / 50万元（沪高法〔2011〕241号）",
        CONFIRMED, "两高《关于办理诈骗刑事案件具体应用法律若干问题的解释》（2011-04-08施行）"),
        notes_zh="电信网络诈骗：严格把握缓刑"),
    Crime(13, "抢夺", "Snatching", (
        _t(1, "数额较大或者二年内三次抢夺", "large amount or three snatchings in two years", (1, 12), (1, 36),
           ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (36, 60), (36, 120),
           ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge or especially serious", (120, 144), (120, 180),
           ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4, Reference("刑法第267条", "1千–3千元 / 3万–8万元 / 20万–40万元", CONFIRMED,
                                         "两高《关于办理抢夺刑事案件适用法律若干问题的解释》（2013-11-18施行）")),
    Crime(14, "职务侵占", "Embezzlement by employees", (
        _t(1, "数额较大", "large amount", (1, 12), (1, 36), ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大", "huge amount", (36, 48), (36, 120), ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大", "especially huge amount", (120, 132), (120, 180), ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4, Reference(
        "刑法第271条（刑法修正案（十一）后三档）", "2016解释：6万 / 100万元；立案追诉3万元（2022）；法释〔2026〕6号据称3万/20万/300万元（未核实）",
        UNCONFIRMED, "两高《关于办理贪污贿赂刑事案件适用法律若干问题的解释》（2016）第11条")),
    Crime(15, "敲诈勒索", "Extortion", (
        _t(1, "数额较大或者二年内三次敲诈勒索", "large amount or three extortions in two years", (1, 12), (1, 36),
           ONE_SOURCE, SRC_PART4),
        _t(2, "数额巨大或者有其他严重情节", "huge amount or other serious circumstances", (36, 60), (36, 120),
           ONE_SOURCE, SRC_PART4),
        _t(3, "数额特别巨大或者有其他特别严重情节", "especially huge or especially serious", (120, 144), (120, 180),
           ONE_SOURCE, SRC_PART4),
    ), ONE_SOURCE, SRC_PART4, Reference("刑法第274条", "2千–5千元 / 3万–10万元 / 30万–50万元", CONFIRMED,
                                         "两高《关于办理敲诈勒索刑事案件适用法律若干问题的解释》（2013-04-27施行）")),
    Crime(16, "妨害公务", "Obstructing official duties", (
        _t(1, "妨害公务", "obstructing official duties", (1, 24), (1, 36), ONE_SOURCE, SRC_PART4),
    ), ONE_SOURCE, SRC_PART4, Reference("刑法第277条（袭警罪为第5款，另行定罪，不在23种之列）", "无数额标准", CONFIRMED,
                                         "两高《关于办理袭警刑事案件适用法律若干问题的解释》（2025-01-18施行）"),
        notes_zh="2021年文本未规定暴力袭警从重10%–30%等旧版调节比例"),
    Crime(17, "聚众斗殴", "Affray", (
        _t(1, "犯罪情节一般", "ordinary", (1, 24), (1, 36), CONFIRMED, "tieqiaolawyer.com/xingfaxingshi/2649.html"),
        _t(2, "聚众斗殴三次以上、人数多规模大社会影响恶劣、公共场所或交通要道聚众斗殴造成社会秩序严重混乱、持械聚众斗殴",
           "3 affrays, large scale, public place causing serious disorder, or armed", (36, 60), (36, 120),
           CONFIRMED, "tieqiaolawyer.com/xingfaxingshi/2649.html"),
    ), CONFIRMED, "tieqiaolawyer.com/xingfaxingshi/2649.html",
        Reference("刑法第292条", "法定加重情节（多次、规模大、公共场所、持械）", CONFIRMED, "—",
                  ("检例第1号 施某某等17人聚众斗殴案（相对不起诉）",))),
    Crime(18, "寻衅滋事", "Picking quarrels", (
        _t(1, "寻衅滋事一次", "one incident", (1, 36), (1, 60), CONFIRMED, "tieqiaolawyer.com/xingfaxingshi/2649.html"),
        _t(2, "纠集他人三次寻衅滋事（每次都构成犯罪），严重破坏社会秩序", "gathering others for 3 incidents, each a crime",
           (60, 84), (60, 120), CONFIRMED, "tieqiaolawyer.com/xingfaxingshi/2649.html"),
    ), CONFIRMED, "tieqiaolawyer.com/xingfaxingshi/2649.html",
        Reference("刑法第293条", "强拿硬要≥1千元；任意损毁、占用财物≥2千元", CONFIRMED,
                  "两高《关于办理寻衅滋事刑事案件适用法律若干问题的解释》（2013）")),
    Crime(19, "掩饰、隐瞒犯罪所得、犯罪所得收益", "Concealing criminal proceeds", (
        _t(1, "犯罪情节一般", "ordinary", (1, 12), (1, 36), CONFIRMED, "zhifou.net.cn/c/20240123/28139.html"),
        _t(2, "情节严重", "serious", (36, 48), (36, 84), CONFIRMED, "zhifou.net.cn/c/20240123/28139.html"),
    ), CONFIRMED, "zhifou.net.cn/c/20240123/28139.html; 182.61.201.157/p/9475516659",
        Reference("刑法第312条", "2021年删除数额入罪标准；情节严重≥10万元", CONFIRMED,
                  "最高人民法院关于审理掩饰、隐瞒犯罪所得、犯罪所得收益刑事案件适用法律若干问题的解释（2021-04-15修正施行）")),
    Crime(20, "走私、贩卖、运输、制造毒品", "Drug trafficking", (
        _t(1, "毒品数量少（不满海洛因/甲基苯丙胺10克）", "small quantity", (1, 36), (1, 36), ONE_SOURCE, SRC_PART4),
        _t(2, "毒品数量少但情节严重", "small quantity, serious circumstances", (36, 48), (36, 84), ONE_SOURCE,
           SRC_PART4),
        _t(3, "毒品数量较大（海洛因/甲基苯丙胺10–50克、鸦片200克–1千克）", "relatively large quantity", (84, 96),
           (84, 180), ONE_SOURCE, SRC_PART4),
        _t(4, "毒品数量大（海洛因/甲基苯丙胺≥50克、鸦片≥1千克）", "large quantity", (180, 180), (180, 180),
           ONE_SOURCE, SRC_PART4, LIFE_X),
    ), ONE_SOURCE, SRC_PART4, Reference("刑法第347条", "鸦片≥1千克、海洛因或甲基苯丙胺≥50克→15年以上；200克/10克→7年以上",
                                         CONFIRMED, "最高人民法院关于审理毒品犯罪案件适用法律若干问题的解释（2016）"),
        strict_leniency=True, notes_zh="严格把握缓刑"),
    Crime(21, "非法持有毒品", "Illegal drug possession", (
        _t(1, "毒品数量较大（鸦片200克、海洛因或甲基苯丙胺10克）", "relatively large (200 g opium, 10 g heroin/meth)",
           (1, 12), (1, 36), CONFIRMED, "yz148.com/article/24875.html (item (二十一))"),
        _t(2, "情节严重", "serious", (36, 48), (36, 84), CONFIRMED, "yz148.com/article/24875.html"),
        _t(3, "毒品数量大（鸦片≥1千克、海洛因或甲基苯丙胺≥50克）", "large quantity", (84, 108), (84, 180), CONFIRMED,
           "yz148.com/article/24875.html", LIFE_X),
    ), CONFIRMED, "yz148.com/article/24875.html", Reference(
        "刑法第348条", "入罪：鸦片200克或海洛因/甲基苯丙胺10克；1千克/50克→7年以上", CONFIRMED,
        "最高人民法院关于审理毒品犯罪案件适用法律若干问题的解释（2016）"), strict_leniency=True),
    Crime(22, "容留他人吸毒", "Providing a place for drug use", (
        _t(1, "容留他人吸毒", "providing a place for drug use", (1, 12), (1, 36), CONFIRMED,
           "yz148.com/article/24875.html (item (二十二))"),
    ), CONFIRMED, "yz148.com/article/24875.html", Reference(
        "刑法第354条", "非数额：一次容留多人、二年内多次、曾受行政处罚、容留未成年人、以牟利为目的、造成严重后果", CONFIRMED,
        "最高人民法院关于审理毒品犯罪案件适用法律若干问题的解释（2016）第12条"), strict_leniency=True),
    Crime(23, "引诱、容留、介绍卖淫", "Luring, sheltering or introducing prostitution", (
        _t(1, "情节一般", "ordinary", (1, 24), (1, 60), ONE_SOURCE, SRC_PART4),
        _t(2, "情节严重", "serious", (60, 84), (60, 180), ONE_SOURCE, SRC_PART4),
    ), ONE_SOURCE, SRC_PART4, Reference(
        "刑法第359条", "入罪：引诱；容留、介绍2人以上；获利≥1万元。情节严重：引诱5人以上或容留介绍10人以上；获利≥5万元",
        CONFIRMED, "两高《关于办理组织、强迫、引诱、容留、介绍卖淫刑事案件适用法律若干问题的解释》（2017）第8–9条")),
)

CRIMES_BY_NAME: dict[str, Crime] = {c.name: c for c in CRIMES}
GUIDELINE_CHARGES: tuple[str, ...] = tuple(c.name for c in CRIMES)


# ----------------------------------------------------------------------------- circumstances (part 三)


@dataclass(frozen=True)
class Circumstance:
    """A sentencing circumstance with its legal range (percent of the base sentence, as magnitudes).

    ``direction`` −1 lowers the sentence, +1 raises it. ``pct_min``/``pct_max`` bound the chosen
    magnitude; ``minor_max`` is the bound when the crime is minor (犯罪较轻) where the text allows more.
    ``pct_min is None`` means the 2021 text gives no percentage: the user must enter a provincial figure.
    """

    key: str
    name_zh: str
    name_en: str
    tier: int  # 1 = applied first, successively; 2 = netted (同向相加、逆向相减)
    direction: int
    pct_min: float | None
    pct_max: float | None
    label: str
    source: str
    mitigation: bool = False  # a statutory 减轻 circumstance: may go below the statutory minimum
    must_mitigate: bool = False  # the law requires going below the minimum (or exemption)
    minor_max: float | None = None
    group: str | None = None  # at most one circumstance per group
    crimes: tuple[str, ...] = ()  # crime-specific (part 四); empty = general
    record_col: str | None = None  # the SentencingRecord flag that records it, if any
    notes_zh: str = ""
    notes_en: str = ""

    @property
    def needs_provincial(self) -> bool:
        return self.pct_min is None


S3 = f"{DOC} 三"
C = Circumstance

CIRCUMSTANCES: tuple[Circumstance, ...] = (
    # tier 1 (part 二(二)2): applied first, one after another
    C("minor_12_16", "已满十二周岁不满十六周岁的未成年人犯罪", "minor aged 12–15", 1, -1, 30, 60, CONFIRMED,
      f"{S3} (一); 刑法第17条第4款", mitigation=True, group="age",
      notes_zh="应当从轻或者减轻（必须）；不满16周岁只对刑法第17条第2、3款所列犯罪负刑事责任"),
    C("minor_16_18", "已满十六周岁不满十八周岁的未成年人犯罪", "minor aged 16–17", 1, -1, 10, 50, CONFIRMED,
      f"{S3} (一); 刑法第17条第4款", mitigation=True, group="age", notes_zh="应当从轻或者减轻（必须）"),
    C("elderly", "已满七十五周岁的老年人故意犯罪", "aged 75+, intentional crime", 1, -1, 0, 40, CONFIRMED,
      f"{S3} (二); 刑法第17条之一", mitigation=True, group="age",
      notes_zh="故意犯罪：可以从轻或者减轻；过失犯罪见下一项（20%–50%）"),
    C("elderly_negligent", "已满七十五周岁的老年人过失犯罪", "aged 75+, negligent crime", 1, -1, 20, 50, CONFIRMED,
      f"{S3} (二); 刑法第17条之一", mitigation=True, group="age", notes_zh="过失犯罪：应当从轻或者减轻"),
    C("deaf_blind", "又聋又哑的人或者盲人犯罪", "deaf-mute or blind offender", 1, -1, 0, 50, CONFIRMED,
      f"{S3} (三); 刑法第19条", mitigation=True, minor_max=100),
    C("attempt", "未遂犯", "attempt", 1, -1, 0, 50, CONFIRMED, f"{S3} (四); 刑法第23条", mitigation=True,
      record_col="c_attempt"),
    C("accomplice", "从犯", "accomplice", 1, -1, 20, 50, CONFIRMED, f"{S3} (五); 刑法第27条", mitigation=True,
      minor_max=100, record_col="c_accomplice", notes_zh="应当从轻、减轻处罚或者免除处罚"),
    C("preparation", "预备犯", "preparation", 1, -1, None, None, PROVINCIAL, "刑法第22条（2021年文本未给比例）",
      mitigation=True, notes_zh="全国文本无比例，请按本省实施细则输入"),
    C("abandonment", "中止犯（造成损害）", "abandonment (harm caused)", 1, -1, None, None, PROVINCIAL,
      "刑法第24条（2021年文本未给比例）", mitigation=True, must_mitigate=True,
      notes_zh="应当减轻处罚；全国文本无比例，请按本省实施细则输入"),
    C("partial_incapacity", "尚未完全丧失辨认或者控制能力的精神病人犯罪", "partial mental incapacity", 1, -1, None,
      None, PROVINCIAL, "刑法第18条第3款（2021年文本未给比例）", mitigation=True),
    C("excess_defence", "防卫过当、避险过当", "excessive self-defence or necessity", 1, -1, None, None, PROVINCIAL,
      "刑法第20条、第21条（2021年文本未给比例）", mitigation=True, must_mitigate=True,
      notes_zh="应当减轻或者免除处罚"),
    C("coerced", "胁从犯", "coerced accomplice", 1, -1, None, None, PROVINCIAL,
      "刑法第28条（2021年文本未给比例）", mitigation=True, must_mitigate=True,
      notes_zh="应当按照犯罪情节减轻处罚或者免除处罚"),
    # tier 2: netted, applied once
    C("surrender", "自首", "voluntary surrender", 2, -1, 0, 40, CONFIRMED, f"{S3} (六); 刑法第67条第1款",
      mitigation=True, minor_max=100, group="surrender_confession", record_col="c_surrender",
      notes_zh="恶意利用自首规避法律制裁的不予从宽"),
    C("confession", "坦白（如实供述自己罪行）", "confession of own crime", 2, -1, 0, 20, CONFIRMED,
      f"{S3} (七)1; 刑法第67条第3款", group="surrender_confession", record_col="c_confession"),
    C("confession_same_kind", "如实供述司法机关尚未掌握的同种较重罪行", "confesses undiscovered, more serious crimes of the same kind",
      2, -1, 10, 30, CONFIRMED, f"{S3} (七)2", group="surrender_confession"),
    C("confession_major", "因如实供述避免特别严重后果发生（重大坦白）", "confession avoiding especially serious consequences",
      2, -1, 30, 50, CONFIRMED, f"{S3} (七)3; 刑法第67条第3款", mitigation=True, group="surrender_confession"),
    C("court_plea", "当庭自愿认罪", "voluntary guilty plea in court", 2, -1, 0, 10, CONFIRMED, f"{S3} (八)",
      notes_zh="已认定自首、坦白的不作重复评价"),
    C("merit", "立功", "meritorious service", 2, -1, 0, 20, CONFIRMED, f"{S3} (九); 刑法第68条", mitigation=True,
      group="merit"),
    C("merit_major", "重大立功", "major meritorious service", 2, -1, 20, 50, CONFIRMED, f"{S3} (九); 刑法第68条",
      mitigation=True, minor_max=100, group="merit"),
    C("restitution", "退赃、退赔", "return of goods or restitution", 2, -1, 0, 30, CONFIRMED, f"{S3} (十)",
      notes_zh="抢劫等严重危害社会治安犯罪从严掌握"),
    C("comp_forgiveness", "积极赔偿并取得谅解", "compensation and forgiveness", 2, -1, 0, 40, CONFIRMED, f"{S3} (十一)",
      group="compensation", notes_zh="抢劫、强奸等严重危害社会治安犯罪从严掌握"),
    C("compensation", "积极赔偿但没有取得谅解", "compensation, no forgiveness", 2, -1, 0, 30, CONFIRMED, f"{S3} (十一)",
      group="compensation", record_col="c_compensation"),
    C("forgiveness", "没有赔偿但取得谅解", "forgiveness without compensation", 2, -1, 0, 20, CONFIRMED, f"{S3} (十一)",
      group="compensation", record_col="c_forgiveness"),
    C("reconciliation", "刑事和解", "criminal reconciliation", 2, -1, 0, 50, CONFIRMED,
      f"{S3} (十二); 刑事诉讼法第288条", minor_max=100),
    C("custody_conduct", "羁押期间表现好", "good conduct in custody", 2, -1, 0, 10, CONFIRMED, f"{S3} (十三)"),
    C("plea", "认罪认罚", "plea leniency", 2, -1, 0, 30, CONFIRMED, f"{S3} (十四); 刑事诉讼法第15条",
      minor_max=100, record_col="c_plea",
      notes_zh="与自首、重大坦白、退赃退赔、赔偿谅解、刑事和解同时具有的，可减少60%以下；不作重复评价"),
    C("recidivist", "累犯", "recidivist", 2, +1, 10, 40, CONFIRMED, f"{S3} (十五); 刑法第65条",
      record_col="c_recidivist",
      notes_zh="应当增加，一般不少于3个月；过失犯罪和不满十八周岁的人犯罪不构成累犯（刑法第65条）"),
    C("prior_record", "有前科", "prior record", 2, +1, 0, 10, CONFIRMED, f"{S3} (十六)", record_col="c_prior_record",
      notes_zh="前科为过失犯罪或未成年人犯罪的除外；已据以认定累犯的前罪不再作为前科评价"),
    C("vulnerable_victim", "犯罪对象为未成年人、老年人、残疾人、孕妇等弱势人员", "vulnerable victim", 2, +1, 0, 20,
      CONFIRMED, f"{S3} (十七)"),
    C("disaster", "在重大自然灾害、预防控制突发传染病疫情等灾害期间故意犯罪", "crime during a disaster or epidemic control",
      2, +1, 0, 20, CONFIRMED, f"{S3} (十八)"),
    # crime-specific adjustments (part 四)
    C("nonpublic_restitution", "非法吸收公众存款：提起公诉前积极退赃退赔、减少损害结果", "restitution before prosecution (deposit-taking)",
      2, -1, 0, 40, ONE_SOURCE, f"{SRC_PART4} (三)", minor_max=100, crimes=("非法吸收公众存款",)),
    C("detention_abuse", "非法拘禁：殴打、侮辱被害人，或国家机关工作人员利用职权", "beating/insulting the victim or abuse of power",
      2, +1, 10, 20, ONE_SOURCE, f"{SRC_PART4} (九)", crimes=("非法拘禁",)),
    C("drug_aggravating", "毒品：利用、教唆未成年人，向未成年人出售，毒品再犯", "drugs: using/selling to minors, drug recidivism",
      2, +1, 10, 30, ONE_SOURCE, f"{SRC_PART4} (二十)", crimes=("走私、贩卖、运输、制造毒品",)),
    C("drug_mitigating", "毒品：受雇运输、毒品含量明显偏低、存在数量引诱", "drugs: hired courier, low purity, quantity inducement",
      2, -1, 0, 30, ONE_SOURCE, f"{SRC_PART4} (二十)", crimes=("走私、贩卖、运输、制造毒品",)),
    C("vice_business", "卖淫：旅馆、饮服、娱乐、出租车等单位负责人利用本单位条件", "prostitution through one's hotel/taxi business",
      2, +1, 10, 20, ONE_SOURCE, f"{SRC_PART4} (二十三)", crimes=("引诱、容留、介绍卖淫",)),
)

CIRCUMSTANCES_BY_KEY: dict[str, Circumstance] = {c.key: c for c in CIRCUMSTANCES}

# Plea leniency (part 三 (十四)): these are not counted twice with it.
PLEA_ABSORBS: tuple[str, ...] = ("surrender", "confession", "confession_same_kind", "confession_major",
                                 "court_plea", "restitution", "comp_forgiveness", "compensation", "forgiveness",
                                 "reconciliation", "custody_conduct")
# ...and these raise its ceiling from 30 % to 60 %.
PLEA_RAISES_CEILING: tuple[str, ...] = ("surrender", "confession_major", "restitution", "comp_forgiveness",
                                        "reconciliation")
PLEA_COMBINED_MAX = 60.0
# A plea in court does not add to surrender or confession (part 三 (八)).
COURT_PLEA_EXCLUDED_BY: tuple[str, ...] = ("surrender", "confession", "confession_same_kind", "confession_major")
RECIDIVIST_MIN_MONTHS = 3.0
JUDGE_BAND = 0.20  # part 二(三): the judge may move the adjusted result by up to 20 %


def circumstances_for(crime: str) -> tuple[Circumstance, ...]:
    """General circumstances plus the crime's own adjustments, in tier order."""
    return tuple(c for c in CIRCUMSTANCES if not c.crimes or crime in c.crimes)


@functools.cache
def ruleset_hash() -> str:
    """Content hash of every table: stamped on each result and export. The tables are immutable
    (tuples of frozen rows), so it is computed once per process (every ``compute`` stamps it)."""
    h = hashlib.sha256()
    from domain.sentencing.liability import AGE_BANDS, ART17_2, ART17_3

    h.update(repr((RULESET_VERSION, CRIMES, CIRCUMSTANCES, PLEA_ABSORBS, PLEA_RAISES_CEILING,
                   PLEA_COMBINED_MAX, COURT_PLEA_EXCLUDED_BY, RECIDIVIST_MIN_MONTHS, JUDGE_BAND,
                   AGE_BANDS, ART17_2, ART17_3, LABEL_RANK)).encode())
    return h.hexdigest()[:12]

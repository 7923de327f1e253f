"""Core sample data: districts, procuratorates, staff, people, cases, their suspects and event stream.

Each criminal case's whole life is simulated first (arrest review, investigation, prosecution
review with returns and extensions, decision, trial, judgment) and then cut at ``ctx.now``: stages
not yet reached are left empty and the current stage is the last one reached. Every suspect then
gets their own record (``_suspects``): arrest decision (批准/不批准 on a police request; 决定/不予 for
a supervisory commission's case or in prosecution review), plea, recommendation, prosecution
decision, judgment, and custody spells over time. The case keeps the summary of
``domain.case_summary`` (applied vectorised by ``summarise_frame``). Per-person rates follow
``shared/domain/procuratorate.md`` §1.3: 不捕率 ≈ 45 %, 不诉率 ≈ 23 %, 诉前羁押率 ≈ 35 %, 认罪认罚 ≈ 87 %,
确定刑 ≈ 90 % of recommendations, adoption ≈ 96 % (tests/test_foundation.py holds the ranges).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from domain.access import AUDITOR, DATA, LEADER, PIL, PROSECUTOR, SECADMIN, SUPERVISION, SYSADMIN
from domain.cases import ADMIN_CAUSES, ADMIN_REFERRAL, CHARGE_MIX, CIVIL_CAUSES, MATTER_EVENTS, PIL_CAUSES
from domain.procedure import (
    APPROVED, ARRESTED, DECIDED, NON_PROSECUTION_TYPES, NOT_APPROVED, NOT_DECIDED, NOT_PROSECUTE, PROSECUTE,
    REC_FIXED, REC_RANGE,
)
from domain.identity import make_id
from domain.passwords import new_password
from queries.schema import (
    AppUser, Case, CaseEvent, CaseParty, CustodyPeriod, Department, District, Person, Procuratorate, Suspect,
    UserRole,
)
from queries.writes import bulk_insert, fix_pg_sequences, person_columns, phone_columns

REAL = Path(__file__).resolve().parent / "real"
FENGXIAN = 310120

# Relative case volume by district (a rough stand-in for population and caseload).
DISTRICT_WEIGHT = {
    310115: 0.20, 310112: 0.10, 310113: 0.08, 310117: 0.08, 310114: 0.07, 310118: 0.05,
    310120: 0.05, 310116: 0.03, 310151: 0.025, 310107: 0.05, 310110: 0.05, 310104: 0.05,
    310105: 0.035, 310106: 0.05, 310109: 0.035, 310101: 0.04,
}
FUNCTION_SHARE = (("刑事", 0.78), ("民事", 0.09), ("行政", 0.04), ("公益诉讼", 0.09))
DEPARTMENTS = (
    ("第一检察部", "刑事"), ("第二检察部", "刑事"), ("第三检察部", "刑事"), ("第四检察部", "刑事"),
    ("第五检察部", "民事"), ("第六检察部", "行政"), ("第七检察部", "公益诉讼"),
)
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力志国庆春海波宁晨雪琳斌浩宇欣怡佳俊鹏飞凯鑫涵婷颖博琪晓燕蕾瑞")
VICTIM_CHARGES = {"盗窃", "诈骗", "故意伤害", "抢劫", "抢夺", "敲诈勒索", "强奸", "非法拘禁", "交通肇事",
                  "信用卡诈骗", "合同诈骗", "职务侵占", "寻衅滋事", "故意杀人", "集资诈骗", "非法吸收公众存款"}
# Median recommended months per charge (rough, in line with the CAIL medians).
REC_MONTHS = {"危险驾驶": 3, "盗窃": 8, "诈骗": 24, "故意伤害": 12, "帮助信息网络犯罪活动": 8,
              "掩饰、隐瞒犯罪所得、犯罪所得收益": 10, "交通肇事": 12, "走私、贩卖、运输、制造毒品": 18,
              "强奸": 40, "抢劫": 48, "合同诈骗": 36, "故意杀人": 150, "受贿": 36, "贪污": 36,
              "挪用公款": 24, "行贿": 18}
# Duty crimes investigated by the supervisory commissions (监察法 art. 11; CPL art. 170).
DUTY_CHARGES = ("受贿", "贪污", "挪用公款", "行贿")

HOURS = 3600.0
DAYS = 86400.0


def _districts(engine: Engine) -> list[dict]:
    gj = json.loads((REAL / "shanghai_districts.geojson").read_text(encoding="utf-8"))
    rows = []
    for f in gj["features"]:
        p = f["properties"]
        rows.append(dict(id=int(p["adcode"]), name_zh=p["name_zh"], name_en=p["name_en"],
                         label_lon=p["label_lon"], label_lat=p["label_lat"],
                         geojson=json.dumps(f["geometry"], separators=(",", ":"))))
    return rows


def _users(district_ids: list[int], proc_of: dict[int, int], rng: np.random.Generator,
           now: dt.datetime) -> tuple[list[dict], list[dict], dict[str, str]]:
    """Staff and lawyer accounts, their roles, and each one's own random password (never shared,
    never from the seed: ``make run`` writes them once to ``data/demo_accounts.txt``)."""
    from queries.password_hash import hash_password  # the one Argon2id profile the logins verify against

    city = [("admin", "系统管理员", SYSADMIN), ("secadmin", "安全管理员", SECADMIN),
            ("auditor", "安全审计员", AUDITOR), ("leader", "市院领导", LEADER), ("data", "数据管理员", DATA)]
    users, roles = [], []
    for username, display, role in city:
        users.append(dict(username=username, display_name=display, role=role, procuratorate_id=1))
        roles.append((username, role))
    for d in district_ids:
        for n in (1, 2, 3):
            name = SURNAMES[rng.integers(len(SURNAMES))] + "".join(rng.choice(GIVEN, 2))
            users.append(dict(username=f"pros_{d}_{n}", display_name=f"{name}检察官", role="prosecutor",
                              procuratorate_id=proc_of[d]))
            roles.append((f"pros_{d}_{n}", PROSECUTOR))
        users.append(dict(username=f"sup_{d}", display_name="监管专员", role="supervision",
                          procuratorate_id=proc_of[d]))
        roles.append((f"sup_{d}", SUPERVISION))
        users.append(dict(username=f"leader_{d}", display_name="分管副检察长", role="leader",
                          procuratorate_id=proc_of[d]))
        roles.append((f"leader_{d}", LEADER))
    if FENGXIAN in proc_of:  # the rivers are Fengxian's
        users.append(dict(username=f"pil_{FENGXIAN}", display_name="公益诉讼检察官", role="pil",
                          procuratorate_id=proc_of[FENGXIAN]))
        roles.append((f"pil_{FENGXIAN}", PIL))
    firms = ["上海申江律师事务所", "上海浦江律师事务所", "上海明理律师事务所", "上海正衡律师事务所"]
    for n in range(1, 21):
        name = SURNAMES[rng.integers(len(SURNAMES))] + "".join(rng.choice(GIVEN, 2))
        users.append(dict(username=f"lawyer{n:02d}", display_name=f"{name}律师", role="lawyer",
                          procuratorate_id=None, law_firm=firms[n % len(firms)],
                          **phone_columns(lawyer_phone(n))))
    # A second supervision officer per district (after everyone else, so the other accounts keep
    # their ids): a release (解除) is asked for by one officer and approved by another.
    for d in district_ids:
        users.append(dict(username=f"sup_{d}_2", display_name="监管专员（复核）", role="supervision",
                          procuratorate_id=proc_of[d]))
        roles.append((f"sup_{d}_2", SUPERVISION))
    passwords = {}
    for u in users:
        pw = new_password()
        passwords[u["username"]] = pw
        u.setdefault("law_firm", None)
        u.setdefault("phone_hash", None)
        u.setdefault("phone_masked", None)
        u["password_hash"] = hash_password(pw)
        u["active"] = True
        u["created_at"] = now - dt.timedelta(days=400)
        # Staff change the issued password and enrol a second factor at first sign-in.
        u["must_change_password"] = u["role"] != "lawyer"
        u["password_changed_at"] = None
    return users, [dict(username=n, role=r) for n, r in roles], passwords


def lawyer_phone(n: int) -> str:
    """The demo phone number of ``lawyer<n>`` (not stored in clear anywhere)."""
    return f"139{20000000 + n * 7919:08d}"


def _accept_times(n: int, start: dt.datetime, now: dt.datetime, rng: np.random.Generator) -> np.ndarray:
    """Acceptance times: slowly rising volume, fewer at weekends, mostly in office hours."""
    span = (now - start).total_seconds()
    # rising trend: density ∝ 1 + 0.3 t  → inverse-CDF sampling
    u = rng.random(n)
    a = 0.3
    t = (-1 + np.sqrt(1 + a * (2 + a) * u)) / a  # in [0, 1]
    days = np.floor(t * span / DAYS)
    weekday = (start.weekday() + days) % 7
    weekend = weekday >= 5
    moved = weekend & (rng.random(n) < 0.7)
    # a weekend acceptance mostly moves to a working day of the same week (any of Monday–Friday)
    days = np.where(moved, days - weekday + rng.integers(0, 5, n), days)
    hour = np.clip(rng.normal(13.0, 2.6, n), 8.0, 20.5)
    secs = days * DAYS + hour * HOURS + rng.integers(0, 60, n)
    secs = np.clip(secs, 0, span - 60)
    return secs



def _first(s: pd.DataFrame, mask: np.ndarray, order: np.ndarray | None = None) -> pd.DataFrame:
    """Per case, the row of ``s[mask]`` with the smallest ``order`` (default ``seq``)."""
    sub = s[mask]
    key = sub["seq"].to_numpy() if order is None else order[mask]
    return sub.assign(_k=key).sort_values(["case", "_k"], kind="stable").drop_duplicates("case")


def summarise_frame(s: pd.DataFrame, n: int) -> dict[str, np.ndarray]:
    """``domain.case_summary.summarise`` for every case at once: arrays of length ``n`` (case index)."""
    out: dict[str, np.ndarray] = {}
    obj = lambda: np.full(n, None, dtype=object)  # noqa: E731
    reviewed = s["arrest_decision"].notna().to_numpy()
    arrested = s["arrest_decision"].isin(ARRESTED).to_numpy()
    first = _first(s, reviewed, np.where(arrested, 0, 1000) + s["seq"].to_numpy())
    out["arrest_decision"] = obj()
    out["arrest_decision"][first["case"].to_numpy()] = first["arrest_decision"].to_numpy()
    out["arrest_decided_at"] = np.full(n, np.nan)
    t = s[reviewed].groupby("case")["arrest_decided_at"].min()
    out["arrest_decided_at"][t.index.to_numpy()] = t.to_numpy()
    decided = s["prosecution_decision"].notna().to_numpy()
    pros = (s["prosecution_decision"] == PROSECUTE).to_numpy()
    first = _first(s, decided, np.where(pros, 0, 1000) + s["seq"].to_numpy())
    out["prosecution_decision"] = obj()
    out["prosecution_decision"][first["case"].to_numpy()] = first["prosecution_decision"].to_numpy()
    out["non_prosecution_type"] = obj()
    out["non_prosecution_type"][first["case"].to_numpy()] = first["non_prosecution_type"].to_numpy()
    out["prosecution_decided_at"] = np.full(n, np.nan)
    t = s[decided].groupby("case")["prosecution_decided_at"].min()
    out["prosecution_decided_at"][t.index.to_numpy()] = t.to_numpy()
    out["plea_leniency"] = np.zeros(n, dtype=bool)
    p = s.groupby("case")["plea"].any()
    out["plea_leniency"][p.index.to_numpy()] = p.to_numpy()
    first = _first(s, s["rec_kind"].notna().to_numpy())
    c = first["case"].to_numpy()
    out["sentencing_rec_kind"], out["rec_adopted"] = obj(), obj()
    out["sentencing_rec_months"] = np.full(n, np.nan)
    out["sentencing_rec_kind"][c] = first["rec_kind"].to_numpy()
    out["sentencing_rec_months"][c] = first["rec_months"].to_numpy(dtype=float)
    out["rec_adopted"][c] = first["rec_adopted"].to_numpy()
    return out


def _suspects(k: dict, rng: np.random.Generator, span_now: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per suspect of every criminal case, with their own decisions, and their custody spells.

    ``k`` holds the case arrays (index = case index; times in seconds from the start, NaN = not
    reached by now). The principal suspect (seq 1) takes the case's drawn path; a co-suspect never
    goes further than the principal (so the case's summary is seq 1's arrest and prosecution) but
    may stop short: not arrested where the principal was, not prosecuted where the principal was,
    pleading or not on their own.
    """
    crim, suspects = k["crim"], k["suspects"]
    ci = np.nonzero(crim)[0]
    reps = suspects[ci].astype(int)
    case = np.repeat(ci, reps)
    m = len(case)
    seq = np.arange(m) - np.repeat(np.cumsum(reps) - reps, reps) + 1
    co = seq > 1
    u = lambda: rng.random(m)  # noqa: E731
    g = {name: k[name][case] for name in (
        "arrest_path", "approved", "duty", "review_arrest", "nonpros", "fast", "expect", "np_type",
        "juvenile", "reached", "acc", "arrest_decided_c", "duty_decided_c", "rev_review_c", "rev_decided_c",
        "review_c", "decided_c", "judgment_c", "handler", "charge")}
    nan = np.full(m, np.nan)

    # ---- arrest review: the police's request (批准 / 不批准), a supervisory commission's case or
    # the procuratorate's own review in prosecution review (决定 / 不予)
    police = g["arrest_path"]
    arrested_p = np.where(co, g["approved"] & (u() < 0.62), g["approved"])
    duty_ok = u() < np.where(co, 0.75, 0.92)
    rev = g["review_arrest"] & (~co | (u() < 0.8))
    rev_ok = u() < 0.55
    review_at = np.where(police | g["duty"], g["acc"], np.where(rev, g["rev_review_c"], nan))
    dec_at = np.where(police, g["arrest_decided_c"], np.where(g["duty"], g["duty_decided_c"],
                                                             np.where(rev, g["rev_decided_c"], nan)))
    decision = np.where(police, np.where(arrested_p, APPROVED, NOT_APPROVED),
                        np.where(g["duty"], np.where(duty_ok, DECIDED, NOT_DECIDED),
                                 np.where(rev, np.where(rev_ok, DECIDED, NOT_DECIDED), None)))
    decision = np.where(np.isnan(dec_at), None, decision)
    arrested = np.isin(decision, ARRESTED)

    # ---- prosecution decision: never further than the principal's
    not_pros = g["nonpros"] | (co & (u() < np.where(arrested, 0.04, 0.16)))
    reached = g["reached"]
    pdec = np.where(reached, np.where(not_pros, NOT_PROSECUTE, PROSECUTE), None)
    types = np.where(g["juvenile"], rng.choice(NON_PROSECUTION_TYPES, m, p=[0.05, 0.62, 0.13, 0.20]),
                     rng.choice(NON_PROSECUTION_TYPES[:3], m, p=[0.06, 0.76, 0.18]))
    np_type = np.where(reached & not_pros, np.where(co, types, g["np_type"]), None)
    np_type = np.where((np_type == "附条件不起诉") & ~g["juvenile"], "酌定不起诉", np_type)
    prosecuted = reached & ~not_pros

    # ---- plea and recommendation (CPL arts. 174, 176): fast-track suspects all plead
    plea_own = u() < 0.84
    plea1 = pd.Series(plea_own).groupby(case).transform("first").to_numpy()
    plea = np.where(co & (u() < 0.6), plea1, plea_own) | g["fast"]
    plea = plea & reached
    has_rec = plea & prosecuted
    rec_kind = np.where(has_rec, np.where(u() < 0.9, REC_FIXED, REC_RANGE), None)
    share = np.where(co, rng.uniform(0.5, 1.0, m), 1.0)  # accomplices get less
    rec_lo = np.maximum(1, np.round(g["expect"] * share * rng.lognormal(0, 0.15, m)))
    dui = g["charge"] == "危险驾驶"
    rec_lo = np.where(dui, np.clip(rec_lo, 1, 6), np.minimum(rec_lo, 300))
    rec_hi = np.where(rec_kind == REC_RANGE, np.minimum(rec_lo + rng.integers(1, 7, m), 300), np.nan)
    rec_hi = np.where(dui & (rec_kind == REC_RANGE), np.minimum(rec_hi, 6), rec_hi)
    rec_hi = np.where(rec_hi <= rec_lo, np.nan, rec_hi)
    rec_kind = np.where((rec_kind == REC_RANGE) & np.isnan(rec_hi), REC_FIXED, rec_kind)
    rec_months = np.where(has_rec, rec_lo, np.nan)

    # ---- judgment of first instance
    judged = prosecuted & ~np.isnan(g["judgment_c"])
    adopted = has_rec & (u() < 0.96)
    in_range = np.where(np.isnan(rec_hi), rec_lo, rec_lo + np.floor(u() * (np.nan_to_num(rec_hi) - rec_lo + 1)))
    own = np.maximum(1, np.round(g["expect"] * share * rng.lognormal(0, 0.3, m)))
    off = np.where(np.isnan(rec_hi), rec_lo, rec_hi) + rng.integers(1, 4, m)  # not adopted: heavier
    months = np.where(adopted, in_range, np.where(has_rec, off, own))
    months = np.where(dui, np.clip(months, 1, 6), np.minimum(months, 300))
    r = u()
    # 有期徒刑 is six months at least (Criminal Law art. 45); below that the term is 拘役 (art. 42)
    kind = np.where(dui | (months < 6) | ((months == 6) & (r < 0.5)), "拘役", "有期徒刑")
    other = ~adopted & ~dui
    kind = np.where(other & (r > 0.985), "免予刑事处罚", np.where(other & (r > 0.97) & (r <= 0.985), "单处罚金",
                    np.where(other & (r > 0.96) & (r <= 0.97), "管制", kind)))
    months = np.where(kind == "管制", np.clip(months, 3, 24), months)
    months = np.where(kind == "拘役", np.clip(months, 1, 6), months)
    months = np.where(np.isin(kind, ("免予刑事处罚", "单处罚金")), np.nan, months)
    probation = judged & np.isin(kind, ("拘役", "有期徒刑")) & (months <= 36) & (u() < np.where(dui, 0.45, 0.35))
    custodial = np.isin(kind, ("拘役", "有期徒刑")) & ~probation

    s = pd.DataFrame({
        "case": case, "seq": seq, "juvenile": g["juvenile"],
        "arrest_review_at": np.where(police | g["duty"] | rev, review_at, nan),
        "arrest_decided_at": dec_at, "arrest_decision": decision,
        "arrest_decided_by": np.where(decision != None, g["handler"], None),  # noqa: E711
        "plea": plea, "rec_kind": rec_kind, "rec_months": rec_months,
        "rec_months_hi": np.where(rec_kind == REC_RANGE, rec_hi, np.nan),
        "prosecution_decided_at": np.where(reached, g["decided_c"], nan),
        "prosecution_decision": pdec, "non_prosecution_type": np_type,
        "judgment_at": np.where(judged, g["judgment_c"], nan),
        "judgment_kind": np.where(judged, kind, None),
        "judgment_months": np.where(judged, months, np.nan),
        "probation": probation,
        "rec_adopted": np.where(judged & has_rec, adopted, None),
    })

    # ---- custody over time: 拘留 → 逮捕 | 取保候审 / 监视居住 → 释放 (or the sentence)
    nc = np.where(u() < 0.9, "取保候审", "监视居住")
    held_from = np.where(police, g["acc"] - rng.uniform(1, 7, m) * DAYS, np.where(g["duty"], g["acc"], nan))
    free_from = np.where(police | g["duty"], dec_at, g["acc"])  # non-custodial measure starts
    free_from = np.where(arrested, nan, free_from)
    arrest_from = np.where(arrested, dec_at, nan)
    # the measure the suspect is on last ends at the decision not to prosecute or at judgment
    end = np.where(reached & not_pros, g["decided_c"], np.where(judged, g["judgment_c"], nan))
    rev_arrest = rev & arrested  # 取保 until the procuratorate arrests in prosecution review
    spells = [
        (held_from, dec_at, "拘留", police | g["duty"]),
        (np.where(rev_arrest, g["acc"], free_from), np.where(rev_arrest, dec_at, end), nc,
         ~np.isnan(np.where(rev_arrest, g["acc"], free_from))),
        (arrest_from, end, "逮捕", arrested),
        (end, nan, "释放", ~np.isnan(end) & ~(judged & custodial)),
    ]
    parts = []
    for a, b, measure, mask in spells:
        idx = np.nonzero(mask & ~np.isnan(a))[0]
        parts.append(pd.DataFrame({"suspect": idx, "measure": np.broadcast_to(measure, m)[idx],
                                   "started_at": a[idx], "ended_at": b[idx]}))
    custody = pd.concat(parts, ignore_index=True).sort_values(["suspect", "started_at"], kind="stable")
    return s, custody.reset_index(drop=True)


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    now = ctx.now
    start = (now - dt.timedelta(days=365 * spec.years)).replace(hour=0, minute=0, second=0, microsecond=0)
    written = 0
    districts = _districts(engine)
    district_ids = [d["id"] for d in districts]
    name_of = {d["id"]: d["name_zh"] for d in districts}

    with engine.begin() as conn:
        written += bulk_insert(conn, District.__table__, districts)
        procs = [dict(id=1, code="SH", name="上海市人民检察院", level="市院", district_id=None)]
        for i, d in enumerate(district_ids, start=2):
            procs.append(dict(id=i, code=f"SH{d}", name=f"上海市{name_of[d]}人民检察院", level="区院",
                              district_id=d))
        written += bulk_insert(conn, Procuratorate.__table__, procs)
        proc_of = {p["district_id"]: p["id"] for p in procs if p["district_id"]}
        depts = []
        for p in procs[1:]:
            for name, fn in DEPARTMENTS:
                depts.append(dict(id=len(depts) + 1, procuratorate_id=p["id"], name=name, function=fn))
        written += bulk_insert(conn, Department.__table__, depts)
        users, roles, passwords = _users(district_ids, proc_of, rng, now)
        written += bulk_insert(conn, AppUser.__table__, users)
        ctx.ids["users"] = {u: i for u, i in conn.execute(select(AppUser.username, AppUser.id))}
        written += bulk_insert(conn, UserRole.__table__,
                               [dict(user_id=ctx.ids["users"][r["username"]], role=r["role"]) for r in roles])
        ctx.ids["passwords"] = passwords
    dept_of = {(d["procuratorate_id"], d["function"]): [] for d in depts}
    for d in depts:
        dept_of[(d["procuratorate_id"], d["function"])].append((d["id"], d["name"]))

    # ------------------------------------------------------------------ cases
    n = spec.cases
    w = np.array([DISTRICT_WEIGHT[d] for d in district_ids])
    case_district = rng.choice(district_ids, size=n, p=w / w.sum())
    fn_names = [f for f, _ in FUNCTION_SHARE]
    fn = rng.choice(fn_names, size=n, p=[p for _, p in FUNCTION_SHARE])
    acc = _accept_times(n, start, now, rng)
    order = np.argsort(acc, kind="stable")
    acc, case_district, fn = acc[order], case_district[order], fn[order]
    crim = fn == "刑事"
    charges, cw = zip(*CHARGE_MIX)
    cw = np.array(cw) / sum(cw)
    charge = np.where(crim, rng.choice(charges, size=n, p=cw), None)
    suspects = np.where(crim, rng.choice([1, 2, 3, 4], size=n, p=[0.80, 0.13, 0.05, 0.02]), 1)
    # a few duty-crime cases come from a supervisory commission (CPL art. 170): no police arrest
    # request; the procuratorate detains on acceptance and decides on arrest within 10 days
    duty = crim & (rng.random(n) < 0.012)
    charge = np.where(duty, rng.choice(DUTY_CHARGES, size=n), charge)

    # arrest review path (suspect detained by police); dangerous driving almost never; gangs mostly
    p_arrest = np.where(charge == "危险驾驶", 0.05, np.where(suspects > 1, 0.85, 0.66))
    arrest_path = crim & ~duty & (rng.random(n) < p_arrest)
    arrest_review = np.where(arrest_path, acc, np.nan)
    arrest_days = np.where(rng.random(n) < 0.985, rng.uniform(1, 6.9, n), rng.uniform(7.2, 10, n))
    arrest_decided = arrest_review + arrest_days * DAYS
    approved = arrest_path & (rng.random(n) < 0.60)  # the principal suspect's (seq 1) decision
    # custody after arrest lasts two months in investigation unless extended (CPL arts. 156–158)
    inv_ext = approved & (rng.random(n) < 0.04)
    investigation = np.where(approved, np.where(inv_ext, rng.uniform(62, 90, n), rng.uniform(20, 59, n)),
                             rng.uniform(15, 60, n)) * DAYS
    review_start = np.where(arrest_path, arrest_decided + investigation, np.where(crim, acc, np.nan))
    duty_decided = acc + rng.uniform(2, 9.5, n) * DAYS
    returns = np.where(crim, rng.choice([0, 1, 2], size=n, p=[0.86, 0.10, 0.04]), 0)
    extensions = np.where(crim & (rng.random(n) < 0.14), 1, 0)
    # likely sentence: sets "over one year" (CPL art. 172) and the recommendations
    med = np.array([REC_MONTHS.get(c, 12) if c else 0 for c in charge], dtype=float)
    expect = np.where(crim, np.maximum(1, np.round(med * rng.lognormal(0, 0.45, n))), 0)
    fast = crim & ((charge == "危险驾驶") & (rng.random(n) < 0.7)
                   | (charge == "盗窃") & (expect <= 12) & (rng.random(n) < 0.35))
    expect = np.where(charge == "危险驾驶", np.minimum(expect, 6), expect)  # 拘役 at most (art. 133-1)
    returns = np.where(fast, 0, returns)  # a returned fast-track case leaves the procedure
    extensions = np.where(fast, 0, extensions)
    simple = crim & ~fast & (expect <= 36) & (rng.random(n) < 0.3)
    procedure = np.where(crim, np.where(fast, "速裁", np.where(simple, "简易", "普通")), None)
    origin = np.where(crim, np.where(duty, "监察机关", "公安机关"), None)
    complex_case = crim & (rng.random(n) < np.where(suspects > 2, 0.15, 0.02))
    over_one_year = crim & (expect > 12)
    base_review = np.where(fast, rng.uniform(3, 9.5, n), rng.uniform(8, 29, n))
    # a few files sit too long: these feed the time-limit watch list
    late = crim & (rng.random(n) < 0.015)
    base_review = np.where(late, rng.uniform(31, 40, n), base_review)
    review_total = base_review + returns * 45.0 + extensions * 15.0
    decided = review_start + review_total * DAYS
    # the principal's prosecution decision; co-suspects never go further (see _suspects)
    nonpros = crim & (rng.random(n) < np.where(approved | duty, 0.07, np.where(fast, 0.18, 0.33)))
    # the procuratorate's own arrest review of suspects sent for prosecution at liberty (Rules art. 289)
    review_arrest = crim & ~arrest_path & ~duty & ~fast & (rng.random(n) < 0.06)
    rev_review_at = review_start + rng.uniform(0.5, 3, n) * DAYS
    rev_decided_at = rev_review_at + rng.uniform(1, 4, n) * DAYS
    trial = np.where(crim & ~nonpros, decided + rng.uniform(10, 40, n) * DAYS, np.nan)
    judgment = trial + rng.uniform(1, 45, n) * DAYS
    appealed = crim & ~nonpros & (rng.random(n) < 0.04)

    # non-criminal functions: 受理 → 审查 → 办结
    other_review = np.where(~crim, acc + rng.uniform(0.5, 5, n) * DAYS, np.nan)
    other_closed = other_review + rng.uniform(20, 120, n) * DAYS

    span_now = (now - start).total_seconds()

    def cut(x):
        x = np.asarray(x, dtype=float)
        return np.where(x <= span_now, x, np.nan)

    arrest_decided_c = cut(arrest_decided)
    review_c = cut(review_start)
    decided_c = cut(decided)
    trial_c, judgment_c = cut(trial), cut(judgment)
    other_review_c, other_closed_c = cut(other_review), cut(other_closed)

    # returns: the k-th return leaves ~20 days after review starts and lasts 30 days
    ret_start = [review_start + (20 + 45 * k) * DAYS for k in range(2)]
    in_return = np.zeros(n, dtype=bool)
    ret_entered = np.full(n, np.nan)
    for k in range(2):
        active = (returns > k) & (ret_start[k] <= span_now) & (span_now < ret_start[k] + 30 * DAYS)
        in_return |= active
        ret_entered = np.where(active, ret_start[k], ret_entered)

    stage = np.full(n, "受理", dtype=object)
    entered = acc.copy()
    # criminal progression
    m = crim & arrest_path
    stage = np.where(m, "审查逮捕", stage)
    m2 = m & ~np.isnan(arrest_decided_c)
    stage = np.where(m2, "侦查", stage)
    entered = np.where(m2, arrest_decided_c, entered)
    m3 = crim & ~np.isnan(review_c)
    stage = np.where(m3, "审查起诉", stage)
    entered = np.where(m3, review_c, entered)
    stage = np.where(m3 & in_return, "退回补充侦查", stage)
    entered = np.where(m3 & in_return, ret_entered, entered)
    m4 = crim & ~np.isnan(decided_c)
    stage = np.where(m4, np.where(nonpros, "不起诉", "提起公诉"), stage)
    entered = np.where(m4, decided_c, entered)
    m5 = crim & ~np.isnan(trial_c)
    stage = np.where(m5, "一审", stage)
    entered = np.where(m5, trial_c, entered)
    m6 = crim & ~np.isnan(judgment_c)
    stage = np.where(m6, "判决", stage)
    # an appeal is lodged 5 days after judgment; the second instance ends 45–120 days later
    appeal_at = judgment_c + 5 * DAYS
    appeal_end = appeal_at + rng.uniform(45, 120, n) * DAYS
    remand = appealed & (rng.random(n) < 0.1)  # 发回重审: back to first instance (CPL art. 236)
    retrial_end = appeal_end + rng.uniform(30, 90, n) * DAYS
    on_appeal = m6 & appealed & (appeal_at <= span_now) & (span_now < appeal_end)
    on_retrial = m6 & remand & (appeal_end <= span_now) & (span_now < retrial_end)
    entered = np.where(m6, judgment_c, entered)
    stage = np.where(on_appeal, "上诉抗诉", stage)
    entered = np.where(on_appeal, appeal_at, entered)
    stage = np.where(on_retrial, "一审", stage)
    entered = np.where(on_retrial, appeal_end, entered)
    entered = np.where(m6 & remand & (retrial_end <= span_now), retrial_end, entered)
    # other functions
    o1 = ~crim & ~np.isnan(other_review_c)
    stage = np.where(o1, "审查", stage)
    entered = np.where(o1, other_review_c, entered)
    o2 = ~crim & ~np.isnan(other_closed_c)
    stage = np.where(o2, "办结", stage)
    entered = np.where(o2, other_closed_c, entered)

    reached_decision = ~np.isnan(decided_c)
    returns_done = np.zeros(n, dtype=int)
    for k in range(2):
        returns_done += ((returns > k) & (ret_start[k] <= span_now)).astype(int)
    ext_done = np.where(extensions > 0, (review_start + (base_review * 0.8) * DAYS) <= span_now, False)
    ext_done = ext_done & crim

    def ts(x):
        s = pd.to_datetime(pd.Series(x), unit="s", origin=pd.Timestamp(start))
        return s.dt.floor("s")

    detained_flag = arrest_path | duty  # in custody when the case reached the procuratorate
    causes = np.where(fn == "民事", rng.choice(CIVIL_CAUSES, n),
                      np.where(fn == "行政", rng.choice(ADMIN_CAUSES, n),
                               np.where(fn == "公益诉讼", rng.choice(PIL_CAUSES, n), None)))
    np_type = np.where(nonpros, rng.choice(["酌定不起诉", "存疑不起诉", "法定不起诉", "附条件不起诉"], n,
                                           p=[0.72, 0.18, 0.05, 0.05]), None)
    juvenile = crim & (np_type == "附条件不起诉") | (crim & (rng.random(n) < 0.02))
    # 承办检察官: one of the district's three prosecutors, in turn. A prosecutor sees parties in
    # clear only here; the arrest decisions are signed by the case's handler.
    uid = ctx.ids["users"]
    handler = np.array([uid[f"pros_{d}_{i % 3 + 1}"] for d, i in zip(case_district, range(1, n + 1))])
    susp, custody = _suspects(dict(
        crim=crim, suspects=suspects, arrest_path=arrest_path, approved=approved, duty=duty,
        review_arrest=review_arrest, nonpros=nonpros, fast=fast, expect=expect, np_type=np_type,
        juvenile=juvenile, reached=reached_decision, acc=acc, arrest_decided_c=arrest_decided_c,
        duty_decided_c=cut(duty_decided), rev_review_c=cut(rev_review_at), rev_decided_c=cut(rev_decided_at),
        review_c=review_c, decided_c=decided_c, judgment_c=judgment_c, handler=handler, charge=charge),
        rng, span_now)
    summ = summarise_frame(susp, n)
    # the case's current compulsory measure: its principal suspect's latest one (not 拘留 or 释放)
    lead = custody[custody["measure"].isin(("逮捕", "取保候审", "监视居住"))
                   & (susp["seq"].to_numpy()[custody["suspect"].to_numpy()] == 1)].drop_duplicates("suspect", keep="last")
    measure = np.full(n, None, dtype=object)
    measure[susp["case"].to_numpy()[lead["suspect"].to_numpy()]] = lead["measure"].to_numpy()
    years = (pd.Timestamp(start) + pd.to_timedelta(acc, unit="s")).year.to_numpy()
    seq = pd.Series(years).groupby([years, case_district]).cumcount().to_numpy() + 1
    kind_code = {"刑事": "刑诉", "民事": "民监", "行政": "行监", "公益诉讼": "公益"}
    short = {d: name_of[d][:2] for d in district_ids}
    case_no = [f"沪{short[d]}检{kind_code[f]}〔{y}〕{s:05d}号" for d, f, y, s in zip(case_district, fn, years, seq)]

    dept_id, dept_name = [], []
    for d, f, r in zip(case_district, fn, rng.random(n)):
        opts = dept_of[(proc_of[d], f)]
        if f == "刑事":
            opts = opts[:4]
        pick = opts[int(r * len(opts))]
        dept_id.append(pick[0])
        dept_name.append(pick[1])

    closed_at = np.where(crim, np.where(nonpros, decided_c, judgment_c), other_closed_c)
    cases = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "case_no": case_no,
        "procuratorate_id": [proc_of[d] for d in case_district],
        "department_id": dept_id,
        "district_id": case_district,
        "function": fn,
        "charge": charge,
        "cause": causes,
        "stage": stage,
        "stage_entered_at": ts(entered),
        "accepted_at": ts(acc),
        "suspects": suspects,
        "arrest_review_at": ts(cut(np.where(arrest_path | duty, acc, np.where(review_arrest, rev_review_at, np.nan)))),
        "arrest_decided_at": ts(summ["arrest_decided_at"]),
        "arrest_decision": summ["arrest_decision"],
        "detained": detained_flag,
        "prosecution_review_at": ts(review_c),
        "returns_count": returns_done,
        "extensions_count": ext_done.astype(int),
        "prosecution_decided_at": ts(summ["prosecution_decided_at"]),
        "prosecution_decision": summ["prosecution_decision"],
        "non_prosecution_type": summ["non_prosecution_type"],
        "plea_leniency": summ["plea_leniency"],
        "sentencing_rec_kind": summ["sentencing_rec_kind"],
        "sentencing_rec_months": summ["sentencing_rec_months"],
        "trial_at": ts(trial_c),
        "judgment_at": ts(judgment_c),
        "rec_adopted": summ["rec_adopted"],
        "appealed": appealed & ~np.isnan(judgment_c),
        "outcome": np.where(~np.isnan(judgment_c), "有罪判决", np.where(reached_decision & nonpros, "不起诉", None)),
        "closed_at": ts(cut(closed_at)),
        "handling_department": [f"{name_of[d]}院{dn}" for d, dn in zip(case_district, dept_name)],
        "compulsory_measure": measure,
        "juvenile": juvenile,
        "procedure": procedure,
        "origin": origin,
        "complex_case": complex_case,
        "over_one_year": over_one_year,
        "handler_id": handler,
    })
    cases["sentencing_rec_months"] = cases["sentencing_rec_months"].astype("Int64")

    # ------------------------------------------------------------------ events
    ev = []

    def add(mask, when, etype, sfrom, sto, matter=False):
        idx = np.nonzero(mask & ~np.isnan(when))[0]
        if len(idx):
            ev.append(pd.DataFrame({"case_idx": idx, "t": when[idx], "event_type": etype,
                                    "stage_from": sfrom, "stage_to": sto, "counts_as_matter": matter}))

    first = np.where(arrest_path, "审查逮捕", np.where(crim, "审查起诉", "受理"))  # the stage a case enters first
    add(np.ones(n, bool), acc, "受理", None, None)
    # the arrest decision: the case's summary (its police path moves the stage on)
    add(arrest_path, arrest_decided_c, "批准逮捕", "审查逮捕", "侦查")
    ev[-1]["event_type"] = summ["arrest_decision"][ev[-1]["case_idx"]]
    for mask in (duty, review_arrest):  # the procuratorate's own decision, in prosecution review
        add(mask, summ["arrest_decided_at"], "决定逮捕", "审查起诉", "审查起诉")
        ev[-1]["event_type"] = summ["arrest_decision"][ev[-1]["case_idx"]]
    # matter events (件, domain.cases.MATTER_EVENTS) at rates in line with procuratorate.md §1.3:
    # extensions, returns and appeals make almost all of them; the others are rare
    any_na = np.zeros(n, dtype=bool)
    any_na[susp.loc[susp["arrest_decision"] == NOT_APPROVED, "case"].to_numpy()] = True
    reconsider = any_na & (rng.random(n) < 0.05)  # the police ask again (CPL art. 92)
    t_recon = arrest_decided_c + rng.uniform(1, 4, n) * DAYS
    add(reconsider, cut(t_recon), "不捕复议", "侦查", "侦查", True)
    add(reconsider & (rng.random(n) < 0.3), cut(t_recon + rng.uniform(4, 9, n) * DAYS), "不捕复核", "侦查", "侦查", True)
    add(inv_ext, cut(arrest_decided + 55 * DAYS), "延长侦查羁押期限", "侦查", "侦查", True)
    add(approved & ~inv_ext & (rng.random(n) < 0.01), cut(arrest_decided + investigation * 0.5),
        "重新计算侦查羁押期限", "侦查", "侦查", True)
    transfer = crim & (rng.random(n) < 0.004)
    add(transfer, cut(acc + rng.uniform(0.2, 0.9, n) * DAYS), "改变管辖", None, None, True)
    ev[-1]["stage_from"] = ev[-1]["stage_to"] = first[ev[-1]["case_idx"]]
    add(arrest_path, review_c, "移送审查起诉", "侦查", "审查起诉")
    for k in range(2):
        add(crim & (returns > k), cut(ret_start[k]), "退回补充侦查", "审查起诉", "退回补充侦查", True)
        add(crim & (returns > k), cut(ret_start[k] + 30 * DAYS), "重新移送审查起诉", "退回补充侦查", "审查起诉")
    add(crim & (extensions > 0), np.where(ext_done, review_start + base_review * 0.8 * DAYS, np.nan),
        "延长审查起诉期限", "审查起诉", "审查起诉", True)
    add(crim & nonpros, decided_c, "不起诉", "审查起诉", "不起诉")
    add(crim & ~nonpros, decided_c, "提起公诉", "审查起诉", "提起公诉")
    add(crim & ~nonpros, trial_c, "开庭审理", "提起公诉", "一审")
    add(crim & ~nonpros, judgment_c, "判决", "一审", "判决")
    t_np = decided_c + rng.uniform(2, 6.5, n) * DAYS  # within 7 days of the decision (CPL arts. 179–180)
    police_np = crim & nonpros & ~duty & (rng.random(n) < 0.03)
    add(police_np, cut(t_np), "不诉复议", "不起诉", "不起诉", True)
    add(police_np & (rng.random(n) < 0.3), cut(t_np + rng.uniform(10, 25, n) * DAYS), "不诉复核", "不起诉", "不起诉", True)
    victim_np = crim & nonpros & np.isin(charge, list(VICTIM_CHARGES)) & (rng.random(n) < 0.06)
    add(victim_np, cut(t_np), "不诉申诉", "不起诉", "不起诉", True)
    # 不起诉后反向衔接 (CPL art. 177 para. 3; domain.models.referral): most decisions not to prosecute are
    # referred for an administrative penalty within weeks, a tenth late, a fifth never. Its own generator,
    # so the rest of the sample is what it was before.
    ref_rng = np.random.default_rng([ctx.seed, 177])
    u = ref_rng.random(n)
    ref_t = decided_c + np.where(u < 0.1, ref_rng.uniform(35, 90, n), ref_rng.uniform(3, 25, n)) * DAYS
    add(crim & nonpros & (u < 0.8), cut(ref_t), ADMIN_REFERRAL, "不起诉", "不起诉")
    mid = trial_c + (judgment_c - trial_c) * rng.uniform(0.2, 0.8, n)
    # a prosecution withdrawn in trial and filed again on new evidence (Rules arts. 424–425)
    add(crim & ~nonpros & (rng.random(n) < 0.003), mid, "撤回起诉", "一审", "一审", True)
    add(crim & ~nonpros & (rng.random(n) < 0.01), mid, "建议延期审理", "一审", "一审", True)
    protest = rng.random(n) < 0.12  # the procuratorate protests rather than the defendant appealing
    add(appealed & ~protest, cut(appeal_at), "上诉", "判决", "上诉抗诉", True)
    add(appealed & protest, cut(appeal_at), "抗诉", "判决", "上诉抗诉", True)
    add(appealed & ~remand, cut(appeal_end), "二审裁判", "上诉抗诉", "判决")
    add(remand, cut(appeal_end), "发回重审", "上诉抗诉", "一审", True)
    add(remand, cut(retrial_end), "判决", "一审", "判决")
    add(crim & ~nonpros & (rng.random(n) < 0.004), cut(judgment + rng.uniform(30, 200, n) * DAYS),
        "刑事申诉", "判决", "判决", True)
    add(~crim, other_review_c, "立案审查", "受理", "审查")
    add(~crim, other_closed_c, "办结", "审查", "办结")
    events = pd.concat(ev, ignore_index=True)
    events["counts_as_matter"] = events["event_type"].isin(MATTER_EVENTS)  # the one list of 件
    # stage_to of 受理: the stage a case enters first
    is_acc = events["event_type"] == "受理"
    events.loc[is_acc, "stage_to"] = first[events.loc[is_acc, "case_idx"]]
    events = events.sort_values(["t", "case_idx"], kind="stable").reset_index(drop=True)
    events_df = pd.DataFrame({
        "case_id": events["case_idx"].to_numpy() + 1,
        "district_id": case_district[events["case_idx"].to_numpy()],
        "occurred_at": ts(events["t"].to_numpy()),
        "event_type": events["event_type"],
        "stage_from": events["stage_from"],
        "stage_to": events["stage_to"],
        "counts_as_matter": events["counts_as_matter"].astype(bool),
        "note": [None] * len(events),
    })

    # ------------------------------------------------------------------ people
    crim_idx = np.nonzero(crim)[0]
    n_susp = int(suspects[crim_idx].sum())
    susp_case = np.repeat(crim_idx, suspects[crim_idx])
    victim_mask = np.array([c in VICTIM_CHARGES for c in charge[crim_idx]]) & (rng.random(len(crim_idx)) < 0.7)
    vict_case = crim_idx[victim_mask]
    total_people = n_susp + len(vict_case)
    person_case = np.concatenate([susp_case, vict_case])
    role = np.array(["犯罪嫌疑人"] * n_susp + ["被害人"] * len(vict_case), dtype=object)
    ages = np.where(role == "犯罪嫌疑人", rng.normal(36, 11, total_people), rng.normal(42, 15, total_people))
    ages = np.clip(ages, 18.2, 80)
    ages = np.where(juvenile[person_case] & (role == "犯罪嫌疑人"), rng.uniform(14.5, 17.8, total_people), ages)
    acc_dt = start + pd.to_timedelta(acc[person_case], unit="s")
    birth = (pd.DatetimeIndex(acc_dt) - pd.to_timedelta(ages * 365.25, unit="D")).normalize()
    male = np.where(role == "犯罪嫌疑人", rng.random(total_people) < 0.85, rng.random(total_people) < 0.5)
    seqs = rng.integers(0, 500, total_people) * 2 + male.astype(int)  # odd = male
    areas = case_district[person_case].astype(str)
    sur = rng.choice(SURNAMES, total_people)
    g1 = rng.choice(GIVEN, total_people)
    g2 = np.where(rng.random(total_people) < 0.7, rng.choice(GIVEN, total_people), "")
    names = [a + b + c for a, b, c in zip(sur, g1, g2)]
    prefixes = np.array(["139", "138", "137", "136", "135", "158", "159", "186", "187", "188", "150", "151"])
    phones = [p + f"{x:08d}" for p, x in zip(rng.choice(prefixes, total_people),
                                             rng.integers(0, 10 ** 8, total_people))]
    ids, seen = [], set()
    for i, (a, b, s) in enumerate(zip(areas, birth, seqs)):
        idn = make_id(a, b.date(), int(s))
        bump = 0
        while idn in seen:  # same area, birthday and sequence: take the next sequence of that sex
            bump += 2
            idn = make_id(a, b.date(), int(s) + bump)
        seen.add(idn)
        ids.append(idn)
    persons = pd.DataFrame([person_columns(n, i, p) for n, i, p in zip(names, ids, phones)])
    persons.insert(0, "id", np.arange(1, total_people + 1))
    persons.insert(1, "public_id", [rng.bytes(16).hex() for _ in range(total_people)])
    persons["district_id"] = case_district[person_case]
    parties = pd.DataFrame({"case_id": person_case + 1, "person_id": persons["id"], "role": role})
    ctx.ids["clear_identities"] = {int(pid): (i, p) for pid, i, p in zip(persons["id"], ids, phones)}

    # ------------------------------------------------------------------ suspects' own records
    # the suspects were generated in the order of the persons above: suspect k is person k + 1
    assert len(susp) == n_susp and (susp["case"].to_numpy() == susp_case).all()
    suspect_df = pd.DataFrame({"id": np.arange(1, n_susp + 1), "case_id": susp["case"].to_numpy() + 1,
                               "district_id": case_district[susp["case"].to_numpy()],
                               "person_id": np.arange(1, n_susp + 1), "seq": susp["seq"].to_numpy()})
    for col in ("juvenile", "arrest_decision", "arrest_decided_by", "plea", "rec_kind", "prosecution_decision",
                "non_prosecution_type", "judgment_kind", "probation", "rec_adopted"):
        suspect_df[col] = susp[col].to_numpy()
    for col in ("arrest_review_at", "arrest_decided_at", "prosecution_decided_at", "judgment_at"):
        suspect_df[col] = ts(susp[col].to_numpy()).to_numpy()
    for col in ("rec_months", "rec_months_hi", "judgment_months"):
        suspect_df[col] = pd.array(np.round(susp[col].to_numpy(dtype=float)), dtype="Int64")
    custody_df = pd.DataFrame({"id": np.arange(1, len(custody) + 1),
                               "suspect_id": custody["suspect"].to_numpy() + 1,
                               "measure": custody["measure"].to_numpy(),
                               "started_at": ts(custody["started_at"].to_numpy()).to_numpy(),
                               "ended_at": ts(custody["ended_at"].to_numpy()).to_numpy()})

    with engine.begin() as conn:
        bar = ctx.bar(len(cases) + len(events_df) + 2 * len(persons) + len(suspect_df) + len(custody_df), "core")
        for table, df in ((Case.__table__, cases), (Person.__table__, persons),
                          (CaseParty.__table__, parties), (CaseEvent.__table__, events_df),
                          (Suspect.__table__, suspect_df), (CustodyPeriod.__table__, custody_df)):
            for i in range(0, len(df), 20000):
                part = df.iloc[i:i + 20000]
                written += bulk_insert(conn, table, part)
                bar.update(len(part))
        bar.close()
    fix_pg_sequences(engine, Procuratorate, Department, AppUser, Case, Person, CaseParty, CaseEvent, Suspect,
                     CustodyPeriod)
    return written

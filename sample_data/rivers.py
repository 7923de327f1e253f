"""Build step: Fengxian's river network, monitoring sites, monthly water samples, public-interest
cases and procuratorial suggestions.

Shape of the real network (offline_maps.md §2, water_quality.md §3): 1 city-level river (金汇港),
18 district-level, 244 town-level and 16 farm-level rivers, the rest village channels; 4,041 in all.
The geometry is synthetic, drawn inside the real Fengxian polygon (adcode 310120): main channels run
north–south and east–west; only the 13 names listed in the notes are real river names, the others
are generated. Water classes are computed by ``domain.water`` for every sample.

Quality model: each river has a latent score on the class scale (1..6) with a trend (most rivers
improve, some get worse), a summer dip, and rare pollution episodes; each indicator takes the score
plus its own offset and noise and is turned into a concentration inside that class band, so the
worst-indicator rule yields a realistic mix (mostly Class III or better, a tail of IV, a few V and
劣V, worse on village channels) with NH3-N and TP as the usual main pollutants.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, Point, box, shape
from sqlalchemy import Engine, func, select

from domain.periods import month_keys, month_start
from domain.water import ASSESSED, CLASS_LABELS, LIMITS, classify, reply_due
from queries.schema import (
    AppUser, District, MonitoringSite, PilCase, ProcuratorialSuggestion, Procuratorate, River,
    WaterSample,
)
from queries.writes import bulk_insert, fix_pg_sequences

FENGXIAN = 310120
GEOJSON = Path(__file__).resolve().parent / "real" / "shanghai_districts.geojson"

# Real level counts (2011 survey): the rest of spec.rivers are village channels.
LEVEL_COUNTS = (("市级", 1), ("区级", 18), ("镇级", 244), ("农场级", 16))
FULL_NETWORK = 4041

# Towns and sub-districts with an approximate centre; a river belongs to the nearest centre.
TOWNS: tuple[tuple[str, float, float], ...] = (
    ("庄行镇", 121.39, 30.93), ("西渡街道", 121.45, 30.99), ("南桥镇", 121.46, 30.92),
    ("奉浦街道", 121.51, 30.95), ("金汇镇", 121.56, 30.98), ("青村镇", 121.57, 30.90),
    ("奉城镇", 121.65, 30.92), ("四团镇", 121.73, 30.92), ("柘林镇", 121.41, 30.86),
    ("金海街道", 121.50, 30.88), ("海湾镇", 121.58, 30.85),
)
FARMS = ("五四农场", "星火农场", "海港农场", "燎原农场")

# Main rivers: (name, orientation, position in degrees, real name?). 金汇港 is the city-level river.
CITY_RIVER = ("金汇港", "NS", 121.505, True)
DISTRICT_RIVERS: tuple[tuple[str, str, float, bool], ...] = (
    ("浦南运河", "EW", 30.965, True), ("南竹港", "NS", 121.445, True), ("巨潮港", "NS", 121.600, True),
    ("竹港", "NS", 121.405, True), ("航塘港", "NS", 121.550, True), ("洪庙港", "NS", 121.650, True),
    ("南沙港", "NS", 121.700, True), ("南横泾", "EW", 30.905, True), ("南门港", "NS", 121.475, True),
    ("随塘河", "EW", 30.855, True), ("中港", "NS", 121.740, True), ("江海河", "EW", 30.935, True),
    ("北横泾", "EW", 30.985, False), ("新塘港", "NS", 121.375, False), ("张塘港", "NS", 121.625, False),
    ("四团港", "NS", 121.720, False), ("青村港", "NS", 121.575, False), ("东横港", "EW", 30.880, False),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力兰志宏海峰斌波宁琳雪梅晨浩宇欣怡佳俊鹏飞凯瑞雯婷"
VILLAGE_SUFFIX = ("村", "村", "村", "社区")
CHANNEL_WORDS = ("河", "浜", "沟", "港", "泾", "塘")

# Indicator offsets on the class scale: NH3-N and TP are Shanghai's usual main pollutants.
OFFSET = {"do_mg": -0.45, "codmn": -0.75, "cod": -0.55, "bod5": -0.85, "nh3n": -0.05, "tp": 0.0}
LEVEL_SCORE = {"市级": 1.7, "区级": 1.8, "镇级": 1.9, "农场级": 1.95, "村级": 2.05}

# Public-interest workload: 71 cases and 37 suggestions a year (issue 6).
CASES_PER_YEAR = 71
SUGGESTION_SHARE = 37 / 71
RECIPIENTS = ("奉贤区水务局", "奉贤区生态环境局", "奉贤区农业农村委员会", "奉贤区城市管理行政执法局")


# --------------------------------------------------------------------------- indicator values


def _edges(ind: str) -> np.ndarray:
    """Concentration at class-scale points 0..6 (points 1..5 are the Class I..V limits)."""
    lim = LIMITS[ind]
    if ind == "do_mg":
        return np.array([9.8, *lim, 0.6])
    lo = {"codmn": 1.0, "cod": 8.0, "bod5": 1.2, "nh3n": 0.05, "tp": 0.01}[ind]
    return np.array([lo, *lim, lim[4] * 1.9])


EDGES = {k: _edges(k) for k in ASSESSED}
_POINTS = np.arange(7, dtype=float)


def values_from_score(ind: str, score: np.ndarray) -> np.ndarray:
    """Concentration whose class equals ceil(score) (score 3.4 → inside the Class IV band)."""
    s = np.clip(score, 0.05, 6.9)
    return np.interp(s, _POINTS, EDGES[ind])


# --------------------------------------------------------------------------- geometry


def fengxian_polygon():
    gj = json.loads(GEOJSON.read_text(encoding="utf-8"))
    feat = next(f for f in gj["features"] if int(f["properties"]["adcode"]) == FENGXIAN)
    return shape(feat["geometry"])


def _land(poly):
    """Where rivers are drawn: inside the boundary, away from its edge and off the tidal flats."""
    minx, miny, maxx, maxy = poly.bounds
    return poly.buffer(-0.004).intersection(box(minx, 30.835, maxx, maxy))


def _km(coords) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(coords, coords[1:]):
        dx = (x2 - x1) * 111.32 * math.cos(math.radians((y1 + y2) / 2))
        dy = (y2 - y1) * 110.57
        total += math.hypot(dx, dy)
    return total


def _wiggle(line: LineString, rng, n: int, amp: float) -> list[tuple[float, float]]:
    """A gently meandering copy of a straight line with n vertices (simplified geometry)."""
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    t = np.linspace(0, 1, n)
    nx, ny = -(y2 - y1), x2 - x1
    norm = math.hypot(nx, ny) or 1.0
    phase = rng.uniform(0, 2 * math.pi)
    off = amp * (np.sin(t * math.pi * rng.uniform(2, 5) + phase) * 0.6 + rng.normal(0, 0.3, n))
    off[0] = off[-1] = 0.0
    return [(round(x1 + (x2 - x1) * a + nx / norm * o, 5), round(y1 + (y2 - y1) * a + ny / norm * o, 5))
            for a, o in zip(t, off)]


def _longest_piece(geom):
    if geom.is_empty:
        return None
    parts = list(getattr(geom, "geoms", [geom]))
    parts = [p for p in parts if p.geom_type == "LineString"]
    return max(parts, key=lambda p: p.length) if parts else None


def _main_line(land, orient: str, pos: float, rng) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = land.bounds
    raw = LineString([(pos, miny - 0.1), (pos, maxy + 0.1)]) if orient == "NS" else \
        LineString([(minx - 0.1, pos), (maxx + 0.1, pos)])
    piece = _longest_piece(raw.intersection(land))
    n = max(8, min(40, int(piece.length / 0.01)))
    return _wiggle(piece, rng, n, 0.0025)


def _short_line(land, rng, centre: tuple[float, float], length_deg: float, vertices: int):
    """A short N–S or E–W channel (occasionally slanted) starting near ``centre``, clipped to land."""
    for _ in range(20):
        x, y = centre[0] + rng.normal(0, 0.002), centre[1] + rng.normal(0, 0.002)
        ang = rng.choice([0.0, math.pi / 2]) + rng.normal(0, 0.12)
        line = LineString([(x, y), (x + math.cos(ang) * length_deg, y + math.sin(ang) * length_deg)])
        piece = _longest_piece(line.intersection(land))
        if piece is not None and piece.length > length_deg * 0.5:
            if vertices <= 2:
                return [(round(a, 5), round(b, 5)) for a, b in (piece.coords[0], piece.coords[-1])]
            return _wiggle(piece, rng, vertices, length_deg * 0.04)
        centre = _random_point(land, rng)
    return None


def _random_point(land, rng) -> tuple[float, float]:
    minx, miny, maxx, maxy = land.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if land.contains(Point(x, y)):
            return x, y


def _nearest_town(x: float, y: float) -> str:
    return min(TOWNS, key=lambda t: (t[1] - x) ** 2 + ((t[2] - y) * 1.15) ** 2)[0]


def _person(rng) -> str:
    return SURNAMES[rng.integers(len(SURNAMES))] + "".join(
        GIVEN[i] for i in rng.integers(len(GIVEN), size=int(rng.integers(1, 3))))


def level_counts(total: int) -> list[tuple[str, int]]:
    """The real mix at 4,041 rivers; smaller builds keep the main rivers and scale the rest."""
    if total >= FULL_NETWORK:
        counts = list(LEVEL_COUNTS)
    else:
        f = total / FULL_NETWORK
        counts = [("市级", 1), ("区级", 18), ("镇级", max(5, round(244 * f))), ("农场级", max(1, round(16 * f)))]
    rest = total - sum(c for _, c in counts)
    if rest < 0:
        raise ValueError("spec.rivers is too small for the main rivers")
    return counts + [("村级", rest)]


def _rivers(spec, rng) -> list[dict]:
    poly = fengxian_polygon()
    land = _land(poly)
    rivers: list[dict] = []
    seq = {"镇级": 0, "农场级": 0, "村级": 0}

    def add(name, level, coords, town, chief):
        rivers.append(dict(id=len(rivers) + 1, code=f"FX{len(rivers) + 1:05d}", name=name, level=level,
                           length_km=round(_km(coords), 2), town=town, district_id=FENGXIAN,
                           geojson=json.dumps({"type": "LineString", "coordinates": coords},
                                              separators=(",", ":")),
                           river_chief=chief))

    for level, count in level_counts(spec.rivers):
        for i in range(count):
            if level == "市级":
                name, orient, pos, _ = CITY_RIVER
                coords = _main_line(land, orient, pos, rng)
                add(name, level, coords, "南桥镇", f"{_person(rng)}（市级河长·副市长）")
            elif level == "区级":
                name, orient, pos, _ = DISTRICT_RIVERS[i]
                coords = _main_line(land, orient, pos, rng)
                mid = coords[len(coords) // 2]
                add(name, level, coords, _nearest_town(*mid), f"{_person(rng)}（区级河长·副区长）")
            else:
                if level == "农场级":
                    # the state farms lie on the reclaimed land in the south-east
                    centre = (rng.uniform(121.60, 121.76), rng.uniform(30.84, 30.87))
                    length, verts = rng.uniform(0.02, 0.05), 4
                elif level == "镇级":
                    centre = _random_point(land, rng)
                    length, verts = rng.uniform(0.02, 0.06), int(rng.integers(4, 8))
                else:
                    centre = _random_point(land, rng)
                    length, verts = rng.uniform(0.002, 0.008), int(rng.choice([2, 2, 3]))
                coords = _short_line(land, rng, centre, length, verts)
                if coords is None:
                    coords = _short_line(land, rng, _random_point(land, rng), length * 0.5, 2)
                town = _nearest_town(*coords[0])
                seq[level] += 1
                if level == "农场级":
                    farm = FARMS[i % len(FARMS)]
                    name = f"{farm}{CHANNEL_WORDS[i % 6]}{seq[level]}号"
                    add(name, level, coords, town, f"{_person(rng)}（农场级河长·{farm}场长）")
                elif level == "镇级":
                    name = f"{_person(rng)[0]}家{CHANNEL_WORDS[int(rng.integers(6))]}"
                    name = f"{town[:2]}{name}" if rng.random() < 0.5 else name
                    add(f"{name}{seq[level]}" if any(r["name"] == name for r in rivers[-300:]) else name,
                        level, coords, town, f"{_person(rng)}（镇级河长·{town}副{town[-2:] if town.endswith('街道') else '镇长'}）")
                else:
                    village = f"{_person(rng)[0]}{'家宅' if rng.random() < 0.3 else '桥'}"
                    name = f"{village}{CHANNEL_WORDS[int(rng.integers(6))]}（{seq[level]:04d}）"
                    add(name, level, coords, town,
                        f"{_person(rng)}（村级河长·{village}{VILLAGE_SUFFIX[int(rng.integers(4))]}书记）")
    return rivers


def _sites(rivers: list[dict], rng) -> list[dict]:
    per_level = {"市级": 4, "区级": 3, "镇级": 2, "农场级": 1, "村级": 1}
    sites: list[dict] = []
    for r in rivers:
        coords = json.loads(r["geojson"])["coordinates"]
        line = LineString(coords)
        n = per_level[r["level"]]
        if r["level"] == "镇级" and rng.random() < 0.5:
            n = 1
        for k in range(n):
            p = line.interpolate((k + 0.5) / n, normalized=True)
            sites.append(dict(id=len(sites) + 1, river_id=r["id"],
                              name=f"{r['name']}{'断面' if n == 1 else f'{k + 1}号断面'}"[:40],
                              lon=round(p.x, 5), lat=round(p.y, 5)))
    return sites


# --------------------------------------------------------------------------- samples


def _scores_matrix(rivers, months, rng) -> np.ndarray:
    n, m = len(rivers), len(months)
    t = np.linspace(0.0, 1.0, m)
    base = np.array([LEVEL_SCORE[r["level"]] for r in rivers]) + rng.normal(0, 0.42, n)
    village = np.array([r["level"] == "村级" for r in rivers])
    bad = village & (rng.random(n) < 0.025)
    base[bad] += rng.uniform(1.2, 2.6, bad.sum())
    kind = rng.random(n)
    improving = kind < 0.30
    worsening = (kind >= 0.30) & (kind < 0.37)
    delta = np.zeros(n)
    delta[improving] = -rng.uniform(0.3, 1.2, improving.sum())  # ends better than it started
    delta[worsening] = rng.uniform(0.6, 2.0, worsening.sum())  # ends worse
    # the base is the *current* level; the past is base - delta * (1 - t)
    scores = base[:, None] - delta[:, None] * (1 - t[None, :])
    # summer: warmer water, less oxygen
    summer = np.array([1.0 if mo[-2:] in ("07", "08") else 0.5 if mo[-2:] in ("06", "09") else 0.0
                       for mo in months])
    scores += 0.25 * summer[None, :]
    # pollution episodes of 1–4 months on about 3 % of rivers per year
    n_ep = rng.poisson(0.03 * m / 12 * n)
    for _ in range(n_ep):
        r = int(rng.integers(n))
        start = int(rng.integers(m))
        length = int(rng.integers(1, 5))
        scores[r, start:start + length] += rng.uniform(1.5, 3.2)
    return scores


def _samples(rivers, sites, months, rng) -> list[dict]:
    scores = _scores_matrix(rivers, months, rng)
    sites_by_river = np.array([s["river_id"] - 1 for s in sites])
    n_sites, m = len(sites), len(months)
    site_off = rng.normal(0, 0.18, n_sites)
    rows: list[dict] = []
    base = scores[sites_by_river] + site_off[:, None]  # sites × months
    vals = {}
    for ind in ASSESSED:
        s = base + OFFSET[ind] + rng.normal(0, 0.33, (n_sites, m))
        vals[ind] = values_from_score(ind, s)
    ph = rng.normal(7.45, 0.28, (n_sites, m))
    odd_ph = rng.random((n_sites, m)) < 0.0003
    ph[odd_ph] = rng.choice([5.6, 9.3, 9.5], odd_ph.sum())
    tn = vals["nh3n"] * rng.uniform(1.4, 2.2, (n_sites, m)) + rng.uniform(0.5, 1.5, (n_sites, m))
    missing_bod = rng.random((n_sites, m)) < 0.01
    for j, month in enumerate(months):
        first = month_start(month)
        days = rng.integers(5, 26, n_sites)
        for i, site in enumerate(sites):
            rec = {ind: round(float(vals[ind][i, j]), 3 if ind in ("nh3n", "tp") else 2) for ind in ASSESSED}
            if missing_bod[i, j]:
                rec["bod5"] = None
            rec["ph"] = round(float(ph[i, j]), 2)
            c = classify(rec)
            rows.append(dict(site_id=site["id"], river_id=site["river_id"], sampled_on=first.replace(day=int(days[i])),
                             month=month, tn=round(float(tn[i, j]), 2), water_class=c.water_class,
                             main_pollutants=c.pollutants_text() or None, **rec))
    return rows


# --------------------------------------------------------------------------- cases & suggestions


def _cases(rivers, samples, months, now: dt.datetime, proc_id: int, rng):
    """Cases on rivers that went bad, with the flow clue → filed → investigation → consultation or
    suggestion → follow-up → suit or closure, cut at ``now``."""
    worst: dict[tuple[int, str], int] = {}
    for s in samples:
        k = (s["river_id"], s["month"])
        worst[k] = max(worst.get(k, 0), s["water_class"] or 0)
    bad = sorted({(r, m) for (r, m), c in worst.items() if c >= 5}, key=lambda t: t[1])
    n_cases = max(1, round(CASES_PER_YEAR * len(months) / 12))
    pick = rng.choice(len(bad), size=min(n_cases, len(bad)), replace=False) if bad else []
    by_name = {r["id"]: r for r in rivers}
    cases, suggestions = [], []
    seq_case: dict[int, int] = {}
    seq_sugg: dict[int, int] = {}
    used = set()
    for idx in sorted(pick, key=lambda i: bad[i][1]):
        river_id, month = bad[idx]
        if river_id in used:
            continue
        used.add(river_id)
        r = by_name[river_id]
        clue_at = (dt.datetime.combine(month_start(month), dt.time())
                   + dt.timedelta(days=int(rng.integers(28, 50)), hours=int(rng.integers(9, 17))))
        if clue_at >= now:
            continue
        source = rng.choice(["河长办移送", "水质线索", "自行发现"], p=[0.5, 0.3, 0.2])
        filed = clue_at + dt.timedelta(days=int(rng.integers(2, 15)))
        inv = filed + dt.timedelta(days=int(rng.integers(1, 4)))
        path = rng.choice(["磋商", "诉前建议", "终结"], p=[0.3, SUGGESTION_SHARE, 0.7 - SUGGESTION_SHARE])
        after_inv = inv + dt.timedelta(days=int(rng.integers(15, 45)))
        steps = [("线索", clue_at), ("立案", filed), ("调查", inv)]
        outcome = None
        sugg = None
        if path == "磋商":
            steps.append(("磋商", after_inv))
            steps.append(("结案", after_inv + dt.timedelta(days=int(rng.integers(20, 50)))))
            outcome = "磋商后整改"
        elif path == "诉前建议":
            steps.append(("诉前建议", after_inv))
            emergency = bool(rng.random() < 0.1)
            issued = after_inv.date()
            due = reply_due(issued, emergency)
            window = (due - issued).days
            late = rng.random() < 0.2
            replied = issued + dt.timedelta(days=int(rng.integers(window + 5, window + 40) if late
                                                     else rng.integers(max(5, window // 3), window + 1)))
            rectified = replied + dt.timedelta(days=int(rng.integers(20, 120)))
            follow = dt.datetime.combine(replied, dt.time(10)) + dt.timedelta(days=1)
            steps.append(("跟进", follow))
            if rng.random() < 0.04:
                steps.append(("起诉", follow + dt.timedelta(days=int(rng.integers(30, 60)))))
                outcome = "提起行政公益诉讼"
                rectified = None
            else:
                steps.append(("结案", dt.datetime.combine(rectified, dt.time(16)) + dt.timedelta(days=int(rng.integers(3, 20)))))
                outcome = "整改到位"
            y_i = issued.year
            seq_sugg[y_i] = seq_sugg.get(y_i, 0) + 1
            sugg = dict(doc_no=f"沪奉检行公建〔{y_i}〕{seq_sugg[y_i]}号", river_id=river_id,
                        recipient=(f"{r['town']}人民政府" if rng.random() < 0.4 else str(rng.choice(RECIPIENTS)))[:60],
                        emergency=emergency, issued_on=issued, reply_due=due,
                        replied_on=replied if replied <= now.date() else None,
                        rectified_on=rectified if rectified is not None and rectified <= now.date() else None,
                        content=(f"{r['name']}（{r['town']}）{month}水质{CLASS_LABELS[worst[(river_id, month)]]}，"
                                 f"建议依法履行监管职责，查明排污来源，限期整治并书面回复。")[:300])
        else:
            steps.append(("结案", after_inv))
            outcome = "终结审查"
        past = [(st, at) for st, at in steps if at <= now]
        stage, entered = past[-1]
        y_c = filed.year
        seq_case[y_c] = seq_case.get(y_c, 0) + 1
        cases.append(dict(case_no=f"沪奉检行公立〔{y_c}〕{seq_case[y_c]}号", river_id=river_id,
                          procuratorate_id=proc_id, district_id=FENGXIAN, source=str(source), stage=stage,
                          summary=(f"{r['name']}（{r['level']}河道，{r['town']}）{month}水质"
                                   f"{CLASS_LABELS[worst[(river_id, month)]]}，涉嫌相关行政机关未依法履职")[:200],
                          clue_at=clue_at, filed_at=filed if filed <= now else None, stage_entered_at=entered,
                          closed_at=entered if stage == "结案" else None,
                          outcome=outcome if stage in ("结案", "起诉") else None))
        if sugg is not None and sugg["issued_on"] <= now.date():
            sugg["_case"] = len(cases) - 1
            suggestions.append(sugg)
    return cases, suggestions


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(District).where(District.id == FENGXIAN)).scalar_one() == 0:
            raise RuntimeError("rivers step needs the Fengxian district (run sample_data.core first)")
        proc_id = conn.execute(select(Procuratorate.id).where(Procuratorate.code == f"SH{FENGXIAN}")).scalar()
        pros = [i for (i,) in conn.execute(select(AppUser.id).where(
            AppUser.role == "prosecutor", AppUser.username.like(f"pros_{FENGXIAN}_%")).order_by(AppUser.username))]
    if proc_id is None:
        raise RuntimeError("rivers step needs the Fengxian procuratorate SH310120")
    rivers = _rivers(spec, rng)
    for r in rivers:
        r["prosecutor_id"] = int(pros[int(rng.integers(len(pros)))]) if pros else None
    sites = _sites(rivers, rng)
    months = month_keys(ctx.now, spec.sample_months)
    # the current month is only partly sampled: sites report through it (the live feed adds more)
    samples = _samples(rivers, sites, months, rng)
    today = ctx.now.date()
    this_month = months[-1]
    # about a third of the sites have not reported the current month yet (the live feed adds them)
    pending = rng.random(len(samples)) < 0.35
    samples = [s for s, p in zip(samples, pending)
               if s["sampled_on"] <= today and not (p and s["month"] == this_month)]
    cases, suggestions = _cases(rivers, samples, months, ctx.now, proc_id, rng)
    written = 0
    with engine.begin() as conn:
        written += bulk_insert(conn, River.__table__, rivers)
        written += bulk_insert(conn, MonitoringSite.__table__, sites)
    bar = ctx.bar(len(samples), "water samples")
    step = 20_000
    for i in range(0, len(samples), step):
        with engine.begin() as conn:
            written += bulk_insert(conn, WaterSample.__table__, samples[i:i + step])
        bar.update(min(step, len(samples) - i))
    bar.close()
    with engine.begin() as conn:
        for i, c in enumerate(cases, start=1):
            c["id"] = i
        written += bulk_insert(conn, PilCase.__table__, cases)
        recs = []
        for i, s in enumerate(suggestions, start=1):
            s = dict(s)
            s["id"] = i
            s["pil_case_id"] = cases[s.pop("_case")]["id"]
            recs.append(s)
        written += bulk_insert(conn, ProcuratorialSuggestion.__table__, recs)
    fix_pg_sequences(engine, River, MonitoringSite, WaterSample, PilCase, ProcuratorialSuggestion)
    ctx.ids["rivers"] = len(rivers)
    return written

"""A small planted river world for the water model (水质持续劣V), its carried-over decisions and the
efficacy figures: each river's monthly classes are chosen so that exactly the rivers in ``HITS``
qualify on 2026-06-18 with the default parameters."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from queries.schema import AppUser, District, MonitoringSite, PilCase, Procuratorate, River, WaterSample

NOW = dt.datetime(2026, 6, 18, 10, 0)
FX, PD = 310120, 310115
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")
# river id: (district, town, worst site's class per month in MONTHS; None = no sample that month)
RIVERS: dict[int, tuple[int, str, tuple[int | None, ...]]] = {
    1: (FX, "南桥镇", (3, 3, 3, 6, 6, 6)),  # falls three classes in 04, 劣V since: one episode from 04
    2: (FX, "南桥镇", (3, 3, 3, 3, 6, 6)),  # qualifies, but a public-interest case is open on it
    3: (FX, "金海街道", (5, 5, 6, 6, 5, 5)),  # an episode that ended (05 and 06 do not qualify)
    4: (FX, "金海街道", (3, 3, 3, 3, 3, 3)),  # steady
    5: (FX, "庄行镇", (2, 3, 3, 3, 3, 4)),  # two classes below the best of the five months before, in 06
    6: (FX, "庄行镇", (6, 6, 6, 6, None, 6)),  # a month without data breaks the run; no fall either
    7: (PD, "川沙新镇", (3, 3, 3, 3, 6, 6)),  # another district: an episode from 05
    8: (FX, "柘林镇", (6, 6, 6, 6, 6, 6)),  # 劣V all along: episode from 02 (01 lacks its month before)
}
HITS = {1: "2026-04", 5: "2026-06", 7: "2026-05", 8: "2026-02"}  # river: the episode's first month
PIL_USER, LEADER_USER = 11, 12


def plant(engine) -> None:
    """Districts, two procuratorates, two accounts, the rivers with two sites each (the second site
    always Class II, so the river's class is its worst site's), their samples, and an open case on
    river 2 plus a closed one on river 1 (a closed case does not keep a river out)."""
    with engine.begin() as c:
        c.execute(insert(District), [dict(id=d, name_zh=z, name_en=e, label_lon=121.5, label_lat=31.0,
                                          geojson="{}") for d, z, e in ((FX, "奉贤区", "Fengxian"),
                                                                        (PD, "浦东新区", "Pudong"))])
        c.execute(insert(Procuratorate), [dict(id=1, code="SHFX", name="上海市奉贤区人民检察院", level="区院",
                                               district_id=FX),
                                          dict(id=2, code="SHPD", name="上海市浦东新区人民检察院", level="区院",
                                               district_id=PD)])
        c.execute(insert(AppUser), [dict(id=PIL_USER, username="pil_fx", display_name="公益诉讼检察官", role="pil",
                                         procuratorate_id=1, created_at=NOW),
                                    dict(id=LEADER_USER, username="lead_fx", display_name="院领导", role="leader",
                                         procuratorate_id=1, created_at=NOW)])
        for rid, (district, town, _) in RIVERS.items():
            c.execute(insert(River).values(id=rid, code=f"R{rid:03d}", name=f"测试河{rid}", level="镇级",
                                           length_km=2.0, town=town, district_id=district, geojson="{}",
                                           river_chief="河长"))
            c.execute(insert(MonitoringSite), [dict(id=rid * 10 + k, river_id=rid, name=f"断面{k}", lon=121.5,
                                                    lat=31.0) for k in (1, 2)])
        rows = []
        for rid, (_, _, classes) in RIVERS.items():
            for month, cls in zip(MONTHS, classes):
                if cls is None:
                    continue
                day = dt.date.fromisoformat(f"{month}-10")
                rows.append(dict(site_id=rid * 10 + 1, river_id=rid, sampled_on=day, month=month, water_class=cls,
                                 main_pollutants="氨氮、总磷" if cls == 6 else ("氨氮" if cls > 3 else None)))
                rows.append(dict(site_id=rid * 10 + 2, river_id=rid, sampled_on=day, month=month, water_class=2,
                                 main_pollutants=None))
        c.execute(insert(WaterSample), rows)
        t = dt.datetime(2026, 3, 1, 9)
        c.execute(insert(PilCase), [
            dict(id=1, case_no="沪奉检行公立〔2026〕1号", river_id=2, procuratorate_id=1, district_id=FX,
                 source="河长办移送", stage="调查", summary="在办", clue_at=t, filed_at=t, stage_entered_at=t,
                 closed_at=None, outcome=None),
            dict(id=2, case_no="沪奉检行公立〔2025〕9号", river_id=1, procuratorate_id=1, district_id=FX,
                 source="自行发现", stage="结案", summary="已结", clue_at=t, filed_at=t, stage_entered_at=t,
                 closed_at=t, outcome="整改完毕"),
        ])

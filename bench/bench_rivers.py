"""Rivers at city scale: latest class of all 4,041 rivers (< 150 ms), the map payload (< 3 MB),
one river's history (< 50 ms); with the naive pandas way for comparison."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from bench.harness import Row, median_ms, print_table
from domain.scope import ALL
from queries import rivers as q
from queries.frames import read_frame
from queries.schema import River, WaterSample

PAYLOAD_TARGET_MB = 3.0


def _naive_latest(engine: Engine, month: str) -> pd.DataFrame:
    """Load every sample into pandas and reduce there (what the SQL avoids)."""
    s = read_frame(engine, select(WaterSample.id, WaterSample.river_id, WaterSample.month,
                                  WaterSample.water_class, WaterSample.main_pollutants))
    s = s[s["month"] <= month]
    last = s.groupby("river_id")["month"].transform("max")
    s = s[s["month"] == last].sort_values(["river_id", "water_class"], ascending=[True, False])
    return s.groupby("river_id").head(1)


def run(engine: Engine) -> None:
    from components.deck import payload_bytes
    from components.river_map import river_deck

    months = q.sample_months(engine, ALL)
    if not months:
        print("\n## Rivers\n\n(no water samples in this database)")
        return
    month = months[-1]
    with engine.connect() as conn:
        n_rivers = conn.execute(select(func.count()).select_from(River)).scalar_one()
        n_samples = conn.execute(select(func.count()).select_from(WaterSample)).scalar_one()
        busiest = conn.execute(select(WaterSample.river_id).group_by(WaterSample.river_id)
                               .order_by(func.count().desc()).limit(1)).scalar_one()
    rows: list[Row] = []

    latest = q.river_classes(engine, ALL, month)
    rows.append(Row(f"latest class of all {n_rivers:,} rivers", median_ms(lambda: q.river_classes(engine, ALL, month)),
                    target_ms=150, naive_ms=median_ms(lambda: _naive_latest(engine, month), repeat=3),
                    note=f"{len(latest):,} rivers, {n_samples:,} samples"))
    rows.append(Row("map attributes (class, chief, prosecutor, cases)", median_ms(lambda: q.map_rivers(engine, ALL, month))))
    rows.append(Row("class shares (smart screen)", median_ms(lambda: q.class_shares(engine, ALL, month))))
    rows.append(Row("one river's history (busiest river)", median_ms(lambda: q.river_history(engine, ALL, busiest)),
                    target_ms=50, note=f"{len(q.river_history(engine, ALL, busiest))} samples"))
    rows.append(Row("one river's monthly class", median_ms(lambda: q.river_monthly_class(engine, ALL, busiest)),
                    target_ms=50))
    from domain import clock
    from domain.models import registry
    from queries.models import QUERIES

    water = registry()["water_worse_than_v"]  # the river clue list is this model's hit query now
    rows.append(Row("water model hits (水质持续劣V, as of now)",
                    median_ms(lambda: QUERIES[water.query](engine, water, clock.now()), repeat=5)))

    paths = q.river_paths(engine, ALL)
    districts = q.base_districts(engine, ALL)
    attrs = q.map_rivers(engine, ALL, month)

    def build_json() -> str:
        return river_deck(attrs, paths, districts).to_json()

    size = payload_bytes(river_deck(attrs, paths, districts))
    rows.append(Row("map payload: build deck JSON", median_ms(build_json, repeat=3),
                    note=f"payload {size / 1e6:.2f} MB for {len(attrs):,} rivers (target < {PAYLOAD_TARGET_MB:g} MB)"
                         + (" ✓" if size < PAYLOAD_TARGET_MB * 1e6 else " ✗")))
    print_table("Rivers (河道治理)", rows)

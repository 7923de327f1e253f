"""Demo smart-screen keys: one for the city procuratorate's hall (every district) and one for the
闵行 district procuratorate (its own district only).

The clear keys exist only in ``ctx.ids["screen_keys"]`` ({name: key}); ``make run`` writes them once
to the owner-only demo accounts file. The database keeps their keyed hashes, like any other key.
"""
from __future__ import annotations

from sqlalchemy import Engine, select

from domain.access import OPERATOR
from queries.schema import Procuratorate
from queries.screen_keys import create_key

MINHANG = 310112
DEMO_SCREENS = (("市院一楼大厅大屏", None), ("闵行区院指挥中心大屏", MINHANG))


def build(engine: Engine, spec, rng, ctx) -> int:
    with engine.connect() as conn:
        proc_of = {d: int(i) for i, d in conn.execute(select(Procuratorate.id, Procuratorate.district_id))}
    keys: dict[str, str] = {}
    for name, district in DEMO_SCREENS:
        if district not in proc_of:
            continue
        _, keys[name] = create_key(engine, OPERATOR, name, proc_of[district], now=ctx.now)
    ctx.ids["screen_keys"] = keys
    return len(keys)

"""The ground floor: migrations, engines, the sample builder's magnitudes, the live feed."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text

from queries.db import current_revision, head_revision, is_empty, make_engine, upgrade
from queries.frames import read_frame
from domain.procedure import ARREST_DECISIONS, ARRESTED, NOT_ARRESTED
from queries.schema import Case, CaseEvent, CustodyPeriod, DataVersion, District, Person, Suspect, metadata

ROOT = Path(__file__).resolve().parent.parent


def test_in_memory_sqlite_is_refused_outside_unit_tests():
    with pytest.raises(ValueError, match="in-memory"):
        make_engine("sqlite://")
    with pytest.raises(ValueError, match="in-memory"):
        make_engine("sqlite:///:memory:")


def test_migrations_create_every_model_table_and_are_idempotent(any_engine):
    assert current_revision(any_engine) == head_revision()
    assert "," not in head_revision(), "migration branches must be merged into one head"
    upgrade(any_engine)  # second run changes nothing
    tables = set(inspect(any_engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert is_empty(any_engine)


def test_sqlite_file_runs_in_wal_mode(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_identity_numbers_are_never_stored_in_clear(sample_engine):
    df = read_frame(sample_engine, select(Person.id_hash, Person.id_masked, Person.phone_masked).limit(500))
    assert df["id_hash"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert df["id_masked"].str.fullmatch(r"\d{6}\*{12}").all()  # area code only (domain.masking)
    assert df["phone_masked"].str.fullmatch(r"1\d{2}\*{4}\d{4}").all()
    # no text column anywhere holds an ID number or a bank-card number in clear
    import re

    pattern = re.compile(r"(?<![0-9])([1-9][0-9]{5}(19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9X]|[0-9]{12,19})(?![0-9])")
    with sample_engine.connect() as conn:
        for table in metadata.sorted_tables:
            for col in table.columns:
                if str(col.type).startswith(("VARCHAR", "TEXT")) and not col.name.endswith(("_hash", "geojson", "public_id", "request_id")):
                    values = conn.execute(select(col).where(col.is_not(None)).distinct()).scalars()
                    hits = [v for v in values if pattern.search(str(v))]
                    assert not hits, f"{table.name}.{col.name} holds what looks like an ID/card number: {hits[:2]}"


def test_sample_has_all_districts_and_realistic_rates(sample_engine):
    """Counted per person, as the SPP counts (procuratorate.md §1.3): 不捕率 ~40–48 %, 不诉率 ~20–28 %,
    诉前羁押率 ~30–45 %, 认罪认罚 ~85–90 %, mostly 确定刑, adoption ~95 %."""
    with sample_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(District)).scalar() == 16
    s = read_frame(sample_engine, select(Suspect.arrest_decision, Suspect.prosecution_decision, Suspect.plea,
                                         Suspect.rec_kind, Suspect.rec_adopted))
    reviewed = s["arrest_decision"].notna()
    concluded = s["prosecution_decision"].notna()
    nonarrest = s["arrest_decision"].isin(NOT_ARRESTED).sum() / reviewed.sum()
    nonpros = (s["prosecution_decision"] == "不起诉").sum() / concluded.sum()
    detention = s["arrest_decision"].isin(ARRESTED).sum() / concluded.sum()
    plea = s.loc[concluded, "plea"].astype(bool).mean()
    fixed = (s["rec_kind"] == "确定刑").sum() / s["rec_kind"].notna().sum()
    adopted = s["rec_adopted"].dropna().astype(bool).mean()
    assert 0.38 <= nonarrest <= 0.50, nonarrest
    assert 0.18 <= nonpros <= 0.29, nonpros
    assert 0.28 <= detention <= 0.45, detention
    assert 0.84 <= plea <= 0.91, plea
    assert fixed >= 0.8, fixed
    assert 0.93 <= adopted <= 0.98, adopted
    assert set(s["arrest_decision"].dropna()) == set(ARREST_DECISIONS)  # all four kinds occur
    cases = read_frame(sample_engine, select(Case.function, Case.charge, Case.procedure, Case.origin))
    crim = cases[cases["function"] == "刑事"]
    mix = crim["charge"].value_counts(normalize=True)
    assert 0.18 <= mix["危险驾驶"] <= 0.26 and 0.10 <= mix["盗窃"] <= 0.17
    assert crim["procedure"].notna().all() and crim["origin"].notna().all()
    assert cases.loc[cases["function"] != "刑事", ["procedure", "origin"]].isna().all().all()
    fast = crim["procedure"] == "速裁"
    assert 0.3 <= fast[crim["charge"] == "危险驾驶"].mean() <= 0.9
    assert fast[crim["charge"] == "盗窃"].any() and (crim["procedure"] == "简易").any()
    assert 0 < (crim["origin"] == "监察机关").mean() < 0.05


def test_case_timelines_are_consistent(sample_engine):
    df = read_frame(sample_engine, select(Case.accepted_at, Case.arrest_decided_at, Case.prosecution_review_at,
                                          Case.prosecution_decided_at, Case.judgment_at, Case.stage,
                                          Case.returns_count))
    for a, b in [("accepted_at", "arrest_decided_at"), ("accepted_at", "prosecution_review_at"),
                 ("prosecution_review_at", "prosecution_decided_at"), ("prosecution_decided_at", "judgment_at")]:
        both = df[[a, b]].dropna()
        assert (pd.to_datetime(both[b]) >= pd.to_datetime(both[a])).all(), (a, b)
    assert df["returns_count"].between(0, 2).all()
    with sample_engine.connect() as conn:
        ev = conn.execute(select(func.count()).select_from(CaseEvent).where(CaseEvent.event_type == "受理")).scalar()
        n = conn.execute(select(func.count()).select_from(Case)).scalar()
    assert ev == n  # one acceptance event per case


def test_same_seed_gives_same_data_on_both_engines(engine, pg_engine):
    """Built fresh at one instant: the shared samples are built minutes apart per worker (the cut
    at "now" moves) and other tests write into them."""
    import datetime as dt

    from sample_data.build import build

    at = dt.datetime(2026, 11, 2, 10, 0)
    for e in (engine, pg_engine):
        build(e, scale="tiny", seed=7, progress=False, now=at)
    stmt = (select(Case.function, Case.stage, func.count().label("n"), func.sum(Case.suspects).label("s"))
            .group_by(Case.function, Case.stage).order_by(Case.function, Case.stage))
    a = read_frame(pg_engine, stmt)
    b = read_frame(engine, stmt)
    assert len(b) > 5
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    per_person = (select(Suspect.arrest_decision, Suspect.prosecution_decision, Suspect.judgment_kind,
                         func.count().label("n"), func.sum(Suspect.judgment_months).label("m"),
                         func.min(Suspect.arrest_decided_at).label("t"))
                  .group_by(Suspect.arrest_decision, Suspect.prosecution_decision, Suspect.judgment_kind))
    keys = ["arrest_decision", "prosecution_decision", "judgment_kind"]  # NULLs sort differently: sort here
    a, b = (read_frame(e, per_person).sort_values(keys, na_position="first").reset_index(drop=True)
            for e in (pg_engine, engine))
    assert len(b) > 5
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    spells = select(CustodyPeriod.measure, func.count().label("n")).group_by(CustodyPeriod.measure).order_by(
        CustodyPeriod.measure)
    pd.testing.assert_frame_equal(read_frame(pg_engine, spells), read_frame(engine, spells), check_dtype=False)


def test_live_feed_tick_writes_events_and_bumps_version(engine):
    from sample_data.build import build
    from sample_data.live_feed import tick

    now = dt.datetime(2026, 3, 2, 10, 0)
    build(engine, "tiny", seed=3, progress=False, now=now)
    with engine.connect() as conn:
        v0 = conn.execute(select(DataVersion.version)).scalar()
        e0 = conn.execute(select(func.count()).select_from(CaseEvent)).scalar()
    later = now + dt.timedelta(minutes=5)
    written = tick(engine, later, np.random.default_rng(1), case_events=10)
    assert written >= 10
    with engine.connect() as conn:
        assert conn.execute(select(DataVersion.version)).scalar() == v0 + 1
        new = conn.execute(select(CaseEvent.event_type, CaseEvent.note).where(CaseEvent.occurred_at == later)).all()
        e1 = conn.execute(select(func.count()).select_from(CaseEvent)).scalar()
    assert e1 - e0 == len(new) >= 10
    assert all(note is None for _, note in new)  # nothing personal in the stream


def test_live_feed_takes_each_decision_per_suspect(engine):
    """New cases come with their suspects' rows and custody; every decision the feed takes is written
    for each suspect, and the case keeps the summary of ``domain.case_summary``."""
    from domain.case_summary import summarise
    from sample_data.build import build
    from sample_data.live_feed import tick

    now = dt.datetime(2026, 3, 2, 10, 0)
    build(engine, "tiny", seed=3, progress=False, now=now)
    rng = np.random.default_rng(5)
    moments = [now + dt.timedelta(minutes=k) for k in range(1, 41)]
    for at in moments:
        tick(engine, at, rng, case_events=5)
    with engine.connect() as conn:
        touched = conn.execute(select(CaseEvent.case_id, CaseEvent.event_type).where(
            CaseEvent.occurred_at >= moments[0])).all()
        cases = {r.id: r for r in conn.execute(select(Case).where(Case.function == "刑事")).all()}
        susp = read_frame(engine, select(Suspect.__table__))
        spells = read_frame(engine, select(CustodyPeriod.__table__))
    kinds = {e for _, e in touched}
    assert {"受理", "提起公诉", "判决"} <= kinds and kinds & {"批准逮捕", "不批准逮捕"}, kinds
    per_case = susp.groupby("case_id").size()
    for cid in {c for c, _ in touched}:
        assert per_case.get(cid) == cases[cid].suspects, cid  # one row per suspect, new cases too
        rows = susp[susp["case_id"] == cid].astype(object).where(lambda d: d.notna(), None).to_dict("records")
        want = summarise(rows)
        for col in ("arrest_decision", "prosecution_decision", "non_prosecution_type", "sentencing_rec_kind"):
            assert want[col] == getattr(cases[cid], col), (cid, col)
    decided_now = susp[pd.to_datetime(susp["prosecution_decided_at"]) >= moments[0]]
    assert len(decided_now) >= 5 and decided_now["prosecution_decision"].notna().all()
    judged_now = susp[pd.to_datetime(susp["judgment_at"]) >= moments[0]]
    assert len(judged_now) >= 1 and judged_now["judgment_kind"].notna().all()
    new = susp[susp["case_id"].isin([c for c, e in touched if e == "受理"])]
    assert len(new) >= 5 and set(new["id"]) <= set(spells["suspect_id"])  # each new suspect has custody
    open_spells = spells[spells["ended_at"].isna()].groupby("suspect_id").size()
    assert (open_spells <= 1).all()


def test_project_is_importable_outside_pytest(tmp_path):
    """`streamlit run apps/x.py` runs with the repository root importable (pip install -e .)."""
    code = "import queries.schema, domain.identity, components.i18n, sample_data.build; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_no_sql_is_built_with_string_formatting():
    """Bound parameters only (ASVS 5.0 1.2.4): no f-string or %-formatted SQL in the query layer."""
    import re

    bad = re.compile(r"""\b(text|execute)\(\s*f["']|(SELECT|INSERT|UPDATE|DELETE)[^"']*["']\s*%\s""", re.I)
    offenders = []
    for path in (ROOT / "queries").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if bad.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{i}")
    assert not offenders, offenders

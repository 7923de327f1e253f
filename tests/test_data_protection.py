"""Data protection found on the way (issue 11): what a stolen database gives back, file modes,
the development SMS outbox, and CSV files built to exhaust memory.

The ID-number part performs the reconstruction an attacker with a copy of the database (and
without the hash key) would try: for each person, list every 18-character number that agrees with
everything stored about them (the masked number, gender, district, the cases they are party to)
and count. The numbers are in ``test_masked_ids_leave_at_least_a_million_candidates``.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
from collections import Counter

import numpy as np
import pytest
from sqlalchemy import Date, DateTime, String, Text, select

from domain import clock
from domain.identity import check_digit, gender, make_id
from domain.masking import mask_id
from queries.crypto import _key
from queries.schema import Case, CaseParty, Person, metadata

MILLION = 10 ** 6
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


# ----------------------------------------------------------------------------- the attacker's model


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def visible(mask: str) -> dict[int, str]:
    """Positions the mask shows (anything but ``*``)."""
    return {i: ch for i, ch in enumerate(mask) if ch != "*"}


def _agrees(shown: dict[int, str], offset: int, digits: str) -> bool:
    return all(shown.get(offset + i, d) == d for i, d in enumerate(digits))


def _weighted(offset: int, digits: str) -> int:
    return sum(int(d) * _WEIGHTS[offset + i] for i, d in enumerate(digits))


_EPOCH = dt.date(1850, 1, 1)


@functools.lru_cache(maxsize=None)
def _date_table(shown: tuple) -> "np.ndarray":
    """Cumulative counts, per residue mod 11 of the weighted date digits, of the days since
    ``_EPOCH`` that agree with the shown date digits: a window's histogram is then two lookups."""
    s = dict(shown)
    days = (clock.today() - _EPOCH).days + 1
    table = np.zeros((11, days + 1), dtype=np.int64)
    for i in range(days):
        ds = f"{_EPOCH + dt.timedelta(days=i):%Y%m%d}"
        if _agrees(s, 6, ds):
            table[_weighted(6, ds) % 11, i + 1] = 1
    return table.cumsum(axis=1)


def _date_residues(first: dt.date, last: dt.date, shown: tuple) -> Counter:
    """Birth dates in [first, last] that agree with the shown digits, by weighted sum mod 11."""
    t = _date_table(shown)
    i, j = (first - _EPOCH).days, (last - _EPOCH).days + 1
    return Counter({r: int(t[r, j] - t[r, i]) for r in range(11) if t[r, j] > t[r, i]})


@functools.lru_cache(maxsize=None)
def _seq_residues(sex: str, shown: tuple) -> Counter:
    """Sequence numbers 000-999 of that sex (odd = 男) that agree with the shown digits."""
    s = dict(shown)
    out: Counter = Counter()
    for n in range(1000):
        q = f"{n:03d}"
        if (n % 2 == 1) == (sex == "男") and _agrees(s, 14, q):
            out[_weighted(14, q) % 11] += 1
    return out


def count_candidates(mask: str, area: str, sex: str, first: dt.date, last: dt.date) -> int:
    """How many valid numbers agree with ``mask``, the area code the district gives, the gender and
    a birth date in [first, last]: the date and sequence parts are independent except through the
    check character, so the count is a convolution of their residues mod 11 (if the check
    character is shown; otherwise a plain product)."""
    shown = visible(mask)
    if not _agrees(shown, 0, area):
        return 0
    dates = _date_residues(first, last, tuple(sorted((i, c) for i, c in shown.items() if 6 <= i < 14)))
    seqs = _seq_residues(sex, tuple(sorted((i, c) for i, c in shown.items() if 14 <= i < 17)))
    if 17 not in shown:
        return sum(dates.values()) * sum(seqs.values())
    k = _CHECK.index(shown[17])
    a = _weighted(0, area)
    return sum(n * seqs[(k - a - r) % 11] for r, n in dates.items())


def brute_force(mask: str, area: str, sex: str, first: dt.date, last: dt.date, id_hash: str | None = None):
    """Every candidate written out in full and judged by the product's own ``mask_id`` and
    ``gender``; returns (count, the candidates whose keyed hash is ``id_hash``). The check
    character comes from the GB 11643 weights, checked against ``check_digit`` as it goes."""
    mac = hmac.new(_key(), b"id:", hashlib.sha256)
    seqs = [f"{n:03d}" for n in range(1000)]
    seq_w = [_weighted(14, q) for q in seqs]
    count, hits = 0, []
    d = first
    while d <= last:
        prefix = f"{area}{d:%Y%m%d}"
        pw = _weighted(0, prefix)
        for n in range(1000):
            full = prefix + seqs[n] + _CHECK[(pw + seq_w[n]) % 11]
            if mask_id(full) != mask or gender(full) != sex:
                continue
            count += 1
            if count % 997 == 1:
                assert full[17] == check_digit(full[:17])
            if id_hash is not None:
                m = mac.copy()
                m.update(full.encode())
                if m.hexdigest() == id_hash:
                    hits.append(full)
        d += dt.timedelta(days=1)
    return count, hits


def _old_mask(idn: str) -> str:
    """The mask before issue 11: first 6 and last 4."""
    return idn[:6] + "*" * 8 + idn[-4:]


def person_windows(engine) -> list[dict]:
    """Each person with what is stored about them and the birth window it implies.

    - any person: born within 100 years before the earliest case they are party to (or today);
    - a suspect of a case marked 未成年人案件: aged 12 to 18 at acceptance (criminal responsibility
      starts at 12; juvenile means under 18). Narrower than the law allows (the offence may predate
      the acceptance), so this model is kinder to the attacker than reality.
    The area code is the district's (we assume the district gives it away)."""
    with engine.connect() as c:
        people = c.execute(select(Person.id, Person.id_masked, Person.id_hash, Person.gender,
                                  Person.district_id)).all()
        links = c.execute(select(CaseParty.person_id, CaseParty.role, Case.accepted_at, Case.juvenile,
                                 Case.district_id).join(Case, Case.id == CaseParty.case_id)).all()
    by_person: dict[int, list] = {}
    for row in links:
        by_person.setdefault(row.person_id, []).append(row)
    today = clock.today()
    out = []
    for p in people:
        cases = by_person.get(p.id, [])
        last = min([today] + [r.accepted_at.date() for r in cases])
        first = years_before(last, 100) + dt.timedelta(days=1)
        juvenile = False
        for r in cases:
            if r.juvenile and r.role == "犯罪嫌疑人":
                juvenile = True
                acc = r.accepted_at.date()
                first = max(first, years_before(acc, 18) + dt.timedelta(days=1))
                last = min(last, years_before(acc, 12))
        district = p.district_id or (cases[0].district_id if cases else None)
        out.append(dict(id=p.id, mask=p.id_masked, id_hash=p.id_hash, sex=p.gender, area=str(district),
                        first=first, last=last, juvenile=juvenile))
    return out


# ----------------------------------------------------------------------------- the tests


def test_masked_ids_leave_at_least_a_million_candidates(sample_engine):
    """For every person of the sample: mask + gender + district (as area code) + case links.

    With the mask keeping the area code only (``domain.masking.mask_id``), an adult's 100-year
    window gives 36,524 or 36,525 birth dates × 500 sequence numbers of their sex = about
    18,262,000 candidates; the check character is not shown, so it removes none. A juvenile
    suspect's six-year window (12 to 18 at acceptance) gives 2,191 or 2,192 days × 500 = about
    1,096,000, the smallest count: still above 10^6. (With the old mask, first 6 and last 4, the
    same person had about 3,320 candidates without any birth date stored.)
    """
    persons = person_windows(sample_engine)
    assert len(persons) > 1000
    counts = {p["id"]: count_candidates(p["mask"], p["area"], p["sex"], p["first"], p["last"]) for p in persons}
    juvenile = [p["id"] for p in persons if p["juvenile"]]
    assert juvenile, "the tiny sample has juvenile suspects: the narrowest windows"
    assert min(counts.values()) >= MILLION, min(counts.values())
    assert min(counts[i] for i in juvenile) in (2191 * 500, 2192 * 500)
    adults = [counts[p["id"]] for p in persons if not p["juvenile"]]
    assert set(adults) <= {36524 * 500, 36525 * 500}


@pytest.fixture(scope="module")
def narrowest(sample_engine):
    """The person with the fewest candidates (a juvenile suspect), brute-forced once:
    (person, arithmetic count, brute-force count, candidates whose keyed hash is theirs)."""
    persons = [p for p in person_windows(sample_engine) if p["juvenile"]]
    p = min(persons, key=lambda p: (p["last"] - p["first"], p["id"]))
    expected = count_candidates(p["mask"], p["area"], p["sex"], p["first"], p["last"])
    count, hits = brute_force(p["mask"], p["area"], p["sex"], p["first"], p["last"], p["id_hash"])
    return p, expected, count, hits


def test_brute_force_agrees_with_the_count_and_holds_the_real_number(narrowest):
    """The reconstruction written out for the person with the fewest candidates: every number in
    the window is built, judged by the product's own functions, and counted. With the stolen hash
    key as well (which the attacker should not have: ``data/hash.key`` is mode 600, production sets
    ``JCY_HASH_KEY``), exactly one candidate is the person: so the candidate set is the true one."""
    p, expected, count, hits = narrowest
    assert count == expected >= MILLION
    assert len(hits) == 1 and mask_id(hits[0]) == p["mask"]

    # Positive control: the old mask of that same number leaves a few thousand candidates, and
    # the same reconstruction over a whole century finds the number among them.
    real = hits[0]
    today = clock.today()
    first, last = years_before(today, 100) + dt.timedelta(days=1), today
    old = count_candidates(_old_mask(real), p["area"], p["sex"], first, last)
    assert 2_500 < old < 4_500
    shown = visible(_old_mask(real))
    found = [make_id(p["area"], first + dt.timedelta(days=i), int(real[14:17]))
             for i in range((last - first).days + 1)]
    found = [x for x in found if all(x[k] == v for k, v in shown.items())]
    assert len(found) == old and real in found


def test_nothing_else_stored_gives_the_birth_date_back(sample_engine, narrowest):
    """No text or date stored with a person's records says when they were born: no birth-date or
    age words, and no date older than 12 years (every birth date is) in the tables that reach a
    person. The person whose number the brute force above recovers is also searched for by name
    of their exact birth date in four spellings."""
    person_tables = ("person", "case_party", "supervised_person", "document", "document_recipient",
                     "lawyer_binding", "leave_request", "alert", "checkin_task", "audit_log", "sms_outbox",
                     "case_event", "device_assignment", "otp_challenge", "login_lock")
    words = re.compile(r"出生|生于|生日|岁|年龄|birth", re.I)
    old = years_before(clock.today(), 12)
    skip = ("_hash", "geojson", "public_id", "request_id", "pdf")
    texts: list[str] = []
    with sample_engine.connect() as c:
        for name in person_tables:
            table = metadata.tables[name]
            for col in table.columns:
                if col.name.endswith(skip):
                    continue
                if isinstance(col.type, (String, Text)):
                    vals = [str(v) for v in c.execute(select(col).where(col.is_not(None)).distinct()).scalars()]
                    texts += vals
                    hits = [v for v in vals if words.search(v)]
                    assert not hits, f"{name}.{col.name}: {hits[:2]}"
                elif isinstance(col.type, (Date, DateTime)):
                    oldest = c.execute(select(col).where(col.is_not(None)).order_by(col).limit(1)).scalar()
                    if oldest is not None:
                        oldest = oldest.date() if isinstance(oldest, dt.datetime) else oldest
                        assert oldest > old, f"{name}.{col.name} holds {oldest}: as old as a birth date"
    hits = narrowest[3]
    born = dt.date(int(hits[0][6:10]), int(hits[0][10:12]), int(hits[0][12:14]))
    spellings = (f"{born:%Y%m%d}", f"{born:%Y-%m-%d}", f"{born.year}/{born.month}/{born.day}",
                 f"{born.year}年{born.month}月{born.day}日")
    blob = "\n".join(texts)
    assert not [s for s in spellings if s in blob]


# ----------------------------------------------------------------------------- file modes


def _mode(path) -> int:
    import os
    import stat

    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The loosest usual umask (022: files 644): the product, not the umask, must make them 600."""
    import os

    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_sqlite_database_and_its_wal_are_readable_by_the_owner_only(tmp_path, open_umask):
    from sqlalchemy import text

    from queries.db import create_database

    path = tmp_path / "fresh" / "jcy.sqlite3"
    engine = create_database(f"sqlite:///{path}")
    try:
        with engine.begin() as c:  # a write, so the write-ahead log and shared memory exist
            c.execute(text("INSERT INTO data_version (id, version, updated_at) VALUES (1, 1, '2026-01-01')"))
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            assert all(f.exists() for f in files)
            assert {str(f.name): _mode(f) for f in files} == {str(f.name): 0o600 for f in files}
        assert _mode(path.parent) == 0o700  # a directory it made itself
    finally:
        engine.dispose()


def test_create_database_tightens_an_older_looser_file(tmp_path, open_umask):
    import os

    from queries.db import create_database

    path = tmp_path / "old.sqlite3"
    create_database(f"sqlite:///{path}").dispose()
    os.chmod(path, 0o644)
    create_database(f"sqlite:///{path}").dispose()  # `jcy db upgrade`, make run's first step
    assert _mode(path) == 0o600


def test_the_hash_key_file_is_created_readable_by_the_owner_only(tmp_path, open_umask):
    import os

    from queries.crypto import key_from_file

    path = tmp_path / "data" / "hash.key"
    key = key_from_file(path)
    assert len(key) == 64 and _mode(path) == 0o600 and _mode(path.parent) == 0o700
    assert key_from_file(path) == key  # read, not replaced
    assert sorted(os.listdir(path.parent)) == ["hash.key"]  # no temporary file left behind
    os.chmod(path, 0o644)
    assert key_from_file(path) == key and _mode(path) == 0o600


def test_the_sample_build_writes_its_files_readable_by_the_owner_only(tmp_path, open_umask):
    """The demo logins file (clear ID numbers and phones); the builder makes its database through
    ``create_database``, tested above."""
    from sample_data.documents import _write_demo_logins

    out = tmp_path / "data" / "demo_logins.csv"
    _write_demo_logins(out, [dict(kind="当事人", login="x", phone="y", password="", documents=0, note="")])
    assert _mode(out) == 0o600 and "当事人" in out.read_text(encoding="utf-8-sig")


def test_the_development_key_in_this_checkout_is_private():
    """The key the suite itself uses, when it comes from ``data/hash.key``."""
    from domain.settings import current
    from queries.crypto import KEY_FILE

    _key()
    if current().hash_key:
        pytest.skip("JCY_HASH_KEY is set: no key file")
    assert _mode(KEY_FILE) == 0o600


def test_migration_remasks_ids_stored_the_old_way(tmp_path):
    """A database built before issue 11 holds "first 6 + last 4" masks: migration 0008 cuts them to
    the area code; the audit rows (chained evidence) stay as written."""
    from alembic import command
    from sqlalchemy import text

    from queries.db import alembic_config, make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0007_audit_chain")
    raw = make_engine(url, create=True)
    with raw.begin() as c:
        c.execute(text("INSERT INTO person (id, public_id, full_name, name_masked, id_hash, id_masked) "
                       "VALUES (1, 'p1', '张三', '张*', 'h1', '110105********002X'), "
                       "(2, 'p2', '李四', '李*', 'h2', '310112************')"))
    upgrade(raw)
    with raw.connect() as c:
        masks = [m for (m,) in c.execute(text("SELECT id_masked FROM person ORDER BY id"))]
    raw.dispose()
    assert masks == ["110105************", "310112************"]

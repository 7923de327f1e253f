"""domain.clock: Shanghai wall time whatever the host's zone, movable by tests.

The subprocess tests are the point: the host is set to UTC or New York, the product runs a real
portal login and opens a document, and the stored service time (送达时间) must be Shanghai's.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain import clock
from tests.sources import python_files

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
# 07:30 on 1 March in Shanghai is still 29 February in UTC (23:30) and New York (18:30): a host-time
# bug shows as a wrong date, not just a wrong hour.
START = "2028-03-01T07:30:00"
START_AT = dt.datetime(2028, 3, 1, 7, 30)
HOST_ZONES = ("UTC", "America/New_York")


# ----------------------------------------------------------------------------- unit


def test_now_is_shanghai_wall_time():
    before = dt.datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)
    with clock.saved():
        clock.start_at(None)
        got = clock.now()
    after = dt.datetime.now(SHANGHAI).replace(tzinfo=None)
    assert before <= got <= after and got.tzinfo is None and got.microsecond == 0
    assert clock.now_aware().utcoffset() == dt.timedelta(hours=8)


def test_frozen_stops_the_clock_and_restores_it():
    at = dt.datetime(2027, 3, 31, 23, 59, 59, 123456)
    outside = clock.now_aware()
    with clock.frozen(at) as t:
        assert t == at
        assert clock.now() == at.replace(microsecond=0) and clock.now_precise() == at
        assert clock.today() == dt.date(2027, 3, 31)
        clock.advance(dt.timedelta(seconds=1))
        assert clock.today() == dt.date(2027, 4, 1)
        with clock.frozen(dt.datetime(2028, 2, 29)):
            assert clock.today() == dt.date(2028, 2, 29)
        assert clock.now() == dt.datetime(2027, 4, 1, 0, 0, 0)
    assert abs(clock.now_aware() - outside) < dt.timedelta(seconds=60)  # running again, where it was


def test_frozen_accepts_an_aware_instant():
    with clock.frozen(dt.datetime(2028, 2, 29, 16, 0, tzinfo=dt.timezone.utc)) as t:
        assert t == dt.datetime(2028, 3, 1, 0, 0) == clock.now()


def test_advance_needs_a_frozen_clock():
    with clock.saved():
        clock.start_at(None)
        with pytest.raises(RuntimeError):
            clock.advance(dt.timedelta(minutes=1))


def test_start_at_runs_from_the_start():
    with clock.saved():
        clock.start_at(dt.datetime(2028, 2, 29, 23, 59, 59))
        first = clock.now_precise()
        assert dt.datetime(2028, 2, 29, 23, 59, 59) <= first < dt.datetime(2028, 3, 1, 0, 0, 30)
        time.sleep(0.05)  # a running clock moves: the only way to see it is to let real time pass
        assert clock.now_precise() > first
        clock.start_at(None)
        assert abs(clock.now_aware() - dt.datetime.now(SHANGHAI)) < dt.timedelta(seconds=5)


def test_started_block_runs_from_a_stated_date_and_restores():
    outside = clock.now_aware()
    with clock.frozen(dt.datetime(2030, 1, 1)):
        with clock.started(dt.datetime(2027, 3, 2, 9)) as t:
            assert t.date() == dt.date(2027, 3, 2) == clock.today()
        assert clock.now() == dt.datetime(2030, 1, 1)
    assert abs(clock.now_aware() - outside) < dt.timedelta(seconds=60)


def test_parse_instant_without_a_zone_is_shanghai():
    assert clock.parse_instant("2028-02-29") == dt.datetime(2028, 2, 29, 9, 0, tzinfo=SHANGHAI)
    assert clock.parse_instant(" 2027-03-31T23:30 ") == dt.datetime(2027, 3, 31, 23, 30, tzinfo=SHANGHAI)
    assert clock.parse_instant("2027-03-31 23:30:15").second == 15


def test_parse_instant_with_a_zone_is_converted():
    assert clock.parse_instant("2028-02-29T18:30-05:00") == dt.datetime(2028, 3, 1, 7, 30, tzinfo=SHANGHAI)
    assert clock.parse_instant("2028-02-29T23:30Z").replace(tzinfo=None) == START_AT


@pytest.mark.parametrize("bad", ["", "tomorrow", "2027-02-29", "2027-13-01", "29/02/2028"])
def test_parse_instant_refuses_what_is_not_a_date(bad):
    with pytest.raises(ValueError, match="ISO"):
        clock.parse_instant(bad)


def test_to_shanghai():
    assert clock.to_shanghai(dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.timezone.utc)) == START_AT
    ny = dt.datetime(2028, 2, 29, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    assert clock.to_shanghai(ny) == START_AT
    with pytest.raises(ValueError):
        clock.to_shanghai(dt.datetime(2028, 2, 29, 18, 30))


# ----------------------------------------------------------------------------- host zones


def _run(code: str, tz: str, start: str | None, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("JCY_CLOCK_START", "DATABASE_URL")}
    env.update(TZ=tz, PYTHONPATH=str(ROOT), JCY_HASH_KEY="clock-test-key")
    if start:
        env["JCY_CLOCK_START"] = start
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / f"db_{tz.replace('/', '_')}.sqlite3")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


HOST_NOW = """
import datetime as dt, json, time
from domain import clock
print(json.dumps({"tzname": time.tzname[0], "host": dt.datetime.now().isoformat(),
                  "clock": clock.now().isoformat(), "today": clock.today().isoformat()}))
"""


@pytest.mark.parametrize("tz", HOST_ZONES)
def test_clock_ignores_the_host_zone(tz, tmp_path):
    got = _run(HOST_NOW, tz, None, tmp_path)
    shanghai = dt.datetime.now(SHANGHAI).replace(tzinfo=None)
    assert abs(dt.datetime.fromisoformat(got["clock"]) - shanghai) < dt.timedelta(seconds=30)
    host = dt.datetime.fromisoformat(got["host"])
    assert abs(host - shanghai) > dt.timedelta(hours=7), f"the host {tz} should not be on Shanghai time: {got}"


@pytest.mark.parametrize("tz", HOST_ZONES)
def test_started_clock_ignores_the_host_zone(tz, tmp_path):
    got = _run(HOST_NOW, tz, START, tmp_path)
    assert START_AT <= dt.datetime.fromisoformat(got["clock"]) < START_AT + dt.timedelta(minutes=2)
    assert got["today"] == "2028-03-01"


SERVE = """
import datetime as dt, json, sys
from sqlalchemy import select
from queries import portal as P
from queries.db import make_engine, upgrade
from queries.schema import AuditLog, DocumentRecipient, OtpChallenge
from tests.portal_fixtures import CodeCatcher, seed

engine = make_engine("sqlite:///" + sys.argv[1])
upgrade(engine)
w = seed(engine)
sms = CodeCatcher()
sent = P.request_party_code(engine, w.id_a, w.phone_a, sender=sms)
res = P.verify_party_code(engine, w.id_a, w.phone_a, sent.request_id, sms.last_code())
view = P.open_document(engine, res.principal, w.doc_a1)
confirmed = P.confirm_receipt(engine, res.principal, w.doc_a1)
with engine.connect() as c:
    served, conf = c.execute(select(DocumentRecipient.served_at, DocumentRecipient.confirmed_at)
                             .where(DocumentRecipient.served_at.is_not(None))).one()
    otp_at = c.execute(select(OtpChallenge.created_at)).scalar_one()
    audit_at = [a.isoformat() for a in c.execute(select(AuditLog.at)).scalars()]
print(json.dumps({"ok": res.ok, "served": served.isoformat(), "confirmed": conf.isoformat(),
                  "view_served": view.served_at.isoformat(), "returned": confirmed.isoformat(),
                  "otp": otp_at.isoformat(), "audit": audit_at, "host": dt.datetime.now().isoformat()}))
"""


@pytest.mark.parametrize("tz", HOST_ZONES)
def test_service_time_is_stored_in_shanghai_time(tz, tmp_path):
    got = _run(SERVE, tz, START, tmp_path)
    assert got["ok"]
    stamps = [got["served"], got["confirmed"], got["view_served"], got["returned"], got["otp"], *got["audit"]]
    for s in map(dt.datetime.fromisoformat, stamps):
        assert START_AT <= s < START_AT + dt.timedelta(minutes=2), (tz, got)
    served = dt.datetime.fromisoformat(got["served"])
    assert served.date() == dt.date(2028, 3, 1) and served.hour == 7  # the host is still on 29 February
    assert dt.datetime.fromisoformat(got["served"]) <= dt.datetime.fromisoformat(got["confirmed"])


@pytest.mark.parametrize("tz", HOST_ZONES)
def test_service_time_on_the_real_clock_is_shanghai_time(tz, tmp_path):
    got = _run(SERVE, tz, None, tmp_path)
    shanghai = dt.datetime.now(SHANGHAI).replace(tzinfo=None)
    served = dt.datetime.fromisoformat(got["served"])
    assert abs(served - shanghai) < dt.timedelta(minutes=2), got
    assert abs(served - dt.datetime.fromisoformat(got["host"])) > dt.timedelta(hours=7), got


# ----------------------------------------------------------------------------- the rule


PRODUCT_DIRS = ("apps", "pages", "components", "queries", "domain", "sample_data", "bench", "tools")
HOST_CLOCK = re.compile(r"\b(?:datetime|date|Timestamp)\.(?:now|today|utcnow)\b|\btime\.time\(\)")


def test_no_product_code_reads_the_host_clock():
    offenders = [f"{rel}:{n}: {line.strip()}"
                 for rel, source in python_files(PRODUCT_DIRS, skip="domain/clock.py")
                 for n, line in enumerate(source.splitlines(), 1) if HOST_CLOCK.search(line.split("#")[0])]
    assert not offenders, "use domain.clock.now() / today() / now_precise():\n" + "\n".join(offenders)

"""A missing or swapped database is an outage, never a new empty database.

Once, a backup job moved the embedded SQLite file away for a minute; the portal's first database
use created and migrated a new empty file at the same path, the smart screen showed every figure as
0 under a green badge, and the new file's write-ahead log destroyed the real database when it came
back. These tests replay that against real servers and a real browser, and check every page with
no database at all.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from streamlit.testing.v1 import AppTest

from queries.db import DatabaseUnavailable, create_database, make_engine
from queries.schema import Case, SmsOutbox
from sample_data.build import build
from tests.browser import ROOT, browser_page, running_app, wait_for_app
from tests.staff import everyone, sign_in

KIOSK = ["--theme.base", "dark", "--client.toolbarMode", "minimal", "--client.showErrorDetails", "none"]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def _screen_config(tmp_path: Path) -> str:
    p = tmp_path / "screen.toml"
    p.write_text("""
[timing]
refresh_seconds = 2
scene_seconds = 600
data_poll_seconds = 0.5
min_refresh_gap_seconds = 0.5
stale_after_intervals = 2
stale_red_seconds = 600
[scenes.overview]
panels = ["intake", "stages", "trend", "ticker"]
[screens.lobby]
scenes = ["overview"]
""", encoding="utf-8")
    return str(p)


def _facts(path: Path) -> tuple[str, int, str]:
    """Integrity check, number of cases, identity: what "intact" means for the moved file."""
    e = make_engine(f"sqlite:///{path}")
    try:
        with e.connect() as c:
            return (c.execute(text("PRAGMA integrity_check")).scalar(),
                    c.execute(select(func.count()).select_from(Case)).scalar_one(),
                    c.execute(text("SELECT instance_id FROM db_identity")).scalar())
    finally:
        e.dispose()


# --------------------------------------------------------------------------- no database at all


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reports_a_missing_database_and_creates_nothing(page, tmp_path):
    from tests.pagedb import pages_use_database

    missing = tmp_path / "data" / "jcy.sqlite3"
    with pages_use_database(f"sqlite:///{missing}"):
        at = sign_in(AppTest.from_file(str(ROOT / page), default_timeout=120), everyone()).run()
    assert not at.exception, f"{page}: {[e.message for e in at.exception]}"
    texts = [e.value for e in at.error] + [w.value for w in at.warning] + [m.value for m in at.markdown]
    assert not any("Traceback" in str(t) for t in texts), page
    assert not missing.exists() and not missing.parent.exists(), f"{page} created a database"


def test_dashboard_home_says_the_database_is_unavailable(tmp_path):
    from tests.pagedb import pages_use_database

    with pages_use_database(f"sqlite:///{tmp_path / 'absent.sqlite3'}"):
        at = sign_in(AppTest.from_file(str(ROOT / "pages/home.py"), default_timeout=120), everyone()).run()
    shown = " ".join(e.value for e in at.error)
    assert "数据库" in shown and "不可用" in shown
    assert not (tmp_path / "absent.sqlite3").exists()


def test_engine_refuses_a_foreign_or_unmigrated_database(tmp_path):
    """A file of ours, then a stranger put in its place; and a bare SQLite file."""
    ours = tmp_path / "ours.sqlite3"
    engine = create_database(f"sqlite:///{ours}")
    with engine.connect() as c:
        c.execute(text("SELECT 1"))
    stranger = create_database(f"sqlite:///{tmp_path / 'stranger.sqlite3'}")
    stranger.dispose()
    os.replace(ours, tmp_path / "ours.moved")
    for suffix in ("-wal", "-shm"):
        Path(f"{ours}{suffix}").unlink(missing_ok=True)
    shutil.copy(tmp_path / "stranger.sqlite3", ours)
    with pytest.raises(DatabaseUnavailable, match="replaced") as err:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
    assert "数据库已被替换" in err.value.zh
    engine.dispose()

    bare = tmp_path / "bare.sqlite3"
    import sqlite3

    sqlite3.connect(bare).close()
    with pytest.raises(DatabaseUnavailable, match="no schema"):
        with make_engine(f"sqlite:///{bare}").connect():
            pass


def test_engine_refuses_a_database_at_another_revision(tmp_path):
    path = tmp_path / "old.sqlite3"
    create_database(f"sqlite:///{path}").dispose()
    import sqlite3

    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0004_merge'")
    with pytest.raises(DatabaseUnavailable, match="revision 0004_merge") as err:
        with make_engine(f"sqlite:///{path}").connect():
            pass
    assert "版本" in err.value.zh


def test_missing_sqlite_file_is_not_created(tmp_path):
    path = tmp_path / "nowhere" / "jcy.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(Exception, match="unable to open"):
        with engine.connect():
            pass
    assert not path.exists() and not path.parent.exists()


# --------------------------------------------------------------------------- the file moved away


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_database_file_moved_away_and_back_is_served_again_intact(tmp_path):
    path = tmp_path / "data" / "jcy.sqlite3"
    engine = create_database(f"sqlite:///{path}")
    ctx = build(engine, scale="tiny", seed=11, progress=False)
    with engine.connect() as c:
        c.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        outbox_before = c.execute(select(func.count()).select_from(SmsOutbox)).scalar_one()
    engine.dispose()
    before = _facts(path)
    assert before[0] == "ok" and before[1] > 0
    party = next(x for x in ctx.ids["demo_logins"] if x["kind"] == "当事人")
    env = {"DATABASE_URL": f"sqlite:///{path}", "SMART_SCREEN_CONFIG": _screen_config(tmp_path),
           "JCY_SMS_BACKEND": "outbox"}
    moved = tmp_path / "elsewhere.sqlite3"
    with running_app("smart_screen.py", env=env, extra_args=KIOSK, log_dir=tmp_path) as screen, \
            running_app("portal.py", env=env, log_dir=tmp_path) as portal:
        with browser_page(1920, 1080) as (page, watch):
            ppage = page.context.new_page()  # the portal in a second tab of the same browser
            city_key = next(k for n, k in ctx.ids["screen_keys"].items() if n.startswith("市院"))
            page.goto(screen.url + f"/?screen=lobby&key={city_key}", wait_until="domcontentloaded")
            wait_for_app(page)
            page.wait_for_selector(".jcy-kpi .v", timeout=60000)
            figures = page.locator(".jcy-kpi .v").all_inner_texts()
            assert any(f.replace(",", "").isdigit() and f != "0" for f in figures), figures

            os.replace(path, moved)  # a backup job takes the file away
            page.wait_for_selector(".jcy-age.error", timeout=60000)  # the screen knows it is stale
            assert page.locator(".jcy-kpi .v").all_inner_texts() == figures  # last figures, not zeros

            ppage.goto(portal.url, wait_until="domcontentloaded")  # a party tries to sign in meanwhile
            wait_for_app(ppage)
            ppage.get_by_label("居民身份证号").fill(party["login"])
            ppage.get_by_label("手机号码").fill(party["phone"])
            ppage.get_by_role("button", name="获取验证码").click()
            ppage.get_by_text("数据库暂时无法连接").first.wait_for(timeout=60000)
            assert ppage.get_by_text("验证码已发送").count() == 0
            ppage.get_by_text("验证码未能发送").first.wait_for(timeout=5000)
            assert not path.exists(), "a serving process created a new database file"
            page.screenshot(path=str(tmp_path / "screen_file_gone.png"))

            os.replace(moved, path)  # the file comes back
            page.wait_for_function(
                "() => { const b = document.querySelector('.jcy-age');"
                " return b && !b.classList.contains('error') && !b.classList.contains('nodata'); }",
                timeout=60000)
            assert page.locator(".jcy-kpi .v").all_inner_texts() == figures
            watch.assert_clean()
        assert "Traceback" not in screen.log() and "Traceback" not in portal.log()
    after = _facts(path)  # the servers have stopped and checkpointed: the real data is all there
    assert after == before
    with make_engine(f"sqlite:///{path}").connect() as c:
        assert c.execute(select(func.count()).select_from(SmsOutbox)).scalar_one() == outbox_before


# --------------------------------------------------------------------------- an outage over midnight


def test_screen_keeps_the_last_figures_when_the_day_turns_during_an_outage(sample_engine):
    """The hub keys snapshots by day: a new day that cannot be read shows the day before, stale."""
    import datetime as dt

    from domain.scope import SCREEN
    from queries.screen_hub import ScreenHub

    down = {"now": False}

    def engine():
        if down["now"]:
            raise DatabaseUnavailable("gone", "数据库暂时无法连接")
        return sample_engine

    hub = ScreenHub(interval=600, poll=600, engine_factory=engine)
    try:
        evening = hub.get(SCREEN, dt.date(2028, 2, 28))
        assert evening.value is not None and evening.error is None
        down["now"] = True
        midnight = hub.get(SCREEN, dt.date(2028, 2, 29))
        assert midnight.value is evening.value  # yesterday's figures, not a blank wall
        assert midnight.as_of == evening.as_of and midnight.error == "数据库暂时无法连接"
        down["now"] = False
        hub.tick()
        recovered = hub.get(SCREEN, dt.date(2028, 2, 29))
        assert recovered.error is None and recovered.value.today == dt.date(2028, 2, 29)
    finally:
        hub.stop()

"""The 法律监督线索 page in headless Chromium: the clue selected in the table stays the clue acted on
after the list reorders under it (the selection is held by the clue's id, not the row position),
and no request leaves the machine. Also takes the page's screenshot at 1920×1080."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from components.clue_view import sort_clues
from domain.clues import CHECKING, PENDING
from queries import clues as Q
from queries.db import create_database
from queries.schema import AuditLog, ClueHistory, ModelHit
from tests.browser import ROOT, UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
from tests.signin_helpers import browser_sign_in
from tests.staff import staff_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("JCY_SCREENSHOTS")
         else Path(tempfile.gettempdir()) / "jcy_shots")
USER = "leader_310112"
HEADER_PX, ROW_PX = 35, 35  # the data grid's header and row heights


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    from sample_data.build import build

    path = tmp_path_factory.mktemp("clues_browser") / "c.sqlite3"
    e = create_database(f"sqlite:///{path}")
    build(e, scale="tiny", seed=7, progress=False)
    yield e, f"sqlite:///{path}"
    e.dispose()


def _pick(e) -> tuple[int, int, int, int]:
    """A pending clue A visible in the first rows under the deadline order whose row position
    differs under the id order; returns (A, its row by deadline, its row by id, the clue at A's
    old row once reordered)."""
    df = Q.clue_list(e, staff_of(e, USER).scope("clues"))
    by_due = list(sort_clues(df, "due")["hit_id"])
    by_id = list(sort_clues(df, "id")["hit_id"])
    states = dict(zip(df["hit_id"], df["state"]))
    for i, h in enumerate(by_due[:7]):
        if states[h] == PENDING and by_id.index(h) != i:
            return int(h), i, by_id.index(h), int(by_id[i])
    pytest.fail("the sample has no pending 闵行 clue that moves when the list is re-sorted")


def _click_row(pg, row: int) -> None:
    grid = pg.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    pg.mouse.click(box["x"] + 14, box["y"] + HEADER_PX + ROW_PX * row + ROW_PX / 2)


def _choose(pg, label: str, option: str) -> None:
    pg.get_by_label(label).first.click()
    pg.get_by_role("option", name=option, exact=True).click()
    wait_for_app(pg)


def test_the_action_hits_the_selected_clue_after_the_list_reorders(db, tmp_path):
    e, url = db
    a, row_due, row_id, other = _pick(e)
    with e.connect() as c:
        other_before = tuple(c.execute(select(ModelHit.state, ModelHit.assignee_id).where(ModelHit.id == other)).one())
    with running_app("dashboard.py", env={"DATABASE_URL": url}, log_dir=tmp_path) as app:
        with browser_page(1920, 1080) as (pg, watch):
            browser_sign_in(pg, e, USER, app.url)
            pg.get_by_role("link", name="法律监督线索").click()
            wait_for_app(pg)
            pg.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=UI_TIMEOUT_MS)
            _click_row(pg, row_due)
            pg.get_by_text(f"#{a} · ").first.wait_for(timeout=UI_TIMEOUT_MS)
            wait_for_app(pg)
            SHOTS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SHOTS / "clues.png"), full_page=False)
            _choose(pg, "排序", "编号（大→小）")  # the list reorders: A is now at another row
            pg.get_by_text(f"#{a} · ").first.wait_for(timeout=UI_TIMEOUT_MS)  # still A's detail
            assert pg.get_by_text(f"#{other} · ").count() == 0
            pg.get_by_role("button", name=f"转核查 #{a}", exact=True).click()
            wait_for_app(pg)
            pg.get_by_role("button", name=f"确认转核查 #{a}", exact=True).click()
            pg.get_by_text(f"线索 #{a} 已转核查").wait_for(timeout=UI_TIMEOUT_MS)
            wait_for_app(pg)
            watch.assert_clean()
        assert "Traceback" not in app.log()
    with e.connect() as c:
        state, assignee = c.execute(select(ModelHit.state, ModelHit.assignee_id).where(ModelHit.id == a)).one()
        assert state == CHECKING and assignee is not None
        assert tuple(c.execute(select(ModelHit.state, ModelHit.assignee_id).where(ModelHit.id == other)).one()) \
            == other_before
        hist = c.execute(select(ClueHistory.hit_id, ClueHistory.to_state, ClueHistory.actor_name)
                         .order_by(ClueHistory.id.desc())).first()
        assert tuple(hist) == (a, CHECKING, USER)
        moved = c.execute(select(AuditLog.target).where(AuditLog.event == "线索流转", AuditLog.actor == USER)).scalars()
        assert list(moved) == [f"hit:{a}"]

"""The data catalogue (issue 13): every table declares itself where it is defined, sensitivity follows
the columns, and the generated catalogue (rows, last update, models, pages) is right for a planted
world; the two pages run, and in Chromium a click leads from a failing check to its rows."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from streamlit.testing.v1 import AppTest

from domain.access import AccessDenied
from domain.catalogue import INTERNAL, PUBLIC, SENSITIVE, declare, minimum_sensitivity, sensitivity_problem
from domain.models import registry
from domain.scope import ALL, Scope
from queries import catalogue as K
from queries import quality as Q
from queries.schema import Base, metadata
from sample_data import defects
from tests.browser import ROOT
from tests.staff import sign_in, staff_of
from tests.test_models import _recidivism_world


def test_every_table_is_declared_and_a_missing_declaration_is_named():
    assert Q.undeclared() == []
    assert set(K.dataset_names()) == set(metadata.tables)

    class Other(DeclarativeBase):
        pass

    class Declared(Other):
        __tablename__ = "declared"
        __catalogue__ = declare("有声明", "来源", "部门", "每日", PUBLIC)
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    class Forgotten(Other):
        __tablename__ = "forgotten"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        label: Mapped[str] = mapped_column(String(10))

    assert Q.undeclared(Other) == ["forgotten"]


def test_declarations_use_the_vocabulary_and_name_real_timestamp_columns():
    for table, (cls, d) in Q._declared().items():
        assert d.updated is None or d.updated in cls.__table__.c, table
    with pytest.raises(ValueError, match="frequency"):
        declare("x", "s", "o", "每小时", PUBLIC)
    with pytest.raises(ValueError, match="sensitivity"):
        declare("x", "s", "o", "每日", "机密")


def test_a_table_naming_people_must_be_declared_sensitive():
    problems = [p for t, (cls, d) in Q._declared().items()
                if (p := sensitivity_problem(t, d.sensitivity, set(cls.__table__.c.keys())))]
    assert problems == []
    for table in ("person", "app_user", "otp_challenge", "sms_outbox"):  # names, ID hashes, phones
        assert minimum_sensitivity(set(metadata.tables[table].c.keys())) == SENSITIVE, table
    assert "个人身份列（id_hash、id_masked）" in sensitivity_problem("t", INTERNAL, {"id", "id_hash", "id_masked"})
    assert sensitivity_problem("t", SENSITIVE, {"id", "lon"}) is None  # stricter is always allowed
    assert minimum_sensitivity({"id", "charge"}) == PUBLIC


def test_the_generated_catalogue_for_a_planted_world(any_engine):
    _recidivism_world(any_engine)  # 11 cases, the newest entered its stage on 20 Nov 14:00; no alerts
    df = K.catalogue(any_engine, ALL).set_index("table")
    assert set(df.index) == set(metadata.tables)
    case = df.loc["case"]
    assert case["rows"] == 11 and case["updated_column"] == "stage_entered_at"
    assert case["last_update"] == dt.datetime(2026, 11, 20, 14, 0)
    assert set(case["models"]) == {k for k, m in registry().items() if "case" in m.reads}
    assert "recidivism_on_measure" in case["models"] and "stats_overview" in case["pages"]
    assert df.loc["supervised_person", "rows"] == 4 and df.loc["alert", "rows"] == 0
    assert pd.isna(df.loc["district", "updated_column"]) and df.loc["district", "rows"] == 2  # no timestamp column
    assert pd.isna(df.loc["district", "last_update"]) and pd.isna(df.loc["alert", "last_update"])  # none / no rows
    assert df.loc["person", "sensitivity"] == SENSITIVE and df.loc["water_sample", "sensitivity"] == PUBLIC
    with pytest.raises(AccessDenied):
        K.catalogue(any_engine, Scope(role="prosecutor", grants=frozenset({"cases"})))


def test_pages_found_by_reading_their_code():
    assert K.page_tables(ROOT / "pages" / "audit_log.py") == {"audit_log", "audit_chain"}
    leave = K.page_tables(ROOT / "pages" / "supervision_leave.py")
    assert {"leave_request", "supervised_person"} <= leave and "water_sample" not in leave
    assert "quality_result" in K.page_tables(ROOT / "pages" / "data_quality.py")
    assert K.undeclared_model_inputs() == []


def test_the_sample_carries_its_planted_defects(sample_engine):
    results = {r.key: r for r in Q.run_checks(sample_engine)}
    assert results["case_charge_present"].failed == defects.CHARGELESS
    assert results["event_stage_skip"].failed == defects.SKIPPING
    assert results["case_dates_order"].failed == 0 and results["suspect_decision_vs_stage"].failed == 0


# ------------------------------------------------------------------ pages


def _page(stem: str, user: str = "data") -> AppTest:
    from queries.cache import get_engine

    at = sign_in(AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=120),
                 staff_of(get_engine(), user))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_catalogue_page_lists_every_data_set(page_db):
    at = _page("data_catalogue")
    assert at.title[0].value == "数据目录"
    assert len(at.dataframe[0].value) == len(metadata.tables)
    assert any("静态分析" in c.value for c in at.caption)


def test_quality_page_shows_scores_and_the_failing_rows_of_a_clicked_check(page_db, sample_engine):
    Q.run_checks(sample_engine)
    at = _page("data_quality")
    assert at.title[0].value == "数据质量"
    at.button(key="dq_pick_case_charge_present").click().run()
    assert at.session_state["dq_check"] == "case_charge_present"
    rows = at.dataframe[1].value
    assert len(rows) == defects.CHARGELESS and set(rows["业务类别"]) == {"刑事"}
    Q.run_checks(sample_engine)  # a new run: the pick is the check, not a row position
    at.run()
    assert at.session_state["dq_check"] == "case_charge_present" and len(at.dataframe[1].value) == defects.CHARGELESS


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_in_chromium_from_a_score_to_the_failing_rows(page_db, sample_engine):
    from playwright.sync_api import expect

    from tests.browser import UI_TIMEOUT_MS, browser_page, running_app, wait_for_app
    from tests.signin_helpers import browser_sign_in

    Q.run_checks(sample_engine)
    shots = Path(os.environ.get("TMPDIR", "/tmp"))
    with running_app("dashboard.py", env={"DATABASE_URL": page_db}) as app:
        with browser_page(width=1920, height=1080) as (page, watch):
            browser_sign_in(page, sample_engine, "data", app.url)
            page.get_by_role("link", name="数据目录").click()
            expect(page.get_by_role("heading", name="数据目录")).to_be_visible(timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            page.screenshot(path=str(shots / "data_catalogue.png"))
            page.get_by_role("link", name="数据质量").click()
            expect(page.get_by_role("heading", name="数据质量")).to_be_visible(timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            page.get_by_role("button", name="刑事案件未填写罪名").click()
            heading = page.get_by_text("未通过的行：case_charge_present")
            expect(heading).to_be_visible(timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            page.screenshot(path=str(shots / "data_quality.png"))
            page.locator('[data-testid="stDataFrame"]').nth(1).scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "data_quality_rows.png"))
            watch.assert_clean()


@pytest.mark.parametrize("stem", ["data_catalogue", "data_quality"])
def test_pages_run_in_english(page_db, sample_engine, stem):
    from queries.cache import get_engine

    Q.run_checks(sample_engine)
    at = sign_in(AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=120),
                 staff_of(get_engine(), "leader_310112"))
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value in ("Data catalogue", "Data quality")

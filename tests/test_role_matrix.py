"""The role × page matrix, through the real dashboard entry point (AppTest): for every role and every
page, the page opens, or it answers "无权访问" and the attempt is audited. The expected matrix is
written out here by hand, so a change to ``domain.access`` that widens a role fails this test."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from domain.access import PAGE_PERMISSION, STAFF_ROLES
from queries.schema import AuditLog
from tests.browser import ROOT
from tests.staff import sign_in, staff_of

STATS = {"home", "stats_overview", "stats_districts", "stats_drilldown", "stats_watch"}
SUPERVISION = {"supervision_people", "supervision_map", "supervision_track", "supervision_leave",
               "supervision_rollcall", "supervision_alerts", "supervision_devices", "supervision_stats"}
RIVERS = {"rivers_map", "river_detail", "river_cases"}
CATALOGUE = {"data_catalogue", "data_quality"}  # permission "catalogue" (issue 13)
EXPECTED: dict[str, tuple[str, set[str]]] = {  # role: (a demo account holding it, the pages it opens)
    "leader": ("leader_310112", STATS | RIVERS | {"sentencing_ruler", "sentencing_public", "supervision_stats",
                                                  "portal_bindings_review"}
                | CATALOGUE),
    "prosecutor": ("pros_310112_1", STATS | {"sentencing_ruler", "sentencing_public", "portal_bindings_review"}),
    "supervision": ("sup_310112", {"home", "sentencing_public"} | SUPERVISION),
    "pil": ("pil_310120", {"home", "sentencing_public"} | RIVERS),
    "data": ("data", {"home", "sentencing_public", "data_import"} | CATALOGUE),
    "sysadmin": ("admin", {"home", "accounts", "screen_keys"}),
    "secadmin": ("secadmin", {"accounts"}),
    "auditor": ("auditor", {"audit_log"}),
}
EXPECTED["leader"][1].add("model_library")  # 模型库 (issue 13, permission "models")
EXPECTED["data"][1].add("model_library")
for _role in ("leader", "prosecutor", "supervision", "pil"):  # issue 13: 模型成效 opens with "clues"
    EXPECTED[_role][1].add("model_efficacy")
for _role in ("leader", "prosecutor", "supervision", "pil"):  # issue 13: the 法律监督线索 page
    EXPECTED[_role][1].add("clues")
PAGES = sorted(p for p in PAGE_PERMISSION if (ROOT / "pages" / f"{p}.py").exists())


def test_the_matrix_covers_every_role_and_page():
    assert set(EXPECTED) == set(STAFF_ROLES)
    assert set(PAGE_PERMISSION) == {p.stem for p in (ROOT / "pages").glob("*.py")} - {"signin", "screen_wall"} \
        - {p.stem for p in (ROOT / "pages").glob("portal_*.py")} | {"portal_bindings_review"}, \
        "every dashboard page needs a permission in domain.access.PAGE_PERMISSION"


def open_page(at: AppTest, stem: str) -> AppTest:
    """Open the page registered under url path ``stem``, as a typed URL would: a forbidden page is a
    callable (no file), which ``AppTest.switch_page`` cannot name, so the registry is read."""
    at._page_hash = next(h for h, info in at._registered_pages.items()
                         if info.get("url_pathname") == stem
                         or str(info.get("script_path") or "").endswith(f"/pages/{stem}.py"))
    return at.run()


def denials(engine, username: str) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).where(AuditLog.event == "越权访问",
                                                    AuditLog.actor == username)).scalar_one()


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_opens_exactly_its_pages(role, page_db, sample_engine):
    username, allowed = EXPECTED[role]
    staff = staff_of(sample_engine, username)
    assert role in staff.roles
    wrong = []
    for stem in PAGES:
        at = sign_in(AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120), staff).run()
        before = denials(sample_engine, username)
        open_page(at, stem)
        assert not at.exception, f"{role} on {stem}: {[e.message for e in at.exception]}"
        refused = any(t.value == "无权访问" for t in at.title)
        if refused == (stem in allowed):
            wrong.append((stem, "refused" if refused else "opened"))
        if refused:
            assert denials(sample_engine, username) == before + 1, f"{stem}: refusal not audited"
    assert not wrong, f"{role}: {wrong}"


def test_anonymous_sees_only_the_sign_in_page(page_db):
    at = AppTest.from_file(str(ROOT / "apps" / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value.endswith("登录")
    assert [t.label for t in at.text_input] == ["账号", "密码"]
    open_page(at, "supervision_track")  # a deep link: still the sign-in page
    assert at.title[0].value.endswith("登录") and not at.dataframe

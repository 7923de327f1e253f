"""Every page in pages/ runs on the sample data without an exception (a catch-all smoke test),
signed in as a demo account that may open it (a real procuratorate's scope); pages outside the
dashboard (the portal's, the sign-in page, the smart screen) run as they are served.

Area tests drive their pages further; this one makes sure no page is left untested.
"""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from domain.access import PAGE_PERMISSION
from tests.staff import sign_in, staff_of

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
# one demo account per role, a district one first where the role has it
ACCOUNTS = ("pros_310112_1", "sup_310112", "pil_310120", "leader", "data", "admin", "secadmin", "auditor")


def test_there_are_pages():
    assert "pages/home.py" in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_exception(page_db, sample_engine, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    stem = Path(page).stem
    if stem in PAGE_PERMISSION:
        who = next(s for s in (staff_of(sample_engine, u) for u in ACCOUNTS) if s.may_open(stem))
        sign_in(at, who)
    at.run()
    assert not at.exception, f"{page}: {[e.message for e in at.exception]}"
    # nothing that looks like a traceback reached the page either
    texts = [e.value for e in at.error] + [m.value for m in at.markdown]
    assert not any("Traceback" in str(t) for t in texts), page
    assert not any(t.value == "无权访问" for t in at.title), page


@pytest.mark.parametrize("app", sorted(p.name for p in (ROOT / "apps").glob("*.py")))
def test_entry_points_reference_existing_pages(app):
    import re

    src = (ROOT / "apps" / app).read_text(encoding="utf-8")
    for ref in re.findall(r"""["'](\.\./pages/[\w/]+\.py)["']""", src):
        assert (ROOT / "apps" / ref).resolve().exists(), f"{app} points at missing {ref}"

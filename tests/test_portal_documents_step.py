"""The documents build step: real PDFs with the bundled font, recipients that are the case's own
parties, lawyer copies only under approved bindings, and demo logins that actually work."""
from __future__ import annotations

import csv
import datetime as dt
import re

import numpy as np
import pytest
from sqlalchemy import func, select

from queries import portal as P
from queries.schema import Case, CaseParty, Document, DocumentRecipient, LawyerBinding
from tests.portal_fixtures import CodeCatcher

NOW = dt.datetime(2026, 11, 20, 10, 0)


def _build(engine, monkeypatch=None, tmp_path=None):
    from sample_data import core, documents
    from sample_data.build import SCALES, BuildContext

    ctx = BuildContext(now=NOW, seed=7, progress=False)
    core.build(engine, SCALES["tiny"], np.random.default_rng([7, 0]), ctx)
    rows = documents.build(engine, SCALES["tiny"], np.random.default_rng([7, 1]), ctx)
    return ctx, rows


@pytest.fixture
def built(any_engine, tmp_path, monkeypatch):
    out = tmp_path / "logins.csv"
    monkeypatch.setenv("JCY_DEMO_LOGINS", str(out))
    ctx, rows = _build(any_engine)
    return any_engine, ctx, rows, out


def test_documents_are_real_pdfs_in_the_bundled_font(built):
    from fontTools.ttLib import TTFont

    from sample_data.documents import DOC_BUDGET, FONT_PATH

    engine, ctx, rows, _ = built
    cmap = TTFont(str(FONT_PATH)).getBestCmap()
    with engine.connect() as c:
        docs = c.execute(select(Document.public_id, Document.title, Document.doc_no, Document.body, Document.pdf)).all()
    assert 0 < len(docs) <= DOC_BUDGET["tiny"]
    assert len({d.public_id for d in docs}) == len(docs)
    assert all(re.fullmatch(r"[0-9a-f]{32}", d.public_id) for d in docs)
    for d in docs:
        assert d.pdf.startswith(b"%PDF-") and b"/FontFile2" in d.pdf  # a TrueType font is embedded
        missing = {ch for ch in d.title + d.doc_no + d.body if ch not in "\n" and ord(ch) not in cmap}
        assert not missing, missing
        assert not re.search(r"\d{17}[\dXx]", d.body) and not re.search(r"1[3-9]\d{9}", d.body)


def test_recipients_are_parties_of_the_case_and_lawyers_are_bound(built):
    engine, *_ = built
    with engine.connect() as c:
        stray = c.execute(
            select(func.count()).select_from(DocumentRecipient)
            .join(Document, Document.id == DocumentRecipient.document_id)
            .where(DocumentRecipient.person_id.is_not(None),
                   ~select(CaseParty.id).where(CaseParty.case_id == Document.case_id,
                                               CaseParty.person_id == DocumentRecipient.person_id).exists())
        ).scalar()
        unbound = c.execute(
            select(func.count()).select_from(DocumentRecipient)
            .join(Document, Document.id == DocumentRecipient.document_id)
            .where(DocumentRecipient.lawyer_id.is_not(None),
                   ~select(LawyerBinding.id).where(LawyerBinding.case_id == Document.case_id,
                                                   LawyerBinding.lawyer_id == DocumentRecipient.lawyer_id,
                                                   LawyerBinding.status == "已批准").exists())
        ).scalar()
        statuses = dict(c.execute(select(LawyerBinding.status, func.count()).group_by(LawyerBinding.status)).all())
        juvenile_docs = c.execute(select(func.count()).select_from(Document).join(Case, Case.id == Document.case_id)
                                  .where(Case.juvenile.is_(True))).scalar()
        lawyer_copies = c.execute(select(func.count()).select_from(DocumentRecipient)
                                  .where(DocumentRecipient.lawyer_id.is_not(None))).scalar()
    assert stray == 0 and unbound == 0 and juvenile_docs == 0
    assert statuses.get("已批准", 0) > 0 and statuses.get("待审核", 0) > 0
    assert lawyer_copies > 0


def test_demo_logins_work_end_to_end(built):
    engine, ctx, _, out = built
    logins = ctx.ids["demo_logins"]
    with open(out, encoding="utf-8-sig") as f:
        assert list(csv.DictReader(f)) == [{k: str(v) for k, v in x.items()} for x in logins]
    assert (out.stat().st_mode & 0o777) == 0o600
    parties = [x for x in logins if x["kind"] == "当事人"]
    assert sum(1 for x in parties if x["documents"]) >= 2 and sum(1 for x in parties if not x["documents"]) == 1
    for i, x in enumerate(parties):
        sms = CodeCatcher()
        now = NOW + dt.timedelta(minutes=2 * i)
        r = P.request_party_code(engine, x["login"], x["phone"], now=now, sender=sms)
        assert r.status == "sent" and len(sms.sent) == 1
        res = P.verify_party_code(engine, x["login"], x["phone"], r.request_id, sms.last_code(), now=now)
        assert res.ok
        assert len(P.documents_for(engine, res.principal)) == x["documents"]
    lawyer = next(x for x in logins if x["kind"] == "律师")
    assert lawyer["password"] == ctx.ids["passwords"]["lawyer01"] and len(lawyer["password"]) >= 12
    sms = CodeCatcher()
    r = P.request_lawyer_code(engine, lawyer["login"], lawyer["password"], lawyer["phone"], now=NOW, sender=sms)
    res = P.verify_lawyer_code(engine, lawyer["login"], r.request_id, sms.last_code(), now=NOW)
    assert res.ok
    with engine.connect() as c:
        approved = set(c.execute(select(Case.case_no).join(LawyerBinding, LawyerBinding.case_id == Case.id)
                                 .where(LawyerBinding.lawyer_id == res.principal.id,
                                        LawyerBinding.status == "已批准")).scalars())
    assert set(P.cases_for(engine, res.principal)["case_no"]) == approved and approved
    assert len(P.documents_for(engine, res.principal)) == lawyer["documents"]


def test_same_documents_on_both_engines(engine, pg_engine):
    a, _ = _build(engine)
    b, _ = _build(pg_engine)

    def snap(e):
        with e.connect() as c:
            return sorted(c.execute(select(Document.public_id, Document.doc_no, Document.issued_at, Document.body,
                                           func.count(DocumentRecipient.id), func.count(DocumentRecipient.served_at))
                                    .join(DocumentRecipient, DocumentRecipient.document_id == Document.id)
                                    .group_by(Document.id)).all())

    assert snap(engine) == snap(pg_engine)
    # the same logins, except the passwords: each build issues its own random ones
    def strip(logins):
        return [{k: v for k, v in x.items() if k != "password"} for x in logins]

    assert strip(a.ids["demo_logins"]) == strip(b.ids["demo_logins"])
    assert a.ids["passwords"]["lawyer01"] != b.ids["passwords"]["lawyer01"]

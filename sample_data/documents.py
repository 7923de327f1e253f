"""Sample documents served on parties, lawyer bindings, and the demo login list.

Runs after ``sample_data.core``. Three kinds of document (procuratorate.md §4, the first types
Shanghai served electronically): rights notices (犯罪嫌疑人/被害人诉讼权利义务告知书) at the start of
prosecution review, bail decisions (取保候审决定书) and non-prosecution decisions (不起诉决定书). Each
is a real PDF rendered by ReportLab with the bundled font ``apps/static/NotoSansSC-Subset.ttf``
embedded, so Chinese text shows on any machine without a font download.

For the demo scale it writes ``data/demo_logins.csv`` (``data/`` is git-ignored): a few parties'
clear ID number and phone (known only in memory during the build), one person with no documents,
and a lawyer account, so an operator can try the portal login.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from domain.settings import ROOT, current
from queries.schema import (
    AppUser, Case, CaseParty, District, Document, DocumentRecipient, LawyerBinding, Person, Procuratorate,
)
from queries.writes import bulk_insert, fix_pg_sequences

FONT_PATH = ROOT / "apps" / "static" / "NotoSansSC-Subset.ttf"
FONT_NAME = "NotoSansSC"
DEMO_LOGINS = ROOT / "data" / "demo_logins.csv"
# How many documents each scale gets (PDFs are ~25 kB; rendering takes ~5 ms each).
DOC_BUDGET = {"tiny": 150, "demo": 900, "city": 2500, "stress": 2500}
NOTICE_SUSPECT, NOTICE_VICTIM = "犯罪嫌疑人诉讼权利义务告知书", "被害人诉讼权利义务告知书"
BAIL, NONPROS = "取保候审决定书", "不起诉决定书"
DOC_TYPE = {NOTICE_SUSPECT: "权利义务告知书", NOTICE_VICTIM: "权利义务告知书", BAIL: BAIL, NONPROS: NONPROS}
SHORT = {"黄浦区": "黄", "徐汇区": "徐", "长宁区": "长", "静安区": "静", "普陀区": "普", "虹口区": "虹",
         "杨浦区": "杨", "闵行区": "闵", "宝山区": "宝", "嘉定区": "嘉", "浦东新区": "浦", "金山区": "金",
         "松江区": "松", "青浦区": "青", "奉贤区": "奉", "崇明区": "崇"}
NUM_CODE = {NOTICE_SUSPECT: "刑告", NOTICE_VICTIM: "刑告", BAIL: "刑保", NONPROS: "刑不诉"}


# ----------------------------------------------------------------------------- texts


def body_text(kind: str, *, recipient: str, charge: str, case_no: str, proc: str, issued: dt.datetime,
              suspects: list[str] | None = None, nonpros_type: str | None = None) -> str:
    """The document's text (paragraphs separated by blank lines). Never an ID number or phone."""
    day = f"{issued.year}年{issued.month}月{issued.day}日"
    if kind == NOTICE_SUSPECT:
        paras = [f"犯罪嫌疑人{recipient}：",
                 f"你涉嫌{charge}一案（{case_no}），已由本院审查起诉。根据《中华人民共和国刑事诉讼法》的规定，"
                 "在审查起诉阶段，你享有下列诉讼权利：",
                 "一、有权委托辩护人；经济困难或者有其他原因没有委托辩护人的，可以申请法律援助。",
                 "二、有权使用本民族语言文字进行诉讼。",
                 "三、对于检察人员侵犯公民诉讼权利和人身侮辱的行为，有权提出控告。",
                 "四、有权申请检察人员回避。",
                 "五、自愿如实供述罪行、承认指控的犯罪事实、愿意接受处罚的，可以依法从宽处理，并有权获得值班律师的法律帮助。",
                 "你应当如实回答检察人员的提问，遵守法律规定的各项义务。"]
    elif kind == NOTICE_VICTIM:
        paras = [f"被害人{recipient}：",
                 f"{'、'.join(suspects or [])}涉嫌{charge}一案（{case_no}），已由本院审查起诉。根据《中华人民共和国刑事诉讼法》的规定，"
                 "你享有下列诉讼权利：",
                 "一、有权委托诉讼代理人。",
                 "二、有权申请检察人员回避。",
                 "三、因犯罪行为遭受物质损失的，有权提起附带民事诉讼。",
                 "四、对本院作出的不起诉决定不服的，有权在收到决定书后七日内向上一级人民检察院申诉。",
                 "你可以向本院提出意见，本院将听取并记录在案。"]
    elif kind == BAIL:
        paras = [f"犯罪嫌疑人{recipient}：",
                 f"本院办理的{charge}一案（{case_no}），根据《中华人民共和国刑事诉讼法》第六十七条的规定，"
                 "决定对你取保候审，期限自本决定书送达之日起计算，最长不超过十二个月。",
                 "在取保候审期间，你应当遵守下列规定：未经执行机关批准不得离开所居住的市、县；"
                 "住址、工作单位和联系方式发生变动的，在二十四小时以内向执行机关报告；在传讯的时候及时到案；"
                 "不得以任何形式干扰证人作证；不得毁灭、伪造证据或者串供。",
                 "违反上述规定的，将依法没收保证金，并可以对你予以监视居住或者逮捕。"]
    elif kind == NONPROS:
        basis = {"法定": "第一百七十七条第一款", "酌定": "第一百七十七条第二款", "存疑": "第一百七十五条第四款",
                 "附条件": "第二百八十二条"}.get(nonpros_type or "", "第一百七十七条第二款")
        paras = [f"被不起诉人：{'、'.join(suspects or [recipient])}。",
                 f"本案（{case_no}）由公安机关侦查终结，以被不起诉人涉嫌{charge}移送本院审查起诉。",
                 f"经本院审查，根据《中华人民共和国刑事诉讼法》{basis}的规定，决定对被不起诉人不起诉。",
                 "被害人如不服本决定，可以自收到本决定书后七日以内向上一级人民检察院申诉，请求提起公诉；"
                 "也可以不经申诉，直接向人民法院起诉。",
                 "被不起诉人如不服本决定，可以自收到本决定书后七日以内向本院申诉。"]
    else:
        raise ValueError(kind)
    paras.append(f"{proc}\n{day}")
    return "\n\n".join(paras)


def render_pdf(title: str, doc_no: str, body: str) -> bytes:
    """A4 PDF with the bundled TrueType font embedded (ReportLab subsets it per document)."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from xml.sax.saxutils import escape

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    base = dict(fontName=FONT_NAME, wordWrap="CJK")
    head = ParagraphStyle("h", fontSize=18, leading=28, alignment=TA_CENTER, **base)
    no = ParagraphStyle("n", fontSize=11, leading=18, alignment=TA_RIGHT, **base)
    para = ParagraphStyle("p", fontSize=12, leading=22, firstLineIndent=24, **base)
    sign = ParagraphStyle("s", fontSize=12, leading=22, alignment=TA_RIGHT, **base)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm,
                            bottomMargin=25 * mm, title=title, author="上海市人民检察院", invariant=1)
    parts = body.split("\n\n")
    story = [Paragraph(escape(title), head), Spacer(1, 4 * mm), Paragraph(escape(doc_no), no), Spacer(1, 6 * mm)]
    for p in parts[:-1]:
        story.append(Paragraph(escape(p), para))
    story += [Spacer(1, 12 * mm), Paragraph(escape(parts[-1]).replace("\n", "<br/>"), sign)]
    doc.build(story)
    return buf.getvalue()


# ----------------------------------------------------------------------------- the step


def build(engine: Engine, spec, rng: np.random.Generator, ctx) -> int:
    now = ctx.now
    with engine.connect() as conn:
        cases = pd.DataFrame(conn.execute(
            select(Case.id, Case.case_no, Case.procuratorate_id, Case.district_id, Case.charge,
                   Case.accepted_at, Case.prosecution_review_at, Case.prosecution_decided_at,
                   Case.prosecution_decision, Case.non_prosecution_type, Case.compulsory_measure,
                   Case.arrest_decided_at, Case.juvenile)
            .where(Case.function == "刑事")).fetchall())
        parties = pd.DataFrame(conn.execute(
            select(CaseParty.case_id, CaseParty.person_id, CaseParty.role, Person.full_name)
            .join(Person, Person.id == CaseParty.person_id)).fetchall())
        procs = dict(conn.execute(select(Procuratorate.id, Procuratorate.name)).fetchall())
        dnames = dict(conn.execute(select(District.id, District.name_zh)).fetchall())
        lawyers = dict(conn.execute(select(AppUser.username, AppUser.id).where(AppUser.role == "lawyer")).fetchall())
        prosecutors = dict(conn.execute(select(AppUser.username, AppUser.id)
                                        .where(AppUser.role == "prosecutor")).fetchall())
    if cases.empty or parties.empty:
        return 0
    # Juvenile cases are left out of the sample portal (their information is not disclosed online).
    cases = cases[~cases["juvenile"].astype(bool)].set_index("id")
    by_case = {cid: g for cid, g in parties.groupby("case_id")}

    # Candidate documents: (case id, kind, issued, recipients [(person_id, name)]).
    cands: list[tuple[int, str, dt.datetime, list[tuple[int, str]]]] = []
    for cid, c in cases.iterrows():
        g = by_case.get(cid)
        if g is None:
            continue
        susp = [(int(r.person_id), r.full_name) for r in g.itertuples() if r.role == "犯罪嫌疑人"]
        vict = [(int(r.person_id), r.full_name) for r in g.itertuples() if r.role == "被害人"]
        if pd.notna(c.prosecution_review_at):
            t = c.prosecution_review_at.to_pydatetime() + dt.timedelta(hours=20)
            if t <= now:
                cands += [(cid, NOTICE_SUSPECT, t, [s]) for s in susp]
                cands += [(cid, NOTICE_VICTIM, t, [v]) for v in vict]
        if c.compulsory_measure == "取保候审" and susp:
            t = (c.arrest_decided_at if pd.notna(c.arrest_decided_at) else c.accepted_at).to_pydatetime()
            t += dt.timedelta(hours=6)
            if t <= now:
                cands += [(cid, BAIL, t, [s]) for s in susp]
        if c.prosecution_decision == "不起诉" and pd.notna(c.prosecution_decided_at) and susp:
            t = c.prosecution_decided_at.to_pydatetime() + dt.timedelta(hours=4)
            if t <= now:
                cands.append((cid, NONPROS, t, susp + vict))
    if not cands:
        return 0
    # Newest first (electronic service started in 2022), then a seeded sample within the budget.
    cands.sort(key=lambda x: (x[2], x[0], x[1], x[3][0][0]), reverse=True)
    budget = DOC_BUDGET.get(spec.name, 900)
    pool = cands[: budget * 3]
    pick = sorted(rng.choice(len(pool), size=min(budget, len(pool)), replace=False).tolist())
    chosen = [pool[i] for i in pick]

    # Lawyer bindings on cases that have documents: approved, and some pending for review.
    doc_cases = sorted({x[0] for x in chosen})
    lawyer_names = sorted(lawyers)
    order = rng.permutation(len(doc_cases))
    bindings, approved = [], set()
    n_bind = min(len(doc_cases), max(8, len(doc_cases) // 6))
    for k, idx in enumerate(order[:n_bind]):
        cid = doc_cases[idx]
        c = cases.loc[cid]
        lname = lawyer_names[k % min(len(lawyer_names), 5)]
        status = "已批准" if k % 3 != 2 else "待审核"
        req = c.accepted_at.to_pydatetime() + dt.timedelta(days=2, hours=int(rng.integers(0, 48)))
        req = min(req, now - dt.timedelta(hours=1))
        pros = prosecutors.get(f"pros_{int(c.district_id)}_1")
        g = by_case[cid]
        client = next((int(r.person_id) for r in g.itertuples() if r.role == "犯罪嫌疑人"), None)
        bindings.append(dict(lawyer_id=lawyers[lname], case_id=int(cid), client_person_id=client,
                             papers="律师执业证、授权委托书、律师事务所函",
                             status=status, requested_at=req,
                             decided_at=min(req + dt.timedelta(days=1), now) if status == "已批准" else None,
                             decided_by=pros if status == "已批准" else None))
        if status == "已批准":
            approved.add((int(cid), lawyers[lname]))
    lawyer_of_case = {cid: lid for cid, lid in approved}

    docs, recips = [], []
    seq: dict[tuple[int, int, str], int] = {}
    bar = ctx.bar(len(chosen), "documents")
    for doc_id, (cid, kind, issued, recipients) in enumerate(chosen, start=1):
        c = cases.loc[cid]
        proc = procs[int(c.procuratorate_id)]
        key = (int(c.procuratorate_id), issued.year, kind)
        seq[key] = seq.get(key, 0) + 1
        short = SHORT.get(dnames.get(int(c.district_id), ""), "")
        doc_no = f"沪{short}检{NUM_CODE[kind]}〔{issued.year}〕{seq[key]}号"
        g = by_case[cid]
        susp_names = [r.full_name for r in g.itertuples() if r.role == "犯罪嫌疑人"]
        body = body_text(kind, recipient=recipients[0][1], charge=c.charge or "", case_no=c.case_no,
                         proc=proc, issued=issued, suspects=susp_names,
                         nonpros_type=c.non_prosecution_type if pd.notna(c.non_prosecution_type) else None)
        docs.append(dict(id=doc_id, public_id=rng.bytes(16).hex(), case_id=int(cid),
                         procuratorate_id=int(c.procuratorate_id), doc_type=DOC_TYPE[kind], doc_no=doc_no,
                         title=kind, issued_at=issued, body=body, pdf=render_pdf(kind, doc_no, body)))
        old = (now - issued) > dt.timedelta(days=20)
        for pid, _ in recipients:
            served = issued + dt.timedelta(hours=int(rng.integers(1, 72))) if old and rng.random() < 0.75 else None
            served = min(served, now) if served else None
            recips.append(dict(document_id=doc_id, person_id=pid, lawyer_id=None, notified_at=issued,
                               served_at=served, confirmed_at=served + dt.timedelta(minutes=3) if served else None))
        if kind in (BAIL, NONPROS) and cid in lawyer_of_case:  # a copy for the approved defence lawyer
            recips.append(dict(document_id=doc_id, person_id=None, lawyer_id=lawyer_of_case[cid],
                               notified_at=issued, served_at=None, confirmed_at=None))
        bar.update(1)
    bar.close()

    written = 0
    with engine.begin() as conn:
        written += bulk_insert(conn, Document.__table__, docs)
        written += bulk_insert(conn, DocumentRecipient.__table__, recips)
        written += bulk_insert(conn, LawyerBinding.__table__, bindings)
    fix_pg_sequences(engine, Document)

    logins = _demo_logins(recips, docs, parties, ctx)
    ctx.ids["demo_logins"] = logins
    dest = current().demo_logins
    if spec.name == "demo" or dest is not None:
        _write_demo_logins(dest or DEMO_LOGINS, logins)
    return written


def _demo_logins(recips: list[dict], docs: list[dict], parties: pd.DataFrame, ctx) -> list[dict]:
    """Three parties with unopened documents (of different kinds if possible) and one with none."""
    clear = ctx.ids.get("clear_identities") or {}
    kind_of = {d["id"]: d["doc_type"] for d in docs}
    per_person: dict[int, list[dict]] = {}
    for r in recips:
        if r["person_id"] is not None:
            per_person.setdefault(r["person_id"], []).append(r)
    out, kinds_seen = [], set()
    for pid in sorted(per_person):
        rs = per_person[pid]
        if pid not in clear or not any(r["served_at"] is None for r in rs):
            continue
        kinds = frozenset(kind_of[r["document_id"]] for r in rs)
        if kinds <= kinds_seen and len(out) < 2:
            continue
        kinds_seen |= kinds
        idn, phone = clear[pid]
        out.append(dict(kind="当事人", login=idn, phone=phone, password="", documents=len(rs),
                        note="有待签收文书：" + "、".join(sorted(kinds))))
        if len(out) == 3:
            break
    with_docs = set(per_person)
    for pid in sorted(int(x) for x in parties["person_id"]):
        if pid not in with_docs and pid in clear:
            idn, phone = clear[pid]
            out.append(dict(kind="当事人", login=idn, phone=phone, password="", documents=0,
                            note="无文书（应提示未查询到文书）"))
            break
    try:
        from sample_data.core import lawyer_phone

        out.append(dict(kind="律师", login="lawyer01", phone=lawyer_phone(1),
                        password=ctx.ids.get("passwords", {}).get("lawyer01", ""),
                        documents=sum(1 for r in recips if r["lawyer_id"] == ctx.ids.get("users", {}).get("lawyer01")),
                        note="已绑定若干案件；律师登录需密码＋短信验证码"))
    except ImportError:
        pass
    return out


def _write_demo_logins(path: Path, logins: list[dict]) -> None:
    """Mode 600 before the first byte (clear ID numbers and phones), not after."""
    from queries.db import private_file

    private_file(path)
    path.chmod(0o600)  # an older file made looser
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=["kind", "login", "phone", "password", "documents", "note"])
        w.writeheader()
        w.writerows(logins)

"""A small, fully known portal world for the portal tests (independent of the sample builder).

Two procuratorates, three people (A has documents, B has none, C has documents on another case),
two cases, lawyer ``lw_a`` approved on case 1 and pending on case 2, lawyer ``lw_b`` with nothing,
and a prosecutor ``pros_f`` in Fengxian (case 1's district) and one in Hongkou.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, insert

from domain.identity import make_id
from domain.masking import mask_id, mask_name, mask_phone
from queries.crypto import hash_id_number, hash_phone
from queries.password_hash import hash_password
from queries.schema import (
    AppUser, Case, CaseParty, District, Document, DocumentRecipient, LawyerBinding, Person, Procuratorate,
)
from queries.writes import fix_pg_sequences

NOW = dt.datetime(2026, 11, 20, 10, 0, 0)
PASSWORD = "Lw@test-2026"
FX, HK = 310120, 310109


@dataclass(frozen=True)
class World:
    id_a: str
    phone_a: str
    id_b: str
    phone_b: str
    id_c: str
    phone_c: str
    person_a: int
    person_b: int
    person_c: int
    case1: str
    case2: str
    doc_a1: str
    doc_a2: str
    doc_c1: str
    doc_lawyer: str
    lawyer_a: int
    lawyer_b: int
    phone_lw_a: str
    phone_lw_b: str
    pending_binding: int


def seed(engine: Engine, *, name_a: str = "张三丰") -> World:
    pw = hash_password(PASSWORD)
    id_a, id_b, id_c = (make_id("310120", dt.date(1985, 3, 4), 17), make_id("310109", dt.date(1990, 7, 8), 22),
                        make_id("310115", dt.date(1979, 1, 2), 31))
    ph_a, ph_b, ph_c, ph_la, ph_lb = "13812345678", "13900001111", "15000002222", "13700003333", "18600004444"
    t0 = NOW - dt.timedelta(days=40)
    with engine.begin() as c:
        c.execute(insert(District), [dict(id=d, name_zh=n, name_en=e, label_lon=121.5, label_lat=31.0, geojson="{}")
                                     for d, n, e in ((FX, "奉贤区", "Fengxian"), (HK, "虹口区", "Hongkou"))])
        c.execute(insert(Procuratorate), [
            dict(id=1, code="SH", name="上海市人民检察院", level="市院", district_id=None),
            dict(id=2, code=f"SH{FX}", name="上海市奉贤区人民检察院", level="区院", district_id=FX),
            dict(id=3, code=f"SH{HK}", name="上海市虹口区人民检察院", level="区院", district_id=HK)])
        users = [
            dict(id=1, username="lw_a", display_name="李律师", role="lawyer", phone=ph_la, law_firm="上海申江律师事务所"),
            dict(id=2, username="lw_b", display_name="王律师", role="lawyer", phone=ph_lb, law_firm="上海明理律师事务所"),
            dict(id=3, username="pros_f", display_name="赵检察官", role="prosecutor", procuratorate_id=2),
            dict(id=4, username="pros_h", display_name="钱检察官", role="prosecutor", procuratorate_id=3),
            dict(id=5, username="screen", display_name="大屏", role="screen", procuratorate_id=1)]
        for u in users:
            phone = u.pop("phone", None)
            u.update(password_hash=pw, active=True, created_at=t0, phone_hash=hash_phone(phone) if phone else None,
                     phone_masked=mask_phone(phone) if phone else None)
            u.setdefault("procuratorate_id", None)
            u.setdefault("law_firm", None)
        c.execute(insert(AppUser), users)
        people = [(1, name_a, id_a, ph_a, FX), (2, "李四", id_b, ph_b, HK), (3, "王五", id_c, ph_c, FX)]
        c.execute(insert(Person), [dict(id=i, public_id=f"p{i:031d}", full_name=n, name_masked=mask_name(n),
                                        id_hash=hash_id_number(x), id_masked=mask_id(x), phone_hash=hash_phone(p),
                                        phone_masked=mask_phone(p), district_id=d) for i, n, x, p, d in people])
        base = dict(function="刑事", stage="审查起诉", stage_entered_at=t0 + dt.timedelta(days=30),
                    accepted_at=t0, suspects=1, detained=False, plea_leniency=True, returns_count=0,
                    extensions_count=0, appealed=False, juvenile=False, compulsory_measure="取保候审")
        c.execute(insert(Case), [
            dict(id=1, case_no="沪奉检刑诉〔2026〕100号", procuratorate_id=2, district_id=FX, charge="盗窃",
                 handling_department="奉贤区院第一检察部", **base),
            dict(id=2, case_no="沪奉检刑诉〔2026〕200号", procuratorate_id=2, district_id=FX, charge="诈骗",
                 handling_department="奉贤区院第二检察部", **base)])
        c.execute(insert(CaseParty), [dict(case_id=1, person_id=1, role="犯罪嫌疑人"),
                                      dict(case_id=2, person_id=3, role="犯罪嫌疑人"),
                                      dict(case_id=2, person_id=2, role="被害人")])
        docs = [(1, "a1" * 16, 1, "取保候审决定书", "取保候审决定书"), (2, "a2" * 16, 1, "权利义务告知书", "犯罪嫌疑人诉讼权利义务告知书"),
                (3, "c1" * 16, 2, "取保候审决定书", "取保候审决定书"), (4, "ff" * 16, 1, "取保候审决定书", "取保候审决定书")]
        c.execute(insert(Document), [dict(id=i, public_id=p, case_id=cs, procuratorate_id=2, doc_type=t,
                                          doc_no=f"沪奉检刑保〔2026〕{i}号", title=title, issued_at=t0 + dt.timedelta(days=i),
                                          body=f"{title}正文第{i}号\n\n上海市奉贤区人民检察院\n2026年11月{i}日",
                                          pdf=b"%PDF-1.4 test " + p.encode())
                                     for i, p, cs, t, title in docs])
        c.execute(insert(DocumentRecipient), [
            dict(document_id=1, person_id=1, lawyer_id=None, notified_at=t0),
            dict(document_id=2, person_id=1, lawyer_id=None, notified_at=t0),
            dict(document_id=3, person_id=3, lawyer_id=None, notified_at=t0),
            dict(document_id=4, person_id=None, lawyer_id=1, notified_at=t0)])
        c.execute(insert(LawyerBinding), [
            dict(id=1, lawyer_id=1, case_id=1, client_person_id=1, papers="执业证、委托书", status="已批准",
                 requested_at=t0, decided_at=t0, decided_by=3),
            dict(id=2, lawyer_id=1, case_id=2, client_person_id=3, papers="执业证、委托书", status="待审核",
                 requested_at=t0, decided_at=None, decided_by=None)])
    fix_pg_sequences(engine, Procuratorate, AppUser, Person, Case, Document, LawyerBinding)
    return World(id_a, ph_a, id_b, ph_b, id_c, ph_c, 1, 2, 3, "沪奉检刑诉〔2026〕100号", "沪奉检刑诉〔2026〕200号",
                 "a1" * 16, "a2" * 16, "c1" * 16, "ff" * 16, 1, 2, ph_la, ph_lb, 2)


class CodeCatcher:
    """A test SMS sender that remembers what it was asked to send (and writes nothing)."""

    name = "catcher"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, engine, phone: str, body: str, at: dt.datetime) -> None:
        self.sent.append((phone, body))

    def last_code(self) -> str:
        import re

        return re.search(r"(\d{6})", self.sent[-1][1]).group(1)

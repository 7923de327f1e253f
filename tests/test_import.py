"""Import of real data from CSV (issue 2, "Import of real data"; security_reliability.md §4.2).

Pure rules are tested hard in ``domain.import_rules``; the importer is tested on real databases
(SQLite and, with TEST_DATABASE_URL, PostgreSQL): a malformed file writes nothing, a good file
imports, the same file again changes nothing.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select

from domain import import_rules as R
from domain.identity import make_id
from domain.scope import ALL, Scope
from queries.imports import import_file, raw_frame
from domain import procedure
from sample_data.defects import CHARGELESS
from queries.schema import (
    AuditLog, Case, CaseEvent, CaseParty, CustodyPeriod, District, ImportBatch, Person, Procuratorate,
    SentencingRecord, Suspect,
)

ROOT = Path(__file__).resolve().parent.parent
GEOJSON = ROOT / "sample_data" / "real" / "shanghai_districts.geojson"
NOW = dt.datetime(2025, 6, 30, 12, 0)
GOOD_ID = "11010519491231002X"  # the GB 11643 example number (valid)
ID2 = make_id("310120", dt.date(1990, 5, 17), 123)
ID3 = make_id("310115", dt.date(1985, 1, 2), 456)
DATA_TABLES = (Case, CaseEvent, CaseParty, Person, SentencingRecord, ImportBatch, Suspect, CustodyPeriod)


# ----------------------------------------------------------------------------- helpers


def _district_rows() -> list[dict]:
    gj = json.loads(GEOJSON.read_text(encoding="utf-8"))
    return [dict(id=int(f["properties"]["adcode"]), name_zh=f["properties"]["name_zh"],
                 name_en=f["properties"]["name_en"], label_lon=f["properties"]["label_lon"],
                 label_lat=f["properties"]["label_lat"], geojson=json.dumps(f["geometry"]))
            for f in gj["features"]]


def seed_organisation(engine: Engine) -> Engine:
    """The 16 real districts and one 区院 each, unless the database already has them."""
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(District)).scalar_one():
            return engine
        rows = _district_rows()
        conn.execute(insert(District), rows)
        conn.execute(insert(Procuratorate), [dict(code=f"SH{d['id']}", name=f"上海市{d['name_zh']}人民检察院",
                                                  level="区院", district_id=d["id"]) for d in rows])
    return engine


def reference() -> R.Reference:
    return R.Reference({d["id"]: (d["name_zh"], d["name_en"]) for d in _district_rows()})


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in DATA_TABLES}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


CASE_HEADER = ["案号", "所属区", "业务类别", "罪名", "当前阶段", "受理日期", "移送审查起诉日期", "起诉决定日期",
               "起诉决定", "开庭日期", "判决日期", "认罪认罚", "是否羁押", "犯罪嫌疑人姓名", "犯罪嫌疑人身份证号",
               "犯罪嫌疑人手机号", "案由"]


def case_row(no="沪奉检刑诉〔2024〕00001号", district="奉贤区", function="刑事", charge="盗窃", stage="审查起诉",
             accepted="2024-01-05", review="2024/1/5", decided="", decision="", trial="", judgment="",
             plea="是", detained="否", name="", idn="", phone="", cause="") -> list[str]:
    return [no, district, function, charge, stage, accepted, review, decided, decision, trial, judgment, plea,
            detained, name, idn, phone, cause]


def good_cases() -> list[list[str]]:
    return [
        CASE_HEADER,
        case_row(name="张三", idn=GOOD_ID, phone="13812345678"),
        case_row(no="沪浦检刑诉〔2024〕00002号", district="浦东新区", charge="危险驾驶罪", stage="判决",
                 accepted="2024年2月1日", review="2024-02-01", decided="2024-02-20 10:00", decision="起诉",
                 trial="2024-03-01", judgment="2024-03-15", name="李四", idn=ID2),
        case_row(no="沪黄检民监〔2024〕00003号", district="310101", function="民事", charge="", stage="受理",
                 accepted="2024-04-01 09:30", review="", plea="否", cause="民事生效裁判监督"),
    ]


EVENT_HEADER = ["案号", "事件类型", "发生时间", "原阶段", "新阶段", "备注"]
SENT_HEADER = ["判决编号", "罪名", "刑期月数", "无期徒刑", "死刑", "罚金", "缓刑", "判决日期", "自首", "认罪认罚"]


def good_sentencing() -> list[list[str]]:
    return [SENT_HEADER,
            ["（2023）沪0120刑初1号", "盗窃罪", "8", "否", "否", "3000", "否", "2023-06-30", "是", "是"],
            ["（2023）沪0120刑初2号", "走私、贩卖、运输、制造毒品|非法持有毒品", "", "是", "否", "", "", "", "", ""],
            ["（2023）沪0120刑初3号", "危险驾驶", "2", "", "", "2000", "是", "2023年7月1日", "", "是"]]


# ----------------------------------------------------------------------------- encodings (I1)


@pytest.mark.parametrize("kind,rows", [("cases", good_cases()), ("sentencing", good_sentencing())])
def test_gbk_utf8_bom_and_utf8_give_identical_frames(kind, rows):
    plain, bom, gbk = csv_bytes(rows, "utf-8"), csv_bytes(rows, "utf-8-sig"), csv_bytes(rows, "gbk")
    assert len({plain, bom, gbk}) == 3  # really three different byte strings
    frames = [raw_frame(b, kind) for b in (plain, bom, gbk)]
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    assert frames[0].shape[0] == len(rows) - 1
    assert frames[2].iloc[0]["case_no" if kind == "cases" else "source_ref"] == rows[1][0]
    parsed = [R.validate(kind, b, reference(), NOW) for b in (plain, bom, gbk)]
    assert [p.encoding for p in parsed] == ["utf-8-sig", "utf-8-sig", "gb18030"]
    assert parsed[0].rows == parsed[1].rows == parsed[2].rows
    assert not [p for p in parsed[2].problems if p.is_error]


def test_gbk_file_is_not_read_as_utf8_mojibake():
    data = csv_bytes(good_cases(), "gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, enc, probs = R.decode(data)
    assert enc == "gb18030" and not probs and "奉贤区" in text and "\ufffd" not in text


def test_file_in_neither_encoding_is_rejected_naming_the_line():
    good = csv_bytes(good_cases()[:2], "utf-8")
    data = good + b"\xff\xfe\xff broken,\x80\x80\n"
    assert data.count(b"\n") == 3  # header, one row, then the broken line 3
    parsed = R.validate("cases", data, reference(), NOW)
    assert parsed.rejected and parsed.encoding is None and not parsed.rows
    (p,) = parsed.problems
    assert p.line == 3 and p.is_error and "编码" in p.reason


def test_utf8_bom_followed_by_gbk_bytes_is_rejected():
    data = b"\xef\xbb\xbf" + csv_bytes(good_cases(), "gbk")
    parsed = R.validate("cases", data, reference(), NOW)
    assert parsed.rejected and "编码" in parsed.problems[0].reason


def test_nul_bytes_and_unclosed_quotes_are_rejected_with_a_line():
    nul = csv_bytes(good_cases()[:2]) + b"x\x00y,1\n"
    p = R.validate("cases", nul, reference(), NOW)
    assert p.rejected and p.problems[0].line == 3
    quote = "案号,所属区\n\"A1,黄浦区\n".encode()
    p = R.validate("cases", quote, reference(), NOW)
    assert p.rejected and p.problems[0].is_error


# ----------------------------------------------------------------------------- columns (I2)


def test_missing_required_columns_are_each_reported():
    rows = [[c for c in CASE_HEADER if c not in ("受理日期", "当前阶段")]] + [["x"] * 15]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    missing = {(q.line, q.column) for q in p.problems if q.reason == "缺少必填列"}
    assert missing == {(1, "受理日期"), (1, "当前阶段")}
    assert p.rejected and not p.rows


def test_header_not_on_line_one_is_rejected():
    rows = [["2024年案件导出"]] + good_cases()
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.rejected
    assert any(q.line == 1 and "表头" in q.reason for q in p.problems)


def test_reordered_english_and_extra_columns():
    base = good_cases()
    order = [5, 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    rows = [[r[i] for i in order] + ["whatever"] for r in base]
    rows[0][1] = "case_no"  # an English alias
    rows[0][-1] = "备用列"
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert not [q for q in p.problems if q.is_error]
    assert [q for q in p.problems if q.column == "“备用列”" and q.severity == R.NOTICE]
    ref_rows = R.validate("cases", csv_bytes(base), reference(), NOW).rows
    assert p.rows == ref_rows


def test_a_column_given_twice_is_an_error():
    rows = [CASE_HEADER + ["case_no"]] + [r + [r[0]] for r in good_cases()[1:]]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.rejected and any("两次" in q.reason for q in p.problems)


def test_too_many_cells_in_a_row():
    rows = good_cases()
    rows[2] = rows[2] + ["多出来的值"]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {3}


def test_header_only_file_is_rejected():
    p = R.validate("cases", csv_bytes([CASE_HEADER]), reference(), NOW)
    assert p.rejected and "没有数据行" in p.problems[-1].reason


# ----------------------------------------------------------------------------- dates (I5)


@pytest.mark.parametrize("raw,expected", [
    ("2024-01-05", dt.datetime(2024, 1, 5)),
    ("2024/1/5", dt.datetime(2024, 1, 5)),
    ("2024年1月5日", dt.datetime(2024, 1, 5)),
    ("2024-1-5 9:05", dt.datetime(2024, 1, 5, 9, 5)),
    ("2024/01/05 09:30:15", dt.datetime(2024, 1, 5, 9, 30, 15)),
    ("２０２４－０１－０５", dt.datetime(2024, 1, 5)),  # full width, NFKC
    ("2024-02-29", dt.datetime(2024, 2, 29)),
])
def test_accepted_date_formats(raw, expected):
    assert R.parse_datetime(raw) == expected


@pytest.mark.parametrize("raw,reason", [
    ("2024-02-30", "日期不存在"), ("2023-02-29", "日期不存在"), ("2024-13-01", "日期不存在"),
    ("2024年2月30日", "日期不存在"), ("2024-01-05 24:00", "时间不存在"), ("45296", "Excel 日期序号"),
    ("45296.5", "Excel 日期序号"), ("01/05/2024", "无法识别"), ("2024.1.5", "无法识别"), ("明天", "无法识别"),
    ("2024-01-05abc", "无法识别"), ("20240105", "无法识别"),
])
def test_rejected_dates(raw, reason):
    with pytest.raises(ValueError, match=reason):
        R.parse_datetime(raw)


def test_future_and_too_early_dates_are_errors():
    rows = [CASE_HEADER, case_row(accepted="2025-07-01", review=""), case_row(no="B", accepted="1979-12-31", review="")]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    reasons = {q.line: q.reason for q in p.problems if q.column == "受理日期"}
    assert "未来" in reasons[2] and "早于1980" in reasons[3]
    assert p.bad_lines == {2, 3}


def test_today_is_not_in_the_future():
    rows = [CASE_HEADER, case_row(accepted=f"{NOW:%Y-%m-%d}", review="")]
    assert not R.validate("cases", csv_bytes(rows), reference(), NOW).bad_lines


@pytest.mark.parametrize("changes,column", [
    (dict(stage="判决", decided="2024-02-01", decision="起诉", trial="2024-03-01", judgment="2023-12-01"), "判决日期"),
    (dict(stage="判决", decided="2024-02-01", decision="起诉", trial="2024-03-01", judgment="2024-02-15"), "判决日期"),
    (dict(review="2023-12-01"), "移送审查起诉日期"),
    (dict(decided="2024-01-01", decision="起诉", stage="提起公诉"), "起诉决定日期"),
    (dict(stage="判决"), "判决日期"),  # stage 判决 without a judgment date
    (dict(decision="不起诉"), "起诉决定日期"),  # a decision without its date
])
def test_stage_order_that_breaks_the_case_flow_is_rejected(changes, column):
    rows = [CASE_HEADER, case_row(**changes)]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {2}
    assert any(q.column == column for q in p.problems if q.is_error), p.problems


def test_function_and_stage_must_agree():
    rows = [CASE_HEADER, case_row(function="民事", charge="盗窃", stage="审查起诉"),
            case_row(no="C2", charge="")]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    cols = {(q.line, q.column) for q in p.problems if q.is_error}
    assert {(2, "罪名"), (2, "当前阶段"), (3, "罪名")} <= cols


# ----------------------------------------------------------------------------- identity numbers (I4)


@pytest.mark.parametrize("raw,reason", [
    ("110105194912310021", "校验位"),
    ("11010519491231002", "18位"),
    ("110105491231002", "15位"),
    ("110105194902300028", "出生日期"),  # 1949-02-30 (valid check digit for the 17 digits? no matter: date first)
    ("11010520991231002X", "出生日期"),
    ("1101051949123100XX", "格式"),
])
def test_bad_identity_numbers_are_rejected_without_echoing_them(raw, reason):
    rows = [CASE_HEADER, case_row(name="王五", idn=raw)]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    probs = [q for q in p.problems if q.column == "犯罪嫌疑人身份证号"]
    assert probs and reason in probs[0].reason and p.bad_lines == {2}
    assert all(raw not in q.reason for q in p.problems)


@pytest.mark.parametrize("raw", ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", " 110105 19491231002X "])
def test_identity_numbers_are_normalised(raw):
    rows = [CASE_HEADER, case_row(name="王五", idn=raw)]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert not p.bad_lines
    assert p.rows[0]["suspect_id"] == GOOD_ID


def test_unknown_province_is_only_a_notice():
    idn = make_id("990101", dt.date(1980, 1, 1), 7)
    p = R.validate("cases", csv_bytes([CASE_HEADER, case_row(name="王五", idn=idn)]), reference(), NOW)
    assert not p.bad_lines
    assert [q for q in p.problems if q.severity == R.NOTICE and "省级" in q.reason]


def test_name_and_identity_number_come_together():
    rows = [CASE_HEADER, case_row(name="王五"), case_row(no="X2", idn=GOOD_ID),
            case_row(no="X3", phone="13812345678")]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {2, 3, 4}


def test_bad_phone_is_rejected():
    p = R.validate("cases", csv_bytes([CASE_HEADER, case_row(name="王五", idn=GOOD_ID, phone="1381234567")]),
                   reference(), NOW)
    assert [q for q in p.problems if q.column == "犯罪嫌疑人手机号" and "11位" in q.reason]


# ----------------------------------------------------------------------------- duplicates (I3)


def test_every_duplicate_case_number_is_reported():
    rows = [CASE_HEADER, case_row(), case_row(charge="诈骗"), case_row(no="另一个"), case_row(stage="审查起诉")]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    dups = [(q.line, q.reason) for q in p.problems if "重复" in q.reason]
    assert dups == [(3, "与第2行重复（案号相同）"), (5, "与第2行重复（案号相同）")]


def test_case_numbers_in_full_width_are_the_same_key():
    rows = [CASE_HEADER, case_row(no="A-1"), case_row(no="Ａ－１")]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {3}


def test_same_identity_number_with_two_names_is_an_error_same_name_a_notice():
    rows = [CASE_HEADER, case_row(no="A", name="张三", idn=GOOD_ID), case_row(no="B", name="张三", idn=GOOD_ID),
            case_row(no="C", name="张四", idn=GOOD_ID)]
    p = R.validate("cases", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {4}
    assert [q.line for q in p.problems if q.severity == R.NOTICE and "同一人" in q.reason] == [3]


def test_duplicate_events_in_a_file():
    rows = [EVENT_HEADER, ["A", "受理", "2024-01-05 09:00", "", "", ""], ["A", "受理", "2024/1/5 9:00", "", "", ""],
            ["A", "受理", "2024/1/5 9:01", "", "", ""]]
    p = R.validate("events", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {3}


# ----------------------------------------------------------------------------- charges, districts, values


@pytest.mark.parametrize("raw,ok", [("盗窃", True), ("盗窃罪", True), ("帮助信息网络犯罪活动罪", True),
                                    ("非法捕捞水产品", True), ("掩饰，隐瞒犯罪所得，犯罪所得收益", True),
                                    ("偷东西", False), ("=1+1", False), ("", False)])
def test_known_charges(raw, ok):
    from domain.charges import known_charge

    assert (known_charge(raw) is not None) is ok


@pytest.mark.parametrize("raw,code", [("黄浦区", 310101), ("黄浦", 310101), ("310101", 310101),
                                      ("浦东新区", 310115), ("浦东", 310115), ("Pudong New Area", 310115),
                                      ("３１０１２０", 310120), ("310999", None), ("朝阳区", None), ("上海", None)])
def test_known_districts(raw, code):
    assert reference().district_id(raw) == code


@pytest.mark.parametrize("raw,value", [("是", True), ("否", False), ("Y", True), ("n", False), ("1", True),
                                       ("0", False), ("TRUE", True), ("无", False)])
def test_booleans(raw, value):
    assert R.parse_bool(raw) is value


@pytest.mark.parametrize("raw", ["可能", "2", "yes please"])
def test_bad_booleans(raw):
    with pytest.raises(ValueError, match="是"):
        R.parse_bool(raw)


@pytest.mark.parametrize("row,column", [
    (["R1", "盗窃", "8", "是", "否", "", "", "", "", ""], "刑期月数"),  # life with a term
    (["R2", "盗窃", "", "是", "是", "", "", "", "", ""], "死刑"),  # life and death
    (["R3", "盗窃", "", "否", "否", "", "", "", "", ""], "刑期月数"),  # no sentence at all
    (["R4", "盗窃", "48", "", "", "", "是", "", "", ""], "缓刑"),  # probation over 3 years
    (["R5", "盗窃", "301", "", "", "", "", "", "", ""], "刑期月数"),  # over 25 years
    (["R6", "盗窃", "-1", "", "", "", "", "", "", ""], "刑期月数"),
    (["R7", "盗窃|偷东西", "6", "", "", "", "", "", "", ""], "罪名"),
    (["R8", "盗窃|盗窃罪", "6", "", "", "", "", "", "", ""], "罪名"),
    (["R9", "盗窃", "6", "", "", "一千", "", "", "", ""], "罚金"),
])
def test_sentencing_rules(row, column):
    p = R.validate("sentencing", csv_bytes([SENT_HEADER, row]), reference(), NOW)
    assert p.bad_lines == {2}
    assert any(q.column == column for q in p.problems if q.is_error), p.problems


def test_sentencing_multi_charge_parsing():
    p = R.validate("sentencing", csv_bytes(good_sentencing()), reference(), NOW)
    assert not p.bad_lines
    assert p.rows[1]["charges"] == ("走私、贩卖、运输、制造毒品", "非法持有毒品")
    assert p.rows[0]["charges"] == ("盗窃",)


def test_notes_must_not_carry_personal_numbers():
    rows = [EVENT_HEADER, ["A", "受理", "2024-01-05 09:00", "", "", f"嫌疑人{GOOD_ID}"],
            ["B", "受理", "2024-01-05 09:00", "", "", "电话 13812345678"], ["C", "受理", "2024-01-05", "", "", "正常备注"]]
    p = R.validate("events", csv_bytes(rows), reference(), NOW)
    assert p.bad_lines == {2, 3}
    assert all(GOOD_ID not in q.reason and "13812345678" not in q.reason for q in p.problems)


def test_multiline_quoted_cell_keeps_physical_line_numbers():
    text = ("案号,事件类型,发生时间,备注\r\nA,受理,2024-01-05,\"第一行\r\n第二行\"\r\nB,受理,2024-02-30,\r\n")
    p = R.validate("events", text.encode(), reference(), NOW)
    assert [r["_line"] for r in p.rows] == [2, 4]
    assert p.bad_lines == {4}


def test_template_validates_cleanly_for_every_kind():
    for kind in R.KINDS:
        p = R.validate(kind, R.template_csv(kind).encode("utf-8-sig"), reference(), NOW)
        assert not [q for q in p.problems if q.is_error], (kind, p.problems)


# ----------------------------------------------------------------------------- size limits before parsing (I7)


def _measured(fn):
    """(result, seconds, tracemalloc peak in MB, RSS growth in MB) of one call."""
    import time
    import tracemalloc

    import psutil

    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn()
        secs = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return out, secs, peak, (proc.memory_info().rss - rss0) / 1e6


WIDE_HEADER = b"x," * 1_500_000 + b"\n" + b"1\n"  # 3 MB: 1.5 million header columns


def test_a_3mb_header_of_a_million_and_a_half_columns_is_refused_quickly_in_little_memory():
    """The attack of issue 11 (375 MB → 1,035 MB for the dashboard). Before the limits, the same
    call took 117 s, a tracemalloc peak of 312 MB and 673 MB more RSS (one Problem per column);
    now about 0.1 s, 3 MB (the decoded text itself) and no RSS growth worth the name."""
    assert len(WIDE_HEADER) > 3_000_000
    p, secs, peak, rss = _measured(lambda: R.validate("cases", WIDE_HEADER, reference(), NOW))
    assert p.rejected and len(p.problems) == 1
    assert p.problems[0].line == 1 and "1,500,001列" in p.problems[0].reason and "上限200列" in p.problems[0].reason
    assert secs < 5 and peak < 16 and rss < 64, (secs, peak, rss)


def test_the_wide_header_through_the_importer_writes_nothing_and_says_why(db):
    before = counts(db)
    res, secs, peak, _ = _measured(lambda: import_file(db, ALL, "cases", WIDE_HEADER, "wide.csv", now=NOW))
    assert res.status == "rejected" and not res.ok and len(res.problems) == 1
    assert "超过上限200列" in res.problems[0].reason and counts(db) == before
    assert secs < 5 and peak < 16, (secs, peak)
    dry, *_ = _measured(lambda: import_file(db, ALL, "cases", WIDE_HEADER, "wide.csv", dry_run=True, now=NOW))
    assert not dry.ok and "超过上限200列" in dry.problems[0].reason  # what the page shows


def test_columns_lines_and_records_beyond_the_limits_are_refused_with_their_line():
    ok = csv_bytes(good_cases())
    cases = {
        "a header of 201 short columns": (csv_bytes([CASE_HEADER + [f"c{i}" for i in range(R.MAX_COLUMNS - len(CASE_HEADER) + 1)]]), 1, "表头有201列"),
        "a data row of 201 cells": (ok + csv_bytes([["1"] * (R.MAX_COLUMNS + 1)]), 5, "第5行有201列"),
        "a line of 20,001 characters": (ok + csv_bytes([case_row(no="A" * (R.MAX_LINE_CHARS + 1))]), 5, "第5行过长"),
        # short lines, but one record: every cell holds a line break, so the parser would keep
        # building one row of 30,000 cells; the record budget stops it
        "one record over 30,000 lines": (ok + ",".join(['"\n"'] * 30_000).encode(), 5, "从第5行起的一条记录"),
        "200 cells each on its own line": (ok + ",".join(['"\n"'] * (R.MAX_COLUMNS + 1)).encode(), 5, "第5行有201列"),
        "a million blank lines": (ok + b"\n" * 1_000_000, 0, "超过上限500,000行"),
    }
    for what, (data, line, reason) in cases.items():
        p, secs, peak, _ = _measured(lambda: R.validate("cases", data, reference(), NOW))
        assert p.rejected and len(p.problems) == 1, what
        assert p.problems[0].line == line and reason in p.problems[0].reason, (what, p.problems[0])
        assert secs < 5 and peak < 40, (what, secs, peak)


def test_files_at_the_limits_still_import():
    """Exactly 200 columns, a 2,000-character summary over several lines, old Mac line ends."""
    wide = [CASE_HEADER + [f"备用{i}" for i in range(R.MAX_COLUMNS - len(CASE_HEADER))]]
    wide += [r + [""] * (R.MAX_COLUMNS - len(CASE_HEADER)) for r in good_cases()[1:]]
    p = R.validate("cases", csv_bytes(wide), reference(), NOW)
    assert not p.rejected and not p.bad_lines and len(p.rows) == 3
    fact = "\n".join(["被告人于某日在某地盗窃财物，价值人民币若干元。" * 10] * 8)[:2000]
    rows = good_sentencing()
    rows[0] = rows[0] + ["案情摘要"]
    rows[1:] = [r + [fact] for r in rows[1:]]
    p = R.validate("sentencing", csv_bytes(rows), reference(), NOW)
    assert not p.rejected and not p.bad_lines and p.rows[0]["fact_excerpt"]
    assert [r["_line"] for r in p.rows] == [2, 10, 18]  # physical lines, as before
    mac = csv_bytes(good_cases()).replace(b"\r\n", b"\r")
    assert R.validate("cases", mac, reference(), NOW).rows == R.validate("cases", csv_bytes(good_cases()), reference(), NOW).rows


# ----------------------------------------------------------------------------- the importer on a database


@pytest.fixture
def db(any_engine) -> Engine:
    return seed_organisation(any_engine)


def test_good_cases_file_imports_with_hashed_identities(db):
    res = import_file(db, ALL, "cases", csv_bytes(good_cases(), "gbk"), "cases.csv", now=NOW, actor="tester")
    assert res.status == "imported" and res.rows_written == 3 and not res.errors, res.problems
    c = counts(db)
    assert c["case"] == 3 and c["person"] == 2 and c["case_party"] == 2 and c["import_batch"] == 1
    with db.connect() as conn:
        cases = {r.case_no: r for r in conn.execute(select(Case)).all()}
        people = conn.execute(select(Person)).all()
        audit_rows = conn.execute(select(AuditLog).where(AuditLog.event == "数据导入")).all()
    judged = cases["沪浦检刑诉〔2024〕00002号"]
    assert judged.district_id == 310115 and judged.charge == "危险驾驶" and judged.stage == "判决"
    assert judged.judgment_at == dt.datetime(2024, 3, 15) and judged.stage_entered_at == judged.judgment_at
    assert judged.prosecution_decided_at == dt.datetime(2024, 2, 20, 10, 0)
    civil = cases["沪黄检民监〔2024〕00003号"]
    assert civil.function == "民事" and civil.charge is None and civil.cause == "民事生效裁判监督"
    assert cases["沪奉检刑诉〔2024〕00001号"].plea_leniency is True
    # no identity number or phone anywhere in clear; hash + mask only
    dumped = json.dumps([list(map(str, p)) for p in people], ensure_ascii=False)
    assert GOOD_ID not in dumped and ID2 not in dumped and "13812345678" not in dumped
    zhang = next(p for p in people if p.full_name == "张三")
    assert zhang.id_masked == "110105************" and zhang.phone_masked == "138****5678"
    assert len(zhang.id_hash) == 64 and zhang.gender == "女" and not hasattr(zhang, "birth_date")
    assert zhang.name_masked == "张*"
    assert len(audit_rows) == 1 and audit_rows[0].result == "成功" and audit_rows[0].actor == "tester"


BAD_FILES = {
    "wrong_encoding": lambda: csv_bytes(good_cases(), "utf-8") + "第五行,乱码".encode("utf-16-le") + b"\xff\n",
    "missing_columns": lambda: csv_bytes([[c for c in r if True][:4] for r in good_cases()]),
    "bad_dates": lambda: csv_bytes(good_cases()[:3] + [case_row(no="D", accepted="2024-02-30", review="")]),
    "excel_serial_date": lambda: csv_bytes(good_cases()[:3] + [case_row(no="D", accepted="45296", review="")]),
    "future_date": lambda: csv_bytes(good_cases()[:3] + [case_row(no="D", accepted="2030-01-01", review="")]),
    "bad_check_digit": lambda: csv_bytes(good_cases() + [case_row(no="D", name="王五", idn="110105194912310021")]),
    "duplicate_case_no": lambda: csv_bytes(good_cases() + [good_cases()[1]]),
    "unknown_charge": lambda: csv_bytes(good_cases() + [case_row(no="D", charge="偷东西")]),
    "unknown_district": lambda: csv_bytes(good_cases() + [case_row(no="D", district="朝阳区")]),
    "judgment_before_acceptance": lambda: csv_bytes(good_cases() + [case_row(
        no="D", stage="判决", decided="2024-02-01", decision="起诉", trial="2024-03-01", judgment="2023-01-01")]),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_file_writes_nothing(db, name):
    before = counts(db)
    res = import_file(db, ALL, "cases", BAD_FILES[name](), f"{name}.csv", now=NOW)
    assert res.status == "rejected" and not res.ok
    assert res.errors, "a rejected file must say what is wrong"
    assert all(p.line >= 0 and p.reason for p in res.errors)
    assert counts(db) == before
    with db.connect() as conn:
        results = conn.execute(select(AuditLog.result).where(AuditLog.event == "数据导入")).scalars().all()
    assert results == ["拒绝"]


def test_rejected_file_report_names_line_column_and_reason(db):
    res = import_file(db, ALL, "cases", BAD_FILES["bad_check_digit"](), "x.csv", now=NOW)
    rep = res.report_frame()
    assert list(rep.columns) == ["行号", "列", "级别", "问题"]
    row = rep[rep["级别"] == "错误"].iloc[0]
    assert (row["行号"], row["列"], row["问题"]) == (5, "犯罪嫌疑人身份证号", "身份证号校验位不正确")


def test_good_rows_only_writes_the_good_rows_and_reports_the_rest(db):
    data = BAD_FILES["bad_check_digit"]()
    res = import_file(db, ALL, "cases", data, "x.csv", good_rows_only=True, now=NOW)
    assert res.status == "partial" and res.rows_written == 3 and res.rows_bad == 1 and res.ok
    assert [p.line for p in res.errors] == [5]
    assert counts(db)["case"] == 3
    with db.connect() as conn:
        assert conn.execute(select(ImportBatch.rows_written, ImportBatch.rows_rejected)).one() == (3, 1)
        assert conn.execute(select(AuditLog.result)).scalars().all() == ["部分成功"]


def test_good_rows_only_with_no_good_row_is_rejected(db):
    rows = [CASE_HEADER, case_row(accepted="2024-02-30", review="")]
    res = import_file(db, ALL, "cases", csv_bytes(rows), "x.csv", good_rows_only=True, now=NOW)
    assert res.status == "rejected" and counts(db)["import_batch"] == 0


def test_file_level_errors_reject_even_with_good_rows_only(db):
    res = import_file(db, ALL, "cases", BAD_FILES["missing_columns"](), "x.csv", good_rows_only=True, now=NOW)
    assert res.status == "rejected" and sum(counts(db).values()) == 0


def test_dry_run_writes_nothing(db):
    res = import_file(db, ALL, "cases", csv_bytes(good_cases()), "x.csv", dry_run=True, now=NOW)
    assert res.status == "dry_run" and res.ok and res.rows_written == 0
    assert sum(counts(db).values()) == 0
    bad = import_file(db, ALL, "cases", BAD_FILES["bad_dates"](), "x.csv", dry_run=True, now=NOW)
    assert not bad.ok


def test_reimport_changes_nothing(db):
    data = csv_bytes(good_cases(), "utf-8-sig")
    first = import_file(db, ALL, "cases", data, "a.csv", now=NOW)
    assert first.status == "imported"
    after_first = counts(db)
    again = import_file(db, ALL, "cases", data, "renamed.csv", now=NOW)
    assert again.status == "already" and again.batch_id == first.batch_id and again.rows_written == 0
    assert counts(db) == after_first
    # the same rows saved in another encoding: a new file, but every natural key is already stored
    gbk = import_file(db, ALL, "cases", csv_bytes(good_cases(), "gbk"), "a_gbk.csv", now=NOW)
    assert gbk.status == "unchanged" and gbk.rows_skipped == 3 and gbk.rows_written == 0
    after = counts(db)
    assert {k: v for k, v in after.items() if k != "import_batch"} == \
           {k: v for k, v in after_first.items() if k != "import_batch"}
    # and that copy too is now known by its hash
    assert import_file(db, ALL, "cases", csv_bytes(good_cases(), "gbk"), "b.csv", now=NOW).status == "already"
    assert counts(db) == after


def test_a_superset_file_adds_only_the_new_rows(db):
    import_file(db, ALL, "cases", csv_bytes(good_cases()), "a.csv", now=NOW)
    more = good_cases() + [case_row(no="沪奉检刑诉〔2024〕00009号", name="赵六", idn=ID3)]
    res = import_file(db, ALL, "cases", csv_bytes(more), "b.csv", now=NOW)
    assert res.status == "imported" and res.rows_written == 1 and res.rows_skipped == 3
    assert counts(db)["case"] == 4 and counts(db)["person"] == 3


def test_same_suspect_in_two_cases_is_one_person(db):
    rows = [CASE_HEADER, case_row(no="A", name="张三", idn=GOOD_ID), case_row(no="B", name="张三", idn=GOOD_ID.lower())]
    res = import_file(db, ALL, "cases", csv_bytes(rows), "a.csv", now=NOW)
    assert res.rows_written == 2
    assert counts(db)["person"] == 1 and counts(db)["case_party"] == 2
    # a later file naming a different person under the same number is refused
    rows2 = [CASE_HEADER, case_row(no="C", name="张四", idn=GOOD_ID)]
    res2 = import_file(db, ALL, "cases", csv_bytes(rows2), "b.csv", now=NOW)
    assert res2.status == "rejected" and counts(db)["case"] == 2
    rows3 = [CASE_HEADER, case_row(no="D", name="张三", idn=GOOD_ID)]
    assert import_file(db, ALL, "cases", csv_bytes(rows3), "c.csv", now=NOW).rows_written == 1
    assert counts(db)["person"] == 1 and counts(db)["case_party"] == 3


def test_formula_like_cells_are_stored_as_text(db):
    payloads = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"]
    rows = [CASE_HEADER] + [case_row(no=f"F{i}", name=p, idn=make_id("310101", dt.date(1990, 1, 1), i))
                            for i, p in enumerate(payloads)]
    rows.append(case_row(no="=1+1", function="民事", charge="", stage="受理", review="", plea="", cause="=CMD|' /C calc'!A0"))
    res = import_file(db, ALL, "cases", csv_bytes(rows), "f.csv", now=NOW)
    assert res.status == "imported", res.problems
    with db.connect() as conn:
        names = set(conn.execute(select(Person.full_name)).scalars())
        civil = conn.execute(select(Case.case_no, Case.cause).where(Case.function == "民事")).one()
    assert names == set(payloads)
    assert tuple(civil) == ("=1+1", "=CMD|' /C calc'!A0")


def test_scope_limits_the_districts_one_may_import_into(db):
    huangpu_only = Scope(district_ids=(310101,), role="prosecutor")
    res = import_file(db, huangpu_only, "cases", csv_bytes(good_cases()), "a.csv", now=NOW)
    assert res.status == "rejected" and sum(counts(db).values()) == 0
    assert {p.line for p in res.errors if "管辖" in p.reason} == {2, 3}


def test_events_import(db):
    import_file(db, ALL, "cases", csv_bytes(good_cases()), "a.csv", now=NOW)
    rows = [EVENT_HEADER,
            ["沪奉检刑诉〔2024〕00001号", "受理", "2024-01-05 09:00", "", "审查起诉", ""],
            ["沪奉检刑诉〔2024〕00001号", "退回补充侦查", "2024-02-01 10:00", "审查起诉", "退回补充侦查", "@备注"],
            ["沪浦检刑诉〔2024〕00002号", "判决", "2024/3/15", "一审", "判决", ""]]
    res = import_file(db, ALL, "events", csv_bytes(rows), "e.csv", now=NOW)
    assert res.status == "imported" and res.rows_written == 3, res.problems
    with db.connect() as conn:
        ev = conn.execute(select(CaseEvent.event_type, CaseEvent.district_id, CaseEvent.counts_as_matter,
                                 CaseEvent.note).order_by(CaseEvent.occurred_at)).all()
    assert [tuple(e) for e in ev] == [("受理", 310120, False, None), ("退回补充侦查", 310120, True, "@备注"),
                                      ("判决", 310115, False, None)]
    # overlap with the database: skipped, not doubled; an unknown case and an event before acceptance: errors
    rows2 = rows[:2] + [["不存在的案号", "受理", "2024-01-05", "", "", ""],
                        ["沪黄检民监〔2024〕00003号", "立案审查", "2024-03-01", "受理", "审查", ""]]
    res2 = import_file(db, ALL, "events", csv_bytes(rows2), "e2.csv", now=NOW)
    assert res2.status == "rejected"
    assert {(p.line, p.column) for p in res2.errors} == {(3, "案号"), (4, "发生时间")}
    assert [p.line for p in res2.problems if p.severity == R.NOTICE] == [2]
    assert counts(db)["case_event"] == 3


def test_sentencing_import_and_reimport(db):
    data = csv_bytes(good_sentencing(), "gbk")
    res = import_file(db, ALL, "sentencing", data, "s.csv", now=NOW)
    assert res.status == "imported" and res.rows_written == 3, res.problems
    with db.connect() as conn:
        recs = {r.source_ref: r for r in conn.execute(select(SentencingRecord)).all()}
    first = recs["（2023）沪0120刑初1号"]
    assert (first.source, first.charge, first.months, first.fine_yuan, first.judgment_year) == \
           ("import", "盗窃", 8, 3000, 2023)
    assert first.c_surrender and first.c_plea and not first.c_confession and first.single_charge
    multi = recs["（2023）沪0120刑初2号"]
    assert multi.life and multi.months is None and not multi.single_charge
    assert multi.charges_all == "走私、贩卖、运输、制造毒品|非法持有毒品" and multi.probation is None
    assert recs["（2023）沪0120刑初3号"].probation is True
    before = counts(db)
    assert import_file(db, ALL, "sentencing", data, "s.csv", now=NOW).status == "already"
    assert import_file(db, ALL, "sentencing", csv_bytes(good_sentencing()), "s8.csv", now=NOW).status == "unchanged"
    assert counts(db)["sentencing_record"] == before["sentencing_record"] == 3


def test_sentencing_reference_of_another_source_is_not_a_duplicate(db):
    with db.begin() as conn:
        conn.execute(insert(SentencingRecord).values(
            source="CAIL2018", source_ref="（2023）沪0120刑初1号", charge="盗窃", charges_all="盗窃",
            single_charge=True, months=6, circumstances_from="text"))
    res = import_file(db, ALL, "sentencing", csv_bytes(good_sentencing()), "s.csv", now=NOW)
    assert res.rows_written == 3


# ----------------------------------------------------------------------------- the command


def _run_cli(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "queries.importer", *args, "--url", url], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)


def test_command_exit_codes_and_report(engine, tmp_path):
    seed_organisation(engine)
    url = engine.url.render_as_string(hide_password=False)
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(good_cases(), "gbk"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_FILES["bad_check_digit"]())
    r = _run_cli("cases", str(bad), url=url)
    assert r.returncode == 2, r.stderr
    assert "身份证号校验位不正确" in r.stdout and "     5  错误" in r.stdout and "已拒绝" in r.stdout
    assert "110105194912310021" not in r.stdout + r.stderr
    assert counts(engine)["case"] == 0
    r = _run_cli("cases", str(good), "--dry-run", url=url)
    assert r.returncode == 0 and counts(engine)["case"] == 0
    r = _run_cli("cases", str(good), url=url)
    assert r.returncode == 0 and "写入3行" in r.stdout, r.stdout + r.stderr
    r = _run_cli("cases", str(good), url=url)
    assert r.returncode == 0 and "已导入过" in r.stdout
    r = _run_cli("cases", str(bad), "--good-rows-only", url=url)
    assert r.returncode == 0 and "已存在跳过3行" in r.stdout
    r = _run_cli("cases", str(tmp_path / "missing.csv"), url=url)
    assert r.returncode == 2 and "无法读取" in r.stderr and "Traceback" not in r.stderr
    assert counts(engine)["case"] == 3


@pytest.mark.parametrize("raw,canon", [("（2023）沪0120刑初1号", "（2023）沪0120刑初1号"),
                                       ("(2023)沪0120刑初1号", "（2023）沪0120刑初1号"),
                                       ("（２０２３）沪0120刑初1号 ", "（2023）沪0120刑初1号"),
                                       ("沪奉检刑诉〔2024〕00001号", "沪奉检刑诉〔2024〕00001号")])
def test_case_numbers_are_canonical(raw, canon):
    assert R.canonical_case_no(raw) == canon


# ----------------------------------------------------------------------------- the page


@pytest.fixture
def page_engine(engine):
    """Point the page's engine at a private database (never the shared sample one: we write)."""
    from tests.pagedb import pages_use_database

    seed_organisation(engine)
    seed_steward(engine)
    with pages_use_database(engine.url.render_as_string(hide_password=False)):
        yield engine


def seed_steward(engine: Engine) -> int:
    """The city procuratorate's data steward (数据管理员), as a real account; returns its id."""
    from queries.schema import AppUser, UserRole

    with engine.begin() as conn:
        pid = conn.execute(insert(Procuratorate).values(code="SH", name="上海市人民检察院", level="市院",
                                                        district_id=None).returning(Procuratorate.id)).scalar_one()
        uid = conn.execute(insert(AppUser).values(username="data", display_name="数据管理员", role="data",
                                                  procuratorate_id=pid, active=True, created_at=NOW)
                           .returning(AppUser.id)).scalar_one()
        conn.execute(insert(UserRole).values(user_id=uid, role="data"))
    return uid


def _page(user: str = "data"):
    """The page signed in as the data steward (the only role that imports)."""
    from streamlit.testing.v1 import AppTest

    from queries.cache import get_engine
    from tests.staff import sign_in, staff_of

    return sign_in(AppTest.from_file(str(ROOT / "pages" / "data_import.py"), default_timeout=60),
                   staff_of(get_engine(), user))


def test_page_runs_without_a_file(page_engine):
    at = _page().run()
    assert not at.exception
    assert at.title[0].value == "数据导入" and len(at.file_uploader) == 1


def test_page_rejects_a_bad_file_then_imports_good_rows_only(page_engine):
    at = _page().run()
    at.file_uploader[0].upload("bad.csv", BAD_FILES["bad_check_digit"](), "text/csv").run()
    assert not at.exception
    report = at.dataframe[-1].value
    assert list(report.columns) == ["行号", "列", "级别", "问题"]
    assert (report["行号"] == 5).any() and "身份证号校验位不正确" in set(report["问题"])
    assert [b.label for b in at.button] == ["仅导入无误的行"]
    assert counts(page_engine)["case"] == 0  # uploading only validates
    at.button(key="do_import_good").click().run()
    assert not at.exception
    assert any("写入3行" in s.value for s in at.success)
    assert counts(page_engine)["case"] == 3
    with page_engine.connect() as conn:  # recorded as the signed-in steward, not a placeholder
        who = conn.execute(select(AuditLog.actor, AuditLog.actor_role, AuditLog.actor_procuratorate)
                           .where(AuditLog.event == "数据导入").order_by(AuditLog.id.desc())).first()
    assert tuple(who) == ("data", "数据管理员", "上海市人民检察院")


def test_page_needs_the_data_steward(page_engine):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "data_import.py"), default_timeout=60).run()
    assert any("请先登录" in w.value for w in at.warning) and not at.file_uploader


def test_page_imports_a_clean_file_once(page_engine):
    at = _page().run()
    at.radio(key="import_kind").set_value("sentencing").run()
    at.file_uploader(key="upload_sentencing").upload("s.csv", csv_bytes(good_sentencing(), "gbk"), "text/csv").run()
    assert not at.exception and not at.error
    at.button(key="do_import").click().run()
    assert any("写入3行" in s.value for s in at.success)
    at.run()  # a rerun validates the same file again: it says it was imported already
    assert "已于批次" in " ".join(at.dataframe[-1].value["问题"])
    assert counts(page_engine)["sentencing_record"] == 3


def test_page_says_an_unreadable_file_cannot_be_imported(page_engine):
    at = _page().run()
    at.file_uploader[0].upload("x.csv", b"\xff\xfe\xfa\x00\x01", "text/csv").run()
    assert not at.exception
    assert at.error and "不能导入" in at.error[0].value
    assert not at.button


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_import_page_in_chromium(engine, tmp_path):
    """Served for real: reach the page from the sidebar, upload a GBK file with a bad row, import."""
    from playwright.sync_api import expect

    from tests.browser import UI_TIMEOUT_MS, assert_cjk_font_loaded, browser_page, running_app, wait_for_app

    from tests.signin_helpers import browser_sign_in

    seed_organisation(engine)
    seed_steward(engine)
    url = engine.url.render_as_string(hide_password=False)
    upload = tmp_path / "案件导出_2024.csv"
    upload.write_bytes(BAD_FILES["bad_check_digit"]().decode("utf-8").encode("gbk"))
    with running_app("dashboard.py", env={"DATABASE_URL": url}, log_dir=tmp_path) as app:
        with browser_page(1400, 1000) as (page, watch):
            page.goto(app.url)
            browser_sign_in(page, engine, "data")
            link = page.get_by_role("link", name="数据导入")
            if not link.count():  # a long navigation is folded behind "View N more"
                page.get_by_text(re.compile(r"View \d+ more|查看更多")).first.click()
            link.click()
            page.wait_for_selector("text=选择 CSV 文件", timeout=UI_TIMEOUT_MS)
            page.locator('input[type="file"]').set_input_files(str(upload))
            page.wait_for_selector("text=校验报告", timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            expect(page.get_by_text("1 行有错误")).to_have_count(1)  # the report table itself is a canvas
            expect(page.get_by_text("GBK", exact=True)).to_have_count(1)
            assert counts(engine)["case"] == 0
            assert_cjk_font_loaded(page)
            page.screenshot(path=str(tmp_path / "data_import.png"), full_page=True)
            page.get_by_role("button", name="仅导入无误的行").click()
            page.wait_for_selector("text=写入3行", timeout=UI_TIMEOUT_MS)
            wait_for_app(page)
            watch.assert_clean()
    assert counts(engine)["case"] == 3
    assert "Traceback" not in app.log()


def test_docs_list_every_declared_column():
    doc = (ROOT / "docs" / "import_formats.md").read_text(encoding="utf-8")
    for kind in R.KINDS:
        for row in R.columns_table(kind):
            assert f"| {row['列名']} | {row['必填']} | {row['类型']} | {row['英文别名']} |" in doc, (kind, row)


def _fmt(x) -> str:
    return "" if pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d %H:%M:%S")


def test_the_samples_own_cases_and_events_validate_and_are_recognised_as_stored(sample_engine):
    """Round trip: export the sample in the import format; a dry run finds no error, every row stored.

    Read-only (dry run), so the shared sample database is left as it is.
    """
    with sample_engine.connect() as conn:
        cases = pd.DataFrame(conn.execute(select(Case.__table__, District.name_zh).join(
            District, District.id == Case.district_id)).mappings().all())
        ev = pd.DataFrame(conn.execute(select(Case.case_no, CaseEvent.event_type, CaseEvent.occurred_at,
                                              CaseEvent.stage_from, CaseEvent.stage_to)
                                       .join(Case, Case.id == CaseEvent.case_id)).mappings().all())
    assert len(cases) > 100 and len(ev) > len(cases)
    out = pd.DataFrame({
        "案号": cases.case_no, "所属区": cases.name_zh, "业务类别": cases.function, "罪名": cases.charge.fillna(""),
        "案由": cases.cause.fillna(""), "当前阶段": cases.stage, "受理日期": cases.accepted_at.map(_fmt),
        "提请逮捕日期": cases.arrest_review_at.map(_fmt), "逮捕决定日期": cases.arrest_decided_at.map(_fmt),
        "逮捕决定": cases.arrest_decision.fillna(""), "移送审查起诉日期": cases.prosecution_review_at.map(_fmt),
        "起诉决定日期": cases.prosecution_decided_at.map(_fmt), "起诉决定": cases.prosecution_decision.fillna(""),
        "不起诉类型": cases.non_prosecution_type.fillna(""), "开庭日期": cases.trial_at.map(_fmt),
        "判决日期": cases.judgment_at.map(_fmt), "结案日期": cases.closed_at.map(_fmt)})
    # the sample's planted defects (sample_data.defects): criminal cases with no charge, which the
    # importer must refuse; the rest of the sample validates
    chargeless = ((cases.function == "刑事") & cases.charge.isna()).to_numpy()
    assert chargeless.sum() == CHARGELESS
    refused = import_file(sample_engine, ALL, "cases", out[chargeless].to_csv(index=False).encode("utf-8"),
                          "defects.csv", dry_run=True)
    assert [p.column for p in refused.errors] == ["罪名"] * CHARGELESS
    out, cases = out[~chargeless].reset_index(drop=True), cases[~chargeless].reset_index(drop=True)
    before = counts(sample_engine)
    res = import_file(sample_engine, ALL, "cases", out.to_csv(index=False).encode("gbk"), "c.csv", dry_run=True)
    assert res.encoding == "gb18030"
    assert not res.errors, res.report_frame().head(10)
    assert res.rows_skipped == len(cases) == res.rows_total
    evout = pd.DataFrame({"案号": ev.case_no, "事件类型": ev.event_type, "发生时间": ev.occurred_at.map(_fmt),
                          "原阶段": ev.stage_from.fillna(""), "新阶段": ev.stage_to.fillna("")})
    res = import_file(sample_engine, ALL, "events", evout.to_csv(index=False).encode(), "e.csv", dry_run=True)
    assert not res.errors, res.report_frame().head(10)
    assert res.rows_skipped == len(ev)
    assert counts(sample_engine) == before


def test_a_concurrent_import_of_the_same_rows_rolls_back_everything(db, monkeypatch):
    """Between the checks and the write another import stores one of our cases: nothing half-written."""
    import queries.imports as imports

    real_checks = imports._db_checks
    raced = []

    def racing_checks(conn, parsed, scope):
        out = real_checks(conn, parsed, scope)
        if not raced:
            raced.append(True)
            other = csv_bytes([CASE_HEADER, good_cases()[3]])  # the civil case, last row of our file
            assert import_file(db, ALL, "cases", other, "other.csv", now=NOW).rows_written == 1
        return out

    monkeypatch.setattr(imports, "_db_checks", racing_checks)
    before = counts(db)
    res = import_file(db, ALL, "cases", csv_bytes(good_cases()), "mine.csv", now=NOW)
    assert res.status == "rejected" and "回滚" in res.errors[-1].reason
    after = counts(db)
    assert after["case"] == before["case"] + 1 and after["person"] == 0 and after["import_batch"] == 1
    with db.connect() as conn:
        results = conn.execute(select(AuditLog.result).order_by(AuditLog.id)).scalars().all()
    assert results == ["成功", "失败"]


def test_page_in_english(page_engine):
    at = _page()
    at.query_params["lang"] = "en"
    at.run()
    at.file_uploader[0].upload("bad.csv", BAD_FILES["duplicate_case_no"](), "text/csv").run()
    assert not at.exception
    assert at.title[0].value == "Data import"
    assert list(at.dataframe[-1].value.columns) == ["Line", "Column", "Level", "Problem"]
    at.button(key="do_import_good").click().run()
    assert any("3 rows written" in s.value for s in at.success)
    assert counts(page_engine)["case"] == 3


EXAMPLES = ROOT / "sample_data" / "import_examples"


def test_example_files_behave_as_documented(db):
    bad = (EXAMPLES / "cases_gbk_with_errors.csv").read_bytes()
    res = import_file(db, ALL, "cases", bad, "cases_gbk_with_errors.csv", now=NOW)
    assert res.encoding == "gb18030" and res.status == "rejected"
    assert sorted({p.line for p in res.errors}) == [2, 3, 4, 5, 7]
    assert counts(db)["case"] == 0
    for kind, name, n in [("cases", "cases_utf8_bom.csv", 3), ("suspects", "suspects_utf8.csv", 3),
                          ("events", "events_utf8.csv", 6), ("sentencing", "sentencing_gbk.csv", 4)]:
        res = import_file(db, ALL, kind, (EXAMPLES / name).read_bytes(), name, now=NOW)
        assert res.status == "imported" and res.rows_written == n and not res.errors, (name, res.problems)
    res = import_file(db, ALL, "cases", bad, "cases_gbk_with_errors.csv", good_rows_only=True, now=NOW)
    assert res.status == "partial" and res.rows_written == 1
    with db.connect() as conn:
        assert conn.execute(select(Person.full_name).where(Person.full_name.like("=%"))).scalar() == \
               '=HYPERLINK("http://x")'


def test_cases_into_a_database_without_districts_say_so_once(any_engine):
    res = import_file(any_engine, ALL, "cases", csv_bytes(good_cases()), "a.csv", now=NOW)
    assert res.status == "rejected"
    assert len(res.errors) == 1 and "区划" in res.errors[0].reason
    assert sum(counts(any_engine).values()) == 0


# ----------------------------------------------------------------------------- suspects (issue 12)

SUSPECT_HEADER = ["案号", "序号", "犯罪嫌疑人姓名", "犯罪嫌疑人身份证号", "未成年人", "提请逮捕日期", "逮捕决定日期",
                  "逮捕决定", "认罪认罚", "量刑建议类型", "量刑建议月数", "量刑建议上限月数", "起诉决定日期", "起诉决定",
                  "不起诉类型", "判决日期", "判决结果", "判处月数", "缓刑", "量刑建议是否采纳", "当前强制措施",
                  "强制措施起始日期"]
NO1, NO2 = "沪奉检刑诉〔2024〕00001号", "沪浦检刑诉〔2024〕00002号"  # good_cases(): 盗窃 in review; 危险驾驶 judged


def suspect_row(no=NO2, seq="1", name="", idn="", juvenile="", review="", decided="", arrest="", plea="是",
                rec_kind="确定刑", rec="3", rec_hi="", pros_at="2024-02-20", pros="起诉", np_type="",
                judged="2024-03-15", kind="拘役", months="3", probation="是", adopted="是", measure="",
                since="") -> list[str]:
    return [no, seq, name, idn, juvenile, review, decided, arrest, plea, rec_kind, rec, rec_hi, pros_at, pros,
            np_type, judged, kind, months, probation, adopted, measure, since]


def test_the_vocabulary_has_one_home():
    assert R.ARREST_DECISIONS == procedure.ARREST_DECISIONS and len(R.ARREST_DECISIONS) == 4
    assert R.NON_PROSECUTION_TYPES == procedure.NON_PROSECUTION_TYPES and R.REC_KINDS == procedure.REC_KINDS
    assert "suspects" in R.KINDS and R.NATURAL_KEYS["suspects"] == ("case_no", "seq")


def test_suspects_of_stored_cases_import_each_with_their_own_record(db):
    cases = good_cases()
    cases[2][CASE_HEADER.index("当前阶段")] = "审查起诉"  # 00001 is 盗窃 in review; make it a two-suspect case
    cases = [row + [x] for row, x in zip(cases, ["犯罪嫌疑人人数", "2", "1", "1"])]
    assert import_file(db, ALL, "cases", csv_bytes(cases), "c.csv", now=NOW).rows_written == 3
    rows = [SUSPECT_HEADER,
            suspect_row(),  # 李四's case, judged: 拘役 3 months, suspended
            suspect_row(no=NO1, seq="1", name="张三", idn=GOOD_ID, review="2024-01-05", decided="2024-01-10",
                        arrest="不批准逮捕", rec_kind="", rec="", pros_at="", pros="", judged="", kind="", months="",
                        probation="", adopted="", measure="取保候审", since="2024-01-10"),
            suspect_row(no=NO1, seq="2", name="王五", idn=ID3, review="2024-01-05", decided="2024-01-10",
                        arrest="批准逮捕", plea="否", rec_kind="", rec="", pros_at="", pros="", judged="", kind="",
                        months="", probation="", adopted="", measure="逮捕", since="2024-01-10")]
    before = counts(db)
    res = import_file(db, ALL, "suspects", csv_bytes(rows, "gbk"), "s.csv", now=NOW)
    assert res.status == "imported" and res.rows_written == 3 and not res.errors, res.problems
    after = counts(db)
    assert after["suspect"] == 3 and after["custody_period"] == 2
    assert after["person"] == before["person"] + 1  # 张三 is reused, 王五 is new
    assert after["case_party"] == before["case_party"] + 1
    with db.connect() as conn:
        got = {(r.case_no, r.seq): r for r in conn.execute(
            select(Case.case_no, Suspect.seq, Suspect.arrest_decision, Suspect.plea, Suspect.judgment_kind,
                   Suspect.judgment_months, Suspect.probation, Suspect.person_id, Person.full_name)
            .join(Case, Case.id == Suspect.case_id).outerjoin(Person, Person.id == Suspect.person_id))}
    assert got[(NO1, 1)].arrest_decision == "不批准逮捕" and got[(NO1, 2)].arrest_decision == "批准逮捕"
    assert got[(NO1, 1)].full_name == "张三" and got[(NO1, 2)].full_name == "王五" and not got[(NO1, 2)].plea
    assert (got[(NO2, 1)].judgment_kind, got[(NO2, 1)].judgment_months, got[(NO2, 1)].probation) == ("拘役", 3, True)
    assert got[(NO2, 1)].person_id is None
    again = import_file(db, ALL, "suspects", csv_bytes(rows, "utf-8"), "s2.csv", now=NOW)  # a re-saved copy
    assert again.status == "unchanged" and again.rows_skipped == 3
    assert {**counts(db), "import_batch": 0} == {**after, "import_batch": 0}  # only the batch is recorded


SUSPECT_BAD = {  # one bad row each: (row, the column named, a word of the reason)
    "unknown case": (suspect_row(no="沪奉检刑诉〔2024〕09999号"), "案号", "请先导入案件"),
    "civil case": (suspect_row(no="沪黄检民监〔2024〕00003号"), "案号", "只有刑事案件"),
    "seq beyond the case": (suspect_row(seq="2"), "序号", "人数为1"),
    "decision without date": (suspect_row(pros_at=""), "起诉决定日期", "没有起诉决定日期"),
    "judgment without prosecution": (suspect_row(pros="不起诉", np_type="酌定不起诉", rec_kind="", rec="",
                                                 adopted=""), "判决日期", "只有起诉"),
    "conditional for an adult": (suspect_row(pros="不起诉", np_type="附条件不起诉", rec_kind="", rec="", judged="",
                                             kind="", months="", probation="", adopted=""), "不起诉类型", "未成年人"),
    "term below the law": (suspect_row(kind="有期徒刑", months="3", probation="否"), "判处月数", "6至300"),
    "probation too long": (suspect_row(kind="有期徒刑", months="48", rec="48", adopted="是"), "缓刑", "第72条"),
    "range without its end": (suspect_row(rec_kind="幅度刑"), "量刑建议上限月数", "大于下限"),
    "arrest before review": (suspect_row(review="2024-02-05", decided="2024-02-03", arrest="批准逮捕"),
                             "逮捕决定日期", "早于"),
    "before acceptance": (suspect_row(review="2024-01-02", decided="2024-01-03", arrest="不批准逮捕"),
                          "提请逮捕日期", "受理时间"),
    "adoption without judgment": (suspect_row(judged="", kind="", months="", probation=""), "量刑建议是否采纳",
                                  "尚未判决"),
}


@pytest.mark.parametrize("name", list(SUSPECT_BAD))
def test_a_bad_suspect_row_is_named_and_nothing_is_written(db, name):
    assert import_file(db, ALL, "cases", csv_bytes(good_cases()), "c.csv", now=NOW).rows_written == 3
    row, column, word = SUSPECT_BAD[name]
    good = suspect_row(no=NO1, pros_at="", pros="", rec_kind="", rec="", judged="", kind="", months="",
                       probation="", adopted="")
    before = counts(db)
    res = import_file(db, ALL, "suspects", csv_bytes([SUSPECT_HEADER, good, row]), "s.csv", now=NOW)
    assert res.status == "rejected" and counts(db) == before
    assert {p.line for p in res.errors} == {3}, res.problems
    assert any(p.column == column and word in p.reason for p in res.errors), res.problems
    part = import_file(db, ALL, "suspects", csv_bytes([SUSPECT_HEADER, good, row]), "s.csv", now=NOW,
                       good_rows_only=True)
    assert part.status == "partial" and part.rows_written == 1 and counts(db)["suspect"] == 1


def test_a_commission_case_takes_the_procuratorates_own_arrest_decision(db):
    header = CASE_HEADER + ["移送机关", "适用程序"]
    rows = [header, case_row(charge="受贿") + ["监察机关", "普通"]]
    res = import_file(db, ALL, "cases", csv_bytes(rows), "c.csv", now=NOW)
    assert res.rows_written == 1 and any("犯罪嫌疑人" in p.reason for p in res.problems if p.line == 0)
    bad = suspect_row(no=NO1, review="2024-01-05", decided="2024-01-08", arrest="批准逮捕", pros_at="", pros="",
                      rec_kind="", rec="", judged="", kind="", months="", probation="", adopted="")
    res = import_file(db, ALL, "suspects", csv_bytes([SUSPECT_HEADER, bad]), "s.csv", now=NOW)
    assert res.status == "rejected" and any("第170条" in p.reason for p in res.errors)
    bad[SUSPECT_HEADER.index("逮捕决定")] = "决定逮捕"
    assert import_file(db, ALL, "suspects", csv_bytes([SUSPECT_HEADER, bad]), "s.csv", now=NOW).rows_written == 1
    with db.connect() as conn:
        assert conn.execute(select(Case.origin, Case.procedure)).one() == ("监察机关", "普通")


def test_case_procedure_and_origin_are_stored_and_checked(db):
    header = CASE_HEADER + ["适用程序", "移送机关", "重大复杂案件", "可能判处一年以上"]
    rows = [header, case_row() + ["速裁", "", "否", "是"],
            case_row(no=NO2, charge="危险驾驶") + ["", "", "", ""],
            case_row(no="沪奉检刑诉〔2024〕00003号", plea="否") + ["速裁", "", "", ""],
            case_row(no="沪黄检民监〔2024〕00004号", function="民事", charge="", stage="审查", review="",
                     cause="民事执行监督") + ["普通", "", "", ""]]
    res = import_file(db, ALL, "cases", csv_bytes(rows), "c.csv", now=NOW, good_rows_only=True)
    assert {(p.line, p.column) for p in res.errors} == {(4, "适用程序"), (5, "适用程序")}, res.problems
    assert any("第222条" in p.reason for p in res.errors)
    with db.connect() as conn:
        got = dict(((r.case_no, (r.procedure, r.origin, r.complex_case, r.over_one_year)) for r in conn.execute(
            select(Case.case_no, Case.procedure, Case.origin, Case.complex_case, Case.over_one_year))))
    assert got == {NO1: ("速裁", "公安机关", False, True), NO2: ("普通", "公安机关", False, False)}


def test_the_samples_own_suspects_validate_and_are_recognised_as_stored(sample_engine):
    """Round trip of the per-suspect records: every sample suspect is a valid row of the format."""
    cols = {f.key: f.zh for f in R.SUSPECT_FIELDS}
    with sample_engine.connect() as conn:
        s = pd.DataFrame(conn.execute(select(Suspect.__table__, Case.case_no).join(
            Case, Case.id == Suspect.case_id)).mappings().all())
    out = pd.DataFrame({cols["case_no"]: s.case_no, cols["seq"]: s.seq})
    for key in ("arrest_review_at", "arrest_decided_at", "prosecution_decided_at", "judgment_at"):
        out[cols[key]] = s[key].map(_fmt)
    for key in ("arrest_decision", "rec_kind", "prosecution_decision", "non_prosecution_type", "judgment_kind"):
        out[cols[key]] = s[key].fillna("")
    for key in ("rec_months", "rec_months_hi", "judgment_months"):
        out[cols[key]] = s[key].map(lambda x: "" if pd.isna(x) else str(int(x)))
    for key in ("juvenile", "plea", "probation", "rec_adopted"):
        out[cols[key]] = s[key].map(lambda x: "" if x is None or pd.isna(x) else ("是" if x else "否"))
    before = counts(sample_engine)
    res = import_file(sample_engine, ALL, "suspects", out.to_csv(index=False).encode(), "s.csv", dry_run=True)
    assert not res.errors, res.report_frame().head(10)
    assert res.rows_skipped == len(s) == res.rows_total > 100
    assert counts(sample_engine) == before

"""Rules for importing real data from CSV: encodings, column schemas, and row validation.

Pure code (no Streamlit, no SQL). ``queries.imports`` adds the checks that need the database
(duplicates against stored rows, case numbers that must exist, scope) and writes.

Four kinds of file, each a declared schema of columns with Chinese headers (English aliases
accepted): ``cases`` (案件), ``suspects`` (犯罪嫌疑人: one row per suspect of a case already stored,
with that person's own arrest, plea, recommendation, prosecution and judgment; issue 12),
``events`` (案件事件) and ``sentencing`` (量刑判决). The vocabulary is ``domain.procedure``'s. The bad inputs that
real files bring are those of ``shared/domain/security_reliability.md`` §4.2:

- I1 encodings: ``utf-8-sig`` first (with or without BOM), then ``gb18030`` (a superset of GBK);
  never ``errors="ignore"``; a file that decodes in neither is rejected, naming the line.
- I2 columns: unknown columns are reported and ignored; missing required columns, a header that
  appears twice, or a header that is not on line 1 reject the file.
- I3 duplicates: the same natural key twice in the file is an error on every repeated line.
- I4 identity numbers: ``domain.identity.validate_id`` (NFKC, lowercase x, check digit, birth date).
- I5 dates: only ``2024-01-05``, ``2024/1/5`` and ``2024年1月5日`` (optionally followed by a time);
  impossible dates, Excel serial numbers and future dates are errors, so is a stage order that
  breaks the case flow (judgment before acceptance, ...).
- I6 formula-like cells (``=``, ``+``, ``-``, ``@``) are kept as plain text, never evaluated.
- I7 size: at most ``MAX_BYTES`` bytes, ``MAX_LINES`` physical lines, ``MAX_LINE_CHARS`` characters
  a line (and a record, however many lines its quoted cells span), ``MAX_COLUMNS`` columns and
  ``MAX_ROWS`` data rows. The byte, line and character limits are checked before the CSV parser
  sees a line, so a file built to exhaust memory (a 3 MB header of 1.5 million empty columns once
  took the dashboard from 375 MB to 1,035 MB) is refused in milliseconds with a Chinese message.

Every problem is a ``Problem(line, column, reason)``; ``line`` is the physical line of the file
(the header is line 1; 0 = the whole file). Reasons are Chinese and never quote an identity number
or a phone number.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from domain import procedure as P
from domain.cases import CRIMINAL_STAGES, EVENT_TYPES, FUNCTIONS, MATTER_EVENTS, OTHER_STAGES
from domain.charges import KNOWN_CHARGES, normalize_charge
from domain.identity import validate_id, validate_phone
from domain.masking import scrub_text

KINDS: tuple[str, ...] = ("cases", "suspects", "events", "sentencing")
KIND_ZH = {"cases": "案件", "suspects": "犯罪嫌疑人", "events": "案件事件", "sentencing": "量刑判决"}
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
MAX_BYTES = 20 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 100_000
MAX_COLUMNS = 200  # the widest schema has 30; a wider file is not one of ours
MAX_LINE_CHARS = 20_000  # ten times the longest cell (案情摘要, 2,000 characters)
MAX_RECORD_CHARS = MAX_LINE_CHARS  # one record, whatever lines its quoted cells span
MAX_LINES = 5 * MAX_ROWS  # physical lines: room for multi-line cells, not for millions of blank lines
EARLIEST = dt.date(1980, 1, 1)  # the Criminal Procedure Law took effect on 1980-01-01

ERROR, NOTICE = "错误", "提示"

STAGES: tuple[str, ...] = tuple(dict.fromkeys(CRIMINAL_STAGES + OTHER_STAGES))
# the per-suspect vocabulary has one home, domain.procedure
ARREST_DECISIONS = P.ARREST_DECISIONS  # 批准逮捕 / 决定逮捕 / 不批准逮捕 / 不予逮捕
PROSECUTION_DECISIONS = P.PROSECUTION_DECISIONS
NON_PROSECUTION_TYPES = P.NON_PROSECUTION_TYPES
MEASURES = ("逮捕", "取保候审", "监视居住")  # a case's current compulsory measure
REC_KINDS = P.REC_KINDS
MAX_MONTHS = 300  # 25 years: the ceiling of combined fixed-term punishment (Criminal Law art. 69)

_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×", "✗"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID_OR_PHONE = re.compile(r"\d{17}[\dXx]|(?<!\d)1[3-9]\d{9}(?!\d)|\d{15}")


@dataclass(frozen=True)
class Problem:
    line: int  # physical line in the file; 1 = header; 0 = the whole file
    column: str  # the column's Chinese name ('' for the whole line or file)
    reason: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class Field:
    key: str  # attribute name used by the writer
    zh: str  # the header the template uses
    kind: str  # text/int/bool/date/datetime/choice/district/charge/charges/id/phone/case_no
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_len: int = 200
    choices: tuple[str, ...] = ()
    lo: int | None = None
    hi: int | None = None
    example: str = ""
    note: str = ""


def F(key, zh, kind, required=False, aliases=(), **kw) -> Field:
    return Field(key, zh, kind, required, tuple(aliases), **kw)


CASE_FIELDS: tuple[Field, ...] = (
    F("case_no", "案号", "case_no", True, ("case_no", "案件编号", "部门受案号"), max_len=40,
      example="沪奉检刑诉〔2024〕00123号"),
    F("district", "所属区", "district", True, ("district", "区", "行政区", "区划代码"),
      example="奉贤区", note="区名（黄浦区 / 黄浦）或6位区划代码（310101）"),
    F("function", "业务类别", "choice", True, ("function", "检察职能"), choices=FUNCTIONS, example="刑事"),
    F("charge", "罪名", "charge", False, ("charge", "案由罪名"), example="危险驾驶",
      note="刑事案件必填；须为已知罪名，可带或不带“罪”字"),
    F("cause", "案由", "text", False, ("cause",), max_len=60, note="民事、行政、公益诉讼案件的案由"),
    F("stage", "当前阶段", "choice", True, ("stage", "阶段"), choices=STAGES, example="审查起诉"),
    F("accepted_at", "受理日期", "datetime", True, ("accepted_at", "受理时间"), example="2024-01-05"),
    F("arrest_review_at", "提请逮捕日期", "datetime", False, ("arrest_review_at", "审查逮捕日期")),
    F("arrest_decided_at", "逮捕决定日期", "datetime", False, ("arrest_decided_at",)),
    F("arrest_decision", "逮捕决定", "choice", False, ("arrest_decision",), choices=ARREST_DECISIONS),
    F("prosecution_review_at", "移送审查起诉日期", "datetime", False,
      ("prosecution_review_at", "审查起诉日期"), example="2024/1/5"),
    F("prosecution_decided_at", "起诉决定日期", "datetime", False,
      ("prosecution_decided_at", "审查起诉决定日期")),
    F("prosecution_decision", "起诉决定", "choice", False, ("prosecution_decision",),
      choices=PROSECUTION_DECISIONS),
    F("non_prosecution_type", "不起诉类型", "choice", False, ("non_prosecution_type",),
      choices=NON_PROSECUTION_TYPES),
    F("trial_at", "开庭日期", "datetime", False, ("trial_at",)),
    F("judgment_at", "判决日期", "datetime", False, ("judgment_at",)),
    F("closed_at", "结案日期", "datetime", False, ("closed_at", "办结日期")),
    F("suspects", "犯罪嫌疑人人数", "int", False, ("suspects", "嫌疑人人数"), lo=1, hi=500, example="1",
      note="默认1"),
    F("detained", "是否羁押", "bool", False, ("detained", "羁押"), example="否", note="是/否，默认否"),
    F("compulsory_measure", "强制措施", "choice", False, ("compulsory_measure",), choices=MEASURES,
      example="取保候审"),
    F("plea_leniency", "认罪认罚", "bool", False, ("plea_leniency", "是否认罪认罚"), example="是",
      note="是/否，默认否"),
    F("sentencing_rec_kind", "量刑建议类型", "choice", False, ("sentencing_rec_kind",), choices=REC_KINDS),
    F("sentencing_rec_months", "量刑建议月数", "int", False, ("sentencing_rec_months",), lo=0,
      hi=MAX_MONTHS),
    F("rec_adopted", "量刑建议是否采纳", "bool", False, ("rec_adopted", "建议是否采纳")),
    F("juvenile", "未成年人案件", "bool", False, ("juvenile", "是否未成年人案件"), note="是/否，默认否"),
    F("suspect_name", "犯罪嫌疑人姓名", "text", False, ("suspect_name", "嫌疑人姓名"), max_len=40,
      example="张三", note="与身份证号同时填写；入库后显示时脱敏"),
    F("suspect_id", "犯罪嫌疑人身份证号", "id", False, ("suspect_id_number", "身份证号", "公民身份号码"),
      example="11010519491231002X", note="18位，校验位正确；只保存密钥哈希和脱敏形式"),
    F("suspect_phone", "犯罪嫌疑人手机号", "phone", False, ("suspect_phone", "手机号", "联系电话"),
      note="11位；只保存密钥哈希和脱敏形式"),
    F("procedure", "适用程序", "choice", False, ("procedure", "程序"), choices=P.PROCEDURES, example="普通",
      note="刑事案件；速裁程序的审查起诉期限为10日（可能判处一年以上15日）"),
    F("origin", "移送机关", "choice", False, ("origin", "案件来源"), choices=P.ORIGINS, example="公安机关",
      note="刑事案件；监察机关移送的案件由检察院决定逮捕（刑事诉讼法第170条）"),
    F("complex_case", "重大复杂案件", "bool", False, ("complex_case", "是否重大复杂"), example="否",
      note="是/否，默认否（刑事诉讼规则第282条：未羁押的审查逮捕20日）"),
    F("over_one_year", "可能判处一年以上", "bool", False, ("over_one_year", "可能判处一年有期徒刑以上"),
      example="否", note="是/否，默认否（刑事诉讼法第172条：速裁案件15日）"),
    F("town", "街道（镇）", "text", False, ("town", "街道", "乡镇街道"), max_len=20, example="七宝镇",
      note="案发地街道或镇（类案模型按区、街道统计）"),
)

SUSPECT_FIELDS: tuple[Field, ...] = (
    F("case_no", "案号", "case_no", True, ("case_no", "案件编号"), max_len=40,
      example="沪奉检刑诉〔2024〕00123号", note="须是数据库中已有的刑事案件"),
    F("seq", "序号", "int", True, ("seq", "嫌疑人序号", "犯罪嫌疑人序号"), lo=1, hi=500, example="1",
      note="该案第几名犯罪嫌疑人（1起），不能大于该案的犯罪嫌疑人人数"),
    F("suspect_name", "犯罪嫌疑人姓名", "text", False, ("suspect_name", "姓名", "嫌疑人姓名"), max_len=40,
      example="张三", note="与身份证号同时填写；入库后显示时脱敏"),
    F("suspect_id", "犯罪嫌疑人身份证号", "id", False, ("suspect_id_number", "身份证号", "公民身份号码"),
      example="11010519491231002X", note="18位，校验位正确；只保存密钥哈希和脱敏形式"),
    F("suspect_phone", "犯罪嫌疑人手机号", "phone", False, ("suspect_phone", "手机号", "联系电话"),
      note="11位；只保存密钥哈希和脱敏形式"),
    F("juvenile", "未成年人", "bool", False, ("juvenile", "是否未成年人"), example="否",
      note="犯罪时不满18周岁；是/否，默认否"),
    F("arrest_review_at", "提请逮捕日期", "datetime", False, ("arrest_review_at", "审查逮捕日期", "受理审查逮捕日期"),
      example="2024-01-05"),
    F("arrest_decided_at", "逮捕决定日期", "datetime", False, ("arrest_decided_at",), example="2024-01-10"),
    F("arrest_decision", "逮捕决定", "choice", False, ("arrest_decision",), choices=P.ARREST_DECISIONS,
      example="批准逮捕", note="批准/不批准逮捕答复公安机关的提请；决定/不予逮捕为检察院自行决定"),
    F("plea", "认罪认罚", "bool", False, ("plea", "plea_leniency", "是否认罪认罚"), example="是",
      note="签署认罪认罚具结书；是/否，默认否"),
    F("rec_kind", "量刑建议类型", "choice", False, ("rec_kind", "sentencing_rec_kind"), choices=P.REC_KINDS,
      example="确定刑"),
    F("rec_months", "量刑建议月数", "int", False, ("rec_months", "sentencing_rec_months"), lo=0, hi=MAX_MONTHS,
      example="8", note="确定刑的刑期；幅度刑的下限"),
    F("rec_months_hi", "量刑建议上限月数", "int", False, ("rec_months_hi",), lo=1, hi=MAX_MONTHS,
      note="仅幅度刑：上限，须大于下限"),
    F("prosecution_decided_at", "起诉决定日期", "datetime", False, ("prosecution_decided_at", "审查起诉决定日期"),
      example="2024/2/20"),
    F("prosecution_decision", "起诉决定", "choice", False, ("prosecution_decision",),
      choices=P.PROSECUTION_DECISIONS, example="起诉"),
    F("non_prosecution_type", "不起诉类型", "choice", False, ("non_prosecution_type",),
      choices=P.NON_PROSECUTION_TYPES),
    F("judgment_at", "判决日期", "datetime", False, ("judgment_at",), example="2024年3月15日"),
    F("judgment_kind", "判决结果", "choice", False, ("judgment_kind", "判处刑罚", "主刑"),
      choices=P.JUDGMENT_KINDS, example="有期徒刑"),
    F("judgment_months", "判处月数", "int", False, ("judgment_months", "刑期月数"), lo=1, hi=MAX_MONTHS,
      example="8", note="有期徒刑、拘役、管制的月数"),
    F("probation", "缓刑", "bool", False, ("probation",), example="否", note="是/否，默认否"),
    F("rec_adopted", "量刑建议是否采纳", "bool", False, ("rec_adopted", "建议是否采纳"), example="是"),
    F("custody_measure", "当前强制措施", "choice", False, ("custody_measure", "强制措施"),
      choices=P.CUSTODY_MEASURES, example="取保候审", note="与强制措施起始日期一起填写"),
    F("custody_since", "强制措施起始日期", "datetime", False, ("custody_since", "强制措施开始日期"),
      example="2024-01-10"),
)

EVENT_FIELDS: tuple[Field, ...] = (
    F("case_no", "案号", "case_no", True, ("case_no", "案件编号"), max_len=40,
      example="沪奉检刑诉〔2024〕00123号", note="须是数据库中已有的案件"),
    F("event_type", "事件类型", "choice", True, ("event_type", "事件"), choices=EVENT_TYPES,
      example="移送审查起诉"),
    F("occurred_at", "发生时间", "datetime", True, ("occurred_at", "时间", "日期"), example="2024-01-08 09:30"),
    F("stage_from", "原阶段", "choice", False, ("stage_from",), choices=STAGES, example="侦查"),
    F("stage_to", "新阶段", "choice", False, ("stage_to",), choices=STAGES, example="审查起诉"),
    F("note", "备注", "text", False, ("note", "说明"), max_len=200, note="不得包含个人信息"),
)

SENTENCING_FIELDS: tuple[Field, ...] = (
    F("source_ref", "判决编号", "case_no", True, ("source_ref", "文书编号", "判决书编号", "案号"), max_len=80,
      example="（2023）沪0120刑初123号"),
    F("charges", "罪名", "charges", True, ("charge", "charges", "accusation"), example="盗窃",
      note="一个或多个已知罪名，用 | 或 ； 分隔；第一个为主罪名"),
    F("articles", "法条", "text", False, ("articles", "relevant_articles"), max_len=60, example="264"),
    F("months", "刑期月数", "int", False, ("months", "imprisonment_months"), lo=0, hi=MAX_MONTHS,
      example="8", note="有期徒刑或拘役的月数；无期徒刑、死刑时留空"),
    F("life", "无期徒刑", "bool", False, ("life", "life_imprisonment"), example="否"),
    F("death", "死刑", "bool", False, ("death", "death_penalty"), example="否"),
    F("fine_yuan", "罚金", "int", False, ("fine_yuan", "punish_of_money", "罚金（元）"), lo=0, hi=10**9,
      example="3000"),
    F("probation", "缓刑", "bool", False, ("probation",), example="否"),
    F("judgment_date", "判决日期", "datetime", False, ("judgment_date", "判决时间"), example="2023年6月30日"),
    F("tier", "量刑起点档次", "int", False, ("tier",), lo=1, hi=5),
    F("c_surrender", "自首", "bool", False, ("surrender",)),
    F("c_confession", "坦白", "bool", False, ("confession", "如实供述")),
    F("c_recidivist", "累犯", "bool", False, ("recidivist",)),
    F("c_prior_record", "前科", "bool", False, ("prior_record",)),
    F("c_forgiveness", "谅解", "bool", False, ("forgiveness", "取得谅解")),
    F("c_compensation", "赔偿", "bool", False, ("compensation", "退赃退赔")),
    F("c_attempt", "未遂", "bool", False, ("attempt", "犯罪未遂")),
    F("c_accomplice", "从犯", "bool", False, ("accomplice",)),
    F("c_plea", "认罪认罚", "bool", False, ("plea", "plea_leniency")),
    F("fact_excerpt", "案情摘要", "text", False, ("fact", "fact_excerpt"), max_len=2000,
      note="不宜包含身份证号、手机号"),
)

SCHEMAS: dict[str, tuple[Field, ...]] = {
    "cases": CASE_FIELDS, "suspects": SUSPECT_FIELDS, "events": EVENT_FIELDS, "sentencing": SENTENCING_FIELDS,
}
# The natural key of each kind: a second row with the same key is a duplicate.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "cases": ("case_no",), "suspects": ("case_no", "seq"), "events": ("case_no", "event_type", "occurred_at"), "sentencing": ("source_ref",),
}


# ----------------------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Reference:
    """What rows are checked against: the districts in the database (adcode → (中文名, English))."""

    districts: dict[int, tuple[str, str]]
    charges: frozenset[str] = KNOWN_CHARGES

    def district_id(self, raw: str) -> int | None:
        s = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
        if s.isdigit():
            return int(s) if int(s) in self.districts else None
        for code, (zh, en) in self.districts.items():
            short = zh[:-2] if zh.endswith("新区") else zh[:-1] if zh.endswith(("区", "县")) else zh
            if s in (zh, short) or s.lower() == en.lower().replace(" ", ""):
                return code
        return None


# ----------------------------------------------------------------------------- decoding


@dataclass(frozen=True)
class RawTable:
    """A decoded CSV: the header cells and each data record with the line it starts on."""

    encoding: str
    header: tuple[str, ...]
    records: tuple[tuple[int, tuple[str, ...]], ...]


def _error_line(data: bytes, encoding: str) -> int | None:
    """1-based line of the first byte that does not decode, or None if all of it decodes."""
    try:
        data.decode(encoding)
        return None
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1


def decode(data: bytes) -> tuple[str | None, str | None, list[Problem]]:
    """(text, encoding) trying UTF-8 (BOM optional) then GB18030, strictly; else a problem."""
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)  # strict: never errors="ignore"
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and data.startswith(b"\xef\xbb\xbf"):
            continue  # a UTF-8 BOM followed by bytes that are not UTF-8: not a GB file either
        return text, enc, []
    u, g = _error_line(data, "utf-8-sig"), _error_line(data, "gb18030")
    line = max(x for x in (u, g, 1) if x is not None)
    return None, None, [Problem(line, "", f"文件编码无法识别：既不是 UTF-8（第{u}行出错）也不是 GBK/GB18030"
                                           f"（第{g or '—'}行出错）。请在 Excel 中另存为“CSV UTF-8”后重新导入")]


_NEWLINE = re.compile(r"\r\n|\r|\n")  # as universal newlines: an old Mac file's bare CR too


class _Refused(Exception):
    """A limit was reached while the lines were fed to the CSV parser."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


@dataclass
class _Budget:
    record_start: int = 1  # the line the current record starts on
    record_chars: int = 0
    header_seen: bool = False


def _too_long(text: str, start: int, end: int, line: int, header_seen: bool) -> Problem:
    """The message for an over-long line; for the header, say how many columns it has (counted
    without splitting it: a 3 MB header must not become 1.5 million strings to be refused)."""
    if not header_seen:
        commas = text.count(",", start, end)
        if commas + 1 > MAX_COLUMNS:
            return Problem(line, "", f"表头约有{commas + 1:,}列，超过上限{MAX_COLUMNS}列，不是可导入的文件；"
                                     "请使用模板中的列")
    return Problem(line, "", f"第{line}行过长（{end - start:,}个字符），每行上限{MAX_LINE_CHARS:,}个字符；"
                             "请检查该行是否缺少换行或含有多余内容")


def _lines(text: str, budget: _Budget):
    """The physical lines (line ending kept, as the csv module wants), each checked against the
    line and record limits before it is handed over."""
    pos, n, line = 0, len(text), 0
    while pos < n:
        m = _NEWLINE.search(text, pos)
        stop, end = (m.start(), m.end()) if m else (n, n)
        line += 1
        if stop - pos > MAX_LINE_CHARS:
            raise _Refused(_too_long(text, pos, stop, line, budget.header_seen))
        budget.record_chars += end - pos
        if budget.record_chars > MAX_RECORD_CHARS:
            raise _Refused(Problem(budget.record_start, "", f"从第{budget.record_start}行起的一条记录超过"
                                                            f"{MAX_RECORD_CHARS:,}个字符（可能有未闭合的引号）"))
        yield text[pos:end]
        pos = end


def read_csv_text(data: bytes) -> tuple[RawTable | None, list[Problem]]:
    """Decode and split into records (RFC 4180 quoting); blank lines are skipped. Every size limit
    is applied before the parser builds a row from a line (see I7)."""
    if len(data) > MAX_BYTES:
        return None, [Problem(0, "", f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {MAX_BYTES // 1048576} MB")]
    text, enc, probs = decode(data)
    if text is None:
        return None, probs
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(line, "", "文件含有空字符（NUL），不是有效的 CSV 文本文件")]
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    if lines > MAX_LINES:
        return None, [Problem(0, "", f"文件有{lines:,}行，超过上限{MAX_LINES:,}行（数据行上限{MAX_ROWS:,}行），请拆分文件")]
    budget = _Budget()
    reader = csv.reader(_lines(text, budget), strict=True)
    header: tuple[str, ...] | None = None
    records: list[tuple[int, tuple[str, ...]]] = []
    start = 1
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                what = "表头" if header is None else f"第{start}行"
                return None, [Problem(start, "", f"{what}有{len(row):,}列，超过上限{MAX_COLUMNS}列，不是可导入的文件")]
            if not any(c.strip() for c in row):
                start = reader.line_num + 1
            elif header is None:
                header = tuple(row)
                budget.header_seen = True
                if start != 1:
                    return None, [Problem(start, "", f"表头应在第1行，但第1行为空；实际表头在第{start}行")]
            else:
                records.append((start, tuple(row)))
                if len(records) > MAX_ROWS:
                    return None, [Problem(start, "", f"数据行超过上限 {MAX_ROWS:,} 行，请拆分文件")]
            start = reader.line_num + 1
            budget.record_start, budget.record_chars = start, 0
    except _Refused as refused:
        return None, [refused.problem]
    except csv.Error as exc:
        return None, [Problem(reader.line_num, "", f"CSV 格式错误（引号未闭合或不匹配）：{exc}")]
    if header is None:
        return None, [Problem(0, "", "文件为空")]
    return RawTable(enc, header, tuple(records)), []


# ----------------------------------------------------------------------------- header mapping


def _norm_header(h: str) -> str:
    s = unicodedata.normalize("NFKC", h).strip().replace(" ", "").replace("\u3000", "")
    s = re.sub(r"[(（]必填[)）]$", "", s).rstrip("*")
    return s.lower()


def map_header(kind: str, header: tuple[str, ...]) -> tuple[dict[int, Field], list[Problem]]:
    """Column index → field; problems for unknown, doubled, missing columns and a late header."""
    fields = SCHEMAS[kind]
    lookup: dict[str, Field] = {}
    for f in fields:
        for name in (f.zh, f.key, *f.aliases):
            lookup.setdefault(_norm_header(name), f)
    mapping: dict[int, Field] = {}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for i, h in enumerate(header):
        f = lookup.get(_norm_header(h))
        if f is None:
            label = _show(h) if h.strip() else f"第{i + 1}列（无表头）"
            problems.append(Problem(1, label, "未识别的列，已忽略", NOTICE))
            continue
        if f.key in seen:
            problems.append(Problem(1, f.zh, f"该列出现了两次（第{seen[f.key] + 1}列和第{i + 1}列）"))
            continue
        seen[f.key] = i
        mapping[i] = f
    missing = [f.zh for f in fields if f.required and f.key not in seen]
    for name in missing:
        problems.append(Problem(1, name, "缺少必填列"))
    if missing and not mapping:
        problems.append(Problem(1, "", f"第1行不是{KIND_ZH[kind]}文件的表头；必填列为："
                                       + "、".join(f.zh for f in fields if f.required)))
    return mapping, problems


# ----------------------------------------------------------------------------- cell parsing

_DATE_RES = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_TIME_RE = re.compile(r"^(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
DATE_FORMATS_ZH = "2024-01-05、2024/1/5 或 2024年1月5日（可加时间 09:30 或 09:30:00）"


def _show(value: str, limit: int = 30) -> str:
    """A cell value safe to quote in a reason: no ID/phone, no control characters, short."""
    v = scrub_text(_CONTROL.sub("?", value))
    return f"“{v[:limit]}…”" if len(v) > limit else f"“{v}”"


def canonical_case_no(raw: str) -> str:
    """NFKC (full-width letters and digits), no spaces, parentheses in the official full-width form.

    案号 are written （2023）沪0120刑初1号 and 沪奉检刑诉〔2024〕1号; a copy typed with ASCII brackets or
    full-width digits is the same number, so it must be the same key.
    """
    s = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    return s.replace("(", "（").replace(")", "）")


def parse_datetime(raw: str) -> dt.datetime:
    """One of the explicit formats, or ``ValueError`` with a Chinese reason."""
    s = unicodedata.normalize("NFKC", raw).strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        raise ValueError(f"{_show(s)}像是 Excel 日期序号，请把单元格设为文本或日期格式后导出；应为 {DATE_FORMATS_ZH}")
    for rx in _DATE_RES:
        m = rx.match(s)
        if not m:
            continue
        t = _TIME_RE.match(s[m.end():])
        if not t:
            break
        y, mo, d = (int(x) for x in m.groups())
        try:
            day = dt.date(y, mo, d)
        except ValueError:
            raise ValueError(f"日期不存在：{_show(s)}") from None
        hh, mm, ss = (int(x) if x else 0 for x in t.groups())
        if hh > 23 or mm > 59 or ss > 59:
            raise ValueError(f"时间不存在：{_show(s)}")
        return dt.datetime(day.year, day.month, day.day, hh, mm, ss)
    raise ValueError(f"无法识别的日期{_show(s)}，应为 {DATE_FORMATS_ZH}")


def parse_bool(raw: str) -> bool:
    s = unicodedata.normalize("NFKC", raw).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"应为“是”或“否”，实际为{_show(raw)}")


def parse_int(raw: str, lo: int | None, hi: int | None) -> int:
    s = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", s) is None:
        raise ValueError(f"应为整数，实际为{_show(raw)}")
    v = int(float(s)) if "." in s else int(s)
    if lo is not None and v < lo:
        raise ValueError(f"不能小于{lo}，实际为{v}")
    if hi is not None and v > hi:
        raise ValueError(f"不能大于{hi}，实际为{v}")
    return v


def parse_cell(f: Field, raw: str, ref: Reference, now: dt.datetime) -> tuple[Any, list[str], list[str]]:
    """(value, errors, notices) for one non-empty cell."""
    errors: list[str] = []
    notices: list[str] = []
    value: Any = None
    try:
        if f.kind in ("text", "case_no"):
            value = raw.strip()
            if f.kind == "case_no":
                value = canonical_case_no(value)
            if len(value) > f.max_len:
                raise ValueError(f"过长：{len(value)}个字符，上限{f.max_len}")
            if f.kind == "case_no" and _CONTROL.search(value):
                raise ValueError("含有控制字符")
        elif f.kind == "int":
            value = parse_int(raw, f.lo, f.hi)
        elif f.kind == "bool":
            value = parse_bool(raw)
        elif f.kind == "datetime":
            value = parse_datetime(raw)
            if value.date() < EARLIEST:
                raise ValueError(f"日期早于{EARLIEST.year}年，疑似录入错误：{_show(raw)}")
            if value > now:
                raise ValueError(f"日期在未来（晚于导入时间 {now:%Y-%m-%d %H:%M}）：{_show(raw)}")
        elif f.kind == "choice":
            s = unicodedata.normalize("NFKC", raw).strip()
            if s not in f.choices:
                raise ValueError(f"取值{_show(raw)}无效，应为：" + "、".join(f.choices))
            value = s
        elif f.kind == "district":
            value = ref.district_id(raw)
            if value is None:
                raise ValueError(f"未知的区{_show(raw)}，应为上海市的区名（如 黄浦区）或6位区划代码")
        elif f.kind == "charge":
            value = normalize_charge(raw)
            if value not in ref.charges:
                raise ValueError(f"未知罪名{_show(raw)}")
        elif f.kind == "charges":
            parts = [normalize_charge(p) for p in re.split(r"[|;；/]", raw) if p.strip()]
            bad = [p for p in parts if p not in ref.charges]
            if bad:
                raise ValueError("未知罪名" + "、".join(_show(p) for p in bad))
            if not parts:
                raise ValueError("罪名为空")
            if len(set(parts)) != len(parts):
                raise ValueError("同一罪名重复出现")
            value = tuple(parts)
        elif f.kind == "id":
            value = validate_id(raw, today=now.date())
            if value[:2] not in _PROVINCES:
                notices.append("身份证号前两位不是已知的省级行政区划代码，请核对")
        elif f.kind == "phone":
            value = validate_phone(raw)
        else:  # pragma: no cover - a schema typo
            raise AssertionError(f.kind)
    except ValueError as exc:
        errors.append(str(exc))
        value = None
    return value, errors, notices


_PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
              "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
              "65", "71", "81", "82", "83", "91"}


# ----------------------------------------------------------------------------- row rules


def _order(row: dict, problems: list[tuple[str, str]], earlier: str, later: str, fields: dict[str, Field]) -> None:
    a, b = row.get(earlier), row.get(later)
    if a is not None and b is not None and b < a:
        problems.append((fields[later].zh, f"{fields[later].zh}早于{fields[earlier].zh}，不符合办案流程"))


# The timestamp that says when a case entered its current stage.
STAGE_TIME = {
    "受理": "accepted_at", "审查逮捕": "arrest_review_at", "侦查": "arrest_decided_at",
    "审查起诉": "prosecution_review_at", "提起公诉": "prosecution_decided_at",
    "不起诉": "prosecution_decided_at", "一审": "trial_at", "判决": "judgment_at",
    "上诉抗诉": "judgment_at", "审查": "accepted_at", "办结": "closed_at",
}
_STAGES_NEEDING_TIME = ("提起公诉", "不起诉", "一审", "判决", "办结")


COMMISSION_ARREST = ("监察机关移送的案件由检察院自行决定是否逮捕，应为“决定逮捕”或“不予逮捕”，"
                     "不是“批准逮捕/不批准逮捕”（刑事诉讼法第170条）")


def check_case(row: dict) -> list[tuple[str, str]]:
    """Cross-column rules of a case row: (column, reason) for each broken rule."""
    fd = {f.key: f for f in CASE_FIELDS}
    out: list[tuple[str, str]] = []
    criminal = row.get("function") == "刑事"
    stage = row.get("stage")
    bad = row.get("_bad", ())
    if criminal and not row.get("charge") and "charge" not in bad:
        out.append(("罪名", "刑事案件必须填写罪名"))
    if row.get("function") and not criminal:
        if row.get("charge"):
            out.append(("罪名", "罪名只适用于刑事案件；其他案件请填写案由"))
        if stage and stage not in OTHER_STAGES:
            out.append(("当前阶段", f"{row['function']}案件的阶段应为：" + "、".join(OTHER_STAGES)))
    elif criminal and stage and stage not in CRIMINAL_STAGES:
        out.append(("当前阶段", "刑事案件的阶段应为：" + "、".join(CRIMINAL_STAGES)))
    for later in ("arrest_review_at", "prosecution_review_at", "closed_at"):
        _order(row, out, "accepted_at", later, fd)
    _order(row, out, "arrest_review_at", "arrest_decided_at", fd)
    _order(row, out, "prosecution_review_at", "prosecution_decided_at", fd)
    _order(row, out, "prosecution_decided_at", "trial_at", fd)
    _order(row, out, "trial_at", "judgment_at", fd)
    for later in ("trial_at", "judgment_at", "arrest_decided_at", "prosecution_decided_at"):
        if not any(p[0] == fd[later].zh for p in out):
            _order(row, out, "accepted_at", later, fd)
    if stage in _STAGES_NEEDING_TIME and criminal == (stage in CRIMINAL_STAGES) and row.get(STAGE_TIME[stage]) is None:
        out.append((fd[STAGE_TIME[stage]].zh, f"当前阶段为“{stage}”，但没有填写{fd[STAGE_TIME[stage]].zh}"))
    if row.get("arrest_decision") and row.get("arrest_decided_at") is None:
        out.append(("逮捕决定日期", "填写了逮捕决定，但没有逮捕决定日期"))
    if row.get("prosecution_decision") and row.get("prosecution_decided_at") is None:
        out.append(("起诉决定日期", "填写了起诉决定，但没有起诉决定日期"))
    if row.get("non_prosecution_type") and row.get("prosecution_decision") != "不起诉":
        out.append(("不起诉类型", "只有起诉决定为“不起诉”时才能填写不起诉类型"))
    if row.get("judgment_at") is not None and row.get("prosecution_decision") == "不起诉":
        out.append(("判决日期", "不起诉的案件不应有判决日期"))
    if row.get("rec_adopted") is not None and row.get("judgment_at") is None:
        out.append(("量刑建议是否采纳", "尚未判决，不能填写量刑建议是否采纳"))
    has_name, has_id = bool(row.get("suspect_name")), row.get("suspect_id") is not None
    if has_name and not has_id and "suspect_id" not in row.get("_bad", ()):
        out.append(("犯罪嫌疑人身份证号", "填写了犯罪嫌疑人姓名时必须填写身份证号"))
    if has_id and not has_name:
        out.append(("犯罪嫌疑人姓名", "填写了身份证号时必须填写犯罪嫌疑人姓名"))
    if row.get("suspect_phone") and not (has_id or "suspect_id" in row.get("_bad", ())):
        out.append(("犯罪嫌疑人手机号", "手机号须与身份证号一起填写"))
    if (has_name or has_id) and not criminal and row.get("function"):
        out.append(("犯罪嫌疑人姓名", "只有刑事案件有犯罪嫌疑人"))
    if row.get("function") and not criminal:
        for key in ("procedure", "origin"):
            if row.get(key):
                out.append((fd[key].zh, f"{fd[key].zh}只适用于刑事案件"))
    if row.get("procedure") == "速裁" and row.get("plea_leniency") is False:
        out.append(("适用程序", "速裁程序只适用于认罪认罚的案件（刑事诉讼法第222条）"))
    if row.get("origin") == "监察机关" and row.get("arrest_decision") in (P.APPROVED, P.NOT_APPROVED):
        out.append(("逮捕决定", COMMISSION_ARREST))
    return out


# The term a judgment of each kind may carry, in months (Criminal Law arts. 38, 42, 45, 69).
TERM_MONTHS: dict[str, tuple[int, int]] = {"管制": (3, 36), "拘役": (1, 12), "有期徒刑": (6, MAX_MONTHS)}


def check_suspect(row: dict) -> list[tuple[str, str]]:
    """Cross-column rules of one suspect's record: each decision with its date, in the order of the
    procedure, and only the combinations the law allows."""
    fd = {f.key: f for f in SUSPECT_FIELDS}
    out: list[tuple[str, str]] = []
    bad = row.get("_bad", ())
    for dec, at in (("arrest_decision", "arrest_decided_at"), ("prosecution_decision", "prosecution_decided_at"),
                    ("judgment_kind", "judgment_at"), ("custody_measure", "custody_since")):
        if row.get(dec) and row.get(at) is None and at not in bad:
            out.append((fd[at].zh, f"填写了{fd[dec].zh}，但没有{fd[at].zh}"))
        if row.get(at) is not None and not row.get(dec) and dec not in bad:
            out.append((fd[dec].zh, f"填写了{fd[at].zh}，但没有{fd[dec].zh}"))
    _order(row, out, "arrest_review_at", "arrest_decided_at", fd)
    _order(row, out, "arrest_decided_at", "prosecution_decided_at", fd)
    _order(row, out, "prosecution_decided_at", "judgment_at", fd)
    pros = row.get("prosecution_decision")
    if row.get("non_prosecution_type") and pros != P.NOT_PROSECUTE:
        out.append(("不起诉类型", "只有起诉决定为“不起诉”时才能填写不起诉类型"))
    if row.get("non_prosecution_type") == "附条件不起诉" and not row.get("juvenile"):
        out.append(("不起诉类型", "附条件不起诉只适用于未成年人（刑事诉讼法第282条），请把“未成年人”填为“是”"))
    judged = row.get("judgment_at") is not None or row.get("judgment_kind")
    if judged and pros != P.PROSECUTE and "prosecution_decision" not in bad:
        out.append(("判决日期", "只有起诉的犯罪嫌疑人才有判决；请填写起诉决定为“起诉”及其日期"))
    kind, months = row.get("judgment_kind"), row.get("judgment_months")
    if months is not None and not kind and "judgment_kind" not in bad:
        out.append(("判处月数", "填写了判处月数，但没有判决结果"))
    if kind in TERM_MONTHS:
        lo, hi = TERM_MONTHS[kind]
        if months is None and "judgment_months" not in bad:
            out.append(("判处月数", f"判决结果为“{kind}”时必须填写判处月数"))
        elif months is not None and not lo <= months <= hi:
            out.append(("判处月数", f"{kind}的期限为{lo}至{hi}个月，实际为{months}"))
    elif kind and months is not None:
        out.append(("判处月数", f"判决结果为“{kind}”时不填判处月数"))
    if row.get("probation"):
        if kind not in ("拘役", "有期徒刑") or (months is not None and months > 36):
            out.append(("缓刑", "缓刑只适用于拘役或三年以下有期徒刑（刑法第72条）"))
    rec_kind, lo_m, hi_m = row.get("rec_kind"), row.get("rec_months"), row.get("rec_months_hi")
    if rec_kind and lo_m is None and "rec_months" not in bad:
        out.append(("量刑建议月数", "填写了量刑建议类型，但没有量刑建议月数"))
    if (lo_m is not None or hi_m is not None) and not rec_kind and "rec_kind" not in bad:
        out.append(("量刑建议类型", "填写了量刑建议月数，但没有量刑建议类型"))
    if rec_kind == P.REC_RANGE and lo_m is not None and (hi_m is None or hi_m <= lo_m) and "rec_months_hi" not in bad:
        out.append(("量刑建议上限月数", "幅度刑须填写上限月数，且大于下限"))
    if rec_kind == P.REC_FIXED and hi_m is not None:
        out.append(("量刑建议上限月数", "确定刑只有一个刑期，不填上限月数"))
    if rec_kind and pros == P.NOT_PROSECUTE:
        out.append(("量刑建议类型", "不起诉的犯罪嫌疑人没有量刑建议"))
    if row.get("rec_adopted") is not None:
        if not judged:
            out.append(("量刑建议是否采纳", "尚未判决，不能填写量刑建议是否采纳"))
        elif not rec_kind and "rec_kind" not in bad:
            out.append(("量刑建议是否采纳", "没有量刑建议，不能填写是否采纳"))
    has_name, has_id = bool(row.get("suspect_name")), row.get("suspect_id") is not None
    if has_name and not has_id and "suspect_id" not in bad:
        out.append(("犯罪嫌疑人身份证号", "填写了犯罪嫌疑人姓名时必须填写身份证号"))
    if has_id and not has_name:
        out.append(("犯罪嫌疑人姓名", "填写了身份证号时必须填写犯罪嫌疑人姓名"))
    if row.get("suspect_phone") and not (has_id or "suspect_id" in bad):
        out.append(("犯罪嫌疑人手机号", "手机号须与身份证号一起填写"))
    return out


def check_event(row: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if row.get("stage_from") and row.get("stage_to") is None:
        out.append(("新阶段", "填写了原阶段时必须填写新阶段"))
    note = row.get("note") or ""
    if _ID_OR_PHONE.search(unicodedata.normalize("NFKC", note)):
        out.append(("备注", "备注中不得包含身份证号或手机号"))
    return out


def check_sentencing(row: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    life, death, months = row.get("life"), row.get("death"), row.get("months")
    if life and death:
        out.append(("死刑", "无期徒刑和死刑不能同时为“是”"))
    if (life or death) and months:
        out.append(("刑期月数", "无期徒刑或死刑时刑期月数应留空"))
    if not (life or death) and months is None and "months" not in row.get("_bad", ()):
        out.append(("刑期月数", "请填写刑期月数（免予刑事处罚填0），或把无期徒刑/死刑标为“是”"))
    if row.get("probation") and (life or death):
        out.append(("缓刑", "无期徒刑、死刑不能适用缓刑"))
    if row.get("probation") and months is not None and months > 36:
        out.append(("缓刑", "缓刑只适用于三年以下有期徒刑或拘役（刑法第72条）"))
    if row.get("c_surrender") and row.get("c_confession"):
        out.append(("坦白", "自首与坦白不能同时认定"))
    excerpt = row.get("fact_excerpt") or ""
    if _ID_OR_PHONE.search(unicodedata.normalize("NFKC", excerpt)):
        out.append(("案情摘要", "案情摘要中不得包含身份证号或手机号"))
    return out


ROW_CHECKS: dict[str, Callable[[dict], list[tuple[str, str]]]] = {
    "cases": check_case, "suspects": check_suspect, "events": check_event, "sentencing": check_sentencing,
}


# ----------------------------------------------------------------------------- the whole file


@dataclass
class Parsed:
    """A validated file: typed rows (with ``_line``) and every problem found."""

    kind: str
    encoding: str | None
    rows: list[dict] = field(default_factory=list)  # every data row, typed; bad cells are None
    problems: list[Problem] = field(default_factory=list)
    rejected: bool = False  # the file as a whole cannot be read (encoding, header, size)

    @property
    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems if p.is_error and p.line > 1}

    def good_rows(self) -> list[dict]:
        bad = self.bad_lines
        return [r for r in self.rows if r["_line"] not in bad]

    def add(self, line: int, column: str, reason: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(line, column, reason, severity))


def raw_rows(data: bytes, kind: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The file as text rows keyed by canonical column names, unvalidated (for comparing encodings):
    the columns (``_line`` first, then the file's known columns in file order) and one dict per row."""
    table, probs = read_csv_text(data)
    if table is None:
        raise ValueError(probs[0].reason)
    mapping, _ = map_header(kind, table.header)
    cols = {i: f.key for i, f in mapping.items()}
    rows = [{"_line": line, **{cols[i]: (cells[i] if i < len(cells) else "") for i in cols}}
            for line, cells in table.records]
    return ("_line", *cols.values()), rows


def validate(kind: str, data: bytes, ref: Reference, now: dt.datetime) -> Parsed:
    """Decode, map the header and validate every row; nothing here touches a database."""
    if kind not in SCHEMAS:
        raise ValueError(f"unknown import kind {kind!r}")
    table, probs = read_csv_text(data)
    if table is None:
        return Parsed(kind, None, [], probs, rejected=True)
    out = Parsed(kind, table.encoding)
    mapping, hprobs = map_header(kind, table.header)
    out.problems.extend(hprobs)
    if any(p.is_error for p in hprobs):
        out.rejected = True
        return out
    if not table.records:
        out.add(0, "", "文件只有表头，没有数据行")
        out.rejected = True
        return out
    fields = SCHEMAS[kind]
    width = len(table.header)
    keys = NATURAL_KEYS[kind]
    first_seen: dict[tuple, int] = {}
    for line, cells in table.records:
        row: dict[str, Any] = {"_line": line, "_bad": set()}
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            out.add(line, "", f"本行有{len(cells)}个单元格，但表头只有{width}列（可能是多余的逗号或未加引号的逗号）")
        for f in fields:
            row.setdefault(f.key, None)
        for i, f in mapping.items():
            raw = cells[i] if i < len(cells) else ""
            if not raw.strip():
                if f.required:
                    out.add(line, f.zh, "必填项为空")
                    row["_bad"].add(f.key)
                continue
            value, errors, notices = parse_cell(f, raw, ref, now)
            for e in errors:
                out.add(line, f.zh, e)
                row["_bad"].add(f.key)
            for n in notices:
                out.add(line, f.zh, n, NOTICE)
            row[f.key] = value
        for column, reason in ROW_CHECKS[kind](row):
            out.add(line, column, reason)
        key = tuple(row.get(k) for k in keys)
        if None not in key:
            if key in first_seen:
                cols = "、".join(next(f.zh for f in fields if f.key == k) for k in keys)
                out.add(line, next(f.zh for f in fields if f.key == keys[0]),
                        f"与第{first_seen[key]}行重复（{cols}相同）")
            else:
                first_seen[key] = line
        out.rows.append(row)
    if kind in ("cases", "suspects"):
        _check_people(out)
    return out


def _check_people(out: Parsed) -> None:
    """The same identity number on several rows must name the same person; report each repeat."""
    first: dict[str, tuple[int, str]] = {}
    for row in out.rows:
        idn = row.get("suspect_id")
        if idn is None:
            continue
        name = (row.get("suspect_name") or "").strip()
        if idn in first:
            line0, name0 = first[idn]
            if name0 != name:
                out.add(row["_line"], "犯罪嫌疑人身份证号", f"与第{line0}行身份证号相同但姓名不同")
            else:
                out.add(row["_line"], "犯罪嫌疑人身份证号",
                        f"与第{line0}行为同一人（身份证号相同），将关联到同一人员记录", NOTICE)
        else:
            first[idn] = (row["_line"], name)


# ----------------------------------------------------------------------------- helpers for writers


def stage_entered_at(row: dict) -> dt.datetime:
    """When the case entered its current stage: that stage's timestamp, else the latest one."""
    t = row.get(STAGE_TIME.get(row.get("stage") or "", ""), None)
    if t is not None:
        return t
    times = [row[k] for k in STAGE_TIME.values() if row.get(k) is not None]
    return max(times) if times else row["accepted_at"]


def counts_as_matter(event_type: str) -> bool:
    return event_type in MATTER_EVENTS


def template_csv(kind: str) -> str:
    """A header line plus one example row (all examples are fictitious)."""
    fields = SCHEMAS[kind]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([f.zh for f in fields])
    w.writerow([f.example for f in fields])
    return buf.getvalue()


TYPE_ZH = {
    "text": "文本", "case_no": "编号（文本）", "int": "整数", "bool": "是/否", "datetime": "日期或日期时间",
    "choice": "取值之一", "district": "区名或区划代码", "charge": "罪名", "charges": "罪名（可多个）",
    "id": "身份证号", "phone": "手机号",
}


def columns_table(kind: str) -> list[dict[str, str]]:
    """The declared columns of a kind, for the page and ``docs/import_formats.md``."""
    out = []
    for f in SCHEMAS[kind]:
        rule = f.note
        if f.kind == "choice":
            rule = "、".join(f.choices) + (f"；{f.note}" if f.note else "")
        elif f.kind == "int" and (f.lo is not None or f.hi is not None):
            rule = f"{f.lo}–{f.hi}" + (f"；{f.note}" if f.note else "")
        out.append({"列名": f.zh, "必填": "是" if f.required else "", "类型": TYPE_ZH[f.kind],
                    "英文别名": ", ".join([f.key, *[a for a in f.aliases if a.isascii() and a != f.key]]),
                    "其他中文别名": "、".join(a for a in f.aliases if not a.isascii()),
                    "规则": rule, "示例": f.example})
    return out


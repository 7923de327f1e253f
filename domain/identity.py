"""Resident identity numbers (GB 11643-1999) and mainland mobile numbers: parsing and checking.

Pure functions; callers get a ``ValueError`` with a Chinese message they can show as-is.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from domain import clock

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("身份证号前17位必须是数字")
    s = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK[s % 11]


def normalize_id(raw: str) -> str:
    """NFKC (full-width digits), strip spaces, upper-case a final x."""
    return unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").upper()


def validate_id(raw: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number or raise ``ValueError`` saying what is wrong."""
    s = normalize_id(raw)
    if len(s) == 15:
        raise ValueError("不支持15位旧身份证号，请使用18位号码")
    if len(s) != 18:
        raise ValueError("身份证号应为18位")
    if not _ID_RE.match(s):
        raise ValueError("身份证号格式不正确（前17位为数字，最后一位为数字或X）")
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValueError("身份证号中的出生日期无效") from None
    if born > (today or clock.today()) or born.year < 1800:
        raise ValueError("身份证号中的出生日期无效")
    if check_digit(s[:17]) != s[17]:
        raise ValueError("身份证号校验位不正确")
    return s


def is_valid_id(raw: str) -> bool:
    try:
        validate_id(raw)
        return True
    except ValueError:
        return False


def birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def gender(id_number: str) -> str:
    return "男" if int(id_number[16]) % 2 == 1 else "女"


def make_id(area: str, born: dt.date, seq: int) -> str:
    """Build a valid number (for sample data): 6-digit area, birth date, 3-digit sequence."""
    first17 = f"{area}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def normalize_phone(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").replace("-", "")
    if s.startswith("+86"):
        s = s[3:]
    return s


def validate_phone(raw: str) -> str:
    s = normalize_phone(raw)
    if not _PHONE_RE.match(s):
        raise ValueError("手机号应为11位中国大陆手机号码")
    return s

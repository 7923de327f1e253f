"""Masking of personal data for display. One rule per field, used on every screen and in logs."""
from __future__ import annotations

import re

_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ACCOUNT_IN_TEXT = re.compile(r"(?<!\d)(\d{4})\d{4,11}(\d{4})(?!\d)")  # bank cards, 12–19 digits


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***. Keeps the family name's first character only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id(id_number: str) -> str:
    """First 6 (area) and last 4 kept: 110105********002X."""
    s = (id_number or "").strip()
    if len(s) < 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_phone(phone: str) -> str:
    """First 3 and last 4 kept: 138****1234."""
    s = (phone or "").strip()
    if len(s) < 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def scrub_text(text: str) -> str:
    """Mask ID, mobile and bank-account numbers inside free text (logs, errors, judgment excerpts)."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    text = _ACCOUNT_IN_TEXT.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(2), text)

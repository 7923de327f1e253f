"""Masking of personal data for display. One rule per field, used on every screen and in logs."""
from __future__ import annotations

import re

# An 18-character ID number anywhere in text (a letter before it does not hide it: "ID11010519...").
_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})\d{11}[\dXx](?![\dXx])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ACCOUNT_IN_TEXT = re.compile(r"(?<!\d)(\d{4})\d{4,11}(\d{4})(?!\d)")  # bank cards, 12–19 digits

ID_KEPT = 6  # the area code (地址码) only; see ``mask_id``


def mask_name(name: str) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧***. Keeps the family name's first character only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id(id_number: str) -> str:
    """Only the 6-digit area code is kept: 110105************.

    Why not the usual "first 6 and last 4": the last 4 are the sequence number and check character,
    so the only unknown left was the birth date, and with the gender and district stored beside it
    a person's number was back within ~3,300 candidates (with a birth date stored: exactly). With
    the area code alone, birth date and sequence stay unknown: ≥ 10^6 candidates per person even
    for a juvenile suspect whose age is known to six years (tests/test_data_protection.py counts
    them on the sample database). The area code itself is no secret: the district says as much.
    """
    s = (id_number or "").strip()
    if len(s) < 15:
        return "*" * len(s)
    return s[:ID_KEPT] + "*" * (len(s) - ID_KEPT)


def mask_phone(phone: str) -> str:
    """First 3 and last 4 kept: 138****1234."""
    s = (phone or "").strip()
    if len(s) < 7:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 7) + s[-4:]


def scrub_text(text: str) -> str:
    """Mask ID, mobile and bank-account numbers inside free text (logs, errors, judgment excerpts);
    an ID number gets the same mask as ``mask_id``."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * (18 - ID_KEPT), text)
    text = _ACCOUNT_IN_TEXT.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(2), text)

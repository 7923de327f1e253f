"""What the public portal's functions return: who is signed in, and the outcome of each login step
and document read. Plain data, so the portal's components can show it without the query layer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """Who is signed in to the portal. Hashable: it keys the shared cache."""

    kind: str  # party / lawyer
    id: int  # person.id or app_user.id
    display: str  # masked name, safe to show


@dataclass(frozen=True)
class SendResult:
    """The answer to a code request: the same shape whether or not the person is on record."""

    status: str  # sent / invalid / too_soon / daily_limit / locked / bad_credentials (lawyer)
    request_id: str | None = None
    retry_after_s: int = 0
    phone_hint: str = ""  # last 4 digits of the number the user typed (never from the database)
    message: str = ""  # validation message for status 'invalid'


@dataclass(frozen=True)
class LoginResult:
    """The answer to a code check; ``principal`` only when ``ok``."""

    ok: bool
    reason: str  # ok / invalid / locked / no_challenge / used / expired / exhausted / wrong
    principal: Principal | None = None
    tries_left: int = 0


@dataclass(frozen=True)
class DocumentView:
    """One document as its recipient may see it, with when it was served and confirmed."""

    public_id: str
    doc_type: str
    doc_no: str
    title: str
    case_no: str
    issued_at: dt.datetime
    procuratorate: str
    body: str
    pdf: bytes | None
    served_at: dt.datetime | None
    confirmed_at: dt.datetime | None

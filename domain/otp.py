"""One-time SMS codes, lockout, send limits and portal session lifetimes: the pure rules.

No database, no Streamlit, no clock of its own: every function takes ``now`` so tests freeze time.
Values follow the portal issue (5-minute codes, 5 wrong tries, one send a minute and 10 a day per
subject, 30-minute lock; a party's subject is the ID-number-and-phone pair, a lawyer's the
account) and security_reliability.md §1.1 (15-minute idle and 12-hour absolute
session limits, as Login.gov and ASVS 4.0.3 L3). Codes come from ``secrets`` (a CSPRNG).
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Callable

from domain.clock import now_precise

Clock = Callable[[], dt.datetime]

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=5)  # a code is valid for 5 minutes
MAX_WRONG_PER_CODE = 5  # the sixth try on a code is refused, right or wrong
RESEND_INTERVAL = dt.timedelta(minutes=1)  # at most one code a minute per subject
SENDS_PER_DAY = 10  # and 10 in any 24 hours
SEND_WINDOW = dt.timedelta(days=1)
LOCK_AFTER_FAILURES = 5  # consecutive failed verifications of one subject (any code)
LOCK_DURATION = dt.timedelta(minutes=30)
IDLE_TIMEOUT = dt.timedelta(minutes=15)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """Six decimal digits (about 20 bits) from the operating system's CSPRNG."""
    return f"{randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_request_id() -> str:
    """Binds a code to the one login attempt that asked for it (128 random bits)."""
    return secrets.token_hex(16)


def well_formed_code(raw: str) -> bool:
    s = (raw or "").strip()
    return len(s) == CODE_DIGITS and s.isascii() and s.isdigit()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(a.encode(), b.encode())


# ----------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class SendDecision:
    allowed: bool
    reason: str  # ok / locked / too_soon / daily_limit / client_limit
    retry_after_s: int = 0


def may_send(now: dt.datetime, *, last_sent_at: dt.datetime | None, sends_in_window: int,
             locked_until: dt.datetime | None) -> SendDecision:
    """May a new code be sent for this subject now? ``sends_in_window`` counts the last 24 h."""
    if locked_until is not None and now < locked_until:
        return SendDecision(False, "locked", _secs(locked_until - now))
    if sends_in_window >= SENDS_PER_DAY:
        return SendDecision(False, "daily_limit", 0)
    if last_sent_at is not None and now - last_sent_at < RESEND_INTERVAL:
        return SendDecision(False, "too_soon", _secs(last_sent_at + RESEND_INTERVAL - now))
    return SendDecision(True, "ok")


class RateLimiter:
    """Sliding-window limit per key (e.g. 25 code requests per 5 minutes from one client address,
    as Login.gov's ``otps_per_ip_limit``). In memory, thread-safe, clock injectable; keys are
    opaque (callers pass a keyed hash, never a raw address)."""

    def __init__(self, limit: int, window: dt.timedelta, clock: Clock = now_precise,
                 max_keys: int = 10_000) -> None:
        import threading
        from collections import OrderedDict, deque

        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._hits: OrderedDict[str, deque] = OrderedDict()
        self._deque = deque
        self._lock = threading.Lock()

    def hit(self, key: str, now: dt.datetime | None = None) -> SendDecision:
        """Count one request for ``key`` if it is within the limit; refuse it otherwise."""
        now = now or self.clock()
        with self._lock:
            q = self._hits.pop(key, None) or self._deque()
            while q and now - q[0] >= self.window:
                q.popleft()
            self._hits[key] = q  # most recently used last
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(q) >= self.limit:
                return SendDecision(False, "client_limit", _secs(q[0] + self.window - now))
            q.append(now)
            return SendDecision(True, "ok")


CLIENT_SENDS = 25  # code requests per client address
CLIENT_WINDOW = dt.timedelta(minutes=5)


# ----------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Challenge:
    """What the verifier knows about one issued code (never the code itself)."""

    created_at: dt.datetime
    expires_at: dt.datetime
    attempts: int  # wrong tries so far
    used_at: dt.datetime | None
    delivered: bool  # False: the ID/phone pair is not on record, so no SMS went out


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # ok / locked / no_challenge / used / expired / exhausted / wrong
    attempts: int  # the challenge's new wrong-try count
    failures: int  # the subject's new consecutive-failure count
    locked_until: dt.datetime | None  # set when this verification locks (or the lock holds)
    consume: bool  # mark the challenge used


def verify(now: dt.datetime, challenge: Challenge | None, code_matches: bool, *, failures: int,
           locked_until: dt.datetime | None) -> Verdict:
    """Judge one code entry. The order matters: a lock refuses even the right code.

    Every refusal counts as a failure (as GOV.UK Notify does: a used or expired code counts), so an
    attacker cannot probe without spending tries. A code for a pair not on record never succeeds.
    """
    if locked_until is not None and now < locked_until:
        return Verdict(False, "locked", challenge.attempts if challenge else 0, failures,
                       locked_until, False)
    if challenge is None:
        return failure("no_challenge", 0, failures, now)
    if challenge.used_at is not None:
        return failure("used", challenge.attempts, failures, now)
    if now >= challenge.expires_at:
        return failure("expired", challenge.attempts, failures, now)
    if challenge.attempts >= MAX_WRONG_PER_CODE:
        return failure("exhausted", challenge.attempts, failures, now)
    if not code_matches or not challenge.delivered:
        return failure("wrong", challenge.attempts + 1, failures, now)
    return Verdict(True, "ok", challenge.attempts, 0, None, True)


def failure(reason: str, attempts: int, failures: int, now: dt.datetime) -> Verdict:
    """One more consecutive failure; the fifth locks the subject and starts a new count."""
    failures += 1
    if failures >= LOCK_AFTER_FAILURES:
        return Verdict(False, reason, attempts, 0, now + LOCK_DURATION, False)
    return Verdict(False, reason, attempts, failures, None, False)


def expires_at(created: dt.datetime) -> dt.datetime:
    return created + CODE_TTL


# ----------------------------------------------------------------------------- sessions


def session_end_reason(now: dt.datetime, *, logged_in_at: dt.datetime, last_action_at: dt.datetime,
                       idle: dt.timedelta = IDLE_TIMEOUT,
                       absolute: dt.timedelta = ABSOLUTE_TIMEOUT) -> str | None:
    """'absolute' after 12 h whatever the activity, 'idle' after 15 min without a user action (the
    portal's limits; the staff dashboards pass their own 30-minute idle limit)."""
    if now - logged_in_at >= absolute:
        return "absolute"
    if now - last_action_at >= idle:
        return "idle"
    return None


def _secs(td: dt.timedelta) -> int:
    return max(1, int(-(-td.total_seconds() // 1)))

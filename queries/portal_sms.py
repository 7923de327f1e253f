"""Sending SMS: one interface, a development outbox and an HTTP gateway adapter.

Settings (declared and checked in ``domain.settings``; environment variables, and root keys of
``.streamlit/secrets.toml`` are exported as such):

- ``JCY_SMS_BACKEND``: ``outbox`` (default) writes each message to the ``sms_outbox`` table for the
  operator to read; ``http`` posts it to an SMS gateway.
- ``JCY_SMS_URL``, ``JCY_SMS_TOKEN``, ``JCY_SMS_SIGN`` (the signature shown in the message, default
  上海检察), ``JCY_SMS_TIMEOUT`` (seconds, default 5): the gateway's endpoint and credentials.

Neither sender ever logs the message body (it carries the code); logs show a masked phone only.
The outbox keeps a body readable for the code's lifetime only (``otp.CODE_TTL``, 5 minutes): then
it is overwritten with ``CLEARED``, by a timer in the sending process and, for anything a stopped
process left behind, on every later outbox write and every ``python -m queries.portal_sms`` read.
Both senders work from a background thread, after the code's transaction has committed, so neither
the gateway's latency nor the outbox write shows in the login page's response time (a timing
difference would tell an attacker the ID/phone pair is on record).
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import logging
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine, insert, update

from domain import otp
from domain.masking import mask_phone
from domain.settings import Settings, current
from queries.schema import SmsOutbox
from queries.writes import phone_columns

log = logging.getLogger("jcy.sms")


class SmsSender(Protocol):
    def send(self, engine: Engine, phone: str, body: str, at: dt.datetime) -> None:
        """Queue one message and return at once (called after the code's transaction commits)."""


CLEARED = "（验证码短信已超过有效期，内容已清除）"


def clear_expired(conn: Connection, now: dt.datetime, lifetime: dt.timedelta = otp.CODE_TTL) -> int:
    """Overwrite the body of every outbox message older than a code's lifetime; returns how many."""
    return conn.execute(update(SmsOutbox).where(SmsOutbox.created_at <= now - lifetime,
                                                SmsOutbox.body != CLEARED).values(body=CLEARED)).rowcount


class OutboxSender:
    """Development sender: a background thread writes the message to ``sms_outbox``.

    Background, like a real gateway call, so that a login request for a pair on record does the
    same work in the request path as one for a pair that is not (no timing oracle).

    A message stays readable for ``lifetime`` (the code's, 5 minutes), so the developer can read a
    fresh code; then a timer (monotonic, whatever the product clock says) clears its body. Each
    write also clears older messages by their stored time, for those a stopped process left."""

    name = "outbox"

    def __init__(self, lifetime: dt.timedelta = otp.CODE_TTL) -> None:
        self.lifetime = lifetime
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jcy-outbox")
        self._due: list[tuple[float, int, Engine, int]] = []  # (monotonic deadline, seq, engine, row)
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._timer: threading.Thread | None = None

    def send(self, engine: Engine, phone: str, body: str, at: dt.datetime) -> None:
        self._pool.submit(self._write, engine, phone, body, at)

    def _write(self, engine: Engine, phone: str, body: str, at: dt.datetime) -> None:
        try:
            with engine.begin() as conn:
                row = conn.execute(insert(SmsOutbox).values(**phone_columns(phone), body=body[:200], created_at=at)
                                   .returning(SmsOutbox.id)).scalar_one()
                clear_expired(conn, at, self.lifetime)
        except Exception as exc:  # never the body in the log
            log.warning("outbox write for %s failed: %s", mask_phone(phone), type(exc).__name__)
            return
        self._clear_later(engine, row)

    def _clear_later(self, engine: Engine, row: int) -> None:
        with self._cv:
            heapq.heappush(self._due, (time.monotonic() + self.lifetime.total_seconds(), next(self._seq), engine, row))
            if self._timer is None:
                self._timer = threading.Thread(target=self._wait_and_clear, name="jcy-outbox-clear", daemon=True)
                self._timer.start()
            self._cv.notify()

    def _wait_and_clear(self) -> None:
        while True:
            with self._cv:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._cv.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _, _, engine, row = heapq.heappop(self._due)
            self._pool.submit(self._clear, engine, row)  # on the writer's thread: one writer

    @staticmethod
    def _clear(engine: Engine, row: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(update(SmsOutbox).where(SmsOutbox.id == row).values(body=CLEARED))
        except Exception as exc:  # a database gone since (tests); the next write or read clears it
            log.info("outbox clear of message %s failed: %s", row, type(exc).__name__)

    def flush(self) -> None:
        """Wait until every queued message is written (tests, shutdown)."""
        self._pool.submit(lambda: None).result()


@dataclass
class HttpGatewaySender:
    """POSTs ``{"phone", "sign", "content"}`` as JSON with a bearer token to ``url``."""

    url: str
    token: str = ""
    sign: str = "上海检察"
    timeout: float = 5.0
    name: str = "http"

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="jcy-sms")

    def send(self, engine: Engine, phone: str, body: str, at: dt.datetime) -> None:
        self._pool.submit(self._post, phone, body)

    def _post(self, phone: str, body: str) -> int | None:
        data = json.dumps({"phone": phone, "sign": self.sign, "content": body}).encode()
        req = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                log.info("sms to %s: gateway status %s", mask_phone(phone), r.status)
                return r.status
        except Exception as exc:  # the message body is never part of the log line
            log.warning("sms to %s failed: %s", mask_phone(phone), type(exc).__name__)
            return None

    def flush(self) -> None:
        """Wait for queued posts (tests and shutdown)."""
        self._pool.shutdown(wait=True)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="jcy-sms")


_configured: SmsSender | None = None


def sender_from_settings(settings: Settings | None = None) -> SmsSender:
    """The sender the settings choose (``domain.settings`` has already checked backend and URL)."""
    s = current() if settings is None else settings
    if s.sms_backend == "http":
        return HttpGatewaySender(url=s.sms_url, token=s.sms_token, sign=s.sms_sign, timeout=s.sms_timeout)
    return OutboxSender()


def default_sender() -> SmsSender:
    """The process's sender, built once from settings."""
    global _configured
    if _configured is None:
        _configured = sender_from_settings()
    return _configured


def code_message(code: str, sign: str = "上海检察") -> str:
    """The SMS text: the service name and the code only, no case or document details."""
    return f"【{sign}】您的登录验证码为{code}，5分钟内有效。如非本人操作，请忽略本短信。"


def main(argv: list[str] | None = None) -> int:
    """``python -m queries.portal_sms [N]``: the operator reads the development outbox; messages
    older than a code's lifetime are cleared first, so only live codes can be read."""
    import sys

    from sqlalchemy import select

    from domain import clock
    from queries.db import make_engine

    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args and args[0].isdigit() else 10
    engine = make_engine()
    with engine.begin() as conn:
        clear_expired(conn, clock.now_precise())
        rows = conn.execute(select(SmsOutbox.created_at, SmsOutbox.phone_masked, SmsOutbox.body)
                            .order_by(SmsOutbox.id.desc()).limit(n)).all()
    if not rows:
        print("短信发件箱为空 (the SMS outbox is empty)")
    for r in reversed(rows):
        print(f"{r.created_at:%Y-%m-%d %H:%M:%S}  {r.phone_masked}  {r.body}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

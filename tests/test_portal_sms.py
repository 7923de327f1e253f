"""SMS senders: settings pick the adapter; the HTTP gateway gets the message, logs never see the code."""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from domain.settings import SettingsError, load
from queries import portal as P
from queries.portal_sms import HttpGatewaySender, OutboxSender, code_message, sender_from_settings
from queries.schema import SmsOutbox
from tests.portal_fixtures import NOW, PASSWORD, seed


def test_settings_choose_the_sender():
    assert isinstance(sender_from_settings(load({})), OutboxSender)
    s = sender_from_settings(load({"JCY_SMS_BACKEND": "http", "JCY_SMS_URL": "http://127.0.0.1:9/sms",
                                   "JCY_SMS_TOKEN": "t", "JCY_SMS_SIGN": "奉贤检察", "JCY_SMS_TIMEOUT": "2.5"}))
    assert isinstance(s, HttpGatewaySender) and s.sign == "奉贤检察" and s.token == "t" and s.timeout == 2.5
    with pytest.raises(SettingsError, match="JCY_SMS_URL"):
        load({"JCY_SMS_BACKEND": "http"})
    with pytest.raises(SettingsError, match="JCY_SMS_BACKEND"):
        load({"JCY_SMS_BACKEND": "carrier-pigeon"})


def test_message_has_the_code_and_service_name_only():
    m = code_message("123456")
    assert "123456" in m and "上海检察" in m and "5分钟" in m and len(m) < 70


def test_http_gateway_receives_the_code_and_logs_do_not(engine, caplog):
    w = seed(engine)
    got: list[dict] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            got.append({"auth": self.headers["Authorization"],
                        "body": json.loads(self.rfile.read(int(self.headers["Content-Length"])))})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    caplog.set_level(logging.DEBUG)
    try:
        sender = HttpGatewaySender(url=f"http://127.0.0.1:{srv.server_port}/sms", token="secret-token")
        r = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sender)
        sender.flush()
    finally:
        srv.shutdown()
    assert r.status == "sent" and len(got) == 1
    msg = got[0]["body"]
    assert got[0]["auth"] == "Bearer secret-token" and msg["phone"] == w.phone_a and msg["sign"] == "上海检察"
    code = msg["content"].split("验证码为")[1][:6]
    assert P.verify_party_code(engine, w.id_a, w.phone_a, r.request_id, code, now=NOW + dt.timedelta(minutes=1)).ok
    assert code not in caplog.text and w.phone_a not in caplog.text
    assert "138****5678" in caplog.text  # the log names the masked phone and the gateway status only
    with engine.connect() as c:
        assert c.execute(select(SmsOutbox.id)).first() is None  # the HTTP adapter writes no outbox


def test_gateway_failure_does_not_break_login_step_or_leak(engine, caplog):
    w = seed(engine)
    caplog.set_level(logging.DEBUG)
    sender = HttpGatewaySender(url="http://127.0.0.1:9/sms", timeout=0.5)  # nothing listens on port 9
    r = P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sender)
    sender.flush()
    assert r.status == "sent"
    assert "failed" in caplog.text and w.phone_a not in caplog.text and "验证码" not in caplog.text


def test_operator_reads_the_outbox_from_the_command_line(tmp_path, monkeypatch, capsys):
    """A fresh code is readable from the command line; one past its 5 minutes is cleared first."""
    from domain import clock
    from queries.db import make_engine, upgrade
    from queries.portal_sms import CLEARED, main

    url = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    w = seed(engine)
    sender = OutboxSender()
    P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sender)
    sender.flush()
    monkeypatch.setenv("DATABASE_URL", url)
    with clock.frozen(NOW + dt.timedelta(minutes=4, seconds=59)):
        assert main(["5"]) == 0
    out = capsys.readouterr().out
    assert "138****5678" in out and "验证码为" in out and w.phone_a not in out
    with clock.frozen(NOW + dt.timedelta(minutes=5)):
        assert main(["5"]) == 0
    out = capsys.readouterr().out
    assert "138****5678" in out and "验证码为" not in out and CLEARED in out
    with engine.connect() as c:
        assert c.execute(select(SmsOutbox.body)).scalars().all() == [CLEARED]  # cleared, not just hidden


def _bodies(engine) -> list[str]:
    with engine.connect() as c:
        return c.execute(select(SmsOutbox.body).order_by(SmsOutbox.id)).scalars().all()


def test_outbox_keeps_a_code_readable_for_its_lifetime_only(engine):
    """The next write clears every message older than a code's lifetime, by its stored time (what
    a stopped process left behind); the fresh one stays readable."""
    from queries.portal_sms import CLEARED

    w = seed(engine)
    sender = OutboxSender()
    P.request_party_code(engine, w.id_a, w.phone_a, now=NOW, sender=sender)
    sender.flush()
    code = _bodies(engine)[0].split("验证码为")[1][:6]
    assert code.isdigit()
    P.request_lawyer_code(engine, "lw_a", PASSWORD, w.phone_lw_a, now=NOW + dt.timedelta(minutes=4), sender=sender)
    sender.flush()
    assert all("验证码为" in b for b in _bodies(engine))  # both within their 5 minutes
    P.request_party_code(engine, w.id_b, w.phone_b, now=NOW + dt.timedelta(minutes=6), sender=sender)
    sender.flush()
    bodies = _bodies(engine)
    assert bodies[0] == CLEARED and code not in "".join(bodies)
    assert "验证码为" in bodies[1] and "验证码为" in bodies[2]


def test_outbox_timer_clears_a_message_when_its_lifetime_ends(any_engine):
    """Without any later write, the sending process clears the body itself (a monotonic timer,
    here shortened to a second); the row (who, when) stays for the developer."""
    import time

    from queries.portal_sms import CLEARED

    w = seed(any_engine)
    sender = OutboxSender(lifetime=dt.timedelta(seconds=1))
    assert P.request_party_code(any_engine, w.id_a, w.phone_a, now=NOW, sender=sender).status == "sent"
    sender.flush()
    deadline = time.monotonic() + 30
    while _bodies(any_engine) != [CLEARED] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _bodies(any_engine) == [CLEARED]
    with any_engine.connect() as c:
        assert c.execute(select(SmsOutbox.phone_masked)).scalar_one() == "138****5678"

"""The OTP, lockout, send-limit and session rules of domain.otp: one test per rule, frozen clock."""
from __future__ import annotations

import datetime as dt

from domain import otp

T0 = dt.datetime(2026, 11, 20, 9, 0, 0)


def ch(created=T0, attempts=0, used_at=None, delivered=True):
    return otp.Challenge(created, otp.expires_at(created), attempts, used_at, delivered)


def test_code_is_six_digits_from_the_given_random_source():
    assert otp.new_code(lambda n: 42) == "000042"
    assert otp.new_code(lambda n: n - 1) == "999999"
    codes = {otp.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150
    assert otp.well_formed_code("012345") and not otp.well_formed_code("12345")
    assert not otp.well_formed_code("１２３４５６")  # full-width digits are not accepted as a code
    assert not otp.well_formed_code("' OR 1=1")


def test_right_code_within_five_minutes_succeeds_and_resets_failures():
    v = otp.verify(T0 + dt.timedelta(minutes=4, seconds=59), ch(), True, failures=3, locked_until=None)
    assert v.ok and v.reason == "ok" and v.consume and v.failures == 0


def test_code_expires_after_five_minutes():
    v = otp.verify(T0 + dt.timedelta(minutes=5), ch(), True, failures=0, locked_until=None)
    assert not v.ok and v.reason == "expired" and v.failures == 1 and not v.consume


def test_code_works_once():
    v = otp.verify(T0 + dt.timedelta(minutes=1), ch(used_at=T0 + dt.timedelta(seconds=30)), True,
                   failures=0, locked_until=None)
    assert not v.ok and v.reason == "used" and v.failures == 1


def test_wrong_code_counts_an_attempt_and_a_failure():
    v = otp.verify(T0, ch(attempts=2), False, failures=2, locked_until=None)
    assert not v.ok and v.reason == "wrong" and v.attempts == 3 and v.failures == 3


def test_sixth_try_on_a_code_is_refused_even_when_right():
    # five wrong tries spread over fresh failure counts (as if locks had been lifted in between)
    v = otp.verify(T0, ch(attempts=5), True, failures=0, locked_until=None)
    assert not v.ok and v.reason == "exhausted"


def test_fifth_consecutive_failure_locks_for_thirty_minutes():
    v = otp.verify(T0, ch(attempts=0), False, failures=4, locked_until=None)
    assert v.locked_until == T0 + dt.timedelta(minutes=30) and v.failures == 0
    v4 = otp.verify(T0, ch(attempts=0), False, failures=3, locked_until=None)
    assert v4.locked_until is None and v4.failures == 4


def test_lock_refuses_the_right_code_until_it_ends():
    lock = T0 + dt.timedelta(minutes=30)
    held = otp.verify(T0 + dt.timedelta(minutes=29, seconds=59), ch(T0 + dt.timedelta(minutes=29)), True,
                      failures=0, locked_until=lock)
    assert not held.ok and held.reason == "locked" and not held.consume
    after = otp.verify(lock, ch(lock), True, failures=0, locked_until=lock)
    assert after.ok


def test_code_for_a_pair_not_on_record_never_succeeds():
    v = otp.verify(T0, ch(delivered=False), True, failures=0, locked_until=None)
    assert not v.ok and v.reason == "wrong"  # the same answer as a wrong code


def test_missing_challenge_is_a_failure():
    v = otp.verify(T0, None, False, failures=0, locked_until=None)
    assert not v.ok and v.reason == "no_challenge" and v.failures == 1


def test_resend_at_most_once_a_minute():
    d = otp.may_send(T0 + dt.timedelta(seconds=59), last_sent_at=T0, sends_in_window=1, locked_until=None)
    assert not d.allowed and d.reason == "too_soon" and d.retry_after_s == 1
    assert otp.may_send(T0 + dt.timedelta(seconds=60), last_sent_at=T0, sends_in_window=1,
                        locked_until=None).allowed


def test_at_most_ten_sends_a_day():
    assert otp.may_send(T0, last_sent_at=T0 - dt.timedelta(hours=1), sends_in_window=9, locked_until=None).allowed
    d = otp.may_send(T0, last_sent_at=T0 - dt.timedelta(hours=1), sends_in_window=10, locked_until=None)
    assert not d.allowed and d.reason == "daily_limit"


def test_no_code_is_sent_while_locked():
    d = otp.may_send(T0, last_sent_at=None, sends_in_window=0, locked_until=T0 + dt.timedelta(minutes=10))
    assert not d.allowed and d.reason == "locked" and d.retry_after_s == 600


def test_idle_timeout_is_fifteen_minutes():
    login = T0
    assert otp.session_end_reason(T0 + dt.timedelta(minutes=14, seconds=59), logged_in_at=login,
                                  last_action_at=T0) is None
    assert otp.session_end_reason(T0 + dt.timedelta(minutes=15), logged_in_at=login, last_action_at=T0) == "idle"


def test_absolute_timeout_is_twelve_hours_even_with_activity():
    now = T0 + dt.timedelta(hours=12)
    assert otp.session_end_reason(now, logged_in_at=T0, last_action_at=now - dt.timedelta(seconds=1)) == "absolute"
    assert otp.session_end_reason(now - dt.timedelta(seconds=1), logged_in_at=T0,
                                  last_action_at=now - dt.timedelta(seconds=2)) is None


def test_client_limit_25_requests_per_5_minutes_sliding():
    clock = [T0]
    lim = otp.RateLimiter(otp.CLIENT_SENDS, otp.CLIENT_WINDOW, clock=lambda: clock[0])
    for i in range(25):
        clock[0] = T0 + dt.timedelta(seconds=i)
        assert lim.hit("ip-a").allowed
    refused = lim.hit("ip-a")
    assert not refused.allowed and refused.reason == "client_limit" and refused.retry_after_s == 300 - 24
    assert lim.hit("ip-b").allowed  # other clients are not affected
    clock[0] = T0 + otp.CLIENT_WINDOW  # the first hit leaves the window
    assert lim.hit("ip-a").allowed and not lim.hit("ip-a").allowed

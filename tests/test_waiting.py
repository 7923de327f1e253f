"""The wait helper itself: it returns the event's value as soon as it happens, and a timeout says
what it waited for and what it last saw (a wait that can never fail would hide a broken test)."""
import itertools

import pytest

from tests.waiting import wait_until


def test_returns_the_first_truthy_value_without_waiting_longer():
    calls = []
    assert wait_until(lambda: calls.append(1) or (len(calls) >= 4 and "done"), interval=0.01) == "done"
    assert len(calls) == 4  # ends with the event, not at the deadline


def test_timeout_reports_message_and_last_value():
    n = itertools.count()
    with pytest.raises(AssertionError, match=r"refresh never finished .*last value: 0") as err:
        wait_until(lambda: next(n) * 0, timeout=0.2, interval=0.01, message="refresh never finished")
    assert "0.2 s" in str(err.value)

"""Wait for an event instead of sleeping a fixed time.

Why: the suite must pass on a 2-core machine running a second copy of itself (load 5-8), where a
background thread may be scheduled seconds late. A fixed ``time.sleep`` is either too short there
(flaky) or too long everywhere (slow). ``wait_until`` returns as soon as the event has happened, so
its deadline can be generous (tens of seconds) at no cost on a quiet machine.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")

# Long enough for a loaded CI machine; a passing wait ends long before it.
DEADLINE = 30.0


def wait_until(predicate: Callable[[], T], timeout: float = DEADLINE, interval: float = 0.05,
               message: str = "condition not met") -> T:
    """Call ``predicate`` until it returns a truthy value and return that value.

    Raises AssertionError with ``message`` and the last value seen once ``timeout`` seconds pass
    (the predicate is always tried at least once, and once more at the deadline).
    """
    deadline = time.monotonic() + timeout
    while True:
        last_try = time.monotonic() >= deadline
        value = predicate()
        if value:
            return value
        if last_try:
            raise AssertionError(f"{message} (waited {timeout:g} s; last value: {value!r})")
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))

"""The caching seam: one fetch per TTL however many callers, last good value kept on failure.

No test sleeps: background refreshes are awaited as events (``wait_until``) and expiry comes from a
TTL of 0, so the tests hold on a loaded machine where a refresh thread may start seconds late."""
import threading

import pytest

from queries import cache
from queries.cache import Store, get_store, invalidates
from tests.waiting import wait_until


def test_fresh_entry_is_served_from_memory():
    store, calls = Store(), []
    fetch = lambda: calls.append(1) or len(calls)  # noqa: E731
    a = store.get(("f",), fetch, ttl=60)
    b = store.get(("f",), fetch, ttl=60)
    assert a.value == b.value == 1 and len(calls) == 1
    assert a.error is None and a.as_of is not None


def test_concurrent_first_calls_cause_one_fetch():
    store, calls, lock = Store(), [], threading.Lock()
    entered = [0]

    def caller():
        with lock:
            entered[0] += 1
        store.get(("k",), slow, 60)

    def slow():
        """Holds the first fetch open until every caller has started, so all 20 really overlap
        (a fixed sleep would not guarantee that when thread starts are late)."""
        calls.append(1)
        wait_until(lambda: entered[0] == 20, message="callers did not all start")
        return 42

    threads = [threading.Thread(target=caller) for _ in range(20)]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert not any(t.is_alive() for t in threads)
    assert len(calls) == 1
    assert store.get(("k",), slow, 60).value == 42


def test_expired_entry_is_served_stale_and_refreshed_in_background():
    store, calls = Store(), []
    release = threading.Event()

    def fetch():
        calls.append(1)
        if len(calls) > 1:  # the background refresh waits for the test, so "served at once" is proven
            release.wait(60)
        return len(calls)

    store.get(("s",), fetch, ttl=60)
    r = store.get(("s",), fetch, ttl=0)  # expired for this caller (TTL 0: nothing to sleep through)
    assert r.value == 1  # served at once, while the refresh is still held open
    wait_until(lambda: len(calls) == 2, message="no background refresh started")
    assert store.get(("s",), fetch, ttl=60).value == 1  # refreshing: the old value is still served
    release.set()
    wait_until(lambda: store.get(("s",), fetch, ttl=60).value == 2, message="refresh never landed")
    assert len(calls) == 2  # one refresh, however many reads while it ran


def test_failure_keeps_last_good_value_and_reports_error_then_recovers():
    store = Store()
    state = {"fail": False, "n": 0}

    def fetch():
        if state["fail"]:
            raise ConnectionError("database unreachable for 13812345678")
        state["n"] += 1
        return state["n"]

    def failed():
        r = store.get(("x",), fetch, ttl=60)  # reads while it fails retry at most every 5 s
        return r if r.error else None

    def recovered():
        r = store.get(("x",), fetch, ttl=60)
        return r if r.error is None else None

    first = store.get(("x",), fetch, ttl=60)
    state["fail"] = True
    store.get(("x",), fetch, ttl=0)  # expired (TTL 0): served, and one background refresh fails
    during = wait_until(failed, message="the failed refresh was never recorded")
    assert during.value == first.value == 1
    assert during.error and "ConnectionError" in during.error
    assert "13812345678" not in during.error  # personal data never reaches the screen or log
    assert during.as_of == first.as_of  # the age keeps growing while it fails
    state["fail"] = False
    store._entries[("x",)].last_try_mono = 0  # let the retry back-off pass without sleeping
    store.get(("x",), fetch, ttl=60)  # the retry is due: one background refresh, which works
    after = wait_until(recovered, message="never recovered")
    assert after.value == 2


def test_first_call_failure_gives_no_value_and_an_error():
    store = Store()

    def boom():
        raise RuntimeError("down")

    r = store.get(("y",), boom, ttl=10)
    assert r.value is None and r.error and r.as_of is None


def test_store_is_bounded():
    store = Store(max_entries=10)
    for i in range(100):
        store.get(("b", i), lambda: 1, ttl=60)
    assert len(store) == 10


def test_unhashable_arguments_are_refused():
    import pandas as pd
    import pytest

    from queries.cache import live

    @live(ttl=1)
    def q(engine, frame):
        return 1

    with pytest.raises(TypeError):
        q(pd.DataFrame({"a": [1]}))


def test_a_write_marked_invalidates_drops_cached_results_only_when_it_succeeds(monkeypatch):
    """Pages and components never clear the shared store: the write functions do, through this."""
    monkeypatch.setattr(cache, "_fallback", {})  # a store of its own, gone after the test
    store = get_store()
    store.get(("cached",), lambda: 1, ttl=60)

    @invalidates
    def bad_write():
        raise ValueError("a rule the user broke")

    with pytest.raises(ValueError):
        bad_write()
    assert len(store) == 1
    assert invalidates(lambda: "ok")() == "ok" and len(store) == 0

"""The client-address rule (domain.client_addr): a forwarded header counts only from a trusted proxy,
and then only its right-most address that is not a trusted proxy. The audit log and the portal's
per-address limits both rest on it, so a spoofed header must never move either."""
from __future__ import annotations

import pytest

from domain.client_addr import client_address, parse_address, parse_proxies
from domain.settings import SettingsError, load

PROXIES = parse_proxies("10.0.0.5, 10.1.0.0/24, 2001:db8::/64")
LOCAL_PROXY = parse_proxies("127.0.0.1")


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says():
    assert client_address("203.0.113.9", "198.51.100.1", ()) == "203.0.113.9"
    assert client_address("203.0.113.9", None, ()) == "203.0.113.9"
    assert client_address(None, "198.51.100.1", ()) is None  # loopback, not configured


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored():
    for forged in ("198.51.100.1", "10.0.0.5", "198.51.100.1, 10.0.0.5", "127.0.0.1", "garbage"):
        assert client_address("203.0.113.9", forged, PROXIES) == "203.0.113.9"


def test_from_a_trusted_proxy_the_address_it_appended_is_the_client():
    assert client_address("10.0.0.5", "203.0.113.9", PROXIES) == "203.0.113.9"


def test_addresses_the_client_wrote_itself_on_the_left_do_not_count():
    # the client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the address it really saw
    assert client_address("10.0.0.5", "1.1.1.1, 203.0.113.9", PROXIES) == "203.0.113.9"
    # a client pretending to be inside the proxy tier gains nothing either
    assert client_address("10.0.0.5", "10.1.0.7, 203.0.113.9", PROXIES) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert client_address("10.0.0.5", "6.6.6.6, 203.0.113.9, 10.1.0.7, 10.1.0.8", PROXIES) == "203.0.113.9"


def test_header_lines_repeated_are_read_in_order():
    assert client_address("10.0.0.5", ["6.6.6.6", "203.0.113.9, 10.1.0.7"], PROXIES) == "203.0.113.9"


def test_all_trusted_hops_give_the_leftmost():
    assert client_address("10.0.0.5", "10.1.0.9, 10.1.0.7", PROXIES) == "10.1.0.9"


@pytest.mark.parametrize("header", ["", " , ", None, []])
def test_an_empty_header_from_a_trusted_proxy_gives_the_proxy(header):
    assert client_address("10.0.0.5", header, PROXIES) == "10.0.0.5"


def test_garbage_where_the_client_should_be_falls_back_to_the_peer():
    assert client_address("10.0.0.5", "203.0.113.9, not-an-ip", PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", "unknown", PROXIES) == "10.0.0.5"
    assert client_address("10.0.0.5", "203.0.113.9, " + "9" * 500, PROXIES) == "10.0.0.5"


def test_ports_brackets_and_mapped_addresses():
    assert client_address("10.0.0.5", "203.0.113.9:51234", PROXIES) == "203.0.113.9"
    assert client_address("10.0.0.5", "[2001:db9::1]:443", PROXIES) == "2001:db9::1"
    assert client_address("::ffff:10.0.0.5", "203.0.113.9", PROXIES) == "203.0.113.9"  # dual-stack peer
    assert client_address("2001:db8::10", "203.0.113.9", PROXIES) == "203.0.113.9"
    assert client_address("2001:db9::10", "203.0.113.9", PROXIES) == "2001:db9::10"
    assert parse_address('"203.0.113.9"') is not None and parse_address("fe80::1%eth0") is not None


def test_a_proxy_on_the_same_host_is_seen_as_loopback():
    """Streamlit reports a loopback peer as None: trusted only when loopback is configured."""
    assert client_address(None, "203.0.113.9", LOCAL_PROXY) == "203.0.113.9"
    assert client_address(None, "203.0.113.9", parse_proxies("::1")) == "203.0.113.9"
    assert client_address(None, "203.0.113.9", PROXIES) is None
    assert client_address(None, None, LOCAL_PROXY) is None


def test_a_trusted_proxy_is_matched_by_network_not_by_text():
    assert client_address("10.1.0.255", "203.0.113.9", PROXIES) == "203.0.113.9"
    assert client_address("10.1.1.0", "203.0.113.9", PROXIES) == "10.1.1.0"


def test_the_setting_parses_addresses_and_networks_and_refuses_anything_else():
    assert [str(n) for n in load({"JCY_TRUSTED_PROXIES": " 10.0.0.5 ,10.1.0.3/24;::1"}).trusted_proxies] == \
        ["10.0.0.5/32", "10.1.0.0/24", "::1/128"]
    assert load({}).trusted_proxies == ()
    for bad in ("10.0.0.300", "proxy.internal", "10.0.0.0/33"):
        with pytest.raises(SettingsError, match="JCY_TRUSTED_PROXIES"):
            load({"JCY_TRUSTED_PROXIES": bad})


def test_a_client_ip_header_without_trusted_proxies_is_refused_at_start():
    """The old setting alone trusted the header from anyone: a deployment must now name its proxies."""
    with pytest.raises(SettingsError, match="JCY_TRUSTED_PROXIES"):
        load({"JCY_CLIENT_IP_HEADER": "X-Real-IP"})
    assert load({"JCY_CLIENT_IP_HEADER": "X-Real-IP", "JCY_TRUSTED_PROXIES": "10.0.0.5"}).client_ip_header == "X-Real-IP"


def test_both_apps_use_the_one_rule():
    from components import auth, portal_login

    assert portal_login.client_address is auth.client_addr


def test_only_text_counts_as_an_address():
    """Under AppTest ``st.context`` hands out stand-ins; they must never reach the audit log."""
    from unittest.mock import MagicMock

    assert client_address(MagicMock(), MagicMock(), LOCAL_PROXY) is None
    assert client_address("10.0.0.5", [MagicMock(), "203.0.113.9"], PROXIES) == "203.0.113.9"

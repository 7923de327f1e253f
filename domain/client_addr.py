"""Which address a request came from, for the audit log and the portal's per-address limits.

One rule for every app. A forwarded-for header is only as honest as whoever wrote it: a client can
send ``X-Forwarded-For: 1.2.3.4`` itself, and a proxy appends the address it saw on the right. So:

- the peer (the TCP connection's address) is the answer unless it is one of the configured trusted
  proxies (``JCY_TRUSTED_PROXIES``); a header from anyone else is ignored;
- from a trusted peer, walk the header from the right, skipping trusted proxies; the first address
  that is not a trusted proxy is the client (everything to its left was written by that client and
  may be forged);
- an entry that is not an address where the answer should be (a proxy that wrote garbage) falls
  back to the peer, which is at least true; if every entry is a trusted proxy, the left-most is the
  client (a request from inside the proxy tier).

Streamlit reports a loopback peer as ``None`` (``st.context.ip_address``), so ``None`` is treated as
loopback: trusted only if 127.0.0.1 or ::1 is configured, and reported as ``None`` (local).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def parse_proxies(text: str) -> tuple[Network, ...]:
    """``"10.0.0.1, 10.1.0.0/16, ::1"`` → networks; a bad entry raises ValueError naming it."""
    out: list[Network] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"“{part[:40]}” 不是 IP 地址或网段，如 10.0.0.5 或 10.0.0.0/24 "
                             "(not an address or CIDR such as 10.0.0.5 or 10.0.0.0/24)") from None
    return tuple(out)


def parse_address(text: str | None) -> Address | None:
    """An address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``::ffff:1.2.3.4``
    (an IPv4 client seen on a dual-stack socket is the IPv4 address). None if it is not one."""
    s = (text or "").strip().strip('"')
    if not s or len(s) > 64:
        return None
    if s.startswith("["):  # [v6] or [v6]:port
        s = s[1:].split("]", 1)[0]
    elif s.count(":") == 1:  # v4:port
        s = s.split(":", 1)[0]
    s = s.split("%", 1)[0]  # an IPv6 zone id says nothing about the client
    try:
        addr = ipaddress.ip_address(s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def is_trusted(addr: Address, trusted: Iterable[Network]) -> bool:
    return any(addr.version == n.version and addr in n for n in trusted)


def client_address(peer: str | None, forwarded: str | Sequence[str] | None,
                   trusted: Sequence[Network]) -> str | None:
    """The client's address (see the module doc): ``peer`` is the connection's address (None:
    loopback), ``forwarded`` the forwarded-for header's value(s) in the order received."""
    if not isinstance(peer, str):  # None (loopback), or a test double standing in for Streamlit
        peer_addr = None
        peer_trusted = any(is_trusted(a, trusted) for a in _LOOPBACK)
    else:
        peer_addr = parse_address(peer)
        if peer_addr is None:  # not an address at all: report it as Streamlit gave it, trust nothing
            return peer.strip()[:64] or None
        peer_trusted = is_trusted(peer_addr, trusted)
    peer_text = None if peer_addr is None else str(peer_addr)
    if not peer_trusted or not forwarded:
        return peer_text
    values = [forwarded] if isinstance(forwarded, str) else list(forwarded)
    hops = [h.strip() for v in values if isinstance(v, str) for h in v.split(",")]
    hops = [h for h in hops if h]
    if not hops:
        return peer_text
    for hop in reversed(hops):
        addr = parse_address(hop)
        if addr is None:
            return peer_text  # a trusted proxy wrote something we cannot read: the peer is true
        if not is_trusted(addr, trusted):
            return str(addr)
    return str(parse_address(hops[0]))

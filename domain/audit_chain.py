"""The audit log as evidence: each entry's keyed hash covers its content and the previous entry's
hash, so an edited, deleted or inserted row breaks the chain (等保 level 3 安全审计: protect the
records against deletion and overwrite).

Pure rules, no database and no key: ``canonical`` is the exact text an entry's hash is taken over,
and ``check`` walks the entries in id order with a ``sign`` function the query layer supplies
(HMAC-SHA256 with the product's secret, ``queries.crypto``). Without the key a database
administrator cannot recompute a hash after changing a row.

The chain has a base and a head, kept in the one ``audit_chain`` row:

- the **head** (last id and hash) is moved by every new entry, so deleting the newest entries is
  noticed (the head names an entry that is gone);
- the **base** (id and hash of the last entry purged, genesis before any purge) is moved only by a
  purge, which also writes an entry noting the new base (``base_note``); that entry is itself
  chained, so a base moved by hand (to hide the oldest entries' deletion) disagrees with it.

What a chain cannot show by itself: someone holding both the database and the key, or someone who
deletes the newest entries and moves the head back consistently. Exports (with the hashes) and an
off-host copy of the head cover that.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

GENESIS = "0" * 64
FORMAT = "jcy-audit-1"  # a new canonical form would get a new tag, and old rows keep theirs
PURGE_EVENT = "审计日志清理"
EXPORT_EVENT = "审计日志导出"
CHECK_EVENT = "审计日志校验"


def at_text(at: dt.datetime) -> str:
    """A time as the hash sees it: always with microseconds, so both engines write the same text."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass(frozen=True)
class Entry:
    """One audit row as stored (``row_hash`` None: never signed)."""

    id: int
    at: dt.datetime
    actor: str
    actor_role: str
    actor_procuratorate: str | None
    client_addr: str | None
    event: str
    target: str | None
    result: str
    detail: str | None
    prev_hash: str | None
    row_hash: str | None = None


def canonical(e: Entry) -> str:
    """The text an entry's hash covers: a JSON array in a fixed order, no whitespace, non-ASCII kept."""
    return json.dumps([FORMAT, int(e.id), at_text(e.at), e.actor, e.actor_role, e.actor_procuratorate,
                       e.client_addr, e.event, e.target, e.result, e.detail, e.prev_hash],
                      ensure_ascii=False, separators=(",", ":"))


def base_note(base_id: int, base_hash: str) -> str:
    """How a purge entry records the new base. The hash is written in groups of eight so that no run
    of digits in it looks like a phone or ID number to the log's own masking."""
    groups = "-".join(base_hash[i:i + 8] for i in range(0, len(base_hash), 8))
    return f"基点 #{base_id} {groups}"


_NOTE = re.compile(r"基点 #(\d+) ([0-9a-f]{8}(?:-[0-9a-f]{8}){7})")


def parse_base_note(detail: str | None) -> tuple[int, str] | None:
    m = _NOTE.search(detail or "")
    return (int(m.group(1)), m.group(2).replace("-", "")) if m else None


@dataclass(frozen=True)
class Head:
    """The ``audit_chain`` row."""

    last_id: int
    last_hash: str
    base_id: int
    base_hash: str
    exported_through: int = 0


@dataclass(frozen=True)
class ChainCheck:
    """What ``verify`` found: ``ok``, entries checked, the first entry at fault and why (Chinese)."""

    ok: bool
    checked: int
    first_bad_id: int | None
    reason: str


def check(entries: Iterable[Entry], head: Head, sign: Callable[[str], str]) -> ChainCheck:
    """Walk ``entries`` (every stored row, in id order) against ``head``; stop at the first fault."""
    expected_prev = head.base_hash
    last_id, last_hash, n = head.base_id, head.base_hash, 0
    anchor: tuple[int, str] | None = None  # the newest successful purge's note
    anchor_id: int | None = None
    first_id: int | None = None
    for e in entries:
        if e.id <= head.base_id:
            return ChainCheck(False, n, e.id, f"第 {e.id} 号记录早于清理基点 #{head.base_id}，本应已清理："
                                              "记录被插入，或清理基点被改动。")
        if first_id is None:
            first_id = e.id
        if e.row_hash is None:
            return ChainCheck(False, n, e.id, f"第 {e.id} 号记录没有哈希：它未经审计接口写入。")
        if e.prev_hash != expected_prev:
            if n == 0:
                why = (f"第 {e.id} 号记录（现存最早的一条）与清理基点 #{head.base_id} 不相接："
                       "更早的记录被删除，或清理基点被改动。")
            else:
                why = f"第 {e.id} 号记录与前一条（第 {last_id} 号）不相接：两者之间的记录被删除，或前一条被改动。"
            return ChainCheck(False, n, e.id, why)
        if sign(canonical(e)) != e.row_hash:
            return ChainCheck(False, n, e.id, f"第 {e.id} 号记录的内容与其哈希不符：该记录被修改。")
        if e.event == PURGE_EVENT and e.result == "成功":
            note = parse_base_note(e.detail)
            if note is not None:
                anchor, anchor_id = note, e.id
        n += 1
        expected_prev = last_hash = e.row_hash
        last_id = e.id
    if (last_id, last_hash) != (head.last_id, head.last_hash):
        if head.last_id > last_id:
            why = (f"链尾登记为第 {head.last_id} 号记录，而现存最新的是第 {last_id} 号："
                   "最新的记录被删除。")
        else:
            why = f"链尾登记（第 {head.last_id} 号）与现存最新记录（第 {last_id} 号）不符：链尾被改动。"
        return ChainCheck(False, n, head.last_id if head.last_id > last_id else last_id, why)
    if anchor is None:
        if (head.base_id, head.base_hash) != (0, GENESIS):
            return ChainCheck(False, n, first_id, f"清理基点为第 {head.base_id} 号，但日志中没有相应的清理记录："
                                                  "清理基点被改动，最早的记录被删除。")
    elif anchor != (head.base_id, head.base_hash):
        return ChainCheck(False, n, anchor_id, f"清理基点（第 {head.base_id} 号）与第 {anchor_id} 号清理记录所载"
                                               f"（第 {anchor[0]} 号）不符：清理基点被改动。")
    span = f"第 {first_id}–{last_id} 号" if first_id is not None else "（空）"
    return ChainCheck(True, n, None, f"完整：共校验 {n} 条记录（{span}），哈希链连续，链尾与清理基点均相符。")

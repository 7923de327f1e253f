"""Every setting the product reads from its environment, declared once (as datasette declares its own).

Why one module: a deployer must find every knob in one table, and a bad value must stop a process
at start with a message that names the variable, not fail later in a page. Each ``Setting`` is
name, environment variable, default, parser and one line of help; ``current()`` reads them all
once, the README's configuration table is checked against ``SETTINGS`` by a test, and
``python -m domain.settings`` prints the table (``--check`` validates the environment and exits 1
with the messages).

Root keys of ``.streamlit/secrets.toml`` are exported to the environment by Streamlit, so a value
may come from there too. Nothing else in the product reads ``os.environ``.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from domain.client_addr import Network, parse_proxies

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "data" / "jcy.sqlite3"


class SettingsError(ValueError):
    """One or more settings have values the product cannot use; the message names each variable.

    ``problems`` keeps them apart, (variable, what is wrong), without the values, so a page can list
    them one a line and show no secret; the message (for a terminal or a log) adds each value that
    is not secret.
    """

    def __init__(self, problems: list[tuple[str, str]], values: Mapping[str, str] | None = None) -> None:
        self.problems = list(problems)
        self.values = dict(values or {})
        super().__init__("配置有误 (bad settings): " + "; ".join(
            f"{env}={self.values[env]!r}: {why}" if env in self.values else f"{env}: {why}"
            for env, why in self.problems))


def _text(value: str) -> str:
    return value.strip()


def _database_url(value: str) -> str:
    url = value.strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ValueError("应为 sqlite:///路径 或 postgresql+psycopg://user@host/db "
                         "(use sqlite:///path or postgresql+psycopg://user@host/db)")
    return url


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        v = value.strip().lower()
        if v not in allowed:
            raise ValueError(f"应为 {'、'.join(allowed)} 之一 (must be one of {', '.join(allowed)})")
        return v
    return parse


def _positive_float(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ValueError("应为秒数 (must be a number of seconds)") from None
    if not x > 0:
        raise ValueError("应大于 0 (must be greater than 0)")
    return x


def _minutes(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ValueError("应为分钟数 (must be a number of minutes)") from None
    if x < 0:
        raise ValueError("不能为负数 (must not be negative)")
    return x


def _optional_path(value: str) -> Path | None:
    return Path(value.strip()) if value.strip() else None


def _optional_instant(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    from domain.clock import parse_start

    return parse_start(value)


def _header_name(value: str) -> str:
    v = value.strip()
    if v and not all(c.isalnum() or c == "-" for c in v):
        raise ValueError("应为 HTTP 头名称，如 X-Real-IP (must be an HTTP header name such as X-Real-IP)")
    return v


@dataclass(frozen=True)
class Setting:
    """One knob: its field name, environment variable, default (as text), parser and help."""

    name: str
    env: str
    default: str
    parse: Callable[[str], Any]
    help: str
    shown_default: str = ""  # how the README states the default when the text above is empty
    secret: bool = False  # never echoed in an error message (it may hold a password or a key)


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "DATABASE_URL", "", _database_url,
            "`postgresql+psycopg://user:pw@host/db` selects PostgreSQL (psycopg 3); `postgresql://` is accepted",
            "`sqlite:///data/jcy.sqlite3`", secret=True),
    Setting("hash_key", "JCY_HASH_KEY", "", _text,
            "secret for the keyed hashes of ID and phone numbers; set it in production and keep it out "
            "of the database host", "a random key created in `data/hash.key`", secret=True),
    Setting("sms_backend", "JCY_SMS_BACKEND", "outbox", _choice("outbox", "http"),
            "`outbox` writes each SMS to the `sms_outbox` table (read it with `python -m "
            "queries.portal_sms`); `http` posts it to the gateway below"),
    Setting("sms_url", "JCY_SMS_URL", "", _text, "the SMS gateway's endpoint (`http://` or `https://`)",
            "unset", secret=True),
    Setting("sms_token", "JCY_SMS_TOKEN", "", _text, "the gateway's bearer token", "unset", secret=True),
    Setting("sms_sign", "JCY_SMS_SIGN", "上海检察", _text, "the signature shown in each message"),
    Setting("sms_timeout", "JCY_SMS_TIMEOUT", "5", _positive_float, "seconds to wait for the gateway"),
    Setting("trusted_proxies", "JCY_TRUSTED_PROXIES", "", parse_proxies,
            "comma-separated addresses or CIDRs of the reverse proxies in front of the apps "
            "(e.g. `10.0.0.5, 10.1.0.0/24`); only a request from one of them may name its client in a "
            "forwarded header, for the audit log and the portal's per-address limits (the right-most "
            "address that is not a trusted proxy; Streamlit reports a proxy on the same host as loopback: "
            "list `127.0.0.1`)", "unset (the connection's own address; forwarded headers ignored)"),
    Setting("client_ip_header", "JCY_CLIENT_IP_HEADER", "", _header_name,
            "the header the trusted proxies above put the client's address in (e.g. `X-Real-IP`); "
            "needs `JCY_TRUSTED_PROXIES`", "unset (`X-Forwarded-For`)"),
    Setting("screen_config", "SMART_SCREEN_CONFIG", "", _optional_path,
            "another TOML file for the smart screen's scenes and timing", "`config/smart_screen.toml`"),
    Setting("demo_logins", "JCY_DEMO_LOGINS", "", _optional_path,
            "where `sample_data.build` writes the demo portal logins (always for the demo scale)",
            "`data/demo_logins.csv`"),
    Setting("clock_start", "JCY_CLOCK_START", "", _optional_instant,
            "tests and trials only: start the product's clock at this Shanghai date or time "
            "(`2028-02-29`, `2028-02-29T09:30`) and let it run; `…@<unix time>` makes every process read "
            "the same time (the test suite adds it)", "unset (the real time)"),
    Setting("models_every", "JCY_MODELS_EVERY", "10", _minutes,
            "minutes between two runs of the legal-supervision models by the live feed's worker "
            "(incremental: a model whose inputs did not change is skipped and nothing is written); `0` "
            "turns the schedule off (`jcy models run` still runs them)"),
)


@dataclass(frozen=True)
class Settings:
    database_url: str
    hash_key: str
    sms_backend: str
    sms_url: str
    sms_token: str
    sms_sign: str
    sms_timeout: float
    trusted_proxies: tuple[Network, ...]
    client_ip_header: str
    screen_config: Path | None
    demo_logins: Path | None
    clock_start: dt.datetime | None
    models_every: float


assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS], "declare each setting once"


def load(env: Mapping[str, str]) -> Settings:
    """Parse every setting from ``env``; all bad values are reported together."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    shown: dict[str, str] = {}
    for s in SETTINGS:
        raw = env.get(s.env)
        raw = s.default if raw is None or not raw.strip() else raw
        try:
            values[s.name] = s.parse(raw)
        except ValueError as exc:
            errors.append((s.env, str(exc)))
            if not s.secret:
                shown[s.env] = raw
    if values.get("sms_backend") == "http" and not str(values.get("sms_url", "")).startswith(("http://", "https://")):
        errors.append(("JCY_SMS_URL", "JCY_SMS_BACKEND=http 时必须设置 http:// 或 https:// 地址 "
                                      "(JCY_SMS_BACKEND=http needs JCY_SMS_URL)"))
    if values.get("client_ip_header") and "trusted_proxies" in values and not values["trusted_proxies"]:
        errors.append(("JCY_TRUSTED_PROXIES", "设置 JCY_CLIENT_IP_HEADER 时须列出可信代理的地址，否则任何人都能伪造该头 "
                                              "(JCY_CLIENT_IP_HEADER needs the proxies' addresses here)"))
    if errors:
        raise SettingsError(errors, shown)
    return Settings(**values)


@functools.lru_cache(maxsize=8)
def _cached(items: frozenset[tuple[str, str]]) -> Settings:
    return load(dict(items))


def current() -> Settings:
    """The settings of this process, re-read only when one of its variables changes (tests move them)."""
    names = {s.env for s in SETTINGS}
    return _cached(frozenset((k, v) for k, v in os.environ.items() if k in names))


def markdown_table() -> str:
    """The README's configuration table, from the declarations above."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = s.shown_default or (f"`{s.default}`" if s.default else "unset")
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m domain.settings``: print the README table; ``--check``: validate, exit 1 if bad."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--check"]:
        try:
            current()
        except SettingsError as exc:
            print("配置有误 (bad settings):", file=sys.stderr)
            for env, why in exc.problems:
                value = f"={exc.values[env]!r}" if env in exc.values else ""
                print(f"  {env}{value}: {why}", file=sys.stderr)
            return 1
        print("settings ok")
        return 0
    print(markdown_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""domain.settings: one declaration per setting, checked together, documented in the README.

The README test is what makes a new setting without documentation fail; the os.environ test is what
keeps every read going through the one module.
"""
from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from domain import settings as S
from domain.settings import SETTINGS, SettingsError, load, markdown_table
from tests.sources import python_files

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PRODUCT_DIRS = ("apps", "pages", "components", "queries", "domain", "sample_data")

# A value each fallible parser must refuse. Text and path settings accept anything.
BAD = {
    "DATABASE_URL": "mysql://root:hunter2@db/jcy",
    "JCY_SMS_BACKEND": "carrier-pigeon",
    "JCY_SMS_TIMEOUT": "five",
    "JCY_MODELS_EVERY": "-5",
    "JCY_CLIENT_IP_HEADER": "X Real IP",
    "JCY_TRUSTED_PROXIES": "proxy.internal",
    "JCY_CLOCK_START": "next Tuesday",
}


def test_readme_has_the_settings_table_verbatim():
    assert markdown_table() in README, "README's configuration table differs from `python -m domain.settings`"


def test_every_setting_has_help_and_a_unique_variable():
    envs = [s.env for s in SETTINGS]
    assert len(envs) == len(set(envs))
    assert all(s.help.strip() for s in SETTINGS)


def test_defaults_load():
    s = load({})
    assert s.database_url.startswith("sqlite:///") and s.sms_backend == "outbox" and s.sms_timeout == 5.0
    assert s.clock_start is None and s.screen_config is None and s.client_ip_header == ""


def test_values_are_parsed():
    s = load({"DATABASE_URL": "postgresql://u@h/db", "JCY_SMS_BACKEND": " HTTP ", "JCY_SMS_URL": "https://gw/sms",
              "JCY_SMS_TIMEOUT": "2.5", "JCY_CLOCK_START": "2028-02-29", "SMART_SCREEN_CONFIG": "/etc/s.toml",
              "JCY_CLIENT_IP_HEADER": "X-Real-IP", "JCY_TRUSTED_PROXIES": "10.0.0.5"})
    assert s.database_url == "postgresql+psycopg://u@h/db" and s.sms_backend == "http" and s.sms_timeout == 2.5
    assert s.clock_start == dt.datetime(2028, 2, 29, 9, 0) and s.screen_config == Path("/etc/s.toml")
    assert s.client_ip_header == "X-Real-IP"


def test_every_fallible_setting_has_a_bad_value_here():
    fallible = {s.env for s in SETTINGS if s.parse not in (S._text, S._optional_path)}
    assert fallible == set(BAD)


@pytest.mark.parametrize("env", sorted(BAD))
def test_a_bad_value_is_refused_naming_the_variable(env):
    with pytest.raises(SettingsError) as err:
        load({env: BAD[env]})
    assert [p[0] for p in err.value.problems] == [env]
    assert env in str(err.value)


@pytest.mark.parametrize("env, value", [("JCY_SMS_TIMEOUT", "0"), ("JCY_SMS_TIMEOUT", "-1"),
                                        ("JCY_CLOCK_START", "2027-02-29"), ("DATABASE_URL", "mysql://x")])
def test_more_bad_values(env, value):
    with pytest.raises(SettingsError, match=env):
        load({env: value})


def test_several_bad_values_are_reported_together():
    with pytest.raises(SettingsError) as err:
        load(BAD)
    assert sorted(p[0] for p in err.value.problems) == sorted(BAD)
    for env in BAD:
        assert env in str(err.value)


def test_http_backend_needs_a_url():
    with pytest.raises(SettingsError, match="JCY_SMS_URL"):
        load({"JCY_SMS_BACKEND": "http"})


def test_secrets_are_never_echoed():
    with pytest.raises(SettingsError) as err:
        load({"DATABASE_URL": BAD["DATABASE_URL"], "JCY_SMS_TIMEOUT": "five"})
    assert "hunter2" not in str(err.value) and "'five'" in str(err.value)
    assert all("hunter2" not in why for _, why in err.value.problems)


def test_current_follows_the_environment(monkeypatch):
    monkeypatch.setenv("JCY_SMS_SIGN", "奉贤检察")
    assert S.current().sms_sign == "奉贤检察"
    monkeypatch.setenv("JCY_SMS_TIMEOUT", "nope")
    with pytest.raises(SettingsError, match="JCY_SMS_TIMEOUT"):
        S.current()


def test_check_command(monkeypatch, capsys):
    monkeypatch.setenv("JCY_SMS_TIMEOUT", "nope")
    monkeypatch.setenv("JCY_CLOCK_START", "soon")
    assert S.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "JCY_SMS_TIMEOUT='nope'" in err and "JCY_CLOCK_START='soon'" in err and "Traceback" not in err
    monkeypatch.delenv("JCY_SMS_TIMEOUT")
    monkeypatch.delenv("JCY_CLOCK_START")
    assert S.main(["--check"]) == 0
    assert S.main([]) == 0 and markdown_table() in capsys.readouterr().out


def _reads_environ(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(a.name in ("environ", "getenv", "environb") for a in node.names):
            lines.append(node.lineno)
    return lines


def test_only_the_settings_module_reads_the_environment():
    offenders = [f"{rel}:{line}" for rel, source in python_files(PRODUCT_DIRS, skip="domain/settings.py")
                 for line in _reads_environ(ast.parse(source))]
    assert not offenders, f"read settings through domain.settings.current(): {offenders}"


def test_variables_outside_the_product_are_documented_too():
    """Tests, benchmarks and the Makefile read a few variables of their own; the README lists them."""
    names = set()
    for d in ("tests", "bench", "tools", ".ci"):
        for path in (ROOT / d).rglob("*"):
            if path.is_file() and path.suffix in (".py", "") and "__pycache__" not in path.parts:
                text = path.read_text(encoding="utf-8", errors="ignore")
                names |= set(re.findall(r"""environ(?:\.get)?[\[(]\s*["']([A-Z][A-Z0-9_]+)["']""", text))
    names |= set(re.findall(r"^([A-Z][A-Z0-9_]+) \?=", (ROOT / "Makefile").read_text(), re.M))
    names -= {"TMPDIR"}  # the system's
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"document these in README's configuration section: {missing}"


def test_each_app_checks_its_settings_first():
    for app in sorted((ROOT / "apps").glob("*.py")):
        src = app.read_text(encoding="utf-8")
        assert "require_settings()" in src, f"{app.name} must call components.shell.require_settings()"


@pytest.mark.parametrize("app", sorted(p.name for p in (ROOT / "apps").glob("*.py")))
def test_app_with_a_bad_setting_says_which_and_stops(app, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("JCY_SMS_TIMEOUT", "five")
    monkeypatch.setenv("DATABASE_URL", BAD["DATABASE_URL"])
    at = AppTest.from_file(str(ROOT / "apps" / app), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "配置有误" in msg and "JCY_SMS_TIMEOUT" in msg and "DATABASE_URL" in msg
    assert "hunter2" not in msg and "five" not in msg and "Traceback" not in msg

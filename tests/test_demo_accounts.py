"""No shared default passwords: each demo account gets its own random password, issued by the
build, written to a file only its owner can read, and staff must change it at first sign-in."""
from __future__ import annotations

import stat

from sqlalchemy import select

from queries.password_hash import password_ok
from queries.schema import AppUser, UserRole
from sample_data import demo_accounts
from sample_data.build import build


def test_each_account_has_its_own_password_in_a_private_file(engine, tmp_path):
    ctx = build(engine, scale="tiny", seed=7, progress=False)
    passwords = ctx.ids["passwords"]
    path = demo_accounts.write(engine, passwords, {"大屏-演示": "jcyk_example"}, tmp_path / "demo_accounts.txt")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    with engine.connect() as c:
        users = c.execute(select(AppUser.username, AppUser.password_hash, AppUser.must_change_password,
                                 AppUser.role)).all()
        roles = {r for (r,) in c.execute(select(UserRole.role).distinct())}
    assert len(users) == len(passwords) >= 80
    assert len(set(passwords.values())) == len(passwords)  # nobody shares a password
    assert len({u.password_hash for u in users}) == len(users)
    for u in users:
        assert password_ok(u.password_hash, passwords[u.username]), u.username
        assert f"{u.username:<22}{passwords[u.username]}" in text
        assert u.must_change_password == (u.role != "lawyer")
    assert roles == {"leader", "prosecutor", "supervision", "pil", "data", "sysadmin", "secadmin", "auditor"}
    assert "jcyk_example" in text and "首次登录须修改密码" in text


def test_an_existing_file_is_made_private_again(engine, tmp_path):
    path = tmp_path / "demo_accounts.txt"
    path.write_text("old")
    path.chmod(0o644)
    demo_accounts.write(engine, {}, None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "old" not in path.read_text()

"""The demo accounts' issued passwords (and demo screen keys), written once to a file only its owner
can read (``data/demo_accounts.txt``, mode 600) and printed, so that nobody shares a default
password: every build issues new random ones, and staff must change theirs at first sign-in."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, select

from domain.access import ROLE_NAMES, STAFF_ROLES
from domain.settings import ROOT
from queries.schema import AppUser, Procuratorate, UserRole

DEMO_ACCOUNTS = ROOT / "data" / "demo_accounts.txt"


def lines(engine: Engine, passwords: dict[str, str], screen_keys: dict[str, str] | None = None) -> list[str]:
    with engine.connect() as conn:
        users = conn.execute(select(AppUser.id, AppUser.username, AppUser.role, Procuratorate.name)
                             .outerjoin(Procuratorate, Procuratorate.id == AppUser.procuratorate_id)
                             .order_by(AppUser.id)).all()
        roles: dict[int, list[str]] = {}
        for uid, role in conn.execute(select(UserRole.user_id, UserRole.role)):
            roles.setdefault(uid, []).append(role)
    out = ["# 演示账号：每次生成演示数据时随机签发，仅本文件和生成时的终端输出中出现一次。",
           "# 工作人员首次登录须修改密码，并用手机身份验证器 App 绑定动态验证码（TOTP）。",
           "# Demo accounts: random passwords issued by this build only. Staff change theirs and enrol an",
           "# authenticator app at first sign-in. Lawyers sign in on the portal (password + SMS code).",
           "", f"{'账号 account':<22}{'初始密码 password':<20}{'角色 roles':<24}所属院 procuratorate"]
    for u in users:
        if u.username not in passwords:
            continue
        names = "、".join(ROLE_NAMES[r][0] for r in STAFF_ROLES if r in roles.get(u.id, [])) or \
            ("律师（门户）" if u.role == "lawyer" else "—")
        out.append(f"{u.username:<22}{passwords[u.username]:<20}{names:<24}{u.name or '—'}")
    if screen_keys:
        out += ["", "# 智慧大屏密钥（设备登录；地址栏 ?key=…）/ smart-screen device keys",
                *(f"{name:<22}{key}" for name, key in screen_keys.items())]
    return out


def write(engine: Engine, passwords: dict[str, str], screen_keys: dict[str, str] | None = None,
          path: Path = DEMO_ACCOUNTS) -> Path:
    """Write the file with mode 600 from the start (never world-readable, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines(engine, passwords, screen_keys)) + "\n")
    return path

"""The sign-in forms of the dashboards: account and password, the dynamic code, enrolment of an
authenticator app (QR code drawn locally: nothing is fetched), and the forced password change.

Rendering only: each form returns what was typed; ``pages/signin.py`` runs the steps.
"""
from __future__ import annotations

import io

import segno
import streamlit as st

from components.i18n import tr
from domain.passwords import MIN_LENGTH


def heading() -> None:
    st.title(tr("检察工作台 · 登录", "Procuratorate workbench · sign in"))
    st.caption(tr("仅限本院工作人员使用。登录需账号密码和手机动态验证码两种方式；所有操作记入审计日志。",
                  "Staff only. Signing in takes a password and a code from an authenticator app; "
                  "every action is audited."))


def password_form() -> tuple[str, str] | None:
    with st.form("signin_password"):
        user = st.text_input(tr("账号", "Account"), max_chars=40, autocomplete="username")
        pw = st.text_input(tr("密码", "Password"), type="password", max_chars=128, autocomplete="current-password")
        go = st.form_submit_button(tr("下一步", "Next"), type="primary")
    return (user, pw) if go else None


def code_form(username: str) -> str | None:
    st.info(tr(f"账号 {username}：请输入手机验证器（身份验证器 App）上显示的 6 位动态验证码。",
               f"Account {username}: enter the 6-digit code shown in your authenticator app."))
    with st.form("signin_code"):
        code = st.text_input(tr("动态验证码", "Code"), max_chars=8, autocomplete="one-time-code")
        go = st.form_submit_button(tr("登录", "Sign in"), type="primary")
    return code if go else None


def change_form(username: str) -> tuple[str, str] | None:
    st.warning(tr(f"账号 {username} 正在使用系统签发的初始密码，请先设置您自己的密码。",
                  f"Account {username} still has the password it was issued; please choose your own."))
    st.caption(tr(f"要求：至少 {MIN_LENGTH} 个字符；不能是或包含账号名；不能是常见密码。建议使用一句容易记住的话。",
                  f"At least {MIN_LENGTH} characters; not (or containing) the account name; not a common "
                  "password. A short sentence you remember works well."))
    with st.form("signin_change"):
        new = st.text_input(tr("新密码", "New password"), type="password", max_chars=128,
                            autocomplete="new-password")
        again = st.text_input(tr("再次输入新密码", "New password again"), type="password", max_chars=128,
                              autocomplete="new-password")
        go = st.form_submit_button(tr("设置密码", "Set password"), type="primary")
    return (new, again) if go else None


def enrol_form(username: str, secret: str, uri: str) -> str | None:
    st.info(tr("首次登录须绑定动态验证码：用手机上的身份验证器 App（如 Microsoft Authenticator、FreeOTP、"
               "各类“身份验证器”）扫描下方二维码，或手动输入密钥，然后填写 App 显示的 6 位数字。",
               "First sign-in: scan the QR code with an authenticator app (or type the key), then enter the "
               "6-digit code it shows."))
    c1, c2 = st.columns([1, 2])
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="png", scale=6, border=2)
    c1.image(buf.getvalue(), caption=tr("扫码绑定", "Scan to enrol"), width=220)
    c2.markdown(tr("**手动输入密钥**", "**Key to type in**"))
    c2.code(" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), language=None)
    c2.caption(tr(f"账号：{username}；类型：基于时间（TOTP），6 位，30 秒。",
                  f"Account: {username}; time-based (TOTP), 6 digits, 30 s."))
    with st.form("signin_enrol"):
        code = st.text_input(tr("App 显示的 6 位数字", "The 6-digit code"), max_chars=8,
                             autocomplete="one-time-code")
        go = st.form_submit_button(tr("完成绑定并登录", "Enrol and sign in"), type="primary")
    return code if go else None


def restart_button() -> bool:
    return st.button(tr("返回重新登录", "Start again"))

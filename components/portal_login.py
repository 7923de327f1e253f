"""The shared parts of the two login pages: neutral send messages and the code step."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components import portal_session as session
from components.auth import client_addr as client_address  # one rule for both apps; see there
from components.i18n import tr
from domain.portal import LoginResult, SendResult


def send_feedback(res: SendResult) -> None:
    """The same wording whether or not the ID number and phone are on record."""
    if res.status == "sent":
        st.success(tr(f"如您的信息已在检察机关登记，验证码已发送至尾号 {res.phone_hint} 的手机，5分钟内有效。",
                      f"If your details are on record, a code was sent to the phone ending {res.phone_hint}; "
                      "it is valid for 5 minutes."))
    elif res.status == "too_soon":
        st.warning(tr(f"验证码发送过于频繁，请 {res.retry_after_s} 秒后再试。",
                      f"Please wait {res.retry_after_s} s before asking for another code."))
    elif res.status == "daily_limit":
        st.warning(tr("24小时内获取验证码次数已达上限（10次），请明日再试。",
                      "You have asked for 10 codes in 24 hours; please try again tomorrow."))
    elif res.status == "locked":
        st.error(tr(f"验证失败次数过多，已暂停登录，请 {max(1, res.retry_after_s // 60)} 分钟后再试。",
                    f"Too many failed attempts; sign-in is paused for {max(1, res.retry_after_s // 60)} min."))
    elif res.status == "bad_credentials":
        st.error(tr("账号、密码或手机号不正确。", "Account, password or phone number is wrong."))
    else:
        st.error(res.message or tr("输入有误。", "Invalid input."))


REASONS = {
    "locked": ("验证失败次数过多，已暂停登录30分钟。", "Too many failed attempts; sign-in is paused for 30 minutes."),
    "expired": ("验证码已过期，请重新获取。", "The code has expired; please ask for a new one."),
    "used": ("验证码已失效，请重新获取。", "The code is no longer valid; please ask for a new one."),
    "exhausted": ("验证码已失效，请重新获取。", "The code is no longer valid; please ask for a new one."),
    "no_challenge": ("验证码已失效，请重新获取。", "The code is no longer valid; please ask for a new one."),
    "invalid": ("输入有误，请重新获取验证码。", "Invalid input; please ask for a new code."),
}


def code_step(pending: dict, verify: Callable[[str], LoginResult], key: str) -> None:
    """Ask for the code; on success start a fresh session and go to the signed-in pages."""
    with st.form(f"{key}_code"):
        code = st.text_input(tr("短信验证码", "SMS code"), max_chars=6, placeholder="6位数字")
        ok = st.form_submit_button(tr("登录", "Sign in"), type="primary", width="stretch")
    if not ok:
        return
    res = verify(code)
    if res.ok and res.principal is not None:
        session.login(res.principal)
        st.rerun()
    if res.reason == "wrong":
        st.error(tr(f"验证码不正确，还可尝试 {res.tries_left} 次。",
                    f"Wrong code; {res.tries_left} tries left."))
    else:
        zh, en = REASONS.get(res.reason, REASONS["used"])
        st.error(tr(zh, en))

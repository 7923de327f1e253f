"""账户与权限: the system administrator manages accounts (create, reset, unlock, disable), the security
administrator gives roles. One section per permission the viewer holds; every action is held by
the account's id and names its target on the button; the query layer checks and audits each one."""
from pathlib import Path

import pandas as pd
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors, link_to_page
from domain.access import PERMISSIONS, ROLE_NAMES, STAFF_ROLES, AccessDenied, role_conflict
from queries import account_admin as A
from queries.cache import get_engine

K_ISSUED, K_NOTE = "accounts_issued", "accounts_note"
me = auth.require("accounts|roles")
who = auth.actor()
engine = get_engine()

st.title(tr("账户与权限", "Accounts and roles"))
st.caption(tr("等保三级权限分离：系统管理员管理账号，安全管理员分配角色，安全审计员查看审计日志；三者互不兼任，"
              "均不接触案件数据。每项操作都记入审计日志。",
              "Separated administrators (MLPS level 3): the system administrator manages accounts, the security "
              "administrator roles, the auditor reads the log. Every action is audited."))


def act(where: str, fn, *args, ok: str = "", issued: bool = False) -> None:
    """Run one administrative action; keep its outcome (or the issued password) for the next run,
    to be shown ``where`` the action was taken."""
    try:
        out = fn(engine, me, who, *args)
    except A.AccountError as exc:
        st.session_state[K_NOTE] = (where, "error", str(exc))
    except AccessDenied:
        st.session_state[K_NOTE] = (where, "error", tr("无权对该账号执行此操作。", "You may not do this to that account."))
    else:
        if issued:
            st.session_state[K_ISSUED] = (out.username, out.password)
        st.session_state[K_NOTE] = (where, "success", ok)
    st.rerun()


def outcome(where: str) -> None:
    """The last action's result beside its buttons; an issued password is shown this once only."""
    note = st.session_state.get(K_NOTE)
    if not note or note[0] != where:
        return
    _, kind, text = st.session_state.pop(K_NOTE)
    getattr(st, kind)(text)
    issued = st.session_state.pop(K_ISSUED, None)
    if issued:
        st.warning(tr(f"账号 {issued[0]} 的初始密码如下，只显示这一次，离开或刷新页面后无法再查看。请当面或通过安全渠道交给本人；"
                      "本人首次登录须修改密码并绑定动态验证码。",
                      f"The issued password of {issued[0]} is shown only this once. Hand it over in person; "
                      "the owner must change it and enrol a second factor at first sign-in."))
        st.code(issued[1], language=None)


def label(a: A.Account) -> str:
    return f"{a.username} · {a.display_name} · {a.procuratorate}"


def state_line(a: A.Account) -> str:
    """What the administrator acts on: roles, state, and where the owner is with the sign-in steps."""
    return " · ".join(x for x in (
        a.role_names or tr("无角色", "no role"), tr("启用", "active") if a.active else tr("停用", "disabled"),
        tr("动态验证码已绑定", "second factor enrolled") if a.has_second_factor else tr("未绑定动态验证码", "no second factor"),
        tr("须修改初始密码", "must change password") if a.must_change_password else "",
        f"{tr('登录锁定至', 'locked until')} {a.locked_until:%H:%M}" if a.locked else "",
        tr("统一身份认证", "single sign-on") if a.sso else "") if x)


# What each permission opens, for the role table (display only; the rules are domain.access's).
OPENS = {"home": ("数据状态", "data status"), "stats": ("案件统计", "statistics"),
         "cases": ("案件下钻与期限预警", "drill-down, time limits"), "sentencing": ("智能量刑", "sentencing"),
         "rivers": ("河道治理", "rivers"), "rivers.clues": ("水质线索", "water clues"),
         "supervision": ("非羁押监管", "supervision"), "supervision.stats": ("监管统计", "supervision statistics"),
         "bindings": ("律师绑定审核", "lawyer bindings"), "public": ("量刑知识", "public explainer"),
         "import": ("数据导入", "imports"), "accounts": ("账号管理", "accounts"), "screens": ("大屏密钥", "screen keys"),
         "roles": ("角色分配", "roles"), "audit": ("审计日志", "audit log")}


with friendly_errors(tr("账户与权限", "Accounts and roles")):
    procs = A.procuratorates(engine, me)
    proc_names = dict(procs)
    pick_proc = st.selectbox(tr("所属检察院", "Procuratorate"), [None, *proc_names] if len(procs) > 1 else list(proc_names),
                             format_func=lambda i: tr("全部", "All") if i is None else proc_names[i], key="acct_proc")
    accounts = A.list_accounts(engine, me, pick_proc)
    by_id = {a.user_id: a for a in accounts}
    st.dataframe(pd.DataFrame([{
        tr("账号", "Username"): a.username, tr("姓名", "Name"): a.display_name,
        tr("所属院", "Procuratorate"): a.procuratorate, tr("角色", "Roles"): a.role_names or tr("（无）", "(none)"),
        tr("状态", "State"): tr("启用", "active") if a.active else tr("停用", "disabled"),
        tr("须改密码", "Must change password"): tr("是", "yes") if a.must_change_password else "",
        tr("动态验证码", "Second factor"): tr("已绑定", "enrolled") if a.has_second_factor else tr("未绑定", "none"),
        tr("锁定", "Locked"): f"{tr('锁定至', 'until')} {a.locked_until:%H:%M}" if a.locked else "",
    } for a in accounts]), hide_index=True, width="stretch")
    st.caption(tr(f"共 {len(accounts)} 个工作人员账号（律师账号在公众服务端管理，不在此列）。",
                  f"{len(accounts)} staff accounts (lawyer accounts are the portal's)."))

    if me.may("accounts"):
        st.header(tr("账号管理", "Account management"))
        if me.may("screens") and (Path(__file__).parent / "screen_keys.py").exists():
            link_to_page("../pages/screen_keys.py", tr("大屏密钥管理", "Screen keys"), ":material/key:")
        with st.form("acct_new", clear_on_submit=True):
            st.subheader(tr("新建账号", "New account"))
            c1, c2, c3 = st.columns(3)
            username = c1.text_input(tr("账号名", "Username"), max_chars=40,
                                     help=tr("3–40 位，小写字母开头，可含数字、_ . -", "3–40 characters, a–z first"))
            display = c2.text_input(tr("姓名", "Name"), max_chars=40)
            proc = c3.selectbox(tr("所属检察院", "Procuratorate"), list(proc_names), format_func=proc_names.get)
            st.caption(tr("新账号获得随机初始密码（只显示一次），没有任何角色；角色由安全管理员分配。",
                          "A new account gets a random password (shown once) and no roles: the security "
                          "administrator gives those."))
            if st.form_submit_button(tr("创建账号", "Create account"), type="primary"):
                act("create", A.create_account, username, display, proc, issued=True,
                    ok=tr(f"已创建账号 {username.strip().lower()}。", f"Account {username.strip()} created."))
        outcome("create")

        st.subheader(tr("账号操作", "Account actions"))
        if by_id:
            uid = st.selectbox(tr("选择账号", "Account"), list(by_id), format_func=lambda i: label(by_id[i]),
                               key="acct_pick")
            t = by_id[uid]
            own = t.user_id == me.user_id
            st.caption(state_line(t))
            if own:
                st.info(tr("这是您自己的账号：须由另一位系统管理员办理。", "Your own account: another administrator must do this."))
            c1, c2, c3, c4 = st.columns(4)
            if c1.button(tr(f"重置 {t.username} 的密码", f"Reset {t.username}'s password"), key=f"pw_{uid}",
                         disabled=own or t.sso, width="stretch"):
                act("actions", A.reset_password, uid, issued=True, ok=tr(f"已重置 {t.username} 的密码。", "Password reset."))
            if c2.button(tr(f"重置 {t.username} 的动态验证码", f"Reset {t.username}'s second factor"),
                         key=f"totp_{uid}", disabled=own or not t.has_second_factor, width="stretch"):
                act("actions", A.reset_second_factor, uid, ok=tr(f"已清除 {t.username} 的动态验证码，下次登录须重新绑定。",
                                                      "Second factor cleared; enrol again at next sign-in."))
            if t.active:
                if c3.button(tr(f"停用 {t.username}", f"Disable {t.username}"), key=f"off_{uid}", disabled=own,
                             width="stretch"):
                    act("actions", A.set_active, uid, False, ok=tr(f"已停用 {t.username}。", "Account disabled."))
            elif c3.button(tr(f"启用 {t.username}", f"Enable {t.username}"), key=f"on_{uid}", width="stretch"):
                act("actions", A.set_active, uid, True, ok=tr(f"已启用 {t.username}。", "Account enabled."))
            if t.locked and c4.button(tr(f"解除 {t.username} 的锁定", f"Unlock {t.username}"), key=f"unlock_{uid}",
                                      disabled=own, width="stretch"):
                act("actions", A.unlock, uid, ok=tr(f"已解除 {t.username} 的登录锁定。", "Unlocked."))
        outcome("actions")

    if me.may("roles"):
        st.header(tr("角色分配", "Roles"))
        if by_id:
            uid = st.selectbox(tr("选择账号", "Account"), list(by_id), format_func=lambda i: label(by_id[i]),
                               key="role_pick")
            t = by_id[uid]
            st.caption(state_line(t))
            chosen = st.multiselect(tr(f"{t.username} 的角色", f"Roles of {t.username}"), list(STAFF_ROLES),
                                    default=sorted(t.roles, key=STAFF_ROLES.index),
                                    format_func=lambda r: tr(*ROLE_NAMES[r]), key=f"roles_{uid}")
            problem = role_conflict(frozenset(chosen))
            if problem:
                st.warning(problem)
            if t.user_id == me.user_id:
                st.info(tr("不能修改自己的角色：须由另一位安全管理员办理。", "Another security administrator must change yours."))
            if st.button(tr(f"保存 {t.username} 的角色", f"Save {t.username}'s roles"), key=f"save_roles_{uid}",
                         type="primary", disabled=t.user_id == me.user_id or bool(problem)
                         or frozenset(chosen) == t.roles):
                act("roles", A.set_roles, uid, frozenset(chosen), ok=tr(f"已更新 {t.username} 的角色。", "Roles saved."))
        outcome("roles")
        with st.expander(tr("角色说明", "What each role may open")):
            st.dataframe(pd.DataFrame([{tr("角色", "Role"): tr(*ROLE_NAMES[r]),
                                        tr("可访问", "May open"): "、".join(tr(*OPENS.get(p, (p, p)))
                                                                           for p in sorted(PERMISSIONS[r]))}
                                       for r in STAFF_ROLES]), hide_index=True, width="stretch")

"""大屏密钥: the 系统管理员 creates, lists and revokes the smart screens' device keys.

A key is shown once, right after it is created, inside the screen address to copy; the database
keeps only its keyed hash. Every creation and revocation is audited with the signed-in account.
"""
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from components import auth
from components.i18n import tr
from components.shell import friendly_errors
from queries.cache import get_engine
from queries.screen_keys import ScreenKeyError, create_key, list_keys, procuratorates, revoke_key

auth.require("screens")
K_NEW, K_FLASH = "jcy_new_screen_key", "jcy_screen_keys_flash"
SCREEN_PORT = 8502  # make run's PORT_SCREEN; the address field below can be edited


def default_screen_base() -> str:
    """The smart screen's address as seen from this browser: this host, the screen's port."""
    try:
        u = urlsplit(st.context.url or "")
        if u.hostname:
            host = f"[{u.hostname}]" if ":" in u.hostname else u.hostname
            return f"{u.scheme or 'http'}://{host}:{SCREEN_PORT}"
    except Exception:
        pass
    return f"http://127.0.0.1:{SCREEN_PORT}"


def screen_url(base: str, key: str) -> str:
    return f"{(base.strip() or default_screen_base()).rstrip('/')}/?key={key}"


def shown_once(new: dict) -> None:
    st.success(tr(f"已为「{new['name']}」创建密钥。", f"Key created for “{new['name']}”."))
    st.warning(tr("密钥只显示这一次，离开或刷新本页后无法再次查看。请立即复制下面的大屏地址，在大屏的浏览器中打开；"
                  "首次打开后，大屏会记住密钥，地址栏中不再显示。",
                  "The key is shown only this once. Copy the screen address below now and open it in the "
                  "screen's browser; after the first visit the screen remembers the key."))
    st.caption(tr("大屏地址（含密钥）", "Screen address (with the key)"))
    st.code(screen_url(new["base"], new["key"]), language=None)
    st.caption(tr("密钥", "Key"))
    st.code(new["key"], language=None)


st.title(tr("大屏密钥", "Screen keys"))
st.caption(tr("每块智慧大屏以设备身份登录：一个大屏一个密钥，绑定一个检察院的范围（市院：全市各区；区院：本区），"
              "只显示汇总数据。吊销后，使用该密钥的大屏在一个刷新周期内显示“未授权的大屏”。",
              "Each smart screen signs in as a device: one key per screen, bound to one procuratorate's scope "
              "(city: every district; district: its own), aggregates only. A revoked key's screen shows "
              "“screen not authorised” within one refresh interval."))

with friendly_errors(tr("大屏密钥", "Screen keys")):
    engine = get_engine()
    me = auth.actor()
    flash = st.session_state.pop(K_FLASH, None)
    if flash:
        st.success(flash)
    new = st.session_state.pop(K_NEW, None)
    if new:
        shown_once(new)

    keys = list_keys(engine)
    st.subheader(tr("已有密钥", "Keys"))
    if keys.empty:
        st.info(tr("还没有大屏密钥。", "No screen keys yet."))
    else:
        def when(x) -> str:
            return "" if pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d %H:%M")

        table = pd.DataFrame({
            tr("名称", "Name"): keys["name"],
            tr("密钥前缀", "Key prefix"): keys["key_prefix"] + "…",
            tr("所属检察院", "Procuratorate"): keys["procuratorate"],
            tr("创建时间", "Created"): keys["created_at"].map(when),
            tr("创建人", "Created by"): keys["created_by"],
            tr("最近在线", "Last seen"): keys["last_seen_at"].map(when),
            tr("状态", "Status"): [tr(f"已吊销（{when(r)}，{b}）", f"revoked ({when(r)}, {b})") if not pd.isna(r)
                                  else tr("有效", "active") for r, b in zip(keys["revoked_at"], keys["revoked_by"])],
        })
        st.dataframe(table, hide_index=True, width="stretch")

    st.subheader(tr("创建密钥", "Create a key"))
    procs = procuratorates(engine)
    names = dict(procs)
    with st.form("create_screen_key", clear_on_submit=True):
        name = st.text_input(tr("大屏名称", "Screen name"), max_chars=60,
                             placeholder=tr("例如：一楼大厅大屏", "e.g. ground-floor hall"))
        pid = st.selectbox(tr("所属检察院（决定大屏可显示的范围）", "Procuratorate (what the screen may show)"),
                           [p for p, _ in procs], format_func=lambda p: names.get(p, str(p)))
        base = st.text_input(tr("大屏服务地址", "Smart screen address"), value=default_screen_base(), max_chars=200)
        if st.form_submit_button(tr("创建密钥", "Create key"), type="primary"):
            try:
                _, key = create_key(engine, me, name, pid)
            except ScreenKeyError as exc:
                st.error(str(exc))
            else:
                st.session_state[K_NEW] = {"name": " ".join(name.split()), "key": key, "base": base}
                st.rerun()

    active = keys[keys["revoked_at"].isna()] if not keys.empty else keys
    st.subheader(tr("吊销密钥", "Revoke a key"))
    if active.empty:
        st.caption(tr("没有可吊销的有效密钥。", "No active key to revoke."))
    else:
        label = {int(r.id): f"{r.name}（{r.key_prefix}…，{r.procuratorate}）" for r in active.itertuples()}
        with st.form("revoke_screen_key", clear_on_submit=True):  # the confirmation never carries over
            kid = st.selectbox(tr("要吊销的密钥", "Key to revoke"), list(label), format_func=label.get)
            sure = st.checkbox(tr("我确认吊销此密钥：使用它的大屏将显示“未授权的大屏”，此操作不可撤销。",
                                  "I confirm: screens using this key will show “screen not authorised”; "
                                  "this cannot be undone."))
            if st.form_submit_button(tr("吊销密钥", "Revoke key")):
                if not sure:
                    st.warning(tr("请先勾选确认。", "Tick the confirmation first."))
                elif revoke_key(engine, me, kid):
                    st.session_state[K_FLASH] = tr(f"已吊销「{label[kid]}」。", f"Revoked “{label[kid]}”.")
                    st.rerun()
                else:
                    st.warning(tr("该密钥已被吊销。", "That key was already revoked."))

"""The wall-mounted smart screen: a kiosk (no sidebar, no menu, no navigation), dark, 1920×1080.

Start it with the kiosk options on the command line (they are per app, while .streamlit/config.toml
in the working directory is shared with the dashboard):

    streamlit run apps/smart_screen.py --theme.base dark --client.toolbarMode minimal \
        --client.showErrorDetails none --server.port 8502
"""
from __future__ import annotations

import streamlit as st

from components.shell import require_settings

st.set_page_config(page_title="智慧检务大屏", page_icon="⚖️", layout="wide",
                   initial_sidebar_state="collapsed")
require_settings()

st.navigation([st.Page("../pages/screen_wall.py", title="智慧检务大屏", url_path="wall", default=True)],
              position="hidden").run()

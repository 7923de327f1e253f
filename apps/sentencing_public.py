"""Stand-alone entry for the public sentencing explainer (until the portal app links it)."""
import streamlit as st

from components.i18n import tr
from components.shell import inject_font, language_switch, require_settings

st.set_page_config(page_title=tr("量刑知识小工具", "Sentencing explainer"), layout="wide")
require_settings()
inject_font()
language_switch()
st.navigation([st.Page("../pages/sentencing_public.py", title=tr("量刑知识小工具", "Sentencing explainer"),
                       default=True)]).run()

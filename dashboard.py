"""The router: page config, sign-in, language and global filters in the sidebar, every page from app/navigation.py."""

import streamlit as st

from app import access, navigation, sidebar, ui, url_state
from app.i18n import t
from app.status import warehouse_status

with ui.error_boundary():
    url_state.adopt_url()
    st.set_page_config(page_title=t("app.title"), page_icon=":material/policy:", layout="wide")
    sidebar.language_picker()
    # Nobody signed in: every URL shows the login form (and keeps its path for after it).
    session = access.gate()
    current = st.navigation(navigation.pages(), position="sidebar" if session else "hidden")
    if session is not None:
        access.user_box()
        # The sidebar and the page fail separately: a broken filter query must not hide the page's guidance.
        with ui.error_boundary():
            sidebar.filters(warehouse_status())
        url_state.write_url(current.url_path)
    with ui.error_boundary():
        current.run()

"""The router: page config, sign-in, language and global filters in the sidebar, every page registered explicitly."""

import streamlit as st

from app import access, navigation, sidebar, ui, url_state
from app.i18n import t
from app.navigation import page
from app.status import warehouse_status

with ui.error_boundary():
    url_state.adopt_url()
    st.set_page_config(page_title=t("app.title"), page_icon=":material/policy:", layout="wide")
    sidebar.language_picker()
    # Nobody signed in: every URL shows the login form (and keeps its path for after it).
    session = access.gate()
    pages = [
        page(navigation.OVERVIEW, "overview", ":material/dashboard:", default=True),
        page(navigation.MERCHANTS, "merchants", ":material/storefront:"),
        page(navigation.MERCHANT_DETAIL, "merchant", ":material/store:"),
        page(navigation.PLATFORMS, "platforms", ":material/hub:"),
        page(navigation.TRENDS, "trends", ":material/trending_up:"),
        page(navigation.WATCHLIST, "watchlist", ":material/bookmark:"),
        page(navigation.DATA, "data", ":material/database:"),
        page(navigation.METHOD, "method", ":material/functions:"),
        page(navigation.USERS, "users", ":material/manage_accounts:"),
        page(navigation.PARAMETERS, "parameters", ":material/tune:"),
        page(navigation.AUDIT, "audit", ":material/history_edu:"),
    ]
    current = st.navigation(pages, position="sidebar" if session else "hidden")
    if session is not None:
        access.user_box()
        # The sidebar and the page fail separately: a broken filter query must not hide the page's guidance.
        with ui.error_boundary():
            sidebar.filters(warehouse_status())
        url_state.write_url(current.url_path)
    with ui.error_boundary():
        current.run()

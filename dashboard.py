"""The router: page config, language and global filters in the sidebar, every page registered explicitly."""

import streamlit as st

from app import navigation, sidebar, ui, url_state
from app.i18n import t
from app.status import warehouse_status

with ui.error_boundary():
    url_state.adopt_url()
    st.set_page_config(page_title=t("app.title"), page_icon=":material/policy:", layout="wide")
    sidebar.language_picker()
    pages = [
        st.Page(
            navigation.OVERVIEW,
            title=t("page.overview"),
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
        st.Page(
            navigation.MERCHANTS,
            title=t("page.merchants"),
            icon=":material/storefront:",
            url_path="merchants",
        ),
        st.Page(
            navigation.MERCHANT_DETAIL, title=t("page.merchant"), icon=":material/store:", url_path="merchant"
        ),
        st.Page(navigation.PLATFORMS, title=t("page.platforms"), icon=":material/hub:", url_path="platforms"),
        st.Page(navigation.TRENDS, title=t("page.trends"), icon=":material/trending_up:", url_path="trends"),
        st.Page(
            navigation.WATCHLIST, title=t("page.watchlist"), icon=":material/bookmark:", url_path="watchlist"
        ),
        st.Page(navigation.DATA, title=t("page.data"), icon=":material/database:", url_path="data"),
        st.Page(navigation.METHOD, title=t("page.method"), icon=":material/functions:", url_path="method"),
    ]
    current = st.navigation(pages)
    # The sidebar and the page fail separately: a broken filter query must not hide the page's guidance.
    with ui.error_boundary():
        sidebar.filters(warehouse_status())
    url_state.write_url(current.url_path)
    with ui.error_boundary():
        current.run()

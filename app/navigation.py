"""Where each page's file is, which action opens it, and the st.Page the router registers for a role.

The files end in `_page` so that no file name equals a page's url_path: Streamlit still
reads a `pages/` folder until the first st.navigation call of the process (and AppTest
re-reads it every run), and a file named like the requested path would then run on its
own, without the router and its sidebar.

A role gets the real page only where it may open it. Elsewhere the same URL path is
registered, hidden, to a stand-in that runs none of the page's code: the login form while
nobody is signed in (so a shared link opens its page after the login), a refusal when the
role may not (so a forbidden URL says so instead of showing another page).
"""

from __future__ import annotations

import streamlit as st

from app import access
from app.i18n import t

OVERVIEW = "pages/overview_page.py"
MERCHANTS = "pages/merchants_page.py"
MERCHANT_DETAIL = "pages/merchant_page.py"
PLATFORMS = "pages/platforms_page.py"
TRENDS = "pages/trends_page.py"
WATCHLIST = "pages/watchlist_page.py"
DATA = "pages/data_page.py"
METHOD = "pages/method_page.py"
USERS = "pages/users_page.py"
AUDIT = "pages/audit_page.py"
PARAMETERS = "pages/parameters_page.py"
# Every page's file by its url_path, in the router's order (what tools that visit every page read).
PAGE_FILES = {
    "overview": OVERVIEW,
    "merchants": MERCHANTS,
    "merchant": MERCHANT_DETAIL,
    "platforms": PLATFORMS,
    "trends": TRENDS,
    "watchlist": WATCHLIST,
    "data": DATA,
    "method": METHOD,
    "users": USERS,
    "parameters": PARAMETERS,
    "audit": AUDIT,
}

# The action (pipelines/access_policy.py PERMISSIONS) each page needs, by url_path; the page checks it too.
PAGE_ACTIONS = {
    "overview": "view.analysis",
    "merchants": "view.analysis",
    "merchant": "view.analysis",
    "platforms": "view.analysis",
    "trends": "view.analysis",
    "watchlist": "edit.watchlist",
    "data": "view.data",
    "method": "view.analysis",
    "users": "manage.users",
    "audit": "view.audit",
    "parameters": "manage.parameters",
}


# Each page's icon in the sidebar, by url_path.
PAGE_ICONS = {
    "overview": ":material/dashboard:",
    "merchants": ":material/storefront:",
    "merchant": ":material/store:",
    "platforms": ":material/hub:",
    "trends": ":material/trending_up:",
    "watchlist": ":material/bookmark:",
    "data": ":material/database:",
    "method": ":material/functions:",
    "users": ":material/manage_accounts:",
    "parameters": ":material/tune:",
    "audit": ":material/history_edu:",
}
DEFAULT_PAGE = "overview"


def page(url_path: str) -> st.Page:
    """The page at `url_path` for the signed-in role: the real one if it may open it, otherwise a hidden stand-in."""
    title = t(f"page.{url_path}")
    default = url_path == DEFAULT_PAGE
    role = access.role()
    if role is None:
        return st.Page(
            access.login_view, title=title, url_path=url_path, default=default, visibility="hidden"
        )
    if not access.allowed(PAGE_ACTIONS[url_path]):
        return st.Page(access.refuse, title=title, url_path=url_path, default=default, visibility="hidden")
    return st.Page(
        PAGE_FILES[url_path], title=title, icon=PAGE_ICONS[url_path], url_path=url_path, default=default
    )


def pages() -> list[st.Page]:
    """Every page, in the router's order, as the signed-in role gets it."""
    return [page(url_path) for url_path in PAGE_FILES]

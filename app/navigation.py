"""Where each page's file is, so pages can open one another (dashboard.py registers them).

The files end in `_page` so that no file name equals a page's url_path: Streamlit still
reads a `pages/` folder until the first st.navigation call of the process (and AppTest
re-reads it every run), and a file named like the requested path would then run on its
own, without the router and its sidebar.
"""

from __future__ import annotations

OVERVIEW = "pages/overview_page.py"
MERCHANTS = "pages/merchants_page.py"
MERCHANT_DETAIL = "pages/merchant_page.py"
PLATFORMS = "pages/platforms_page.py"
TRENDS = "pages/trends_page.py"
WATCHLIST = "pages/watchlist_page.py"
DATA = "pages/data_page.py"
METHOD = "pages/method_page.py"

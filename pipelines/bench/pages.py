"""The dashboard's server time per page: first render and one filter change, timed through AppTest.

This drives the app from outside, as tests/app does; it is the only bench module that touches
Streamlit or the app, and only inside its functions (run in the pages child process), so
importing the benchmark imports neither. Everything about opening a session is in
`open_session` inside `time_pages`: it signs in through the login form when the app shows one,
with a supervisor account (the role that may open every page) in a throwaway access store.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from pipelines.bench.measure import PROJECT_ROOT

APP = PROJECT_ROOT / "dashboard.py"
PAGE_TIMEOUT_SECONDS = 600
BENCH_USER, BENCH_ROLE = "bench-supervisor", "supervisor"  # the role that may open every page


def page_files() -> dict[str, str]:
    """Every page the router registers, by short name (`overview`), in the router's order."""
    from app import navigation  # the app's own list of page files

    return dict(navigation.PAGE_FILES)


def sample_shop(db_path: Path) -> tuple[str, str]:
    """(platform_id, merchant_id) of the top-ranked shop: the detail page's subject and the filter's platform."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(
            "select platform_id, merchant_id from out_merchant_risk order by risk_rank limit 1"
        ).fetchone()
    if row is None:
        raise ValueError(f"{db_path} has no scored shops: run the scoring stage first")
    return row


def bench_account(store: Path) -> tuple[str, str]:
    """A fresh access store holding one account for the benchmark; returns (username, password)."""
    from pipelines import accounts

    for path in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-journal")):
        path.unlink(missing_ok=True)
    password = accounts.add_user(store, BENCH_USER, BENCH_ROLE, actor="bench", actor_role="")
    return BENCH_USER, password


def time_pages(db_path: Path | str) -> dict[str, dict]:
    """Per page: seconds of the first render and of a platform-filter change, and any errors shown.

    For each page a new session opens the app (its default page, untimed, which loads modules
    and opens the shared connection as a running server already has), the query caches are
    cleared, and then the page's render is timed: a first visit with cold caches. Then the
    sidebar's platform filter is set to one platform and the rerun is timed: a filter value not
    seen before, so its queries are not cached either. Times are AppTest's script runs, i.e.
    server time without the browser.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    db_path = Path(db_path)
    os.environ["MARKET_DB"] = str(db_path)  # the app reads its warehouse from the settings
    store = db_path.parent / "bench-access.sqlite"
    os.environ["MARKET_ACCESS_DB"] = str(store)  # accounts, if the app has a login: never the real store
    platform_id, merchant_id = sample_shop(db_path)
    credentials: list[tuple[str, str]] = []

    def open_session() -> AppTest:
        """A new browser session on the app, opened once and signed in through the login form if it shows one."""
        at = AppTest.from_file(str(APP), default_timeout=PAGE_TIMEOUT_SECONDS)
        at.query_params["merchant_platform"] = platform_id  # the detail page shows this shop
        at.query_params["merchant"] = merchant_id
        at.run()
        if not any(w.key == "login_username" for w in at.text_input):
            return at
        if not credentials:
            credentials.append(bench_account(store))
        username, password = credentials[0]
        at.text_input(key="login_username").input(username)
        at.text_input(key="login_password").input(password)
        at.button(key="login_submit").click()
        at.run()
        if any(w.key == "login_username" for w in at.text_input):
            raise RuntimeError(f"the benchmark account {username!r} could not sign in to the dashboard")
        return at

    def shown_errors(at: AppTest) -> list[str]:
        return [e.message for e in at.exception] + [e.value for e in at.error]

    results: dict[str, dict] = {}
    for name, page in page_files().items():
        at = open_session()
        st.cache_data.clear()
        at.switch_page(page)
        began = time.perf_counter()
        at.run()
        first = time.perf_counter() - began
        errors = shown_errors(at)
        change = None
        if any(w.key == "platform" for w in at.sidebar.multiselect):
            began = time.perf_counter()
            at.sidebar.multiselect(key="platform").set_value([platform_id]).run()
            change = time.perf_counter() - began
            errors += shown_errors(at)
        else:
            errors.append("no platform filter in the sidebar")
        title = at.title[0].value if at.title else ""
        results[name] = {"first_render": first, "filter_change": change, "errors": errors, "title": title}
    return results

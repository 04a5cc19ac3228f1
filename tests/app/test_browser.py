"""End to end: `streamlit run dashboard.py` on a free port, every page in headless Chromium, screenshots saved."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.app.browser import chromium, chromium_path, free_port, wait_for_http
from tests.app.conftest import APP, account, read_table
from tests.app.helpers import text

ROOT = APP.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = chromium_path()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="headless Chromium is not installed (Debian: apt-get install chromium fonts-wqy-zenhei)",
    ),
]


@pytest.fixture(scope="module")
def server(warehouses, access_accounts) -> str:
    """The dashboard served by `streamlit run` against the scored fixture warehouse; yields its base URL."""
    port = free_port()
    env = {**os.environ, "MARKET_DB": str(warehouses.scored), "MARKET_ACCESS_DB": str(access_accounts[0])}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.headless", "true", "--server.port", str(port),
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_every_page_loads_without_an_error_box(server, warehouses):
    platform_id, merchant_id, shop_name = read_table(
        warehouses.scored,
        "select platform_id, merchant_id, shop_name from out_merchant_risk order by risk_rank limit 1",
    )[0]
    visits = [
        ("overview", "/", text("overview.title")),
        ("merchants", "/merchants?q=%E5%BA%97", text("merchants.title")),
        ("merchant", f"/merchant?merchant_platform={platform_id}&merchant={merchant_id}", shop_name),
        ("platforms", "/platforms?drill=P01", text("platforms.title")),
        ("trends", "/trends?measure=refund_rate&dim=platform&grain=week", text("trends.title")),
        ("watchlist", "/watchlist", text("watchlist.title")),
        ("data", "/data?dataset=complaints", text("data.title")),
        ("method", "/method", text("method.title")),
        ("overview-en", "/?lang=en&period=90d", text("overview.title", "en")),
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    supervisor = account("supervisor")
    with chromium(CHROMIUM) as browser:
        for name, path, title in visits:
            # Every visit by URL is a new session: the login form first, then the page the URL names.
            state = browser.open(server + path)
            if state.get("title") != text("login.title", "en" if "lang=en" in path else "zh"):
                problems.append((name, "no login form", state))
            if name == "overview":
                browser.screenshot(SHOTS / "login.png")
            state = browser.login(supervisor.username, supervisor.password)
            browser.screenshot(SHOTS / f"{name}.png")
            if (
                state.get("timed_out")
                or state.get("exceptions")
                or state.get("errors")
                or state.get("title") != title
            ):
                problems.append((name, state))
            if name == "merchant":
                for index, tab in enumerate(("complaints", "orders", "rings", "history", "profile"), start=1):
                    browser.click_tab(index)
                    browser.screenshot(SHOTS / f"merchant-{tab}.png")
    assert not problems, problems
    assert all((SHOTS / f"{name}.png").stat().st_size > 10_000 for name, _, _ in visits)


def test_a_forbidden_page_by_url_shows_a_refusal(server):
    analyst = account("analyst")
    with chromium(CHROMIUM) as browser:
        browser.open(server + "/audit?lang=en")
        state = browser.login(analyst.username, analyst.password)
        browser.screenshot(SHOTS / "refused.png")
        shown = browser.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').innerText")
    assert state.get("title") == text("access.refused_title", "en"), state
    assert text("access.refused", "en") in shown
    assert "entry_hash" not in shown and text("audit.title", "en") not in shown

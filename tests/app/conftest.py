"""App test fixtures: one small market generated, loaded and scored (twice) per session, real DuckDB files."""

from __future__ import annotations

import dataclasses
import secrets
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import accounts
from pipelines.access_policy import ROLES
from pipelines.params import ScoringParams
from pipelines.run import run_scoring
from tests.conftest import small_market
from warehouse.loader import ingest

APP = Path(__file__).resolve().parents[2] / "dashboard.py"
# Small enough to build in about ten seconds, big enough for rings, spikes and every risk level.
MARKET = {"seed": 11, "merchants": 150, "orders": 40_000, "days": 90}
# Rows the loader must quarantine, carrying personal data the Data page has to mask.
BAD_PHONE, BAD_NAME, BAD_REPRESENTATIVE = "13912345678", "王小明", "赵大宝"
BAD_COMPLAINTS = (
    "complaint_id,received_at,channel,platform_id,merchant_id,shop_name,category,description,amount_involved,"
    "consumer_name,consumer_phone,status,first_response_at,closed_at,outcome,resolution_channel\n"
    f"CBAD0001,2026-07-01 10:00:00,12315,P01,,某店,quality,请回电 {BAD_PHONE},12.5,{BAD_NAME},{BAD_PHONE},shipped,,,,\n"
    f"CBAD0002,2026-13-45 10:00:00,web,P01,,某店,quality,质量差,-5,{BAD_NAME},{BAD_PHONE},open,,,,\n"
)
BAD_LICENCES = (
    "credit_code,company_name,license_type,status,issued_on,expires_on,business_scope,legal_representative,"
    "registered_region\n"
    f"91110000BAD0000001,坏数据有限公司,business_license,suspended,2024-01-01,,服装,{BAD_REPRESENTATIVE},北京\n"
)
PAGES = {
    "overview": "pages/overview_page.py",
    "merchants": "pages/merchants_page.py",
    "merchant": "pages/merchant_page.py",
    "platforms": "pages/platforms_page.py",
    "trends": "pages/trends_page.py",
    "watchlist": "pages/watchlist_page.py",
    "data": "pages/data_page.py",
    "method": "pages/method_page.py",
}


@dataclasses.dataclass(frozen=True)
class Warehouses:
    """The fixture warehouses: scored (two runs), loaded but not scored, and a path with nothing."""

    scored: Path
    unscored: Path
    missing: Path
    run_ids: tuple[str, str]


@pytest.fixture(scope="session")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> Warehouses:
    """Build the warehouses once: generate, ingest (with bad rows), score twice, copy without scores."""
    root = tmp_path_factory.mktemp("app")
    market = small_market(tmp_path_factory.mktemp("app_market"), **MARKET)
    extra = root / "extra"
    extra.mkdir()
    (extra / "complaints_bad.csv").write_text(BAD_COMPLAINTS, encoding="utf-8")
    (extra / "licenses_bad.csv").write_text(BAD_LICENCES, encoding="utf-8")
    scored = root / "scored.duckdb"
    ingest([market.feed, extra], scored)
    unscored = root / "unscored.duckdb"
    shutil.copyfile(scored, unscored)
    # Two runs, so the overview has a previous run and a shop has a history; different params
    # give the second run its own id even within the same second.
    first = run_scoring(scored)
    second = run_scoring(scored, dataclasses.replace(ScoringParams(), memory_limit_mb=1024))
    return Warehouses(scored, unscored, root / "nothing" / "market.duckdb", (first, second))


@pytest.fixture()
def use_warehouse(monkeypatch: pytest.MonkeyPatch):
    """Point the app at a warehouse file through MARKET_DB, as a deployment would."""

    def point(path: Path) -> None:
        monkeypatch.setenv("MARKET_DB", str(path))

    return point


@pytest.fixture()
def scored_app(warehouses: Warehouses, use_warehouse) -> AppTest:
    """An AppTest of the dashboard on the scored warehouse (not yet run)."""
    use_warehouse(warehouses.scored)
    return AppTest.from_file(str(APP), default_timeout=60)


@dataclasses.dataclass(frozen=True)
class Account:
    """A test account: its name, role and password (random per test session, never committed)."""

    username: str
    role: str
    password: str


@pytest.fixture(scope="session")
def access_accounts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Account]]:
    """An access store with one account per role, made through pipelines.accounts like the CLI does."""
    path = tmp_path_factory.mktemp("access") / "access.sqlite"
    made = {}
    for role in ROLES:
        password = secrets.token_urlsafe(16)
        accounts.add_user(path, f"test-{role}", role, actor="cli:test", actor_role="", password=password)
        made[role] = Account(f"test-{role}", role, password)
    return path, made


@pytest.fixture(autouse=True)
def use_access_store(access_accounts, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the test access store through MARKET_ACCESS_DB, as a deployment would."""
    path, made = access_accounts
    monkeypatch.setenv("MARKET_ACCESS_DB", str(path))
    _ACCOUNTS.update(made)
    return path


_ACCOUNTS: dict[str, Account] = {}


def account(role: str) -> Account:
    """The test account of `role` (the store is made by the access_accounts fixture)."""
    return _ACCOUNTS[role]


def new_app(role: str | None = "supervisor") -> AppTest:
    """A fresh AppTest session of the dashboard, signed in through the login form as `role` (None: signed out).

    The session has run once (the login form, then the default page after signing in).
    """
    at = AppTest.from_file(str(APP), default_timeout=60)
    if role is None:
        return at
    at.run()
    user = account(role)
    return login(at, user.username, user.password)


def login(at: AppTest, username: str, password: str) -> AppTest:
    """Fill in and submit the login form, as a person would."""
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def read_table(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows from the fixture warehouse, read-only (for expected values)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()

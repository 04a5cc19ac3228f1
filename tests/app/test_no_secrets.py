"""No secret, password or personal data in the repository, nor in the logs and output of a run."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest

from pipelines import audit
from tests.app.conftest import APP, account, login, new_app, read_table
from tests.app.helpers import text

ROOT = APP.parent
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Placeholder numbers the tests use on purpose (patterned, not anyone's): any other mobile number is suspect.
PLACEHOLDER_PHONES = {
    "13812341234",
    "13912345678",
    "13800000000",
    "13800138000",
    "13900001111",
    "13900139000",
}
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "password hash": re.compile(r"\$argon2(id|i|d)\$v=\d+\$|\$2[aby]\$\d\d\$[./A-Za-z0-9]{20}"),
    "cloud key": re.compile(r"AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{30,}|xox[bap]-[A-Za-z0-9-]{10,}"),
    "assigned secret": re.compile(
        r"""(cookie_secret|client_secret|api_key|secret_key|passw(or)?d)\s*[:=]\s*["'][^"'\s{}]{8,}["']""",
        re.IGNORECASE,
    ),
}


def tracked_text_files() -> dict[str, str]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = {}
    for name in names:
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            continue  # binary (test fixtures made by tests/data/make_fixtures.py)
        files[name] = data.decode("utf-8", errors="replace")
    return files


def test_no_store_secrets_file_or_data_folder_is_tracked():
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    suspicious = re.compile(r"(^data/|secrets\.toml$|\.(duckdb|sqlite|sqlite3|db|pem|key|env)$|(^|/)\.env$)")
    assert [n for n in names if suspicious.search(n)] == []


def test_no_secret_or_password_in_tracked_files():
    found = [
        (name, kind)
        for name, content in tracked_text_files().items()
        for kind, pattern in SECRET_PATTERNS.items()
        if pattern.search(content)
    ]
    assert found == []


def test_no_personal_data_in_tracked_files(warehouses):
    """Phones other than placeholders, and the demo market's consumers and legal representatives, appear nowhere."""
    phones = {p for (p,) in read_table(warehouses.scored, "select consumer_phone from stg_complaints") if p}
    names = {n for (n,) in read_table(warehouses.scored, "select consumer_name from stg_complaints") if n}
    names |= {
        n for (n,) in read_table(warehouses.scored, "select legal_representative from stg_licenses") if n
    }
    names = {n for n in names if len(n) >= 3}  # two characters are common words too
    problems = []
    for name, content in tracked_text_files().items():
        problems += [(name, m) for m in set(MOBILE.findall(content)) - PLACEHOLDER_PHONES]
        problems += [(name, p) for p in phones if p in content]
        problems += [(name, n) for n in names if n in content]
    assert problems == []


def test_a_run_logs_no_password_and_no_personal_data(warehouses, use_warehouse, use_access_store, caplog):
    """Sign in (and fail to), unmask and export in a session; load a feed by the command line: scan all output."""
    use_warehouse(warehouses.scored)
    caplog.set_level(logging.DEBUG)
    inspector = account("inspector")
    at = new_app(role=None)
    at.run()
    wrong = inspector.password[::-1]
    login(at, inspector.username, wrong)
    login(at, inspector.username, inspector.password)
    platform_id, merchant_id = read_table(
        warehouses.scored,
        "select platform_id, merchant_id from out_complaints where merchant_id is not null"
        " group by all order by count(*) desc limit 1",
    )[0]
    at.query_params.update({"merchant_platform": platform_id, "merchant": merchant_id, "period": "all"})
    at.run()
    at.switch_page("pages/merchant_page.py").run()
    complaint_id = at.dataframe[0].value["complaint_id"].iloc[0]
    at.selectbox(key="um_complaint_record").set_value(complaint_id).run()
    at.text_input(key="um_complaint_reason").input("复核投诉内容，联系当事人").run()
    at.button(key="um_complaint_submit").click().run()
    assert at.title[0].value != text("login.title")
    personal = read_table(
        warehouses.scored,
        "select consumer_name, consumer_phone from stg_complaints where complaint_id = ?",
        [complaint_id],
    )[0]
    ingest = subprocess.run(
        [sys.executable, "-m", "pipelines", "ingest", str(ROOT / "tests" / "data" / "feeds" / "good"), "--db",
         str(use_access_store.parent / "logged.duckdb")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    logs = caplog.text + ingest.stdout + ingest.stderr
    entries = "\n".join(e["detail_json"] + e["actor"] for e in audit.entries(use_access_store, limit=None))
    for secret in (inspector.password, wrong):
        assert secret not in logs and secret not in entries
    for value in personal:
        if value and len(value) >= 2:
            assert value not in logs and value not in entries
    assert not [m for m in MOBILE.findall(logs) if m not in PLACEHOLDER_PHONES]
    feed_people = [
        v
        for (v,) in read_table(
            use_access_store.parent / "logged.duckdb", "select consumer_phone from stg_complaints"
        )
        if v
    ]
    assert feed_people and not [p for p in feed_people if p in logs]


@pytest.mark.parametrize("path", [".gitignore"])
def test_the_access_store_and_streamlit_secrets_are_ignored(path):
    ignored = (ROOT / path).read_text(encoding="utf-8")
    assert "*.sqlite" in ignored and ".streamlit/secrets.toml" in ignored

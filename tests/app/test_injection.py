"""Hostile input in every search box, filter, link parameter and upload name changes nothing, raises nothing, shows nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from app.access import SESSION_KEY
from app.ops_data import check_uploads, safe_upload_name
from pipelines import audit
from tests.app.conftest import PAGES, new_app, read_table
from tests.app.helpers import assert_clean, text

INJECTIONS = (
    "' or 1=1 --",
    "'; drop table out_merchant_risk; --",
    '" or ""="',
    "%' union select consumer_phone from stg_complaints --",
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    '@HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**bold** [link](javascript:alert(1))",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "{{7*7}} ${7*7} $(id)",
    "\x00\x1b[31m",
)
# (page, widget key, where): the text boxes of the pages, and who may see them.
SEARCH_BOXES = (
    ("merchants", "q", "supervisor"),
    ("merchant", "detail_search", "supervisor"),
    ("watchlist", "wl_search", "supervisor"),
    ("audit", "au_actor", "supervisor"),
)
LINK_PARAMS = (
    "q",
    "platform",
    "region",
    "category",
    "level",
    "merchant_platform",
    "merchant",
    "dataset",
    "run",
    "drill",
    "measure",
    "by",
    "lang",
    "period",
)


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rendered_text(at) -> str:
    """Text the page draws itself (titles, markdown, captions, alerts): where an echo would be dangerous."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.success]
    return "\n".join(str(p) for p in parts)


@pytest.fixture()
def copy_of_scored(warehouses, use_warehouse, tmp_path) -> Path:
    copy = tmp_path / "market.duckdb"
    shutil.copyfile(warehouses.scored, copy)
    use_warehouse(copy)
    return copy


@pytest.mark.parametrize(("page", "key", "role"), SEARCH_BOXES)
def test_injection_in_search_boxes(copy_of_scored, use_access_store, page, key, role):
    before, users_before = fingerprint(copy_of_scored), audit.count(use_access_store)
    everyone = read_table(copy_of_scored, "select count(*) from out_merchant_risk")[0][0]
    at = new_app(role)
    at.switch_page(PAGES.get(page, f"pages/{page}_page.py")).run()
    for hostile in INJECTIONS:
        at.text_input(key=key).input(hostile).run()
        assert_clean(at)
        assert hostile.strip() not in rendered_text(at) or not hostile.strip()
        for frame in at.dataframe:
            assert len(frame.value) < max(everyone, 2)  # no "or 1=1" that returns everything
    assert fingerprint(copy_of_scored) == before
    assert audit.verify(use_access_store).ok
    assert audit.count(use_access_store) >= users_before


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_injection_in_link_parameters_is_dropped(copy_of_scored, hostile):
    before = fingerprint(copy_of_scored)
    at = new_app("supervisor")
    for name in LINK_PARAMS:
        at.query_params[name] = hostile
    at.run()
    for page in ("merchants", "merchant", "trends", "data", "method", "platforms"):
        at.switch_page(PAGES[page]).run()
        assert_clean(at)
        assert hostile not in rendered_text(at) or page == "merchant"
    assert fingerprint(copy_of_scored) == before


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_injection_at_the_login_form_is_only_a_failed_login(
    warehouses, use_warehouse, use_access_store, hostile
):
    use_warehouse(warehouses.scored)
    at = new_app(role=None)
    at.run()
    at.text_input(key="login_username").input(hostile)
    at.text_input(key="login_password").input(hostile)
    at.button(key="login_submit").click().run()
    assert not at.exception
    assert at.title[0].value == text("login.title")
    assert at.warning[0].value == text("login.failed")
    assert SESSION_KEY not in at.session_state
    newest = audit.entries(use_access_store, limit=1)[0]
    assert newest["action"] == "login_failed" and hostile not in newest["actor"] + newest["detail_json"]


def test_injection_in_an_unmask_reason_and_a_new_user_name_is_stored_as_text(
    warehouses, use_warehouse, use_access_store
):
    use_warehouse(warehouses.scored)
    platform_id, merchant_id = read_table(
        warehouses.scored,
        "select platform_id, merchant_id from out_complaints where merchant_id is not null"
        " group by all order by count(*) desc limit 1",
    )[0]
    at = new_app("inspector")
    at.query_params.update({"merchant_platform": platform_id, "merchant": merchant_id, "period": "all"})
    at.run()
    at.switch_page(PAGES["merchant"]).run()
    complaint_id = at.dataframe[0].value["complaint_id"].iloc[0]
    at.selectbox(key="um_complaint_record").set_value(complaint_id).run()
    reason = "<script>alert(1)</script> =cmd|' /C calc'!A0 ' or 1=1 --"
    at.text_input(key="um_complaint_reason").input(reason)
    at.button(key="um_complaint_submit").click().run()
    assert_clean(at)
    assert reason in audit.entries(use_access_store, limit=1)[0]["detail_json"]
    assert "<script>" not in rendered_text(at)

    admin = new_app("supervisor")
    admin.switch_page("pages/users_page.py").run()
    users = len(admin.dataframe[0].value)
    for hostile in INJECTIONS:
        admin.text_input(key="ua_name").input(hostile)
        admin.button(key="ua_submit").click().run()
        assert not admin.exception
        assert admin.warning[-1].value == text("users.invalid")
    assert len(admin.dataframe[0].value) == users
    admin.switch_page("pages/audit_page.py").run()
    assert_clean(admin)
    exported = audit.csv_bytes(audit.entries(use_access_store, limit=50)).decode("utf-8-sig")
    assert "<script>" in exported and "\n=" not in exported and ",=" not in exported  # neutralised: '=cmd…


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("complaints.csv", "complaints.csv"),
        ("../../../etc/complaints.csv", "complaints.csv"),
        ("..\\..\\complaints.csv", "complaints.csv"),
        ("/tmp/abs/transactions.parquet", "transactions.parquet"),
        ("complaints_<script>.csv", "complaints__script_.csv"),
        ("=cmd|' calc'!A0.csv", "_cmd__ calc__A0.csv"),
        ("投诉_2026.xlsx", "投诉_2026.xlsx"),
        ("complaints.csv\x00.exe", None),
        ("run.sh", None),
        ("..", None),
        (".hidden.csv", None),
        ("", None),
    ],
)
def test_upload_names_are_made_safe_or_refused(name, expected):
    assert safe_upload_name(name) == expected


def test_uploads_are_limited_in_number_size_and_type(monkeypatch):
    from pipelines import access_policy

    monkeypatch.setattr(
        "app.ops_data.POLICY", access_policy.AccessPolicy(max_upload_mb=1, max_upload_files=3)
    )
    files = [
        ("a.csv", b"x"),
        ("big.csv", b"x" * (1024 * 1024 + 1)),
        ("evil.exe", b"MZ"),
        ("a.csv", b"y"),
        ("d.csv", b"z"),
    ]
    accepted, refused = check_uploads(files)
    assert [n for n, _ in accepted] == ["a.csv"]
    assert [r["file_name"] for r in refused] == ["big.csv", "evil.exe", "a.csv", "d.csv"]
    assert [r["message"] for r in refused][-1].startswith("more than 3")


def test_a_hostile_upload_name_lands_in_the_upload_folder_only_and_is_audited_once(
    warehouses, use_warehouse, use_access_store, tmp_path
):
    copy = tmp_path / "market.duckdb"
    shutil.copyfile(warehouses.unscored, copy)
    use_warehouse(copy)
    content = (
        "complaint_id,received_at,channel,platform_id,merchant_id,shop_name,category,description,amount_involved,"
        "consumer_name,consumer_phone,status,first_response_at,closed_at,outcome,resolution_channel\n"
        "CINJ0001,2026-08-20 09:00:00,12315,P01,,某店,quality,=1+1 <b>x</b>,35,,,open,,,,\n"
    ).encode()
    at = new_app("supervisor")
    at.switch_page(PAGES["data"]).run()
    before = audit.count(use_access_store)
    at.main.file_uploader[0].set_value([("../../complaints_injected.csv", content, "text/csv")]).run()
    at.main.button(key="load_uploads").click().run()
    assert_clean(at)
    report = at.dataframe[-1].value
    assert list(report["file_name"]) == ["complaints_injected.csv"] and list(report["status"]) == ["loaded"]
    assert not (tmp_path.parent / "complaints_injected.csv").exists()
    entries = audit.entries(use_access_store, limit=audit.count(use_access_store) - before)
    assert [e["action"] for e in entries] == ["upload"]
    assert hashlib.sha256(content).hexdigest() in entries[0]["detail_json"]

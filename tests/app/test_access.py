"""Access control in the app: sign-in, the role × page × action matrix (URLs too), unmasking, exports, audit."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from app.access import SESSION_KEY, Session
from app.navigation import PAGE_ACTIONS
from pipelines import accounts, audit
from pipelines.access_policy import POLICY, ROLES, allowed
from tests.app.conftest import APP, account, login, new_app, read_table
from tests.app.helpers import assert_clean, everything_shown, text

ROOT = APP.parent
PAGE_FILES = {
    "overview": "pages/overview_page.py",
    "merchants": "pages/merchants_page.py",
    "merchant": "pages/merchant_page.py",
    "platforms": "pages/platforms_page.py",
    "trends": "pages/trends_page.py",
    "watchlist": "pages/watchlist_page.py",
    "data": "pages/data_page.py",
    "method": "pages/method_page.py",
    "users": "pages/users_page.py",
    "audit": "pages/audit_page.py",
    "parameters": "pages/parameters_page.py",
}
TITLES = {
    "overview": "overview.title",
    "merchants": "merchants.title",
    "merchant": "page.merchant",
    "platforms": "platforms.title",
    "trends": "trends.title",
    "watchlist": "watchlist.title",
    "data": "data.title",
    "method": "method.title",
    "users": "users.title",
    "audit": "audit.title",
    "parameters": "params.title",
}


def open_url(at: AppTest, url_path: str) -> AppTest:
    """What a browser asking for /<url_path> gets: Streamlit resolves a URL path to the page hash of that path.

    (AppTest.switch_page only accepts registered files, so a forbidden page cannot be reached that way.)
    """
    at._page_hash = calc_hash(url_path)
    return at.run()


def new_entries(store: Path, since: int) -> list[dict]:
    """Audit entries added after entry `since`, oldest first."""
    return [e for e in reversed(audit.entries(store, limit=None)) if e["entry_id"] > since]


def last_id(store: Path) -> int:
    rows = audit.entries(store, limit=1)
    return rows[0]["entry_id"] if rows else 0


def code_pages(at: AppTest) -> set[str]:
    """URL paths registered with their page file (the rest are stand-ins: login form or refusal)."""
    # The default page (the overview) is registered under the empty path "/".
    return {
        info["url_pathname"] or "overview"
        for info in at._registered_pages.values()
        if info.get("script_path")
    }


@pytest.fixture()
def scored(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    return warehouses


def test_signed_out_every_url_shows_the_login_form_and_nothing_else(scored):
    at = new_app(role=None)
    at.run()
    assert code_pages(at) == set()
    for url_path in PAGE_FILES:
        open_url(at, url_path)
        assert_clean(at)
        assert at.title[0].value == text("login.title")
        assert not at.dataframe and not at.metric and not at.get("plotly_chart")
        assert at.text_input(key="login_password") is not None


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_registered_exactly_its_pages(scored, role):
    at = new_app(role)
    assert code_pages(at) == {p for p, action in PAGE_ACTIONS.items() if allowed(role, action)}
    for url_path, file in PAGE_FILES.items():
        if not allowed(role, PAGE_ACTIONS[url_path]):
            with pytest.raises(ValueError):
                at.switch_page(file)


@pytest.mark.parametrize("url_path", list(PAGE_FILES))
@pytest.mark.parametrize("role", ROLES)
def test_role_page_matrix_by_url(scored, role, url_path):
    at = open_url(new_app(role), url_path)
    assert_clean(at)
    if allowed(role, PAGE_ACTIONS[url_path]):
        assert at.title[0].value == text(TITLES[url_path])
        assert text("access.refused") not in [w.value for w in at.warning]
    else:
        assert [t.value for t in at.title] == [text("access.refused_title")]
        assert [w.value for w in at.warning] == [text("access.refused")]
        assert not at.dataframe and not at.metric and not at.main.button


@pytest.mark.parametrize("url_path", list(PAGE_FILES))
def test_a_page_run_without_the_router_still_refuses(scored, url_path):
    """The second layer: each page checks the role itself (here: nobody, then a role it refuses)."""
    at = AppTest.from_file(str(ROOT / PAGE_FILES[url_path]), default_timeout=60).run()
    assert [t.value for t in at.title] == [text("access.refused_title")]
    refused = [r for r in ROLES if not allowed(r, PAGE_ACTIONS[url_path])]
    for role in refused:
        at = AppTest.from_file(str(ROOT / PAGE_FILES[url_path]), default_timeout=60)
        at.session_state[SESSION_KEY] = Session(account(role).username, role, "password", time.time())
        at.run()
        assert [t.value for t in at.title] == [text("access.refused_title")]
        assert not at.dataframe


def top_complained_shop(warehouses) -> tuple[str, str]:
    return read_table(
        warehouses.scored,
        "select platform_id, merchant_id from out_complaints where merchant_id is not null"
        " group by all order by count(*) desc limit 1",
    )[0]


def shop_page(role: str, warehouses) -> AppTest:
    platform_id, merchant_id = top_complained_shop(warehouses)
    at = new_app(role)
    at.query_params.update({"merchant_platform": platform_id, "merchant": merchant_id, "period": "all"})
    at.run()
    return at.switch_page(PAGE_FILES["merchant"]).run()


@pytest.mark.parametrize("role", ROLES)
def test_role_action_matrix(scored, role):
    at = shop_page(role, scored)
    assert_clean(at)
    expanders = [e.label for e in at.expander]
    assert (text("unmask.title") in expanders) == allowed(role, "unmask") == (role == "inspector")
    personal = [c for c in at.checkbox if c.key == "cx_personal"]
    assert bool(personal) == allowed(role, "export.personal")
    assert [b.key for b in at.download_button] == ["cx_csv"]  # masked complaints: everyone
    at.switch_page(PAGE_FILES["data"]).run()
    assert bool(at.main.file_uploader) == allowed(role, "upload") == (role == "supervisor")
    if role != "supervisor":
        assert text("data.upload_supervisors") in [c.value for c in at.caption]


def test_the_data_layer_masks_even_if_a_session_holds_a_grant_it_may_not_have(scored):
    """An analyst's session with a forged grant still gets masked rows: revealing checks the role again."""
    at = shop_page("analyst", scored)
    _, merchant_id = top_complained_shop(scored)
    ids = [
        i
        for (i,) in read_table(
            scored.scored, "select complaint_id from out_complaints where merchant_id = ?", [merchant_id]
        )
    ]
    at.session_state[SESSION_KEY].grants.update(f"complaint:{i}" for i in ids)
    at.run()
    names = {
        n
        for (n,) in read_table(
            scored.scored, "select consumer_name from stg_complaints where merchant_id = ?", [merchant_id]
        )
        if n
    }
    shown = everything_shown(at)
    assert not any(name in shown for name in names if len(name) > 1)


def test_an_inspector_unmasks_one_complaint_with_a_reason_and_it_is_audited_once(scored, use_access_store):
    at = shop_page("inspector", scored)
    table = at.dataframe[0].value
    complaint_id = table["complaint_id"].iloc[0]
    (name, phone) = read_table(
        scored.scored,
        "select consumer_name, consumer_phone from stg_complaints where complaint_id = ?",
        [complaint_id],
    )[0]
    before = last_id(use_access_store)
    at.selectbox(key="um_complaint_record").set_value(complaint_id).run()
    at.text_input(key="um_complaint_reason").input("short")
    at.button(key="um_complaint_submit").click().run()
    assert text("unmask.too_short", min=POLICY.min_reason_length) in [w.value for w in at.warning]
    assert new_entries(use_access_store, before) == []
    reason = "案件 2026-118 调查，需联系投诉人核实"
    at.text_input(key="um_complaint_reason").input(reason)
    at.button(key="um_complaint_submit").click().run()
    assert_clean(at)
    entries = new_entries(use_access_store, before)
    assert [(e["action"], e["actor"], e["target"]) for e in entries] == [
        ("unmask", account("inspector").username, f"complaint:{complaint_id}")
    ]
    assert json.loads(entries[0]["detail_json"]) == {"reason": reason}
    shown = at.dataframe[0].value.set_index("complaint_id")
    if name:
        assert shown.loc[complaint_id, "consumer_name"] == name
    if phone:
        assert shown.loc[complaint_id, "consumer_phone"] == phone
    others = shown.drop(index=complaint_id)
    assert all(v is None or str(v).endswith("*") for v in others["consumer_name"])
    at.button(key="um_complaint_submit").click().run()  # the same record again: nothing new to record
    assert len(new_entries(use_access_store, before)) == 1


def test_exports_are_audited_once_each_with_the_file_hash(scored, use_access_store):
    at = new_app("analyst")
    at.switch_page(PAGE_FILES["watchlist"]).run()
    at.main.multiselect(key="wl_levels").set_value(["high"])
    at.main.number_input(key="wl_top").set_value(4)
    at.main.button(key="wl_add_filtered").click().run()
    shown = len(at.data_editor[0].value)
    assert [b.key for b in at.download_button] == ["wl_csv", "wl_xlsx", "wl_pdf"]
    before = last_id(use_access_store)
    at.download_button(key="wl_csv").click().run()
    at.download_button(key="wl_xlsx").click().run()
    assert_clean(at)
    entries = new_entries(use_access_store, before)
    assert [(e["action"], e["target"]) for e in entries] == [("export", "watchlist")] * 2
    details = [json.loads(e["detail_json"]) for e in entries]
    assert [d["format"] for d in details] == ["csv", "xlsx"]
    assert all(d["row_count"] == shown and len(d["sha256"]) == 64 and d["bytes"] > 0 for d in details)
    assert details[0]["filters"]["period"] == "30d"


def test_an_inspector_may_export_complaints_with_personal_data_only_with_a_reason(scored, use_access_store):
    at = shop_page("inspector", scored)
    before = last_id(use_access_store)
    at.checkbox(key="cx_personal").check().run()
    assert [b.key for b in at.download_button] == ["cx_csv"]  # no reason yet: still the masked export
    at.text_input(key="cx_reason").input("移送公安机关，案件编号 2026-07").run()
    at.download_button(key="cx_csv_personal").click().run()
    assert_clean(at)
    (entry,) = new_entries(use_access_store, before)
    detail = json.loads(entry["detail_json"])
    assert entry["action"] == "export" and entry["target"].startswith("complaints:")
    assert detail["personal_data"] is True and detail["reason"].startswith("移送")
    assert detail["file_name"].endswith("-personal.csv")


def test_login_failure_lockout_logout_and_expiry_each_leave_one_entry(
    scored, use_access_store, access_accounts
):
    path = use_access_store
    name = "test-lockout"
    password = secrets.token_urlsafe(16)
    if accounts.get_user(path, name) is None:
        accounts.add_user(path, name, "analyst", actor="cli:test", actor_role="", password=password)
    before = last_id(path)
    at = new_app(role=None)
    at.run()
    for _ in range(POLICY.max_failed_logins):
        login(at, name, "wrong password!")
    assert at.warning[-1].value == text("login.locked", minutes=POLICY.lockout_minutes)
    login(at, name, password)  # locked: even the right password is refused
    assert at.title[0].value == text("login.title")
    actions = [e["action"] for e in new_entries(path, before)]
    assert actions == ["login_failed"] * (POLICY.max_failed_logins - 1) + ["lockout", "login_locked"]
    assert not any(
        password in e["detail_json"] or "wrong password" in e["detail_json"] for e in new_entries(path, 0)
    )

    accounts.reset_password(path, name, actor="cli:test", actor_role="", password=password)
    before = last_id(path)
    login(at, name, password)
    assert at.title[0].value == text("overview.title")
    at.sidebar.button(key="logout").click().run()
    assert at.title[0].value == text("login.title")
    assert at.info[0].value == text("login.logged_out")
    login(at, name, password)
    at.session_state[SESSION_KEY].last_seen -= POLICY.idle_minutes * 60 + 1
    at.run()
    assert at.title[0].value == text("login.title")
    assert at.info[0].value == text("login.expired", minutes=POLICY.idle_minutes)
    actions = [(e["action"], e["actor"]) for e in new_entries(path, before)]
    assert actions == [("login", name), ("logout", name), ("login", name), ("session_expired", name)]


def test_supervisors_manage_users_and_each_change_is_audited_once(scored, use_access_store):
    path = use_access_store
    at = new_app("supervisor")
    at.switch_page(PAGE_FILES["users"]).run()
    name = f"new-{int(time.time() * 1000)}"
    before = last_id(path)
    at.text_input(key="ua_name").input(name)
    at.selectbox(key="ua_role").set_value("inspector")
    at.button(key="ua_submit").click().run()
    assert_clean(at)
    password = at.code[0].value
    assert accounts.authenticate(path, name, password).status == "ok"
    at.selectbox(key="um_user").set_value(name).run()
    at.selectbox(key="um_role").set_value("analyst")
    at.button(key="um_set_role").click().run()
    at.button(key="um_reset").click().run()
    new_password = at.code[0].value
    at.button(key="um_disable").click().run()
    assert_clean(at)
    actions = [(e["action"], e["target"]) for e in new_entries(path, before) if e["actor"] != name]
    assert actions == [
        ("user_add", name),
        ("user_role", name),
        ("user_reset", name),
        ("user_disable", name),
    ]
    assert accounts.authenticate(path, name, new_password).status == "refused"
    assert not any(p in e["detail_json"] for e in new_entries(path, before) for p in (password, new_password))
    # A supervisor cannot disable themself (nothing recorded).
    before = last_id(path)
    at.selectbox(key="um_user").set_value(account("supervisor").username).run()
    at.button(key="um_disable").click().run()
    assert at.warning[-1].value == text("users.invalid")
    assert new_entries(path, before) == []


def test_a_disabled_account_is_signed_out_at_its_next_click(scored, use_access_store):
    path = use_access_store
    name, password = f"short-{int(time.time() * 1000)}", secrets.token_urlsafe(16)
    accounts.add_user(path, name, "analyst", actor="cli:test", actor_role="", password=password)
    at = new_app(role=None)
    at.run()
    login(at, name, password)
    assert at.title[0].value == text("overview.title")
    accounts.set_disabled(path, name, True, actor="cli:test", actor_role="")
    at.run()
    assert at.title[0].value == text("login.title")
    assert at.info[0].value == text("login.disabled")


def test_the_audit_page_is_read_only_and_its_export_is_audited(scored, use_access_store):
    at = new_app("supervisor")
    at.switch_page(PAGE_FILES["audit"]).run()
    assert_clean(at)
    assert at.success[0].value.startswith(text("audit.chain_ok", count=0, head="")[:2])
    assert not at.data_editor  # shown, never editable
    frame = at.dataframe[0].value
    assert len(frame) == audit.count(use_access_store)
    at.main.multiselect(key="au_actions").set_value(["login"]).run()
    frame = at.dataframe[0].value
    assert len(frame) and set(frame["action"]) == {text("audit.action.login")}
    before = last_id(use_access_store)
    at.download_button(key="au_csv").click().run()
    (entry,) = new_entries(use_access_store, before)
    detail = json.loads(entry["detail_json"])
    assert entry["target"] == "audit_log" and detail["filters"]["actions"] == ["login"]
    assert detail["row_count"] == len(frame) and len(detail["sha256"]) == 64


def test_every_download_goes_through_the_audited_export_path():
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in [*(ROOT / "pages").glob("*.py"), *(ROOT / "app").glob("*.py"), ROOT / "dashboard.py"]
        if "download_button(" in p.read_text(encoding="utf-8") and p.name != "exports.py"
    ]
    assert offenders == []


def test_every_page_checks_its_own_action():
    for url_path, file in PAGE_FILES.items():
        source = (ROOT / file).read_text(encoding="utf-8")
        assert f'access.require("{PAGE_ACTIONS[url_path]}")' in source, file


def test_with_an_identity_provider_configured_the_login_offers_it_instead_of_a_password(scored):
    at = new_app(role=None)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 8}
    at.run()
    assert at.title[0].value == text("login.title")
    assert at.button(key="login_oidc").label == text("login.oidc")
    assert not [w for w in at.text_input if w.key == "login_password"]

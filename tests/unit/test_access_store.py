"""Accounts, lockout and the hash-chained audit log on a real SQLite access store; the `users` and `audit` CLI."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
import secrets
import sqlite3
from pathlib import Path

import pytest

from pipelines import accounts, audit
from pipelines.access_policy import PERMISSIONS, POLICY, ROLES, allowed
from tests.commands import run_pipelines as cli
from warehouse import access_store

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = secrets.token_urlsafe(16)  # random per run: no password is ever committed


@pytest.fixture()
def store(tmp_path) -> Path:
    path = tmp_path / "access.sqlite"
    accounts.add_user(path, "ana", "analyst", actor="cli:test", actor_role="", password=PASSWORD)
    return path


def actions(path: Path) -> list[str]:
    return [e["action"] for e in reversed(audit.entries(path, limit=None))]


def test_a_password_is_stored_only_as_an_argon2id_hash(store):
    with access_store.read(store) as con:
        (stored,) = con.execute("select password_hash from users where username = 'ana'").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    for file in store.parent.iterdir():
        assert PASSWORD.encode() not in file.read_bytes()


def test_login_ok_and_failures_each_leave_one_entry(store):
    before = audit.count(store)
    assert accounts.authenticate(store, "ana", PASSWORD).status == "ok"
    assert accounts.authenticate(store, "ana", "wrong").status == "failed"
    assert accounts.authenticate(store, "nobody", "wrong").status == "failed"
    assert audit.count(store) == before + 3
    newest = audit.entries(store, limit=3)
    assert [e["action"] for e in newest] == ["login_failed", "login_failed", "login"]
    assert newest[0]["actor"].startswith("unknown:") and "nobody" not in newest[0]["actor"]


def test_lockout_after_the_limit_refuses_even_the_right_password_until_it_expires(store):
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    for _ in range(POLICY.max_failed_logins - 1):
        assert accounts.authenticate(store, "ana", "wrong", now=start).status == "failed"
    result = accounts.authenticate(store, "ana", "wrong", now=start)
    assert result.status == "locked" and result.locked_until
    assert accounts.authenticate(store, "ana", PASSWORD, now=start).status == "locked"
    later = start + dt.timedelta(minutes=POLICY.lockout_minutes, seconds=1)
    assert accounts.authenticate(store, "ana", PASSWORD, now=later).status == "ok"
    assert actions(store)[-3:] == ["lockout", "login_locked", "login"]


def test_reset_lifts_a_lock_and_disable_refuses(store):
    for _ in range(POLICY.max_failed_logins):
        accounts.authenticate(store, "ana", "wrong")
    new = accounts.reset_password(store, "ana", actor="cli:test", actor_role="")
    assert new != PASSWORD and len(new) >= 20
    assert accounts.authenticate(store, "ana", PASSWORD).status == "failed"
    assert accounts.authenticate(store, "ana", new).status == "ok"
    accounts.set_disabled(store, "ana", True, actor="cli:test", actor_role="")
    assert accounts.authenticate(store, "ana", new).status == "refused"
    assert actions(store)[-3:] == ["login", "user_disable", "login_refused"]


@pytest.mark.parametrize(
    "name", ["", "a b", "x;drop table users", "../etc", "<script>", "=1+1", "é" * 3, "a" * 65]
)
def test_bad_login_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError):
        accounts.add_user(tmp_path / "a.sqlite", name, "analyst", actor="t", actor_role="")


def test_the_role_matrix_is_closed():
    assert set(ROLES) == {"analyst", "inspector", "supervisor"}
    assert allowed("inspector", "unmask") and not allowed("analyst", "unmask")
    assert not allowed("supervisor", "unmask") and allowed("supervisor", "view.audit")
    assert not allowed(None, "view.analysis") and not allowed("admin", "view.analysis")
    assert not allowed("supervisor", "no.such.action")
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


def test_the_chain_verifies_and_shows_a_changed_or_removed_entry(store, tmp_path):
    for n in range(5):
        audit.record(store, actor="ana", role="analyst", action="export", target=f"t{n}", detail={"n": n})
    check = audit.verify(store)
    assert check.ok and check.entry_count == 6
    with sqlite3.connect(store) as con:  # someone with the file, outside the product
        con.execute("drop trigger audit_log_no_update")
        con.execute("update audit_log set target = 'forged' where entry_id = 3")
    broken = audit.verify(store)
    assert not broken.ok and broken.first_bad_entry_id == 3
    with sqlite3.connect(store) as con:
        con.execute("drop trigger audit_log_no_delete")
        con.execute("delete from audit_log where entry_id = 3")
    assert audit.verify(store).first_bad_entry_id == 4


@pytest.mark.parametrize(
    "statement",
    ["update audit_log set actor = 'x'", "delete from audit_log", "update audit_log set detail_json = '{}'"],
)
def test_the_database_refuses_to_edit_the_log(store, statement):
    with sqlite3.connect(store) as con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(statement)
    assert audit.verify(store).ok


def test_no_product_code_updates_or_deletes_the_log():
    pattern = re.compile(
        r"(update\s+audit_log|delete\s+from\s+audit_log|drop\s+\w+\s+audit_log)", re.IGNORECASE
    )
    sources = [
        p for folder in ("app", "pages", "pipelines", "warehouse") for p in (ROOT / folder).rglob("*.py")
    ]
    offenders = [
        p.name for p in [*sources, ROOT / "dashboard.py"] if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _append_many(path: str, worker: int) -> None:
    for n in range(40):
        audit.record(path, actor=f"w{worker}", role="analyst", action="export", target=str(n))


def test_writers_in_several_processes_keep_one_unbroken_chain(tmp_path):
    path = str(tmp_path / "access.sqlite")
    access_store.connect(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(path, w)) for w in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    check = audit.verify(path)
    assert check.ok and check.entry_count == 120


def test_the_users_command_prints_a_password_once_on_stdout_only(tmp_path):
    store = tmp_path / "access.sqlite"
    added = cli("users", "add", "insp", "--role", "inspector", store=store)
    assert added.returncode == 0, added.stderr
    name, password = added.stdout.strip().split("\t")
    assert name == "insp" and password not in added.stderr
    assert accounts.authenticate(store, "insp", password).status == "ok"
    assert cli("users", "add", "insp", "--role", "inspector", store=store).returncode == 1
    assert cli("users", "add", "bad name", "--role", "inspector", store=store).returncode == 2
    assert cli("users", "disable", "ghost", store=store).returncode == 1
    reset = cli("users", "reset", "insp", store=store)
    new = reset.stdout.strip().split("\t")[1]
    assert new != password and new not in reset.stderr
    assert cli("users", "disable", "insp", store=store).returncode == 0
    listed = cli("users", "list", store=store)
    assert "insp\tinspector\tdisabled\tpassword" in listed.stdout and new not in listed.stdout
    demo = cli("users", "demo", store=store)
    assert sorted(line.split("\t")[0] for line in demo.stdout.splitlines()) == [f"demo-{r}" for r in ROLES]
    again = cli("users", "demo", store=store)
    assert again.returncode == 0 and again.stdout == ""  # created once only
    entries = audit.entries(store, limit=None)
    assert all(e["actor"].startswith("cli:") for e in entries if e["action"].startswith("user_"))
    assert not any(p in e["detail_json"] for e in entries for p in (password, new))


def test_the_audit_command_verifies_and_exports(store, tmp_path):
    assert cli("audit", "verify", store=store).returncode == 0
    out = tmp_path / "audit.csv"
    exported = cli("audit", "export", "--out", str(out), store=store)
    assert exported.returncode == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert audit.entries(store, limit=1)[0]["action"] == "export"  # the export itself is audited
    with sqlite3.connect(store) as con:
        con.execute("drop trigger audit_log_no_update")
        con.execute("update audit_log set actor = 'someone else' where entry_id = 1")
    broken = cli("audit", "verify", store=store)
    assert broken.returncode == 1 and "entry 1" in broken.stderr

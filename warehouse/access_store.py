"""The access store: accounts and the append-only audit log, in a small SQLite file beside the warehouse.

Why not the warehouse: every ingest and scoring run replaces the warehouse file wholesale
(warehouse/publish.py) and the dashboard opens it read-only, so accounts and the audit
trail would be lost or unwritable there. Why SQLite and not a second DuckDB file: this is
a small transactional store written by several processes (the dashboard server and the
`python -m pipelines users` command line) at once. SQLite lets them all open the file and
serialises writers with a lock and a bounded wait (`busy_timeout`), where DuckDB refuses
a second process outright; and SQLite triggers make the audit log append-only inside the
database itself, whoever connects.

Every write is one short transaction (`write`): BEGIN IMMEDIATE takes the write lock
first, so reading the last audit hash and appending the next entry cannot interleave
with another writer.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

# The roles an account may have (what each may do: pipelines/access_policy.py).
ROLES = ("analyst", "inspector", "supervisor")
# A writer waits at most this long for another one to finish, then fails with "database is locked".
BUSY_TIMEOUT_SECONDS = 10.0

SCHEMA = (
    """
    create table if not exists users (
        username text primary key,
        role text not null check (role in ('analyst', 'inspector', 'supervisor')),
        password_hash text,                 -- argon2id; null: signs in through the identity provider only
        is_disabled integer not null default 0,
        failed_login_count integer not null default 0,
        locked_until text,                  -- ISO 8601 UTC; null when not locked
        created_at text not null,
        updated_at text not null,
        password_changed_at text
    )
    """,
    """
    create table if not exists audit_log (
        entry_id integer primary key autoincrement,
        at text not null,                   -- ISO 8601 UTC
        actor text not null,                -- username, or cli:<os user> for the command line
        role text not null,
        action text not null,
        target text not null,               -- the record or account acted on
        detail_json text not null,
        prev_hash text not null,            -- entry_hash of the entry before (a chain: tampering shows)
        entry_hash text not null unique
    )
    """,
    """
    create trigger if not exists audit_log_no_update before update on audit_log
    begin select raise(abort, 'audit_log is append-only'); end
    """,
    """
    create trigger if not exists audit_log_no_delete before delete on audit_log
    begin select raise(abort, 'audit_log is append-only'); end
    """,
    """
    create table if not exists parameters (
        name text primary key,              -- a scoring parameter a supervisor may change (pipelines/param_overrides.py)
        value_json text not null,           -- the override; no row: the default of pipelines/params.py
        updated_at text not null,
        updated_by text not null,
        reason text not null default ''
    )
    """,
)
# Columns added to tables after their first release: (table, column, definition).
ADDED_COLUMNS = (("parameters", "reason", "text not null default ''"),)


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), the schema created if missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    con.row_factory = sqlite3.Row
    try:
        # WAL: readers never wait for the writer; full sync: an audit entry survives a power cut.
        con.execute("pragma journal_mode = wal")
        con.execute("pragma synchronous = full")
        for statement in SCHEMA:
            con.execute(statement)
        _add_missing_columns(con)
    except BaseException:
        con.close()
        raise
    return con


def _add_missing_columns(con: sqlite3.Connection) -> None:
    # A store made before a column existed gets it (fixed names from ADDED_COLUMNS only).
    for table, column, definition in ADDED_COLUMNS:
        present = {row[1] for row in con.execute(f"pragma table_info({table})")}
        if column not in present:
            try:
                con.execute(f"alter table {table} add column {column} {definition}")
            except sqlite3.OperationalError as exc:  # another process added it meanwhile
                if "duplicate column" not in str(exc):
                    raise


@contextlib.contextmanager
def write(path: Path | str) -> Iterator[sqlite3.Connection]:
    """One short write transaction: committed when the block ends, rolled back on any exception."""
    con = connect(path)
    try:
        con.execute("begin immediate")  # the write lock now, so read-then-append is atomic
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    finally:
        con.close()


@contextlib.contextmanager
def read(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A connection that refuses writes, for queries."""
    con = connect(path)
    try:
        con.execute("pragma query_only = on")
        yield con
    finally:
        con.close()

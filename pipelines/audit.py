"""The append-only audit log: who did what, when, to which record; hash-chained so tampering shows.

Entries are only ever inserted (`append`); the database refuses updates and deletes with
triggers (warehouse/access_store.py) and no product code issues one. Each entry stores the
hash of the entry before it and its own hash over its fields and that one, so an entry
changed, removed or inserted by someone with the file in hand breaks the chain, which
`verify` (and `python -m pipelines audit verify`) reports. Cutting entries off the end
leaves a shorter valid chain: compare `verify`'s head hash with one noted earlier.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipelines.export_safety import safe_text_cell
from warehouse import access_store

GENESIS_HASH = "0" * 64
COLUMNS = ("entry_id", "at", "actor", "role", "action", "target", "detail_json", "prev_hash", "entry_hash")
# Every action an entry may record (the docs list them; a test checks the product uses no other).
ACTIONS = (
    "login",
    "login_failed",
    "lockout",
    "login_locked",
    "login_refused",
    "logout",
    "session_expired",
    "unmask",
    "export",
    "upload",
    "parameter_change",
    "user_add",
    "user_disable",
    "user_enable",
    "user_reset",
    "user_role",
)


def now_utc() -> str:
    """The current time as ISO 8601 UTC with microseconds (sorts as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def cli_actor() -> str:
    """The actor of a command-line change: the operating-system user who ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli:unknown"


def entry_hash(prev_hash: str, at: str, actor: str, role: str, action: str, target: str, detail: str) -> str:
    """SHA-256 over the previous entry's hash and this entry's fields, as canonical JSON."""
    payload = json.dumps([prev_hash, at, actor, role, action, target, detail], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    con: sqlite3.Connection,
    *,
    actor: str,
    role: str,
    action: str,
    target: str = "",
    detail: dict | None = None,
) -> int:
    """Add one entry inside the caller's write transaction (access_store.write); returns its id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if not con.in_transaction:
        raise RuntimeError("audit.append needs a write transaction (warehouse.access_store.write)")
    row = con.execute("select entry_hash from audit_log order by entry_id desc limit 1").fetchone()
    prev = row[0] if row else GENESIS_HASH
    at = now_utc()
    detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_hash(prev, at, actor, role, action, target, detail_json)
    cursor = con.execute(
        "insert into audit_log (at, actor, role, action, target, detail_json, prev_hash, entry_hash)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, actor, role, action, target, detail_json, prev, digest),
    )
    return int(cursor.lastrowid)


def record(path: Path | str, **entry) -> int:
    """Append one entry in a transaction of its own (see `append` for the fields)."""
    with access_store.write(path) as con:
        return append(con, **entry)


def record_export(path: Path | str, *, actor: str, role: str, target: str, detail: dict, data: bytes) -> int:
    """One `export` entry for the exact file `data`: `detail` (filters, rows, format) plus its SHA-256 and size."""
    detail = {**detail, "sha256": sha256_hex(data), "bytes": len(data)}
    return record(path, actor=actor, role=role, action="export", target=target, detail=detail)


def entries(
    path: Path | str,
    *,
    actions: tuple[str, ...] = (),
    actor: str = "",
    since: str | None = None,
    limit: int | None = 5000,
) -> list[dict]:
    """Entries, newest first, optionally of some actions, one actor (exact) and from an ISO time on."""
    clauses, params = ["1 = 1"], []
    if actions:
        clauses.append(f"action in ({', '.join('?' for _ in actions)})")
        params.extend(actions)
    if actor:
        clauses.append("actor = ?")
        params.append(actor)
    if since:
        clauses.append("at >= ?")
        params.append(since)
    sql = f"select {', '.join(COLUMNS)} from audit_log where {' and '.join(clauses)} order by entry_id desc"  # noqa: S608 - fixed clauses, bound values
    if limit is not None:
        sql += " limit ?"
        params.append(int(limit))
    with access_store.read(path) as con:
        return [dict(row) for row in con.execute(sql, params)]


def count(path: Path | str) -> int:
    """How many entries the log holds."""
    with access_store.read(path) as con:
        return int(con.execute("select count(*) from audit_log").fetchone()[0])


@dataclass(frozen=True)
class ChainCheck:
    """The result of `verify`: whether every entry's hashes hold, and where the first break is."""

    ok: bool
    entry_count: int
    head_hash: str
    first_bad_entry_id: int | None = None
    problem: str = ""


def verify(path: Path | str) -> ChainCheck:
    """Recompute the hash chain from the first entry; report the first entry that does not fit."""
    prev = GENESIS_HASH
    n = 0
    with access_store.read(path) as con:
        for row in con.execute(f"select {', '.join(COLUMNS)} from audit_log order by entry_id"):  # noqa: S608
            n += 1
            if row["prev_hash"] != prev:
                return ChainCheck(False, n, prev, row["entry_id"], "does not follow the entry before it")
            expected = entry_hash(
                prev, row["at"], row["actor"], row["role"], row["action"], row["target"], row["detail_json"]
            )
            if row["entry_hash"] != expected:
                return ChainCheck(False, n, prev, row["entry_id"], "its fields were changed")
            prev = row["entry_hash"]
    return ChainCheck(True, n, prev)


def csv_bytes(rows: list[dict]) -> bytes:
    """Entries as CSV (UTF-8 with a BOM for Excel), every text cell formula-neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_text_cell(row.get(c)) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of an exported file, as the audit log records it."""
    return hashlib.sha256(data).hexdigest()

"""Local accounts: argon2id password hashes, lockout after failed logins, and user changes (all audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipelines import audit
from pipelines.access_policy import POLICY, ROLES, AccessPolicy
from warehouse import access_store

# Login names: letters, digits and . _ @ - (an e-mail address for identity-provider accounts).
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# argon2id with the library's defaults (RFC 9106's second recommended option: 64 MiB, 3 passes).
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    """An account as the product sees it (never its password hash)."""

    username: str
    role: str
    is_disabled: bool
    has_password: bool
    failed_login_count: int
    locked_until: str | None


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: `ok`, `failed`, `locked` or `refused` (disabled / unknown to the provider)."""

    status: str
    user: User | None = None
    locked_until: str | None = None


def generate_password(policy: AccessPolicy = POLICY) -> str:
    """A random password to hand over once (URL-safe characters)."""
    return secrets.token_urlsafe(policy.generated_password_bytes)


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (salted, slow), as stored."""
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so an unknown name costs the same time.
    return _HASHER.hash(secrets.token_urlsafe(16))


def check_username(username: str) -> str:
    """The name itself if it is a valid login name; ValueError otherwise."""
    if not isinstance(username, str) or not USERNAME.match(username):
        raise ValueError("a login name has 1-64 letters, digits or . _ @ - and starts with a letter or digit")
    return username


def check_role(role: str) -> str:
    """The role itself if it exists; ValueError otherwise."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


def check_password(password: str, policy: AccessPolicy = POLICY) -> str:
    """The password itself if it is long enough; ValueError otherwise."""
    if len(password) < policy.min_password_length:
        raise ValueError(f"a password needs at least {policy.min_password_length} characters")
    return password


def _user(row: sqlite3.Row | None) -> User | None:
    if row is None:
        return None
    return User(
        username=row["username"],
        role=row["role"],
        is_disabled=bool(row["is_disabled"]),
        has_password=row["password_hash"] is not None,
        failed_login_count=int(row["failed_login_count"]),
        locked_until=row["locked_until"],
    )


def get_user(path: Path | str, username: str) -> User | None:
    """The account, or None."""
    with access_store.read(path) as con:
        return _user(con.execute("select * from users where username = ?", (username,)).fetchone())


def list_users(path: Path | str) -> list[User]:
    """Every account, by name."""
    with access_store.read(path) as con:
        return [_user(row) for row in con.execute("select * from users order by username")]


def add_user(
    path: Path | str,
    username: str,
    role: str,
    *,
    actor: str,
    actor_role: str,
    password: str | None = None,
    identity_provider: bool = False,
) -> str | None:
    """Create an account; returns its password (generated unless given) to hand over once, None for IdP accounts."""
    check_username(username)
    check_role(role)
    if identity_provider:
        password = None
    elif password is None:
        password = generate_password()
    else:
        check_password(password)
    hashed = hash_password(password) if password is not None else None
    now = audit.now_utc()
    with access_store.write(path) as con:
        if con.execute("select 1 from users where username = ?", (username,)).fetchone():
            raise ValueError(f"account {username!r} exists already")
        con.execute(
            "insert into users (username, role, password_hash, created_at, updated_at, password_changed_at)"
            " values (?, ?, ?, ?, ?, ?)",
            (username, role, hashed, now, now, now if hashed else None),
        )
        audit.append(
            con,
            actor=actor,
            role=actor_role,
            action="user_add",
            target=username,
            detail={"role": role, "sign_in": "identity_provider" if identity_provider else "password"},
        )
    return password


def _existing(con: sqlite3.Connection, username: str) -> sqlite3.Row:
    row = con.execute("select * from users where username = ?", (username,)).fetchone()
    if row is None:
        raise LookupError(f"no account {username!r}")
    return row


def set_disabled(path: Path | str, username: str, disabled: bool, *, actor: str, actor_role: str) -> None:
    """Disable an account (its sessions end at their next click) or enable it again."""
    with access_store.write(path) as con:
        _existing(con, username)
        con.execute(
            "update users set is_disabled = ?, updated_at = ? where username = ?",
            (int(disabled), audit.now_utc(), username),
        )
        audit.append(
            con,
            actor=actor,
            role=actor_role,
            action="user_disable" if disabled else "user_enable",
            target=username,
        )


def reset_password(
    path: Path | str, username: str, *, actor: str, actor_role: str, password: str | None = None
) -> str:
    """Give the account a new password (generated unless given) and lift any lock; returns the password."""
    password = generate_password() if password is None else check_password(password)
    hashed = hash_password(password)
    now = audit.now_utc()
    with access_store.write(path) as con:
        _existing(con, username)
        con.execute(
            "update users set password_hash = ?, failed_login_count = 0, locked_until = null,"
            " password_changed_at = ?, updated_at = ? where username = ?",
            (hashed, now, now, username),
        )
        audit.append(con, actor=actor, role=actor_role, action="user_reset", target=username)
    return password


def set_role(path: Path | str, username: str, role: str, *, actor: str, actor_role: str) -> None:
    """Change an account's role."""
    check_role(role)
    with access_store.write(path) as con:
        before = _existing(con, username)["role"]
        con.execute(
            "update users set role = ?, updated_at = ? where username = ?", (role, audit.now_utc(), username)
        )
        audit.append(
            con,
            actor=actor,
            role=actor_role,
            action="user_role",
            target=username,
            detail={"from": before, "to": role},
        )


def _unknown_name(username: str) -> str:
    # What was typed as a name may be a password typed in the wrong box: keep only a short digest.
    return "unknown:" + hashlib.sha256(username.encode("utf-8")).hexdigest()[:12]


def authenticate(
    path: Path | str,
    username: str,
    password: str,
    policy: AccessPolicy = POLICY,
    *,
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check a local login; count failures, lock after too many, and audit the attempt (one entry)."""
    now = now or dt.datetime.now(dt.UTC)
    username = (username or "").strip()
    with access_store.read(path) as con:
        found = con.execute("select * from users where username = ?", (username,)).fetchone()
    stored_hash = found["password_hash"] if found else None
    # Verify before taking the write lock: argon2 is deliberately slow.
    matches = False
    try:
        matches = _HASHER.verify(stored_hash or _dummy_hash(), password or "") and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        matches = False
    with access_store.write(path) as con:
        if found is None:
            audit.append(con, actor=_unknown_name(username), role="", action="login_failed", detail={})
            return LoginResult("failed")
        row = _existing(con, username)
        user = _user(row)
        if user.is_disabled:
            audit.append(
                con, actor=username, role=user.role, action="login_refused", detail={"reason": "disabled"}
            )
            return LoginResult("refused", user)
        locked_until = row["locked_until"]
        if locked_until and dt.datetime.fromisoformat(locked_until) > now:
            audit.append(
                con,
                actor=username,
                role=user.role,
                action="login_locked",
                detail={"locked_until": locked_until},
            )
            return LoginResult("locked", user, locked_until)
        if not matches:
            failures = int(row["failed_login_count"]) + 1
            if failures >= policy.max_failed_logins:
                until = (now + dt.timedelta(minutes=policy.lockout_minutes)).isoformat(timespec="seconds")
                con.execute(
                    "update users set failed_login_count = 0, locked_until = ? where username = ?",
                    (until, username),
                )
                audit.append(
                    con,
                    actor=username,
                    role=user.role,
                    action="lockout",
                    detail={"failed_logins": failures, "locked_until": until},
                )
                return LoginResult("locked", user, until)
            con.execute("update users set failed_login_count = ? where username = ?", (failures, username))
            audit.append(
                con, actor=username, role=user.role, action="login_failed", detail={"failed_logins": failures}
            )
            return LoginResult("failed", user)
        updates = "failed_login_count = 0, locked_until = null"
        params: list = []
        if _HASHER.check_needs_rehash(stored_hash):
            updates += ", password_hash = ?"
            params.append(hash_password(password))
        con.execute(f"update users set {updates} where username = ?", (*params, username))  # noqa: S608
        audit.append(con, actor=username, role=user.role, action="login", detail={"method": "password"})
        return LoginResult("ok", user)


def authenticate_identity(path: Path | str, email: str | None) -> LoginResult:
    """Map an identity provider's verified e-mail to an account; audit the attempt (one entry)."""
    username = (email or "").strip().lower()
    with access_store.write(path) as con:
        row = con.execute("select * from users where lower(username) = ?", (username,)).fetchone()
        user = _user(row)
        if user is None or user.is_disabled:
            actor = _unknown_name(username) if user is None else user.username
            audit.append(
                con,
                actor=actor,
                role=user.role if user else "",
                action="login_refused",
                detail={"method": "oidc", "reason": "disabled" if user else "no account"},
            )
            return LoginResult("refused", user)
        audit.append(con, actor=user.username, role=user.role, action="login", detail={"method": "oidc"})
        return LoginResult("ok", user)


def record_session_end(
    path: Path | str, username: str, role: str, *, expired: bool, idle_minutes: int = 0
) -> None:
    """Audit a logout, or a session that expired after `idle_minutes` without a click."""
    audit.record(
        path,
        actor=username,
        role=role,
        action="session_expired" if expired else "logout",
        detail={"idle_minutes": idle_minutes} if expired else {},
    )


def demo_accounts(path: Path | str) -> dict[str, str]:
    """One account per role (`demo-analyst`, …) with a random password, for those that do not exist yet.

    Returns {username: password} of the accounts it created (empty when all exist): the caller
    shows them once; they are stored only as hashes.
    """
    created = {}
    for role in ROLES:
        name = f"demo-{role}"
        if get_user(path, name) is None:
            created[name] = add_user(path, name, role, actor=audit.cli_actor(), actor_role="")
    return created

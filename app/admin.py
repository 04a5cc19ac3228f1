"""What the supervisors' pages do: accounts (add, disable, enable, reset, role) and reading the audit log.

Every function checks the signed-in role itself (the pages do too) and records the change
in the audit log through pipelines/accounts.py, in the same transaction as the change.
"""

from __future__ import annotations

import pandas as pd

from app import access
from pipelines import access_policy, accounts, audit

ROLES = access_policy.ROLES
AUDIT_ACTIONS = audit.ACTIONS
USER_COLUMNS = ("username", "role", "state", "sign_in")
AUDIT_COLUMNS = ("entry_id", "at", "actor", "role", "action", "target", "detail_json")


class Refused(PermissionError):
    """The signed-in role may not do this."""


def _actor(action: str) -> access.Session:
    session = access.current()
    if session is None or not access.allowed(action):
        raise Refused(action)
    return session


def users_frame() -> pd.DataFrame:
    """Every account: name, role, state (active, locked, disabled), how it signs in. Never a password hash."""
    _actor("manage.users")
    rows = [
        {
            "username": u.username,
            "role": u.role,
            "state": "disabled" if u.is_disabled else ("locked" if u.locked_until else "active"),
            "sign_in": "password" if u.has_password else "identity_provider",
        }
        for u in accounts.list_users(access.store_path())
    ]
    return pd.DataFrame(rows, columns=list(USER_COLUMNS))


def add_user(username: str, role: str, identity_provider: bool) -> str | None:
    """Create an account; returns the generated password to show once (None for identity-provider accounts)."""
    session = _actor("manage.users")
    return accounts.add_user(
        access.store_path(),
        (username or "").strip(),
        role,
        actor=session.username,
        actor_role=session.role,
        identity_provider=identity_provider,
    )


def set_disabled(username: str, disabled: bool) -> None:
    """Disable or enable an account (not one's own: a supervisor cannot lock themself out)."""
    session = _actor("manage.users")
    if username == session.username:
        raise ValueError("own account")
    accounts.set_disabled(
        access.store_path(), username, disabled, actor=session.username, actor_role=session.role
    )


def reset_password(username: str) -> str:
    """A new generated password for the account (shown once), its lock lifted."""
    session = _actor("manage.users")
    return accounts.reset_password(
        access.store_path(), username, actor=session.username, actor_role=session.role
    )


def set_role(username: str, role: str) -> None:
    """Change an account's role (not one's own)."""
    session = _actor("manage.users")
    if username == session.username:
        raise ValueError("own account")
    accounts.set_role(access.store_path(), username, role, actor=session.username, actor_role=session.role)


def audit_frame(actions: tuple[str, ...] = (), actor: str = "", limit: int = 5000) -> pd.DataFrame:
    """Audit entries, newest first, optionally of some actions and one actor (matched exactly)."""
    _actor("view.audit")
    known = tuple(a for a in actions if a in audit.ACTIONS)
    rows = audit.entries(access.store_path(), actions=known, actor=(actor or "").strip(), limit=limit)
    return pd.DataFrame(rows, columns=list(audit.COLUMNS))


def chain_check() -> audit.ChainCheck:
    """Whether the log's hash chain holds (a change made outside the product breaks it)."""
    _actor("view.audit")
    return audit.verify(access.store_path())


def audit_csv(frame: pd.DataFrame) -> bytes:
    """The entries shown, as CSV for the export (formula-neutralised)."""
    _actor("export.audit")
    return audit.csv_bytes(frame.to_dict("records"))

"""Who may do what, and the login, session, unmasking and upload limits: access parameters in one place."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.access_store import ROLES

ANALYST, INSPECTOR, SUPERVISOR = ROLES
EVERYONE = frozenset(ROLES)

# Each action the product checks on the server, and the roles that may perform it.
PERMISSIONS: dict[str, frozenset[str]] = {
    # Pages of the analysis: aggregates, shops, trends, the method, the data's health (all masked).
    "view.analysis": EVERYONE,
    "view.data": EVERYONE,
    "edit.watchlist": EVERYONE,
    # Exports without personal data: the watchlist (CSV, XLSX, PDF brief), a shop's complaints (masked).
    "export.watchlist": EVERYONE,
    "export.complaints": EVERYONE,
    # Personal data: only an inspector, record by record, with a stated reason, audited.
    "unmask": frozenset({INSPECTOR}),
    "export.personal": frozenset({INSPECTOR}),
    # Administration.
    "upload": frozenset({SUPERVISOR}),
    "manage.users": frozenset({SUPERVISOR}),
    "manage.parameters": frozenset({SUPERVISOR}),
    "view.audit": frozenset({SUPERVISOR}),
    "export.audit": frozenset({SUPERVISOR}),
}


@dataclass(frozen=True)
class AccessPolicy:
    """Limits of logins, sessions, unmasking and uploads."""

    max_failed_logins: int = 5  # consecutive failures that lock an account
    lockout_minutes: int = 15  # how long a lock lasts (a supervisor's reset lifts it at once)
    idle_minutes: int = 30  # a session without a click for this long is logged out
    min_password_length: int = 12  # for passwords a person chooses; generated ones are longer
    generated_password_bytes: int = 15  # random bytes of a generated password (20 URL-safe characters)
    min_reason_length: int = 10  # characters a reason for unmasking must have
    max_reason_length: int = 500
    max_upload_mb: int = 200  # per file, checked on the server (and Streamlit's server.maxUploadSize)
    max_upload_files: int = 20
    upload_suffixes: tuple[str, ...] = (".csv", ".csv.gz", ".parquet", ".xlsx")


POLICY = AccessPolicy()


def allowed(role: str | None, action: str) -> bool:
    """True if `role` may perform `action`; unknown roles and unknown actions are refused."""
    return role is not None and role in PERMISSIONS.get(action, frozenset())

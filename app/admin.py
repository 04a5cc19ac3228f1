"""What the supervisors' pages do: accounts (add, disable, enable, reset, role), scoring parameters, the audit log.

Every function checks the signed-in role itself (the pages do too) and records the change
in the audit log through pipelines/accounts.py, in the same transaction as the change.
"""

from __future__ import annotations

import pandas as pd

from app import access, i18n
from app.i18n import t
from app.strings import STRINGS
from pipelines import access_policy, accounts, audit, param_overrides
from pipelines.params import SIGNALS

ROLES = access_policy.ROLES
POLICY = access_policy.POLICY
AUDIT_ACTIONS = audit.ACTIONS
USER_COLUMNS = ("username", "role", "state", "sign_in")
AUDIT_COLUMNS = ("entry_id", "at", "actor", "role", "action", "target", "detail_json")
PARAMETER_COLUMNS = ("name", "value", "default", "minimum", "maximum", "updated_by", "updated_at", "reason")
ParameterError = param_overrides.ParameterError


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


def parameters_frame() -> pd.DataFrame:
    """Every parameter a supervisor may change: value in force, default, bounds, and who changed it, when, why."""
    _actor("manage.parameters")
    frame = pd.DataFrame(param_overrides.describe(access.store_path()))
    for column in ("value", "default", "minimum", "maximum"):  # ints and floats mixed: shown as text
        frame[column] = frame[column].map(lambda v: f"{v:g}" if isinstance(v, float) else str(v))
    return frame


def set_parameter(name: str, value: str, reason: str) -> param_overrides.Change:
    """Override a parameter from the next scoring run on (audited); ParameterError says what is wrong."""
    session = _actor("manage.parameters")
    return param_overrides.set_override(
        access.store_path(), name, value, reason=reason, actor=session.username, actor_role=session.role
    )


def reset_parameter(name: str, reason: str) -> param_overrides.Change:
    """Remove a parameter's override: the next scoring run uses its default (audited)."""
    session = _actor("manage.parameters")
    return param_overrides.reset_override(
        access.store_path(), name, reason=reason, actor=session.username, actor_role=session.role
    )


def parameter_help(name: str) -> str:
    """What a changeable parameter means, in the current language."""
    parts = name.split(".")
    if parts[0] == "signals":
        harm = next((s.harm for s in SIGNALS if s.code == parts[1]), "")
        return t("params.help.weight", code=parts[1], harm=i18n.label("harm", harm))
    key = f"params.help.{name}"
    return t(key) if key in STRINGS else param_overrides.TUNABLES[name].help


def parameter_problem(error: ParameterError) -> str:
    """Why a change was refused, in the current language."""
    values = {k: str(v) for k, v in error.values.items()}
    problem = "type_int" if error.problem == "type" and values.get("kind") == "int" else error.problem
    return t(f"params.error.{problem}", **values)


def parameters_digest() -> str:
    """The short hash of the parameters the next scoring run would use (a run id ends with its run's)."""
    _actor("manage.parameters")
    try:
        params, _ = param_overrides.effective_params(access.store_path())
    except ParameterError:
        return ""
    return params.digest()


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

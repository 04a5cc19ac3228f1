"""Who is signed in and what their role may see and do: login, logout, idle expiry, refusals, unmask grants.

The router (dashboard.py) calls `gate()` before anything else and registers only the
pages the role may open (app/navigation.py); each page and each action checks again
here (`require_page`, `require`, `allowed`), so a page reached some other way still
refuses. Accounts and the audit log live in the access store (pipelines/accounts.py,
pipelines/audit.py); this module keeps only the session's side.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from app.i18n import t
from pipelines import accounts, audit
from pipelines.access_policy import POLICY
from pipelines.access_policy import allowed as role_allows
from warehouse.settings import get_settings

log = logging.getLogger("dashboard.access")
SESSION_KEY = "_access"
NOTICE_KEY = "_access_notice"  # why the last session ended (expired, disabled), shown on the login form


@dataclass
class Session:
    """The signed-in user of this browser session, and the records they unmasked in it."""

    username: str
    role: str
    method: str  # "password" or "oidc"
    last_seen: float
    grants: set[str] = field(default_factory=set)  # "complaint:<id>", "licence:<credit_code>"


def store_path() -> Path:
    """The access store the settings point at now ($MARKET_ACCESS_DB)."""
    return get_settings().access_db_path


def oidc_configured() -> bool:
    """True when secrets hold an [auth] section: sign in through the identity provider (st.login)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: local accounts
        return False


def current() -> Session | None:
    """The signed-in session, or None."""
    session = st.session_state.get(SESSION_KEY)
    return session if isinstance(session, Session) else None


def role() -> str | None:
    """The signed-in user's role, or None."""
    session = current()
    return session.role if session else None


def allowed(action: str) -> bool:
    """True if the signed-in user's role may perform `action` (pipelines/access_policy.py PERMISSIONS)."""
    return role_allows(role(), action)


def _end(session: Session, *, expired: bool, notice: str) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[NOTICE_KEY] = notice
    accounts.record_session_end(
        store_path(),
        session.username,
        session.role,
        expired=expired,
        idle_minutes=POLICY.idle_minutes if expired else 0,
    )


def gate() -> Session | None:
    """Check the session before a page runs: expire it when idle, follow account changes; None if signed out."""
    session = current()
    if session is None:
        return None
    now = time.time()
    if now - session.last_seen > POLICY.idle_minutes * 60:
        _end(session, expired=True, notice="login.expired")
        _leave_provider(session)
        return None
    user = accounts.get_user(store_path(), session.username)
    if user is None or user.is_disabled:
        _end(session, expired=False, notice="login.disabled")
        _leave_provider(session)
        return None
    if user.role != session.role:  # changed by a supervisor (audited there): applies at the next click
        session.role = user.role
        session.grants.clear()
    session.last_seen = now
    return session


def _leave_provider(session: Session) -> None:
    # The provider's cookie would sign the user straight back in: end it too (a new session follows).
    if session.method == "oidc":
        st.logout()


def _start(user: accounts.User, method: str) -> None:
    st.session_state[SESSION_KEY] = Session(user.username, user.role, method, time.time())
    st.session_state.pop(NOTICE_KEY, None)


def login_view() -> None:
    """The sign-in page every URL shows while nobody is signed in (the URL is kept for after the login)."""
    st.title(t("login.title"))
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        st.info(t(notice, minutes=POLICY.idle_minutes) if notice == "login.expired" else t(notice))
    if oidc_configured():
        _oidc_login()
    else:
        _password_login()


def _password_login() -> None:
    with st.form("login", clear_on_submit=True, enter_to_submit=True):
        username = st.text_input(t("login.username"), key="login_username", max_chars=64)
        password = st.text_input(t("login.password"), type="password", key="login_password", max_chars=256)
        submitted = st.form_submit_button(t("login.submit"), key="login_submit", type="primary")
    if not submitted:
        return
    result = accounts.authenticate(store_path(), username or "", password or "")
    if result.status == "ok":
        _start(result.user, "password")
        st.rerun()
    elif result.status == "locked":
        st.warning(t("login.locked", minutes=POLICY.lockout_minutes))
    else:  # wrong name or password, or a disabled account: the same words, so names cannot be probed
        st.warning(t("login.failed"))


def _oidc_login() -> None:
    if not st.user.get("is_logged_in", False):  # absent until Streamlit has read the [auth] secrets
        st.caption(t("login.oidc_hint"))
        if st.button(t("login.oidc"), key="login_oidc", type="primary"):
            st.login()
        return
    result = accounts.authenticate_identity(store_path(), st.user.get("email"))
    if result.status == "ok":
        _start(result.user, "oidc")
        st.rerun()
    st.warning(t("login.no_account"))
    if st.button(t("login.logout"), key="login_oidc_logout"):
        st.logout()


def logout() -> None:
    """Sign out (audited); with the identity provider, also end its cookie."""
    session = current()
    if session is not None:
        _end(session, expired=False, notice="login.logged_out")
        _leave_provider(session)


def user_box() -> None:
    """The signed-in user and role in the sidebar, with a sign-out button."""
    session = current()
    if session is None:
        return
    st.sidebar.caption(t("login.signed_in", user=session.username, role=t(f"role.{session.role}")))
    st.sidebar.button(t("login.logout"), key="logout", on_click=logout, icon=":material/logout:")


def refuse() -> None:
    """Say that the role may not see this, and stop the page (nothing after it runs)."""
    st.title(t("access.refused_title"))
    st.warning(t("access.refused"))
    st.stop()


def require(action: str) -> None:
    """Stop the page with a refusal unless the signed-in role may perform `action`."""
    if not allowed(action):
        log.info("refused %s to role %s", action, role())
        refuse()


def revealed(kind: str) -> frozenset[str]:
    """Record ids of `kind` this inspector unmasked in this session (empty for any other role)."""
    session = current()
    if session is None or not role_allows(session.role, "unmask"):
        return frozenset()
    prefix = f"{kind}:"
    return frozenset(g[len(prefix) :] for g in session.grants if g.startswith(prefix))


def clean_reason(reason: str | None) -> str | None:
    """The stated reason, trimmed, if long enough to mean something; None otherwise."""
    text = (reason or "").strip()
    if len(text) < POLICY.min_reason_length or len(text) > POLICY.max_reason_length:
        return None
    return text


def unmask(kind: str, record_id: str, reason: str | None) -> bool:
    """Reveal one record's personal data to this inspector for this session, audited with the reason.

    False (and nothing recorded) when the role may not, or the reason is too short.
    """
    session = current()
    text = clean_reason(reason)
    if session is None or not role_allows(session.role, "unmask") or text is None:
        return False
    grant = f"{kind}:{record_id}"
    if grant in session.grants:
        return True
    audit.record(
        store_path(),
        actor=session.username,
        role=session.role,
        action="unmask",
        target=grant,
        detail={"reason": text},
    )
    session.grants.add(grant)
    return True

"""`python -m pipelines users add|disable|enable|reset|role|list|demo`: manage the dashboard's local accounts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines import accounts, audit
from pipelines.access_policy import POLICY, ROLES
from pipelines.commands.options import add_access_db_option
from warehouse.settings import get_settings

EPILOG = f"""\
Accounts live in the access store ($MARKET_ACCESS_DB, default access.sqlite beside the
warehouse), never in the warehouse, which every load replaces. Passwords are stored as
argon2id hashes only; a generated password is printed once, on standard output, and
nowhere else. Every change is written to the audit log with the operating-system user
as its actor.

roles: {", ".join(ROLES)} (docs/access.md says what each may do)
lockout: {POLICY.max_failed_logins} failed logins lock an account for {POLICY.lockout_minutes} minutes;
`reset` lifts the lock.

exit status:
  0  done (`demo` also when every demo account existed already)
  1  no such account, or the account exists already
  2  invalid arguments (name, role)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `users` subcommand and its actions."""
    parser = subparsers.add_parser(
        "users",
        help="manage the dashboard's accounts (add, disable, enable, reset, role, list, demo)",
        description="Manage the dashboard's local accounts.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_access_db_option(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="create an account; prints its generated password once")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument(
        "--identity-provider",
        action="store_true",
        help="no password: the user signs in through the identity provider with this e-mail as the name",
    )
    for name, text in (
        ("disable", "disable an account (its sessions end at their next click)"),
        ("enable", "enable a disabled account"),
        ("reset", "give an account a new generated password (printed once) and lift its lock"),
    ):
        actions.add_parser(name, help=text).add_argument("username")
    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    actions.add_parser("list", help="list the accounts (name, role, state; never a password)")
    actions.add_parser("demo", help="create demo-analyst, demo-inspector, demo-supervisor if missing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out the action; return the exit status documented in --help."""
    path = args.access_db or get_settings().access_db_path
    actor = audit.cli_actor()
    try:
        if args.action == "add":
            password = accounts.add_user(
                path,
                args.username,
                args.role,
                actor=actor,
                actor_role="",
                identity_provider=args.identity_provider,
            )
            _announce(f"account {args.username} ({args.role}) created", args.username, password)
        elif args.action in ("disable", "enable"):
            accounts.set_disabled(path, args.username, args.action == "disable", actor=actor, actor_role="")
            print(f"users: account {args.username} {args.action}d", file=sys.stderr)
        elif args.action == "reset":
            password = accounts.reset_password(path, args.username, actor=actor, actor_role="")
            _announce(f"account {args.username}: new password, lock lifted", args.username, password)
        elif args.action == "role":
            accounts.set_role(path, args.username, args.role, actor=actor, actor_role="")
            print(f"users: account {args.username} is now {args.role}", file=sys.stderr)
        elif args.action == "list":
            _list(path)
        elif args.action == "demo":
            created = accounts.demo_accounts(path)
            if not created:
                print(
                    "users: the demo accounts exist already (reset one to get a new password)",
                    file=sys.stderr,
                )
            for name, password in created.items():
                _announce(f"demo account {name} created", name, password)
    except ValueError as exc:
        print(f"users: {exc}", file=sys.stderr)
        return 1 if "exists already" in str(exc) else 2
    except LookupError as exc:
        print(f"users: {exc.args[0]}", file=sys.stderr)
        return 1
    return 0


def _announce(message: str, username: str, password: str | None) -> None:
    # The message goes to stderr (logs); the password only to stdout, once, for the person at the terminal.
    print(f"users: {message}", file=sys.stderr)
    if password is not None:
        print(f"{username}\t{password}")


def _list(path: Path) -> None:
    print("username\trole\tstate\tsign_in")
    for user in accounts.list_users(path):
        state = "disabled" if user.is_disabled else ("locked" if user.locked_until else "active")
        sign_in = "password" if user.has_password else "identity_provider"
        print(f"{user.username}\t{user.role}\t{state}\t{sign_in}")

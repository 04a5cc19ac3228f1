"""`python -m pipelines params list|set|reset`: the scoring parameters a supervisor may change (audited)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines import audit, param_overrides
from pipelines.access_policy import POLICY
from pipelines.commands.options import add_access_db_option
from warehouse.settings import get_settings

EPILOG = f"""\
Only the parameters `list` shows can be changed, each within its bounds; everything else
stays as pipelines/params.py says. Overrides live in the access store ($MARKET_ACCESS_DB,
default access.sqlite beside the warehouse) with who, when and why, and apply at the next
`python -m pipelines score`, which lists them and records them with its run. Every change
needs a reason ({POLICY.min_reason_length}-{POLICY.max_reason_length} characters) and writes one
`parameter_change` audit entry (old and new value, the reason) with the operating-system user
as its actor.

examples:
  python -m pipelines params list
  python -m pipelines params set scores.z_threshold 2.0 --reason "fewer borderline cases, ticket 118"
  python -m pipelines params set signals.FT_RING.weight 5 --reason "rings matter more, memo 2026-12"
  python -m pipelines params reset scores.z_threshold --reason "back to the reviewed default"

exit status:
  0  done
  1  nothing to change (the value is in force already, or no override to reset)
  2  refused: unknown parameter, wrong type, out of bounds, tiers that do not nest, no reason
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `params` subcommand and its actions."""
    parser = subparsers.add_parser(
        "params",
        help="list or change the scoring parameters a supervisor may change (set, reset; audited)",
        description="The scoring parameters a supervisor may change, their bounds and overrides.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_access_db_option(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("list", help="every changeable parameter: value, default, bounds, override")
    change = actions.add_parser("set", help="override a parameter from the next scoring run on")
    change.add_argument("name")
    change.add_argument("value")
    reset = actions.add_parser("reset", help="remove a parameter's override (its default applies again)")
    reset.add_argument("name")
    for action in (change, reset):
        action.add_argument(
            "--reason", required=True, help="why (recorded with the change and in the audit log)"
        )
        action.add_argument(
            "--by",
            default=None,
            metavar="USER",
            help="the supervisor account on whose behalf (must exist); recorded as the change's author",
        )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Carry out the action; return the exit status documented in --help."""
    path = args.access_db or get_settings().access_db_path
    if args.action == "list":
        _list(path)
        return 0
    who = {"reason": args.reason, "actor": audit.cli_actor(), "actor_role": "", "on_behalf_of": args.by}
    try:
        if args.action == "set":
            change = param_overrides.set_override(path, args.name, args.value, **who)
        else:
            change = param_overrides.reset_override(path, args.name, **who)
    except param_overrides.ParameterError as exc:
        print(f"params: {exc}", file=sys.stderr)
        return 1 if exc.problem in ("unchanged", "not_overridden") else 2
    print(
        f"params: {change.name} {change.before} -> {change.after} (default {change.default}); "
        "applies at the next `python -m pipelines score`",
        file=sys.stderr,
    )
    return 0


LIST_COLUMNS = (
    "name",
    "value",
    "default",
    "minimum",
    "maximum",
    "kind",
    "updated_by",
    "updated_at",
    "reason",
    "help",
)


def _list(path: Path) -> None:
    # Tab-separated, one parameter a line; an override shows who set it, when and why.
    print("\t".join(LIST_COLUMNS))
    for row in param_overrides.describe(path):
        print("\t".join(" ".join(str(row[c]).split()) for c in LIST_COLUMNS))

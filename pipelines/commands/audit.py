"""`python -m pipelines audit verify|export`: check the audit log's hash chain, or export it as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines import audit
from pipelines.commands.options import add_access_db_option
from warehouse.settings import get_settings

EPILOG = """\
verify recomputes every entry's hash from the first one: an entry changed, removed or
inserted outside the product breaks the chain and is reported with its id. It prints
the head hash: note it somewhere else (a ticket, a signed mail) to detect later that
entries were cut off the end.

exit status:
  0  the chain holds (verify) / written (export)
  1  the chain is broken (verify)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `audit` subcommand."""
    parser = subparsers.add_parser(
        "audit",
        help="verify the audit log's hash chain, or export the log as CSV",
        description="Verify or export the audit log of the access store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_access_db_option(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("verify", help="recompute the hash chain and report the first break")
    export = actions.add_parser("export", help="write every entry as CSV (UTF-8 with BOM)")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify or export; return the exit status documented in --help."""
    path = args.access_db or get_settings().access_db_path
    if args.action == "verify":
        check = audit.verify(path)
        if check.ok:
            print(f"audit: {check.entry_count:,} entries, chain intact; head {check.head_hash}")
            return 0
        print(
            f"audit: chain broken at entry {check.first_bad_entry_id}: {check.problem}"
            f" ({check.entry_count:,} entries read)",
            file=sys.stderr,
        )
        return 1
    rows = audit.entries(path, limit=None)
    data = audit.csv_bytes(list(reversed(rows)))
    args.out.write_bytes(data)
    audit.record(
        path,
        actor=audit.cli_actor(),
        role="",
        action="export",
        target="audit_log",
        detail={"format": "csv", "filters": {}, "row_count": len(rows), "sha256": audit.sha256_hex(data)},
    )
    print(f"audit: {len(rows):,} entries written to {args.out}", file=sys.stderr)
    return 0

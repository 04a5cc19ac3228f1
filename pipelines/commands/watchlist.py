"""`python -m pipelines watchlist`: export a scoring run's ranked merchants as CSV or XLSX for inspectors."""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import sys
from pathlib import Path

from pipelines import audit
from pipelines.commands.options import add_access_db_option, add_db_option
from pipelines.watchlist import (
    EXPORT_FORMATS,
    HARMS,
    LANGUAGES,
    RISK_LEVELS,
    WATCHLIST_COLUMNS,
    WatchlistQuery,
    export_watchlist,
)
from warehouse.publish import connect_readonly
from warehouse.settings import get_settings

EPILOG = f"""\
Columns, in this order (shared DATA_CONTRACT.md, "Watchlist export"):
  {", ".join(WATCHLIST_COLUMNS)}
Ranked by risk_score, or by the harm's score with --harm; rank follows that order
after the filters. CSV is UTF-8 with a BOM so Excel opens the Chinese text; text
cells beginning with = + - @ tab or CR get a leading ' so no spreadsheet runs them.
No personal data is exported. Every export is recorded in the audit log (actor
cli:<os user>, filters, row count, SHA-256 of the file); if it cannot be recorded,
the file is removed and the command fails.

exit status:
  0  written (an empty selection writes the header only and says so on stderr)
  1  no warehouse, no such scoring run, or the audit log could not be written
  2  invalid arguments
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `watchlist` subcommand."""
    parser = subparsers.add_parser(
        "watchlist",
        help="export the ranked merchants of a scoring run as CSV or XLSX",
        description="Export the ranked merchants of a scoring run (the latest by default) as CSV or XLSX.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_option(parser)
    add_access_db_option(parser, "access store whose audit log records the export")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="output file ending in .csv or .xlsx"
    )
    parser.add_argument(
        "--top",
        type=int,
        default=100,
        metavar="K",
        help="the K highest-ranked merchants (default: 100; 0 for all)",
    )
    parser.add_argument("--harm", choices=HARMS, default=None, help="rank by this harm's score")
    parser.add_argument("--platform", default=None, metavar="P", help="only this platform_id")
    parser.add_argument("--level", choices=RISK_LEVELS, default=None, help="only this risk_level")
    parser.add_argument("--run", default=None, metavar="RUN_ID", help="scoring run (default: the latest)")
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="zh", help="language of the reasons column (default: zh)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the watchlist; return the exit status documented in --help."""
    if args.top < 0:
        print("watchlist: --top must be 0 (all) or more", file=sys.stderr)
        return 2
    try:
        query = WatchlistQuery(
            top=args.top or None,
            harm=args.harm,
            platform_id=args.platform,
            risk_level=args.level,
            run_id=args.run,
            lang=args.lang,
        )
    except ValueError as exc:
        print(f"watchlist: {exc}", file=sys.stderr)
        return 2
    if args.out.suffix.lower() not in EXPORT_FORMATS:
        print(f"watchlist: --out must end in .csv or .xlsx, got {args.out.name!r}", file=sys.stderr)
        return 2
    db_path = args.db or get_settings().db_path
    try:
        con = connect_readonly(db_path)
    except FileNotFoundError as exc:
        print(f"watchlist: {exc}", file=sys.stderr)
        return 1
    try:
        written = export_watchlist(con, query, args.out)
    except LookupError as exc:
        print(f"watchlist: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    try:
        record_export(args, query, written)
    except (sqlite3.Error, OSError) as exc:
        args.out.unlink(missing_ok=True)
        print(f"watchlist: cannot record the export in the audit log ({exc}); file removed", file=sys.stderr)
        return 1
    if written == 0:
        print(f"watchlist: no merchants match; wrote the header only to {args.out}", file=sys.stderr)
    else:
        print(f"watchlist: {written:,} merchants written to {args.out}", file=sys.stderr)
    return 0


def record_export(args: argparse.Namespace, query: WatchlistQuery, written: int) -> None:
    """One audit entry for the file just written: who, which filters, how many rows, its SHA-256."""
    audit.record_export(
        args.access_db or get_settings().access_db_path,
        actor=audit.cli_actor(),
        role="",
        target="watchlist",
        detail={
            "format": args.out.suffix.lower().lstrip("."),
            "file_name": args.out.name,
            "filters": dataclasses.asdict(query),
            "row_count": written,
        },
        data=args.out.read_bytes(),
    )

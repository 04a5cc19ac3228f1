"""`python -m pipelines ingest PATH...`: load feed files into the DuckDB warehouse, validated, nothing lost."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.commands.options import add_db_option
from warehouse.loader import ingest
from warehouse.mappings import available_mappings
from warehouse.report import render_report
from warehouse.settings import get_settings

EPILOG = """\
Files are recognised by name (platforms*, merchants*, licenses*, transactions*,
complaints*; .csv, .csv.gz, .parquet, .xlsx) or, for real feeds with their own
headers, by a mapping in warehouse/mappings/ (matched on the headers, or forced
with --mapping). Bad rows go to quarantine_<dataset> with every reason; a file
missing a required column is rejected whole. Re-delivering a file already
loaded changes nothing. The load is all-or-nothing: it is built in a copy of the
warehouse and published atomically at the end.

exit status:
  0  every file loaded (quarantined rows are reported, not an error)
  1  error: nothing was published, the warehouse is unchanged
  2  at least one file was rejected; the others were loaded and published

See docs/warehouse.md.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `ingest` subcommand."""
    parser = subparsers.add_parser(
        "ingest",
        help="load feed files or folders into the warehouse",
        description="Load feed files or folders into the DuckDB warehouse (raw → quarantine / staged).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="feed file or folder (searched recursively)"
    )
    add_db_option(parser)
    parser.add_argument(
        "--mapping",
        choices=sorted(available_mappings()),
        default=None,
        help="read every file through this source mapping (warehouse/mappings/NAME.toml)",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-file progress on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the files, print the load report, and return the exit status documented in --help."""
    db_path = args.db or get_settings().db_path

    def progress(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    try:
        report = ingest(args.paths, db_path, mapping_name=args.mapping, progress=progress)
    except Exception as exc:  # anything not the files' fault: report it, publish nothing
        print(f"ingest failed, warehouse unchanged: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(render_report(report))
    return report.exit_status

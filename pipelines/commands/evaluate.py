"""`python -m pipelines evaluate`: measure a scoring run against the demo market's ground truth."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.commands.options import add_db_option
from warehouse.settings import get_settings

EPILOG = """\
Reads the run's out_merchant_risk (and out_ring_members) from the warehouse, and the
truth folder written by `python -m pipelines generate --truth`: merchant_labels.csv,
rings.csv, hard_negatives.csv. This is the only command that reads the truth.

Reported per harm, per planted pattern and for the composite risk_score:
precision@20/50/100, recall@20/50/100, PR-AUC (average precision) and ROC-AUC, next to
baselines (random expectation, GMV, raw complaint count, single rules); ring members'
precision and recall; hard negatives in the top lists. See shared DETECTION.md,
"Evaluation protocol".

exit status:
  0  evaluated
  1  no warehouse, no scoring run, or no truth folder
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `evaluate` subcommand."""
    parser = subparsers.add_parser(
        "evaluate",
        help="measure a scoring run against the demo market's ground truth",
        description="Measure a scoring run (the latest by default) against the generator's ground truth.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_option(parser)
    parser.add_argument(
        "--truth", type=Path, required=True, metavar="TRUTH_DIR", help="the generator's ground-truth folder"
    )
    parser.add_argument("--run", default=None, metavar="RUN_ID", help="scoring run (default: the latest)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print the report; return the exit status documented in --help."""
    # Imported here, not at the top: scikit-learn takes seconds to load, and every other
    # subcommand would pay for it when the CLI registers its parsers.
    from pipelines.evaluate import evaluate_warehouse, render_text, report_json

    db_path = args.db or get_settings().db_path
    try:
        report = evaluate_warehouse(db_path, args.truth, args.run)
    except (FileNotFoundError, LookupError, ValueError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 1
    print(report_json(report) if args.json else render_text(report))
    return 0

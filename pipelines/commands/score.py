"""`python -m pipelines score`: one scoring run over the warehouse, published atomically."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.commands.options import add_db_option
from warehouse.settings import get_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `score` subcommand."""
    p = subparsers.add_parser(
        "score",
        help="score every merchant for each harm, with reasons, rings and marts",
        description=(
            "One scoring run: classify uncategorised complaints and match shop-name-only ones, find fake-order "
            "rings, build merchant features, score fraud, fake trades, after-sales and licences 0-100 against "
            "peers, and build the platform and trend marts. The run is recorded with its id, parameters and "
            "timings in score_runs, and published whole: readers see the previous run until it is done."
        ),
    )
    add_db_option(p)
    p.add_argument("--quiet", action="store_true", help="print only the run id")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score; exit status 1 when the warehouse cannot be scored."""
    from pipelines.run import run_scoring

    db = args.db or get_settings().db_path
    if not Path(db).exists():
        print(
            f"score: no warehouse at {db}; load a feed with `python -m pipelines ingest` first",
            file=sys.stderr,
        )
        return 1
    progress = (lambda _: None) if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        run_id = run_scoring(db, progress=progress)
    except ValueError as exc:
        print(f"score: {exc}", file=sys.stderr)
        return 1
    print(run_id)
    return 0

"""`python -m pipelines score`: one scoring run over the warehouse, published atomically."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.commands.options import add_access_db_option, add_db_option
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
            "timings in score_runs, and published whole: readers see the previous run until it is done. "
            "Parameter overrides set by a supervisor (`python -m pipelines params`, or the Parameters page) "
            "are applied, listed, and recorded with the run."
        ),
    )
    add_db_option(p)
    add_access_db_option(p, "access store holding the parameter overrides")
    p.add_argument("--quiet", action="store_true", help="print only the run id")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score; exit status 1 when the warehouse cannot be scored or a stored override is no longer valid."""
    from pipelines import param_overrides
    from pipelines.run import run_scoring

    db = args.db or get_settings().db_path
    if not Path(db).exists():
        print(
            f"score: no warehouse at {db}; load a feed with `python -m pipelines ingest` first",
            file=sys.stderr,
        )
        return 1
    progress = (lambda _: None) if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    access_db = args.access_db or get_settings().access_db_path
    try:
        params, overrides = param_overrides.effective_params(access_db)
    except param_overrides.ParameterError as exc:
        print(
            f"score: a stored parameter override in {access_db} is not valid: {exc}; "
            "fix it with `python -m pipelines params set` or `reset`",
            file=sys.stderr,
        )
        return 1
    if overrides:
        progress(f"score: applying {len(overrides)} parameter override(s) from {access_db}:")
        for o in overrides:
            default = param_overrides.TUNABLES[o.name].default
            progress(
                f"  {o.name} = {o.value} (default {default}; {o.updated_by}, {o.updated_at}: {o.reason})"
            )
    else:
        progress("score: no parameter overrides; the defaults of pipelines/params.py apply")
    try:
        run_id = run_scoring(db, params, progress=progress, overrides=param_overrides.recorded(overrides))
    except ValueError as exc:
        print(f"score: {exc}", file=sys.stderr)
        return 1
    print(run_id)
    return 0

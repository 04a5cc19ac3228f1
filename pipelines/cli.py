"""The one command-line entry: `python -m pipelines SUBCOMMAND ...`."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each name is a module in pipelines.commands exposing register(subparsers); the
# registered parser sets `func`, which takes the parsed args and returns an exit status.
COMMAND_MODULES = (
    "generate",
    "ingest",
    "score",
    "evaluate",
    "watchlist",
    "quality",
    "users",
    "audit",
    "params",
    "bench",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="python -m pipelines",
        description="Market-surveillance pipelines: generate demo data, load feeds, score merchants.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"pipelines.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse `argv` and run the chosen subcommand; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

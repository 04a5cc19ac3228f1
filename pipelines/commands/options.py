"""Options several subcommands share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.demo_market.params import KNOBS, GeneratorParams, parse_knob_value


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """`--db FILE`: the warehouse file; None means the settings' default ($MARKET_DB)."""
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="warehouse file (default: $MARKET_DB, else data/market.duckdb)",
    )


def add_access_db_option(parser: argparse.ArgumentParser, what: str = "access store") -> None:
    """`--access-db FILE`: the access store (accounts, audit log, parameter overrides); None means the settings'."""
    parser.add_argument(
        "--access-db",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"{what} (default: $MARKET_ACCESS_DB, else access.sqlite beside the warehouse)",
    )


def _knob_type(name: str):
    def parse(text: str) -> object:
        try:
            return parse_knob_value(KNOBS[name], text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def add_difficulty_options(
    group: argparse._ArgumentGroup, defaults: GeneratorParams, say_default: bool = True
) -> None:
    """The generator's difficulty knobs (`KNOBS`), as `generate` and `quality` both take them.

    `say_default=False` for a parser whose formatter already appends the defaults.
    """
    for name, knob in KNOBS.items():
        default = getattr(defaults, knob.field)
        shown = ",".join(f"{v:g}" for v in default) if knob.is_range else f"{default:g}"
        group.add_argument(
            f"--{name}",
            type=_knob_type(name),
            default=default,
            metavar="MIN,MAX" if knob.is_range else None,
            help=f"{knob.help} (default: {shown})" if say_default else knob.help,
        )

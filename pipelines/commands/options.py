"""Options several subcommands share, declared once."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """`--db FILE`: the warehouse file; None means the settings' default ($MARKET_DB)."""
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="FILE",
        help="warehouse file (default: $MARKET_DB, else data/market.duckdb)",
    )

"""`python -m pipelines bench`: the speed and memory of every stage, beside DuckDB's floor and a pandas peer."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from pipelines.bench.harness import GROUPS, run_bench
from pipelines.bench.measure import BenchError
from pipelines.bench.sizes import market_for, parse_size, size_label

EPILOG = f"""\
Generates (or reuses, from the work directory) a demo market of the given size, then measures
each stage over --repeats runs, each in a fresh process: generation; DuckDB's bare read of the
transactions files and the ingest of the same files, Parquet and CSV; one bare
scan-and-aggregate of the orders; text classification, ring detection, feature building,
scoring and the whole score run; a pandas peer of the merchant features; and every
dashboard page's first render and filter change. Prints one table per market (median, range,
CPU, rows/s, ratio to the floor and to pandas, peak memory, target, met or MISSED) and writes
them with the machine's description to --out.

Stage groups for --only: {", ".join(GROUPS)}.

examples:
  python -m pipelines bench --quick                       # 1M orders
  python -m pipelines bench --orders 10M                  # the figures the targets refer to
  python -m pipelines bench --scaling 1M,10M,30M:1        # one table per size and a scaling table (1 run at 30M)
  python -m pipelines bench --quick --only ingest --out /tmp/ingest.md

exit status:
  0  every target judged at this size was met
  1  a stage failed: its row says FAILED, the report keeps its error output, the
     other stages are still measured (generation and the warehouse build end the run)
  2  invalid arguments
  3  at least one target was MISSED (the table says which)
"""


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _sizes(text: str) -> list[tuple[int, int | None]]:
    """`1M,10M,30M:1`: sizes, each with its own runs per stage after a colon (else --repeats)."""
    sizes = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        size, _, runs = part.partition(":")
        sizes.append((_size(size), _positive(runs) if runs else None))
    if not sizes:
        raise argparse.ArgumentTypeError("at least one size, e.g. 1M,10M")
    return sizes


def _groups(text: str) -> tuple[str, ...]:
    groups = tuple(g.strip() for g in text.split(",") if g.strip())
    unknown = [g for g in groups if g not in GROUPS]
    if unknown or not groups:
        raise argparse.ArgumentTypeError(f"groups are {', '.join(GROUPS)}; got {text!r}")
    return groups


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `bench` subcommand."""
    p = subparsers.add_parser(
        "bench",
        help="benchmark every stage against DuckDB's floor and a pandas peer",
        description=(
            "Benchmark generation, ingest, scoring and the dashboard on a demo market of --orders orders, "
            "beside the floor (DuckDB's bare read and scan) and a pandas peer, with peak memory."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = p.add_mutually_exclusive_group()
    size.add_argument(
        "--orders",
        type=_size,
        default=10_000_000,
        metavar="N",
        help="market size, e.g. 10M (default), 1M, 200k",
    )
    size.add_argument("--quick", action="store_true", help="1M orders instead of 10M")
    size.add_argument(
        "--scaling",
        type=_sizes,
        metavar="SIZES",
        help="measure every stage at each size, e.g. 1M,10M,30M:1 (`:R`: R runs per stage at that size)",
    )
    p.add_argument("--repeats", type=_positive, default=3, metavar="R", help="runs per stage (default 3)")
    p.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    p.add_argument(
        "--work",
        type=Path,
        default=Path("data/bench"),
        metavar="DIR",
        help="cached markets, benchmark warehouses and raw results (default data/bench)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("docs/benchmarks.md"),
        metavar="FILE",
        help="markdown report (default docs/benchmarks.md)",
    )
    p.add_argument("--only", type=_groups, default=GROUPS, metavar="GROUPS", help="measure only these groups")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; the exit status says whether a target was missed."""
    sizes = args.scaling or [(1_000_000 if args.quick else args.orders, None)]
    markets = [market_for(orders, args.seed) for orders, _ in sizes]
    runs = {market.key: r for market, (_, r) in zip(markets, sizes, strict=True) if r}
    progress = (lambda _: None) if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    command = "python -m pipelines bench " + shlex.join(sys.argv[2:] if sys.argv[1:2] == ["bench"] else [])
    quick = all(orders < 10_000_000 for orders, _ in sizes)
    said = ", ".join(f"{size_label(o)} ({r or args.repeats} run(s) per stage)" for o, r in sizes)
    progress(f"bench: {said}")
    try:
        results = run_bench(
            markets, args.repeats, args.work, args.out, command.strip(), quick, args.only, progress, runs=runs
        )
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    if any(r.failed() for r in results):
        return 1
    return 3 if any(r.missed() for r in results) else 0

"""`python -m pipelines quality`: detection quality over several generator seeds, optionally across a knob."""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import sys
from pathlib import Path

from pipelines.commands.options import add_difficulty_options
from pipelines.demo_market.params import KNOBS, GeneratorParams, validate_params
from pipelines.quality import (
    DEFAULT_SEEDS,
    parse_sweep,
    render_markdown,
    run_quality,
)

EPILOG = f"""\
For each seed: generate a demo market into a temporary folder, ingest it into a
temporary warehouse, run scoring, and evaluate the run against the market's ground
truth. Reports the mean and worst seed of precision@50 and PR-AUC per harm and for
the composite, next to the baselines, as markdown (stdout, and --out if given).

--sweep KNOB=v1,v2,... repeats everything for each value of one difficulty knob
({", ".join(KNOBS)}); range knobs take MIN:MAX per value, e.g.
  --sweep ring-workers=20:50,60:120,150:400
Progress goes to stderr, one line per seed and stage.

exit status:
  0  done
  1  a stage failed (the message names it)
  2  invalid arguments
"""


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 101,102,103, got {text!r}") from None
    if not seeds:
        raise argparse.ArgumentTypeError("at least one seed")
    return seeds


def _sweep(text: str):
    try:
        return parse_sweep(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `quality` subcommand."""
    defaults = GeneratorParams()
    parser = subparsers.add_parser(
        "quality",
        help="measure detection over several generated markets (and across a difficulty knob)",
        description="Generate, ingest, score and evaluate demo markets for several seeds; summarise as markdown.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seeds_text = ",".join(str(s) for s in DEFAULT_SEEDS)
    parser.add_argument(
        "--seeds", type=_seeds, default=DEFAULT_SEEDS, metavar="S1,S2,...", help=f"default: {seeds_text}"
    )
    parser.add_argument(
        "--merchants",
        type=int,
        default=defaults.merchants,
        help=f"shops per market (default: {defaults.merchants})",
    )
    parser.add_argument(
        "--days", type=int, default=defaults.days, help=f"days per market (default: {defaults.days})"
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=None,
        help="organic orders (default: the generator's, from shops and days)",
    )
    knobs = parser.add_argument_group("difficulty (as in `generate`)")
    add_difficulty_options(knobs, defaults)
    parser.add_argument(
        "--sweep", type=_sweep, default=None, metavar="KNOB=v1,v2,...", help="repeat over values of one knob"
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE.md", help="also write the markdown here"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of markdown")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(func=run)


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this report (recorded in the markdown)."""
    words = ["python", "-m", "pipelines", "quality", "--seeds", ",".join(str(s) for s in args.seeds)]
    words += ["--merchants", str(args.merchants), "--days", str(args.days)]
    if args.orders is not None:
        words += ["--orders", str(args.orders)]
    if args.sweep is not None:
        name, values = args.sweep
        words += ["--sweep", f"{name}=" + ",".join(_sweep_value(v) for v in values)]
    return shlex.join(words)


def _sweep_value(value: object) -> str:
    return ":".join(f"{v:g}" for v in value) if isinstance(value, tuple) else f"{value:g}"


def run(args: argparse.Namespace) -> int:
    """Run the seeds, print and write the report; return the exit status documented in --help."""
    base = dataclasses.replace(
        GeneratorParams(),
        merchants=args.merchants,
        days=args.days,
        orders=args.orders,
        camouflage_per_fake_order=args.camouflage,
        ring_workers=args.ring_workers,
        ring_density=args.ring_density,
        promo_fake_share=args.promo_fake_share,
        complaint_label_noise=args.label_noise,
    )
    try:  # every point of a sweep, before the first (slow) market is generated
        validate_params(base)
        if args.sweep is not None:
            name, values = args.sweep
            for value in values:
                validate_params(dataclasses.replace(base, **{KNOBS[name].field: value}))
    except ValueError as exc:
        print(f"quality: {exc}", file=sys.stderr)
        return 2

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    try:
        result = run_quality(base, args.seeds, sweep=args.sweep, progress=progress)
    except (ValueError, RuntimeError) as exc:
        print(f"quality: {exc}", file=sys.stderr)
        return 1
    markdown = render_markdown(result, command_line(args))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(markdown, encoding="utf-8")
        progress(f"quality: wrote {args.out}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True, default=str))
    else:
        print(markdown, end="")
    return 0

"""`python -m pipelines generate`: write a demo market feed and, separately, its ground truth."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from pipelines.commands.options import add_difficulty_options
from pipelines.demo_market.generate import generate_market
from pipelines.demo_market.params import GeneratorParams, parse_range


def _pair(kind: type):
    def parse(value: str):
        try:
            return parse_range(kind, value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected MIN,MAX, got {value!r}") from None

    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `generate` subcommand."""
    defaults = GeneratorParams()
    p = subparsers.add_parser(
        "generate",
        help="write a synthetic Chinese e-commerce market with planted misconduct",
        description=(
            "Write the five datasets of the data contract (transactions as monthly files, the rest as CSV) "
            "to --out, and the ground truth of what was planted (merchant labels, rings, hard negatives) "
            "to --truth, which must lie outside --out. The same arguments give byte-identical files."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--out", type=Path, required=True, metavar="FEED_DIR", help="folder for the feed files")
    p.add_argument(
        "--truth", type=Path, required=True, metavar="TRUTH_DIR", help="folder for the ground truth"
    )
    size = p.add_argument_group("size")
    size.add_argument("--merchants", type=int, default=defaults.merchants, help="number of shops")
    size.add_argument("--days", type=int, default=defaults.days, help="length of the period in days")
    size.add_argument(
        "--start", type=dt.date.fromisoformat, default=defaults.start, help="first day (YYYY-MM-DD)"
    )
    size.add_argument("--seed", type=int, default=defaults.seed, help="random seed")
    size.add_argument(
        "--orders",
        type=int,
        default=None,
        help="organic orders (default: about 1M for 2,000 shops over 180 days, growing with √shops × days)",
    )
    size.add_argument("--platforms", type=int, default=defaults.platforms, help="number of platforms (1-6)")
    knobs = p.add_argument_group("difficulty")
    for harm, share in defaults.planted_share.items():
        knobs.add_argument(
            f"--{harm.replace('_', '-')}-share",
            type=float,
            default=share,
            help=f"share of shops planted with {harm}",
        )
    knobs.add_argument(
        "--second-pattern-share",
        type=float,
        default=defaults.second_pattern_share,
        help="share of planted shops given a second pattern of another harm",
    )
    knobs.add_argument(
        "--hard-negative-share",
        type=float,
        default=defaults.hard_negative_share,
        help="share of shops that look suspicious but are honest",
    )
    add_difficulty_options(knobs, defaults, say_default=False)
    knobs.add_argument(
        "--ring-shops",
        type=_pair(int),
        default=defaults.ring_shops,
        metavar="MIN,MAX",
        help="client shops per crowd ring",
    )
    knobs.add_argument(
        "--private-ring-accounts",
        type=_pair(int),
        default=defaults.private_ring_accounts,
        metavar="MIN,MAX",
        help="accounts of a shop's private ring",
    )
    knobs.add_argument(
        "--uncategorised-share",
        type=float,
        default=defaults.uncategorised_share,
        help="share of complaints without a category",
    )
    knobs.add_argument(
        "--shop-name-only-share",
        type=float,
        default=defaults.shop_name_only_share,
        help="share of complaints naming only the shop, not its merchant_id",
    )
    knobs.add_argument(
        "--misspelled-shop-share",
        type=float,
        default=defaults.misspelled_shop_share,
        help="of the complaints naming only the shop, the share that misspell it",
    )
    form = p.add_argument_group("output form")
    form.add_argument(
        "--csv-encoding",
        choices=("utf-8", "utf-8-sig", "gb18030", "mixed"),
        default=defaults.csv_encoding,
        help="encoding of the CSV datasets; mixed writes merchants with a BOM and licenses in GB18030",
    )
    form.add_argument(
        "--transactions-format",
        choices=("parquet", "csv"),
        default=defaults.transactions_format,
        help="file format of the monthly transaction files",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run)


def params_from_args(args: argparse.Namespace) -> GeneratorParams:
    """GeneratorParams from parsed command-line arguments."""
    return GeneratorParams(
        seed=args.seed,
        merchants=args.merchants,
        days=args.days,
        start=args.start,
        orders=args.orders,
        platforms=args.platforms,
        planted_share={
            "fake_trade": args.fake_trade_share,
            "fraud": args.fraud_share,
            "after_sales": args.after_sales_share,
            "license": args.license_share,
        },
        second_pattern_share=args.second_pattern_share,
        hard_negative_share=args.hard_negative_share,
        camouflage_per_fake_order=args.camouflage,
        ring_workers=args.ring_workers,
        ring_shops=args.ring_shops,
        ring_density=args.ring_density,
        private_ring_accounts=args.private_ring_accounts,
        promo_fake_share=args.promo_fake_share,
        complaint_label_noise=args.label_noise,
        uncategorised_share=args.uncategorised_share,
        shop_name_only_share=args.shop_name_only_share,
        misspelled_shop_share=args.misspelled_shop_share,
        csv_encoding=args.csv_encoding,
        transactions_format=args.transactions_format,
    )


def run(args: argparse.Namespace) -> int:
    """Generate the market; exit status 2 on invalid parameters."""
    try:
        params = params_from_args(args)
        progress = (lambda _: None) if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
        generate_market(params, args.out, args.truth, progress)
    except ValueError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    return 0

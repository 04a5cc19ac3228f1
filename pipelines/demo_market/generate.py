"""Generates a whole demo market: the five feed datasets and, separately, its ground truth."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.demo_market import geography, text, writer
from pipelines.demo_market.complaints import ComplaintSources, build_complaints
from pipelines.demo_market.market import CATEGORY_NAMES, Market, build_market
from pipelines.demo_market.orders import (
    DAY,
    OrderDraw,
    OrganicDemand,
    epoch_seconds,
    format_epoch,
    live_orders,
)
from pipelines.demo_market.params import GeneratorParams, validate_params
from pipelines.demo_market.planting import Plan, plant
from warehouse.schema import COMPLAINTS, LICENSES, MERCHANTS, PLATFORMS

TRUTH_FILES = ("merchant_labels.csv", "rings.csv", "hard_negatives.csv", "manifest.json")
FEED_PATTERNS = ("platforms*.csv", "merchants*.csv", "licenses*.csv", "complaints*.csv", "transactions_*")

Progress = Callable[[str], None]


@dataclass
class GenerationSummary:
    """What one generation wrote, for the progress report and the manifest."""

    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def months_of(start: dt.date, days: int) -> list[tuple[str, int, int]]:
    """Calendar months of the period as (YYYY-MM, first day index, day index after the last)."""
    months = []
    i = 0
    while i < days:
        day = start + dt.timedelta(days=i)
        next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        stop = min(days, (next_month - start).days)
        months.append((day.strftime("%Y-%m"), i, stop))
        i = stop
    return months


def _check_dirs(feed_dir: Path, truth_dir: Path) -> None:
    feed, truth = feed_dir.resolve(), truth_dir.resolve()
    if feed == truth or feed in truth.parents or truth in feed.parents:
        raise ValueError(
            f"the ground truth ({truth_dir}) must live outside the feed ({feed_dir}) and vice versa, "
            "so that nothing that loads the feed can read the answers"
        )


def _clear(directory: Path, patterns: tuple[str, ...]) -> None:
    """Remove files a previous generation left, so a smaller market never mixes with a bigger one."""
    for pattern in patterns:
        for path in directory.glob(pattern):
            if path.is_file():
                path.unlink()


def generate_market(
    params: GeneratorParams, feed_dir: Path, truth_dir: Path, progress: Progress = lambda _: None
) -> GenerationSummary:
    """Draw the market, plant misconduct, and write the feed month by month; returns a summary."""
    validate_params(params)
    _check_dirs(feed_dir, truth_dir)
    began = time.perf_counter()
    seeds = np.random.SeedSequence(params.seed).spawn(5)
    market_rng, plan_rng, complaint_rng, text_rng = (np.random.default_rng(s) for s in seeds[:4])
    month_seeds = seeds[4]

    progress(
        f"generate: seed {params.seed}, {params.merchants:,} shops on {params.platforms} platforms, "
        f"{params.days} days from {params.start}, about {params.organic_orders:,} organic orders"
    )
    market = build_market(params, market_rng)
    demand = OrganicDemand(market)
    plan = plant(market, demand, plan_rng)
    planted = OrderDraw.concat(plan.draws)
    progress(
        f"  market: {len(market.merchants):,} shops, {len(market.companies.name):,} companies, "
        f"{market.buyers.organic_count:,} buyer accounts; planted {len(plan.labels)} patterns, "
        f"{len(plan.rings)} rings, {len(plan.hard_negatives)} hard negatives ({time.perf_counter() - began:.1f} s)"
    )

    feed_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    _clear(feed_dir, FEED_PATTERNS)
    _clear(truth_dir, TRUTH_FILES)
    summary = GenerationSummary()
    sources = _write_orders(market, demand, planted, month_seeds, feed_dir, summary, progress)
    complaints = build_complaints(market, sources, complaint_rng)
    _write_static(market, complaints, text_rng, feed_dir, summary)
    _write_truth(market, plan, truth_dir, summary)
    summary.seconds = time.perf_counter() - began
    progress(
        f"  complaints: {summary.rows['complaints']:,}; licences: {summary.rows['licenses']:,}; "
        f"shops: {summary.rows['merchants']:,}"
    )
    progress(
        f"wrote {len(summary.files)} files, {summary.rows['transactions']:,} orders, to {feed_dir} "
        f"and the ground truth to {truth_dir} in {summary.seconds:.1f} s"
    )
    return summary


def _write_orders(
    market: Market,
    demand: OrganicDemand,
    planted: OrderDraw,
    month_seeds: np.random.SeedSequence,
    feed_dir: Path,
    summary: GenerationSummary,
    progress: Progress,
) -> ComplaintSources:
    """Draw, simulate and write the orders month by month; returns the orders that led to complaints."""
    params = market.params
    start_s, end_s = epoch_seconds(params.start), epoch_seconds(params.end)
    months = months_of(params.start, params.days)
    sources = ComplaintSources()
    serial = 1
    suffix = "parquet" if params.transactions_format == "parquet" else "csv"
    for number, ((label, first, stop), seed) in enumerate(
        zip(months, month_seeds.spawn(len(months)), strict=True), start=1
    ):
        began = time.perf_counter()
        rng = np.random.default_rng(seed)
        lo, hi = np.searchsorted(planted.ordered_at, [start_s + first * DAY, start_s + stop * DAY])
        draw = OrderDraw.concat([demand.draw(rng, first, stop), planted.take(np.arange(lo, hi))])
        lives = live_orders(market, draw, rng, end_s)
        sources.collect(market, lives, rng)
        table = writer.transactions_table(market, lives, serial)
        serial += len(draw)
        path = feed_dir / f"transactions_{label}.{suffix}"
        writer.write_transactions(table, path, params.transactions_format)
        summary.files.append(path.name)
        summary.rows["transactions"] = summary.rows.get("transactions", 0) + len(draw)
        took = time.perf_counter() - began
        progress(
            f"  [{number}/{len(months)}] {label}: {len(draw):,} orders ({took:.1f} s, {len(draw) / took:,.0f}/s)"
        )
    return sources


def _write_static(
    market: Market,
    complaints: list[dict],
    rng: np.random.Generator,
    feed_dir: Path,
    summary: GenerationSummary,
) -> None:
    params = market.params
    ms, companies = market.merchants, market.companies

    def emit(dataset: str, columns: tuple[str, ...], rows: list[dict]) -> None:
        path = feed_dir / f"{dataset}.csv"
        summary.rows[dataset] = writer.write_csv(
            path, columns, rows, writer.csv_encoding(dataset, params.csv_encoding)
        )
        summary.files.append(path.name)

    emit(
        "platforms",
        PLATFORMS.column_names,
        [
            {"platform_id": p, "platform_name": n, "operator_credit_code": c}
            for p, n, c in zip(
                market.platform_ids, market.platform_names, market.platform_operator_codes, strict=True
            )
        ],
    )
    merchants = []
    for i in range(len(ms)):
        merchants.append(
            {
                "merchant_id": ms.merchant_id[i],
                "platform_id": market.platform_ids[ms.platform[i]],
                "shop_name": ms.shop_name[i],
                "credit_code": ms.displayed_code[i],
                "main_category": CATEGORY_NAMES[ms.category[i]] if rng.random() > 0.02 else "",
                "region": ms.region_text[i],
                "opened_on": str(ms.opened_on[i]),
            }
        )
    emit("merchants", MERCHANTS.column_names, merchants)

    # A registry states a company's region one way on all its rows: by name, or by code.
    region_text = [_region_text(rng, int(p)) for p in companies.province]
    licences = []
    for row in market.licences:
        c = row.company
        is_business = row.license_type == "business_license"
        scope = (
            text.business_scope(
                rng,
                CATEGORY_NAMES[companies.category[c]],
                covers_category=bool(companies.scope_covers_category[c]),
            )
            if is_business
            else ""
        )
        licences.append(
            {
                "credit_code": companies.credit_code[c],
                "company_name": companies.name[c],
                "license_type": row.license_type,
                "status": row.status,
                "issued_on": row.issued_on.isoformat() if row.issued_on else "",
                "expires_on": row.expires_on.isoformat() if row.expires_on else "",
                "business_scope": scope,
                "legal_representative": companies.legal_representative[c],
                "registered_region": region_text[c],
            }
        )
    emit("licenses", LICENSES.column_names, licences)
    emit("complaints", COMPLAINTS.column_names, complaints)


def _region_text(rng: np.random.Generator, province: int) -> str:
    return geography.PROVINCE_CODES[province] if rng.random() < 0.2 else geography.PROVINCE_NAMES[province]


def _write_truth(market: Market, plan: Plan, truth_dir: Path, summary: GenerationSummary) -> None:
    ms = market.merchants
    params = market.params

    def key(m: int) -> dict:
        return {"platform_id": market.platform_ids[ms.platform[m]], "merchant_id": ms.merchant_id[m]}

    labels = [
        {
            **key(lab.merchant),
            "shop_name": ms.shop_name[lab.merchant],
            "harm": lab.harm,
            "pattern": lab.pattern,
            "intensity": lab.intensity,
        }
        for lab in sorted(plan.labels, key=lambda x: (x.merchant, x.harm, x.pattern))
    ]
    writer.write_csv(
        truth_dir / "merchant_labels.csv",
        ("platform_id", "merchant_id", "shop_name", "harm", "pattern", "intensity"),
        labels,
        "utf-8",
    )
    ring_rows = []
    for ring in plan.rings:
        common = {
            "ring_id": ring.ring_id,
            "ring_type": ring.kind,
            "platform_id": market.platform_ids[ring.platform],
            "start_at": format_epoch(ring.start_s),
            "end_at": format_epoch(ring.end_s),
        }
        for buyer in writer.buyer_ids(np.asarray(ring.buyers), params.seed).to_pylist():
            ring_rows.append({**common, "member_type": "buyer", "member_id": buyer})
        for shop in ring.shops:
            ring_rows.append({**common, "member_type": "shop", "member_id": ms.merchant_id[int(shop)]})
    writer.write_csv(
        truth_dir / "rings.csv",
        ("ring_id", "ring_type", "platform_id", "member_type", "member_id", "start_at", "end_at"),
        ring_rows,
        "utf-8",
    )
    negatives = [{**key(m), "kind": kind} for m, kind in sorted(plan.hard_negatives)]
    writer.write_csv(
        truth_dir / "hard_negatives.csv", ("platform_id", "merchant_id", "kind"), negatives, "utf-8"
    )
    manifest = {
        "params": params.as_dict(),
        "feed_files": sorted(summary.files),
        "rows": summary.rows,
        "planted_shops": len({lab.merchant for lab in plan.labels}),
        "labels": len(labels),
        "rings": len(plan.rings),
        "hard_negatives": len(negatives),
    }
    (truth_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )

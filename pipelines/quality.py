"""Detection quality over generator seeds and difficulty knobs: generate, ingest, score, evaluate, summarise."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pipelines.demo_market.generate import generate_market
from pipelines.demo_market.params import KNOBS, GeneratorParams, parse_knob_value
from pipelines.params import ScoringParams
from pipelines.watchlist import HARMS
from warehouse.loader import ingest

Progress = Callable[[str], None]

DEFAULT_SEEDS = (101, 102, 103, 104, 105)  # not the tests' seeds, nor the demo's 42: nothing is tuned on them
SUMMARY_METRICS = ("precision_at_50", "pr_auc")
METRIC_HEADS = {"precision_at_50": "P@50", "pr_auc": "PR-AUC"}
LEVEL_ORDER = ("composite", "harm", "pattern")
METHOD_ORDER = ("model", "random", "gmv", "complaints", "rule")  # as pipelines/evaluate.py writes them


def parse_sweep(text: str) -> tuple[str, list[object]]:
    """`KNOB=v1,v2,v3` → (knob name, values); range knobs take MIN:MAX per value (ring-workers=20:50,150:400)."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or name not in KNOBS:
        raise ValueError(f"--sweep takes KNOB=v1,v2,... with KNOB one of {', '.join(KNOBS)}; got {text!r}")
    knob = KNOBS[name]
    parsed = [parse_knob_value(knob, v, pair_separator=":") for v in values.split(",") if v.strip()]
    if not parsed:
        raise ValueError(f"--sweep {name}= needs at least one value")
    return name, parsed


def describe_value(value: object) -> str:
    """A knob value as shown in tables: 0.6, or 150–400 for a range."""
    if isinstance(value, tuple):
        low, high = value
        return f"{low:g}" if low == high else f"{low:g}–{high:g}"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def evaluate_seed(
    params: GeneratorParams, scoring: ScoringParams | None = None, progress: Progress | None = None
) -> dict:
    """Generate one market in a temporary folder, ingest, score and evaluate it; returns the evaluation report."""
    # Imported at use: pipelines.run pulls in every scoring stage and pipelines.evaluate
    # scikit-learn (seconds to load), which --help and the aggregation do not need.
    from pipelines.evaluate import evaluate_warehouse
    from pipelines.run import run_scoring

    say = progress or (lambda _: None)
    tag = f"[seed {params.seed}]"
    with tempfile.TemporaryDirectory(prefix=f"quality-{params.seed}-") as temp:
        root = Path(temp)
        feed, truth, db = root / "feed", root / "truth", root / "market.duckdb"
        began = time.perf_counter()
        generate_market(params, feed, truth, lambda line: say(f"{tag} {line.strip()}"))
        say(f"{tag} generated in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        load = ingest([feed], db)
        if load.rejected:
            names = ", ".join(r.file_name for r in load.rejected)
            raise RuntimeError(f"{tag} the loader rejected generated files: {names}")
        say(f"{tag} ingested in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        run_id = run_scoring(db, scoring, progress=lambda line: say(f"{tag} {line.strip()}"))
        say(f"{tag} scored in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        report = evaluate_warehouse(db, truth, run_id)
        say(f"{tag} evaluated in {time.perf_counter() - began:.1f} s")
    return report


def _mean_and_worst(values: dict[int, float | None]) -> tuple[float | None, float | None, int | None]:
    """Mean over the seeds that have a value, the lowest value and its seed (the first, on a tie)."""
    present = {seed: v for seed, v in values.items() if v is not None}
    if not present:
        return None, None, None
    worst_seed = min(present, key=lambda s: (present[s], s))
    return statistics.fmean(present.values()), present[worst_seed], worst_seed


def summarise(reports: dict[int, dict], levels: Sequence[str] = ("composite", "harm")) -> list[dict]:
    """Mean and worst seed of precision@50 and PR-AUC per target and method, over the seeds' reports."""
    collected: dict[tuple, dict[str, dict[int, float | None]]] = {}
    labels: dict[tuple, str] = {}
    planted: dict[tuple, list[int]] = {}
    for seed, report in reports.items():
        for row in report["ranking"]:
            if row["level"] not in levels:
                continue
            key = (row["level"], row["harm"], row["pattern"], row["method"])
            labels.setdefault(key, row["method_label"])
            planted.setdefault(key, []).append(row["positives"])
            per_metric = collected.setdefault(key, {m: {} for m in SUMMARY_METRICS})
            for metric in SUMMARY_METRICS:
                per_metric[metric][seed] = row[metric]
    summary = []
    for key, per_metric in sorted(collected.items(), key=lambda item: _row_order(*item[0])):
        level, harm, pattern, method = key
        row = {
            "level": level,
            "harm": harm,
            "pattern": pattern,
            "method": method,
            "method_label": labels[key],
        }
        row["seeds"] = len(planted[key])
        row["positives_mean"] = round(statistics.fmean(planted[key]), 1)
        for metric, values in per_metric.items():
            mean, worst, worst_seed = _mean_and_worst(values)
            row[f"{metric}_mean"] = None if mean is None else round(mean, 4)
            row[f"{metric}_worst"] = worst
            row[f"{metric}_worst_seed"] = worst_seed
        summary.append(row)
    return summary


def _row_order(level: str, harm: str | None, pattern: str | None, method: str) -> tuple:
    """Composite, then harms, then patterns, each in HARMS order; the model before its baselines."""
    return (
        LEVEL_ORDER.index(level),
        -1 if harm is None else HARMS.index(harm) if harm in HARMS else len(HARMS),
        pattern or "",
        METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER),
        method,
    )


def summarise_rings(reports: dict[int, dict]) -> dict[str, dict[str, float | None]]:
    """Mean buyer- and shop-level ring precision and recall over the seeds that judged rings."""
    result: dict[str, dict[str, float | None]] = {}
    for member_type in ("buyer", "shop"):
        for metric in ("precision", "recall"):
            values = [
                r["rings"][member_type]["overall"][metric]
                for r in reports.values()
                if r.get("rings") and r["rings"][member_type]["overall"][metric] is not None
            ]
            result.setdefault(member_type, {})[metric] = (
                round(statistics.fmean(values), 4) if values else None
            )
    return result


def summarise_hard_negatives(reports: dict[int, dict]) -> dict[str, float | None]:
    """Mean number of hard negatives per top list (composite top 100, each harm's top 50) over the seeds."""
    counts: dict[str, list[int]] = {}
    for report in reports.values():
        for name, part in (report.get("hard_negatives") or {}).items():
            if name != "total":
                counts.setdefault(name, []).append(part["count"])
    return {name: round(statistics.fmean(values), 2) for name, values in counts.items()}


def summarise_point(reports: dict[int, dict]) -> dict:
    """Everything the markdown shows for one set of generator params over its seeds."""
    return {
        "seeds": sorted(reports),
        "targets": summarise(reports),
        "patterns": [r for r in summarise(reports, levels=("pattern",)) if r["method"] == "model"],
        "rings": summarise_rings(reports),
        "hard_negatives": summarise_hard_negatives(reports),
    }


def run_quality(
    base: GeneratorParams,
    seeds: Sequence[int],
    sweep: tuple[str, list[object]] | None = None,
    scoring: ScoringParams | None = None,
    progress: Progress | None = None,
    evaluate: Callable[[GeneratorParams, ScoringParams | None, Progress | None], dict] = evaluate_seed,
) -> dict:
    """Evaluate every seed (for every sweep value) and summarise; returns a JSON-ready dict."""
    say = progress or (lambda _: None)
    if sweep is None:
        points: list[tuple[str | None, object, GeneratorParams]] = [(None, None, base)]
    else:
        name, values = sweep
        field = KNOBS[name].field
        points = [(name, v, dataclasses.replace(base, **{field: v})) for v in values]
    results = []
    for knob, value, params in points:
        if knob is not None:
            say(f"sweep {knob}={describe_value(value)}")
        reports = {}
        for seed in seeds:
            reports[seed] = evaluate(dataclasses.replace(params, seed=seed), scoring, say)
        results.append({"knob": knob, "value": value, **summarise_point(reports), "reports": reports})
    return {
        "generated_on": dt.date.today().isoformat(),
        "generator": _generator_description(base, sweep),
        "scoring_params_digest": (scoring or ScoringParams()).digest(),
        "sweep": None if sweep is None else sweep[0],
        "points": results,
    }


def _generator_description(base: GeneratorParams, sweep: tuple[str, list[object]] | None) -> dict:
    values = base.as_dict()
    values.pop("seed", None)
    if sweep is not None:
        values[KNOBS[sweep[0]].field] = [describe_value(v) for v in sweep[1]]
    return values


def _knob_text(value: object) -> str:
    """A knob's setting in the generator line (a range may have come back from JSON as a list)."""
    return describe_value(tuple(value) if isinstance(value, list) else value)


def _cell(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _target(row: dict) -> str:
    if row["level"] == "composite":
        return "composite"
    if row["level"] == "harm":
        return row["harm"]
    return f"{row['harm']} / {row['pattern']}"


def targets_table(rows: Sequence[dict]) -> list[str]:
    """Markdown table: target, method, planted shops, mean and worst seed of each summary metric.

    The planted count matters: precision@50 cannot exceed planted ÷ 50.
    """
    heads = ["planted (mean)"]
    for metric in SUMMARY_METRICS:
        heads += [f"{METRIC_HEADS[metric]} mean", f"{METRIC_HEADS[metric]} worst (seed)"]
    lines = ["| target | method | " + " | ".join(heads) + " |", "|---|---|" + "---:|" * len(heads)]
    previous = None
    for row in rows:
        target = _target(row)
        cells = [f"{row['positives_mean']:g}"]
        for metric in SUMMARY_METRICS:
            worst = row[f"{metric}_worst"]
            seed = row[f"{metric}_worst_seed"]
            cells += [_cell(row[f"{metric}_mean"]), "–" if worst is None else f"{worst:.3f} ({seed})"]
        shown = f"**{target}**" if target != previous else ""
        previous = target
        lines.append(f"| {shown} | {row['method_label']} | " + " | ".join(cells) + " |")
    return lines


def render_markdown(result: dict, command: str = "python -m pipelines quality") -> str:
    """The quality report as markdown: per point (sweep value) the tables, then the sweep's curve."""
    generator = result["generator"]
    points = result["points"]
    lines = [
        "# Detection quality",
        "",
        f"Written by `{command}` on {result['generated_on']}; scoring parameters digest "
        f"`{result['scoring_params_digest']}`. Each seed is a new market: generated, ingested, scored "
        "and evaluated against its ground truth (`python -m pipelines evaluate`). Mean and worst seed "
        "of precision@50 and PR-AUC (average precision); baselines beside the model. Nothing is tuned "
        "on these seeds.",
        "",
        f"Generator: {generator['merchants']:,} shops, {generator['days']} days, "
        f"about {generator['organic_orders']:,} organic orders; "
        + ", ".join(
            f"{name} {'swept' if name == result['sweep'] else _knob_text(generator[KNOBS[name].field])}"
            for name in KNOBS
        )
        + ".",
    ]
    if result["sweep"] is not None:
        lines += ["", *sweep_table(result)]
    for point in points:
        title = "Results" if point["knob"] is None else f"{point['knob']} = {describe_value(point['value'])}"
        seeds = ", ".join(str(s) for s in point["seeds"])
        lines += ["", f"## {title} (seeds {seeds})", "", *targets_table(point["targets"])]
        if point["patterns"]:
            lines += ["", "Per planted pattern (model; negatives are the unlabelled shops):", ""]
            lines += targets_table(point["patterns"])
        rings = point["rings"]
        lines += [
            "",
            "Rings (mean over seeds): "
            f"buyers precision {_cell(rings['buyer']['precision'])}, recall {_cell(rings['buyer']['recall'])}; "
            f"shops precision {_cell(rings['shop']['precision'])}, recall {_cell(rings['shop']['recall'])}.",
        ]
        if point["hard_negatives"]:
            caught = ", ".join(f"{name} {count:g}" for name, count in point["hard_negatives"].items())
            lines += ["", f"Hard negatives in the model's top lists (mean over seeds): {caught}."]
    return "\n".join(lines) + "\n"


def sweep_table(result: dict) -> list[str]:
    """The sweep's curve: one row per knob value, the model's mean PR-AUC and P@50 per target."""
    knob = result["sweep"]
    first = result["points"][0]["targets"]
    targets = [(r["level"], r["harm"]) for r in first if r["method"] == "model"]
    heads = [
        f"{'composite' if h is None else h} {METRIC_HEADS[m]}" for m in SUMMARY_METRICS for _, h in targets
    ]
    lines = [
        f"## Sweep over {knob} (model, mean over seeds)",
        "",
        f"| {knob} | " + " | ".join(heads) + " |",
        "|---:|" + "---:|" * len(heads),
    ]
    for point in result["points"]:
        by_target = {(r["level"], r["harm"]): r for r in point["targets"] if r["method"] == "model"}
        cells = [
            _cell(by_target[t][f"{m}_mean"]) if t in by_target else "–"
            for m in SUMMARY_METRICS
            for t in targets
        ]
        lines.append(f"| {describe_value(point['value'])} | " + " | ".join(cells) + " |")
    return lines

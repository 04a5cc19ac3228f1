"""Quality over seeds and knobs: parsing, aggregation and markdown (pipelines/quality.py), on real DuckDB files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.demo_market.params import GeneratorParams
from pipelines.evaluate import evaluate_warehouse
from pipelines.quality import parse_sweep, render_markdown, run_quality, summarise
from tests.unit.test_evaluate import MERCHANTS, build_warehouse, write_truth


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("camouflage=0,1,3", ("camouflage", [0.0, 1.0, 3.0])),
        ("ring-density=0.2, 0.6", ("ring-density", [0.2, 0.6])),
        ("ring-workers=20:50,150", ("ring-workers", [(20, 50), (150, 150)])),
        ("promo-fake-share=0.05:0.1,0.2:0.5", ("promo-fake-share", [(0.05, 0.1), (0.2, 0.5)])),
        ("label-noise=0,0.3", ("label-noise", [0.0, 0.3])),
    ],
)
def test_parse_sweep(text: str, expected: tuple) -> None:
    assert parse_sweep(text) == expected


@pytest.mark.parametrize(
    "text", ["orders=1,2", "camouflage", "camouflage=", "ring-density=high", "ring-workers=a:b"]
)
def test_parse_sweep_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_sweep(text)


def seed_warehouse(root: Path, seed: int) -> tuple[Path, Path]:
    """A hand-made scored warehouse whose model is good for odd seeds and backwards for even ones."""
    merchants = MERCHANTS if seed % 2 else [(*m[:4], 100.0 - m[4], *m[5:]) for m in MERCHANTS]
    folder = root / f"seed{seed}"
    return build_warehouse(folder / "market.duckdb", merchants), write_truth(folder / "truth")


@pytest.fixture(scope="module")
def seed_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    """Evaluation reports of two hand-made seeds (7: a good model, 8: a backwards one)."""
    root = tmp_path_factory.mktemp("quality")
    return {seed: evaluate_warehouse(*seed_warehouse(root, seed)) for seed in (7, 8)}


def test_summary_is_the_mean_and_the_worst_seed(seed_reports: dict[int, dict]) -> None:
    summary = summarise(seed_reports)
    model = next(r for r in summary if r["level"] == "composite" and r["method"] == "model")
    values = {
        seed: next(r for r in report["ranking"] if r["level"] == "composite")["pr_auc"]
        for seed, report in seed_reports.items()
    }
    assert values[7] > values[8]
    assert model["pr_auc_mean"] == pytest.approx((values[7] + values[8]) / 2, abs=1e-4)
    assert (model["pr_auc_worst"], model["pr_auc_worst_seed"], model["seeds"]) == (values[8], 8, 2)
    methods = {(r["level"], r["harm"], r["method"]) for r in summary}
    assert ("composite", None, "gmv") in methods and ("harm", "license", "rule") in methods
    assert not any(r["level"] == "pattern" for r in summary)


def test_sweep_runs_every_seed_for_every_value_and_renders_the_curve(seed_reports: dict[int, dict]) -> None:
    calls: list[tuple[int, float]] = []

    def evaluate(params: GeneratorParams, scoring, progress) -> dict:
        calls.append((params.seed, params.camouflage_per_fake_order))
        return seed_reports[params.seed]

    base = dataclasses.replace(GeneratorParams(), merchants=50)
    result = run_quality(base, (7, 8), sweep=("camouflage", [0.0, 2.0]), evaluate=evaluate)
    assert calls == [(7, 0.0), (8, 0.0), (7, 2.0), (8, 2.0)]
    assert [p["value"] for p in result["points"]] == [0.0, 2.0]
    markdown = render_markdown(result)
    assert "## Sweep over camouflage" in markdown
    assert (
        "| target | method | planted (mean) | P@50 mean | P@50 worst (seed) | PR-AUC mean | PR-AUC worst (seed) |"
        in markdown
    )
    assert "## camouflage = 2 (seeds 7, 8)" in markdown and "random (expected)" in markdown


def test_cli_help(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["quality", "--help"])
    assert exit_info.value.code == 0
    assert "--sweep" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--ring-density", "2"], ["--sweep", "ring-density=0.5,3"]])
def test_cli_refuses_out_of_range_knobs_before_generating(
    args: list[str], capsys: pytest.CaptureFixture
) -> None:
    assert main(["quality", "--seeds", "1", *args]) == 2
    assert "ring_density" in capsys.readouterr().err

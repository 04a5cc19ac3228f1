"""The analyst notebooks run top to bottom on a small scored warehouse, and none is committed with outputs."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pipelines.run import run_scoring
from tests.conftest import small_market
from warehouse.loader import ingest
from warehouse.publish import connect_readonly

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPRODUCTION = "02_reproduce_merchant_scores.ipynb"
# The app tests' market: scored in a few seconds, with rings, complaints and every harm planted.
MARKET = {"seed": 11, "merchants": 150, "orders": 40_000, "days": 90}
CELL_TIMEOUT_S = 180
PROJECT_PACKAGES = ("app", "pages", "pipelines", "warehouse", "tests")
SCORES = ("fraud_score", "fake_trade_score", "after_sales_score", "license_score", "risk_score")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A small demo market laid out as MARKET_DEMO_DIR (feed/, truth/), loaded and scored: the notebooks' env."""
    market = small_market(tmp_path_factory.mktemp("notebook_market"), **MARKET)
    db = tmp_path_factory.mktemp("notebook_warehouse") / "market.duckdb"
    assert ingest([market.feed], db).exit_status == 0
    run_scoring(db)
    assert market.truth.parent / "truth" == market.truth
    return {"MARKET_DB": str(db), "MARKET_DEMO_DIR": str(market.truth.parent)}


@pytest.fixture(scope="module")
def executed(demo: dict[str, str]):
    """Run a notebook (once per module) in a fresh kernel started in notebooks/, pointed at the demo by env."""
    done: dict[str, nbformat.NotebookNode] = {}

    def run(path: Path) -> nbformat.NotebookNode:
        if path.name not in done:
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook,
                timeout=CELL_TIMEOUT_S,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            )
            client.execute(env={**os.environ, **demo})  # raises CellExecutionError on any error
            done[path.name] = notebook
        return done[path.name]

    return run


def test_there_are_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} >= {REPRODUCTION}
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, executed) -> None:
    notebook = executed(path)
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors


def test_reproduced_scores_equal_the_stored_ones(executed, demo: dict[str, str]) -> None:
    notebook = executed(ROOT / "notebooks" / REPRODUCTION)
    printed = [
        line
        for cell in notebook.cells
        if cell.cell_type == "code" and "REPRODUCED" in cell.source
        for output in cell.outputs
        if output.output_type == "stream"
        for line in output.text.splitlines()
        if line.startswith("{")
    ]
    assert len(printed) == 1
    reproduced = json.loads(printed[0])
    con = connect_readonly(demo["MARKET_DB"])
    try:
        stored = con.execute(
            f"""select {", ".join(SCORES)}, risk_rank from out_merchant_risk
                where platform_id = ? and merchant_id = ?""",
            [reproduced["platform_id"], reproduced["merchant_id"]],
        ).fetchone()
    finally:
        con.close()
    assert stored is not None
    *scores, rank = stored
    assert rank <= 10  # a shop high on the dashboard's list
    for name, value in zip(SCORES, scores, strict=True):
        assert reproduced[name] == pytest.approx(value, abs=1e-9), name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code
    assert not [c.id for c in code if c.outputs], "outputs kept: clear them before committing"
    assert not [c.id for c in code if c.execution_count is not None], "execution counts kept"


def test_nothing_imports_from_notebooks() -> None:
    sources = [ROOT / "dashboard.py", *(p for d in PROJECT_PACKAGES for p in (ROOT / d).rglob("*.py"))]
    importers = []
    for path in (p for p in sources if p.exists()):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        if any(name.split(".")[0] == "notebooks" for name in names):
            importers.append(path.relative_to(ROOT))
    assert not importers

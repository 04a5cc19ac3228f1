"""Run `python -m pipelines` in a child process against a given access store, as an operator would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_pipelines(*args: str, store: Path) -> subprocess.CompletedProcess:
    """`python -m pipelines ARGS` with MARKET_ACCESS_DB=store and nothing else from our environment."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"MARKET_ACCESS_DB": str(store), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )

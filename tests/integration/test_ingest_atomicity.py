"""A load is all-or-nothing: an exception or a kill part-way leaves the published warehouse exactly as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import warehouse.loader
from pipelines.cli import main
from warehouse.loader import ingest
from warehouse.publish import connect_readonly, next_path

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "feeds" / "good"
REPO = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    ingest([GOOD / "platforms.csv", GOOD / "merchants.csv"], db)
    return db


def test_exception_between_stages_publishes_nothing(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(published)
    real_load_part = warehouse.loader.load_part
    calls = []

    def failing_load_part(con, part, load_id, result, direct):
        calls.append(part.source_file)
        real_load_part(con, part, load_id, result, direct)  # the first file's rows are in the copy...
        if len(calls) == 2:
            raise RuntimeError("injected failure after the raw and staging stages")

    monkeypatch.setattr(warehouse.loader, "load_part", failing_load_part)
    with pytest.raises(RuntimeError, match="injected"):
        ingest([GOOD], published)
    assert digest(published) == before  # ...and none of them were published
    assert not next_path(published).exists()


def test_cli_reports_an_error_with_exit_status_one(published: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(published)

    def broken_checks(con, load_id):
        raise RuntimeError("injected failure in the data-quality stage")

    monkeypatch.setattr(warehouse.loader, "run_checks", broken_checks)
    assert main(["ingest", str(GOOD), "--db", str(published), "--quiet"]) == 1
    assert digest(published) == before


KILL_MID_LOAD = """
import os, signal, sys
import warehouse.loader as loader
real = loader.load_part
def killed_after_first_file(con, part, load_id, result, direct):
    real(con, part, load_id, result, direct)
    os.kill(os.getpid(), signal.SIGKILL)  # as if the machine lost power mid-load
loader.load_part = killed_after_first_file
loader.ingest([sys.argv[1]], sys.argv[2])
"""


def test_killed_load_leaves_the_warehouse_unchanged_and_the_next_run_cleans_up(published: Path) -> None:
    before = digest(published)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILL_MID_LOAD), str(GOOD), str(published)],
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -9
    assert digest(published) == before
    assert next_path(published).exists()  # the stray copy the kill left behind
    report = ingest([GOOD], published)
    assert report.published and not next_path(published).exists()
    con = connect_readonly(published)
    assert con.execute("select count(*) from stg_transactions").fetchone() == (7,)


READER = """
import sys, time
from warehouse.publish import connect_readonly
con = connect_readonly(sys.argv[1])
print(con.execute("select count(*) from stg_transactions").fetchone()[0], flush=True)
sys.stdin.readline()  # wait while the writer publishes
print(con.execute("select count(*) from stg_transactions").fetchone()[0], flush=True)
con.close()
print(connect_readonly(sys.argv[1]).execute("select count(*) from stg_transactions").fetchone()[0], flush=True)
"""


def test_a_reader_process_keeps_a_consistent_view_while_a_load_publishes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest([GOOD / "transactions_2026-01.csv"], db)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "4"
    report = ingest([GOOD / "transactions_2026-02.parquet"], db)  # the reader holds the file open meanwhile
    assert report.published
    out, _ = reader.communicate("go\n", timeout=60)
    assert out.split() == ["4", "7"]  # old snapshot while open, the new file once reopened


def test_readonly_reader_in_this_process_sees_old_then_new(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest([GOOD / "transactions_2026-01.csv"], db)
    old = duckdb.connect(str(db), read_only=True)
    ingest([GOOD / "transactions_2026-02.parquet"], db)
    assert old.execute("select count(*) from stg_transactions").fetchone() == (4,)
    old.close()
    assert connect_readonly(db).execute("select count(*) from stg_transactions").fetchone() == (7,)

"""Publishing: the writer works on a copy and replaces the file atomically; readers keep a consistent view."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from warehouse.publish import ReadonlyWarehouse, connect_readonly, next_path, open_for_write, work_dir


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_db(path: Path, rows: int) -> None:
    with open_for_write(path) as con:
        con.execute("create or replace table t as select range as i from range($n)", {"n": rows})


def count(con) -> int:
    return con.execute("select count(*) from t").fetchone()[0]


def test_publishes_on_success(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    make_db(db, 3)
    assert count(connect_readonly(db)) == 3
    assert not next_path(db).exists()


def test_exception_discards_the_copy_and_leaves_the_file_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    make_db(db, 3)
    before = digest(db)
    with pytest.raises(RuntimeError), open_for_write(db) as con:
        con.execute("insert into t select 99")
        raise RuntimeError("injected")
    assert digest(db) == before
    assert not next_path(db).exists()


def test_stray_copy_from_a_killed_writer_is_removed(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    make_db(db, 3)
    next_path(db).write_bytes(b"half-written garbage")
    make_db(db, 5)
    assert count(connect_readonly(db)) == 5
    assert not next_path(db).exists()


def test_reader_keeps_its_snapshot_and_reopens_after_publish(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    make_db(db, 3)
    reader = ReadonlyWarehouse(db)
    old = reader.connection()
    assert count(old) == 3
    make_db(db, 7)  # a writer publishes while the reader holds the old file open
    assert count(old) == 3  # the open connection still sees the old, consistent file
    new = reader.connection()
    assert new is not old
    assert count(new) == 7
    reader.close()


def test_connect_readonly_without_a_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ingest"):
        connect_readonly(tmp_path / "missing.duckdb")


def test_readonly_connection_cannot_write(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    make_db(db, 1)
    con = connect_readonly(db)
    with pytest.raises(Exception, match="read-only"):
        con.execute("insert into t select 2")


def test_scratch_folder_is_removed_on_success_failure_and_after_a_kill(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    make_db(db, 1)
    assert not work_dir(db).exists()
    work_dir(db).mkdir()  # as a killed load would leave it
    (work_dir(db) / "transcoded.csv").write_text("x")
    make_db(db, 2)
    assert not work_dir(db).exists()
    with pytest.raises(RuntimeError), open_for_write(db):
        work_dir(db).mkdir()
        raise RuntimeError("injected")
    assert not work_dir(db).exists()

"""Row estimates decide whether a file is big enough to go straight into the layer tables."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb

from warehouse.sources import estimated_rows


def test_parquet_rows_come_from_the_footer(tmp_path: Path) -> None:
    path = tmp_path / "transactions.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select range as n from range(12345)) to '{path}' (format parquet)")
        assert estimated_rows(con, path) == 12345


def test_csv_rows_are_estimated_from_the_mean_line(tmp_path: Path) -> None:
    path = tmp_path / "transactions.csv"
    lines = ["order_id,amount"] + [f"O{n},{n % 997}.50" for n in range(200_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with duckdb.connect() as con:
        assert 0.8 * 200_000 < estimated_rows(con, path) < 1.2 * 200_000


def test_unknown_sizes_estimate_nothing(tmp_path: Path) -> None:
    packed = tmp_path / "transactions.csv.gz"
    packed.write_bytes(gzip.compress(b"order_id\nO1\n"))
    broken = tmp_path / "transactions.parquet"
    broken.write_bytes(b"not parquet")
    empty = tmp_path / "merchants.csv"
    empty.write_bytes(b"")
    with duckdb.connect() as con:
        assert [estimated_rows(con, p) for p in (packed, broken, empty)] == [0, 0, 0]

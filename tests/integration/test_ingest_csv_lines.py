"""A big CSV keeps every row's line (read in parallel, lines from the row order) and its encoding checked to the end."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse.encoding
from warehouse.loader import ingest

HEADER = "order_id,platform_id,merchant_id,buyer_id,ordered_at,amount,quantity,status\n"


def good_row(n: int) -> str:
    return f"T{n:07d},P01,M{n % 97:03d},B{n % 1013:04d},2026-03-01 10:00:00,{n % 500}.50,1,completed\n"


def write_feed(path: Path, rows: int, bad: dict[int, str]) -> None:
    """`rows` records, one per line; record n (line n + 1) replaced by bad[n] where given."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(1, rows + 1):
            out.write(bad.get(n, good_row(n)))


def test_lines_stay_right_in_a_file_read_in_parallel(tmp_path: Path) -> None:
    # ~30 MB: DuckDB splits it over several buffers and threads; the lines must not care.
    rows = 400_000
    bad = {
        7: "T0000007,P01,M001,B0001,2026-03-01 10:00:00,-3,1,completed\n",
        123_456: "T0123456,P01,M001,B0001,not a time,1.00,1,completed\n",
        250_001: "T0250001,P01,M001\n",  # too few fields: DuckDB sets the record aside
        399_999: "T0399999,P01,M001,B0001,2026-03-01 10:00:00,1.00,1,lost\n",
    }
    feed = tmp_path / "feed"
    feed.mkdir()
    write_feed(feed / "transactions_big.csv", rows, bad)
    db = tmp_path / "w.duckdb"
    (result,) = ingest([feed], db).results
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (rows, rows - 4, 4)
    con = duckdb.connect(str(db), read_only=True)
    quarantined = con.execute("select _source_line from quarantine_transactions order by 1").fetchall()
    assert [line for (line,) in quarantined] == [n + 1 for n in sorted(bad)]
    # Every staged row sits on the line its order id says (record n on line n + 1).
    wrong = con.execute(
        "select count(*) from stg_transactions where _source_line <> cast(order_id[2:] as bigint) + 1"
    ).fetchone()[0]
    assert wrong == 0


def test_bytes_past_the_checked_head_in_another_encoding_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the head is checked before DuckDB reads; a GB18030 line after it must still be
    # caught, the whole file checked, and only that line set aside (as for a small file).
    monkeypatch.setattr(warehouse.encoding, "CHUNK_BYTES", 256)
    feed = tmp_path / "feed"
    feed.mkdir()
    head = "T0000001,P01,M001,老王,2026-03-01 10:00:00,1.00,1,completed\n"  # Chinese text in the head
    odd = "T0000041,P01,M001,买家,2026-03-01 10:00:00,1.00,1,completed\n"  # line 42, in GB18030
    lines = [HEADER.encode(), head.encode()]
    lines += [good_row(n).encode() for n in range(2, 41)]
    lines += [odd.encode("gb18030"), good_row(42).encode()]
    (feed / "transactions_mixed.csv").write_bytes(b"".join(lines))
    db = tmp_path / "w.duckdb"
    (result,) = ingest([feed], db).results
    assert result.encoding.startswith("mixed: utf-8")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (42, 41, 1)
    con = duckdb.connect(str(db), read_only=True)
    (line, reasons) = con.execute("select _source_line, reasons from quarantine_transactions").fetchone()
    assert line == 42
    assert "not valid utf-8" in reasons[0]

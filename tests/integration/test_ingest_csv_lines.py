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


# The same records as good_row, written by DuckDB (a big file in about a second).
GOOD_ROW_SQL = (
    "'T' || lpad(n::varchar, 7, '0') || ',P01,M' || lpad((n % 97)::varchar, 3, '0') || ',B' "
    "|| lpad((n % 1013)::varchar, 4, '0') || ',2026-03-01 10:00:00,' || (n % 500)::varchar || '.50,1,completed'"
)


def write_big_feed(path: Path, rows: int, bad: dict[int, str]) -> None:
    """`rows` records, one per line; record n (line n + 1) replaced by bad[n] where given."""
    with duckdb.connect() as con:
        con.execute("create table bad (n bigint, line varchar)")
        con.executemany("insert into bad values (?, ?)", [(n, line.rstrip("\n")) for n, line in bad.items()])
        con.execute(
            f"""
            copy (
                select line from (
                    select 0 as n, $header as line
                    union all
                    select r.n, coalesce(bad.line, {GOOD_ROW_SQL})
                    from range(1, $rows + 1) as r(n)
                    left join bad using (n)
                )
                order by n
            ) to '{path}' (format csv, header false, quote '', escape '', delimiter '\t')
            """,
            {"header": HEADER.rstrip("\n"), "rows": rows},
        )


@pytest.mark.parametrize("with_reject", [False, True], ids=["clean-records", "a-record-set-aside"])
def test_lines_stay_right_in_a_file_read_in_parallel(tmp_path: Path, with_reject: bool) -> None:
    # ~90 MB: DuckDB reads it on several threads, and the writer connection lets it reorder
    # rows; the lines (from the row order) must not care.
    rows = 1_500_000
    bad = {
        7: "T0000007,P01,M001,B0001,2026-03-01 10:00:00,-3,1,completed\n",
        723_456: "T0723456,P01,M001,B0001,not a time,1.00,1,completed\n",
        1_499_999: "T1499999,P01,M001,B0001,2026-03-01 10:00:00,1.00,1,lost\n",
    }
    if with_reject:
        bad[1_250_001] = "T1250001,P01,M001\n"  # too few fields: DuckDB sets the record aside
    feed = tmp_path / "feed"
    feed.mkdir()
    write_big_feed(feed / "transactions_big.csv", rows, bad)
    db = tmp_path / "w.duckdb"
    (result,) = ingest([feed], db).results
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        rows,
        rows - len(bad),
        len(bad),
    )
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

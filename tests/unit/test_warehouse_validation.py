"""Row validation: each bad value yields its reason in quarantine, and good rows reach staging typed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.loader import ingest

HEADER = "order_id,platform_id,merchant_id,buyer_id,ordered_at,amount,quantity,status,rating,refund_reason"
GOOD = {
    "order_id": "O1",
    "platform_id": "P01",
    "merchant_id": "M1",
    "buyer_id": "B1",
    "ordered_at": "2026-01-01 10:00:00",
    "amount": "10.00",
    "quantity": "1",
    "status": "completed",
    "rating": "",
    "refund_reason": "",
}


def load_one_order(tmp_path: Path, **changes: str) -> duckdb.DuckDBPyConnection:
    row = {**GOOD, **changes}
    feed = tmp_path / "transactions.csv"
    feed.write_text(HEADER + "\n" + ",".join(row[c] for c in HEADER.split(",")) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest([feed], db)
    return duckdb.connect(str(db), read_only=True)


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"amount": "-5"}, ["amount: negative value -5"]),
        ({"rating": "9"}, ["rating: 9 outside 1–5"]),
        ({"rating": "0"}, ["rating: 0 outside 1–5"]),
        ({"status": "shipped"}, ["status: unknown value 'shipped'"]),
        ({"ordered_at": "2026-13-45"}, ["ordered_at: cannot parse '2026-13-45'"]),
        ({"order_id": ""}, ["order_id: required value missing"]),
        ({"merchant_id": "M" * 65}, ["merchant_id: longer than 64 characters"]),
        ({"quantity": "0"}, ["quantity: 0 below minimum 1"]),
        ({"quantity": "2.5"}, ["quantity: cannot parse '2.5'"]),
        ({"refund_reason": "because"}, ["refund_reason: unknown value 'because'"]),
        (
            {"amount": "abc", "status": "", "rating": "7"},
            ["amount: cannot parse 'abc'", "status: required value missing", "rating: 7 outside 1–5"],
        ),
    ],
)
def test_bad_value_is_quarantined_with_every_reason(
    tmp_path: Path, changes: dict, reasons: list[str]
) -> None:
    con = load_one_order(tmp_path, **changes)
    assert con.execute("select count(*) from stg_transactions").fetchone()[0] == 0
    assert con.execute("select reasons from quarantine_transactions").fetchall() == [(reasons,)]


@pytest.mark.parametrize(
    ("changes", "column", "value"),
    [
        ({"ordered_at": "2026/01/02 03:04:05"}, "ordered_at", "2026-01-02 03:04:05"),
        ({"ordered_at": "2026-01-02T03:04:05"}, "ordered_at", "2026-01-02 03:04:05"),
        ({"quantity": "3.0"}, "quantity", "3"),
        ({"amount": " 12.345 "}, "amount", "12.35"),
        ({"buyer_id": "=1+1"}, "buyer_id", "=1+1"),
        ({"buyer_id": "@cmd"}, "buyer_id", "@cmd"),
        ({"buyer_id": "-2"}, "buyer_id", "-2"),
        ({"buyer_id": "+86"}, "buyer_id", "+86"),
    ],
)
def test_good_value_is_staged_typed(tmp_path: Path, changes: dict, column: str, value: str) -> None:
    con = load_one_order(tmp_path, **changes)
    row = con.execute(f"select cast({column} as varchar) from stg_transactions").fetchall()
    assert row == [(value,)]
    assert con.execute("select count(*) from quarantine_transactions").fetchone()[0] == 0

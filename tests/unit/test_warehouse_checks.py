"""Staged tables: the unique-key check (its hash count proves clean tables clean; repeats counted exactly) and how hashed ids are stored."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse.checks import run_checks
from warehouse.ddl import create_macros, ensure_tables


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    create_macros(connection)
    ensure_tables(connection)
    yield connection
    connection.close()


def add_order(con, order_id: str, platform_id: str = "P01") -> None:
    con.execute(
        "insert into stg_transactions (order_id, platform_id, merchant_id, buyer_id, ordered_at, amount, "
        "status, _load_id, _source_file) values ($order, $platform, 'M1', 'B1', $at, 10, 'completed', 'L1', 'f.csv')",
        {"order": order_id, "platform": platform_id, "at": dt.datetime(2026, 1, 1)},
    )


def unique_key_count(con) -> int:
    findings = run_checks(con, "L1")
    [finding] = [f for f in findings if f.check_name == "unique_key" and f.table_name == "stg_transactions"]
    return finding.bad_row_count


def test_distinct_keys_find_nothing(con):
    for order_id, platform_id in [
        ("O1", "P01"),
        ("O2", "P01"),
        ("O1", "P02"),
    ]:  # same order id, other platform
        add_order(con, order_id, platform_id)
    assert unique_key_count(con) == 0


def test_each_repeated_key_is_counted_once(con):
    for order_id in ["O1", "O1", "O1", "O2", "O2", "O3"]:
        add_order(con, order_id)
    assert unique_key_count(con) == 2
    recorded = con.execute(
        "select bad_row_count from load_checks where check_name = 'unique_key' and table_name = 'stg_transactions'"
    ).fetchall()
    assert recorded == [(2,)]


def test_hashed_ids_are_stored_uncompressed_and_other_text_as_duckdb_chooses(con):
    con.execute(  # enough rows for DuckDB to choose a compression for the other columns
        "insert into stg_transactions (order_id, platform_id, merchant_id, buyer_id, ordered_at, amount, "
        "status, address_hash, device_hash, _load_id, _source_file) "
        "select 'O' || i, 'P01', 'M1', md5(i::varchar), $at, 10, 'completed', md5('a' || i), md5('d' || i), "
        "'L1', 'f.csv' from range(50000) as r(i)",
        {"at": dt.datetime(2026, 1, 1)},
    )
    con.execute("checkpoint")
    stored = dict(
        con.execute(
            "select column_name, any_value(compression) from pragma_storage_info('stg_transactions') "
            "where segment_type = 'VARCHAR' group by column_name"
        ).fetchall()
    )
    assert {stored[c] for c in ("buyer_id", "address_hash", "device_hash")} == {"Uncompressed"}
    assert stored["platform_id"] != "Uncompressed"

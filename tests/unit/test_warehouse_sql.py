"""Unit tests of the schema helpers, the SQL check-digit macro and the row validation, on real DuckDB."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.credit_code import USCC_ALPHABET, is_valid_uscc, uscc_check_char
from warehouse.ddl import create_macros, ensure_tables, uscc_parameters
from warehouse.schema import DATASETS, quote_identifier, table_name


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("amount", '"amount"'),
        ("注册资金", '"注册资金"'),
        ('a"b', '"a""b"'),
        ("drop table x; --", '"drop table x; --"'),
    ],
)
def test_quote_identifier_escapes(name: str, quoted: str) -> None:
    assert quote_identifier(name) == quoted


@pytest.mark.parametrize("bad", ["", "a\x00b", None])
def test_quote_identifier_refuses_unusable_names(bad: object) -> None:
    with pytest.raises(ValueError):
        quote_identifier(bad)  # type: ignore[arg-type]


def test_table_name_only_for_contract_datasets() -> None:
    assert table_name("stg", "merchants") == "stg_merchants"
    with pytest.raises(ValueError):
        table_name("stg", "users; drop table x")
    with pytest.raises(ValueError):
        table_name("gold", "merchants")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect("")
    ensure_tables(con)
    create_macros(con)
    return con


def sql_is_valid(con: duckdb.DuckDBPyConnection, code: str | None) -> bool:
    row = con.execute(
        "select is_valid_uscc($code, $uscc_alphabet, $uscc_weights)", {"code": code, **uscc_parameters()}
    )
    return row.fetchone()[0]


body_strategy = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@settings(max_examples=200, deadline=None)
@given(body=body_strategy, last=st.sampled_from(USCC_ALPHABET))
def test_sql_check_digit_agrees_with_python(con: duckdb.DuckDBPyConnection, body: str, last: str) -> None:
    assert sql_is_valid(con, body + last) == is_valid_uscc(body + last)
    assert sql_is_valid(con, body + uscc_check_char(body)) is True


@pytest.mark.parametrize(
    "code", [None, "", "91110113MA01GHE6X", "91110113MA01GHE6XAA", "91110113ma01ghe6xa", "9111011IMA01GHE6XA"]
)
def test_sql_check_digit_rejects_malformed(con: duckdb.DuckDBPyConnection, code: str | None) -> None:
    assert sql_is_valid(con, code) is False


def test_every_layer_table_exists(con: duckdb.DuckDBPyConnection) -> None:
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    for dataset in DATASETS:
        assert {f"quarantine_{dataset}", f"stg_{dataset}", f"superseded_{dataset}"} <= tables
        assert f"raw_{dataset}" in views
    assert {"load_log", "load_checks"} <= tables


def test_a_raw_table_of_an_older_warehouse_is_kept_under_a_new_name() -> None:
    con = duckdb.connect()
    con.execute("create table raw_merchants (merchant_id varchar, _load_id varchar)")
    con.execute("insert into raw_merchants values ('M1', 'L1')")
    ensure_tables(con)
    assert con.execute("select * from legacy_raw_merchants").fetchall() == [("M1", "L1")]
    assert con.execute("select count(*) from raw_merchants").fetchone() == (0,)  # now the (empty) view

"""Data-quality checks run after every load: SQL queries in warehouse/sql/checks/ that return bad rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from warehouse.schema import DATASETS, has_credit_code_flag, quote_identifier, table_name
from warehouse.sqlfiles import read_sql, render_sql
from warehouse.validation import Binder


@dataclass(frozen=True)
class CheckQuery:
    """One check on one table: its name, the SQL returning bad rows, and the values it binds."""

    check_name: str
    table_name: str
    sql: str
    params: dict[str, object]
    precheck: str | None = None  # a cheaper query whose zero proves the check finds nothing

    @property
    def description(self) -> str:
        """What the check looks for: the first comment line of its .sql file."""
        first = read_sql(f"checks/{self.check_name}").splitlines()[0]
        return first.removeprefix("--").strip()


@dataclass(frozen=True)
class Finding:
    """How many bad rows a check found."""

    check_name: str
    table_name: str
    bad_row_count: int
    description: str


def check_queries() -> list[CheckQuery]:
    """Every data-quality check, generic ones per staged table from the schema, then cross-table ones."""
    queries = []
    for dataset in DATASETS.values():
        stg = table_name("stg", dataset)
        keys = ", ".join(quote_identifier(k) for k in dataset.key)
        unique = render_sql("checks/unique_key", key_columns=keys, stg_table=stg)
        hashes = render_sql("checks/unique_key__hashes", key_columns=keys, stg_table=stg)
        queries.append(CheckQuery("unique_key", stg, unique, {}, precheck=hashes))
        missing = " or ".join(f"{quote_identifier(c)} is null" for c in dataset.required_columns)
        sql = render_sql(
            "checks/required_not_null", key_columns=keys, stg_table=stg, any_required_missing=missing
        )
        queries.append(CheckQuery("required_not_null", stg, sql, {}))
        b = Binder()
        closed = [
            f"({quote_identifier(f.name)} is not null "
            f"and not list_contains({b.bind(list(f.allowed))}, {quote_identifier(f.name)}))"
            for f in dataset.fields
            if f.allowed
        ]
        if closed:
            sql = render_sql(
                "checks/allowed_values", key_columns=keys, stg_table=stg, any_not_allowed=" or ".join(closed)
            )
            queries.append(CheckQuery("allowed_values", stg, sql, b.params))
        if has_credit_code_flag(dataset):
            sql = render_sql("checks/invalid_credit_codes", key_columns=keys, stg_table=stg)
            queries.append(CheckQuery("invalid_credit_codes", stg, sql, {}))
    queries.append(
        CheckQuery("orphan_transactions", "stg_transactions", read_sql("checks/orphan_transactions"), {})
    )
    queries.append(
        CheckQuery("orphan_complaints", "stg_complaints", read_sql("checks/orphan_complaints"), {})
    )
    return queries


def run_checks(con: duckdb.DuckDBPyConnection, load_id: str) -> list[Finding]:
    """Run every check, record each count in load_checks, and return the findings (zero counts included)."""
    findings = []
    checked_at = dt.datetime.now()
    for query in check_queries():
        # The check's SQL comes from warehouse/sql/checks/, never from input.
        count_sql = f"select count(*) from ({query.sql}) as bad_rows"  # noqa: S608
        if query.precheck and not con.execute(query.precheck, query.params).fetchone()[0]:
            count = 0
        else:
            count = con.execute(count_sql, query.params).fetchone()[0]
        con.execute(
            read_sql("load_checks__insert"),
            {
                "load_id": load_id,
                "check_name": query.check_name,
                "table_name": query.table_name,
                "bad_row_count": count,
                "checked_at": checked_at,
            },
        )
        findings.append(Finding(query.check_name, query.table_name, count, query.description))
    return findings

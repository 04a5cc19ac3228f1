"""Create the warehouse tables from the schema: raw, quarantine and staged tables per dataset, and the logs."""

from __future__ import annotations

import duckdb

from warehouse.credit_code import USCC_ALPHABET, USCC_WEIGHTS
from warehouse.schema import (
    CREDIT_CODE_FLAG,
    DATASETS,
    LAYER_PREFIXES,
    Dataset,
    batch_table_name,
    has_credit_code_flag,
    quote_identifier,
    table_name,
)
from warehouse.sqlfiles import read_sql, render_sql

LINEAGE_DDL = ("_load_id varchar not null", "_source_file varchar not null", "_source_line bigint")
# Quarantine columns besides the dataset's own: every reason, and the record's text when
# it could not be split into fields (wrong field count, undecodable bytes).
QUARANTINE_DDL = ("reasons varchar[] not null", "_raw_record varchar")
# Names an extra feed column may not take, because the warehouse uses them itself.
RESERVED_COLUMNS = frozenset(
    {"_load_id", "_source_file", "_source_line", "reasons", "_raw_record", CREDIT_CODE_FLAG}
)


def raw_table_ddl(dataset: Dataset) -> str:
    """`create table` for raw_<dataset>: every contract column as text, then lineage."""
    columns = [f"{quote_identifier(f.name)} varchar" for f in dataset.fields]
    body = ",\n    ".join([*columns, *LINEAGE_DDL])
    return f"create table if not exists {table_name('raw', dataset)} (\n    {body}\n)"


def quarantine_table_ddl(dataset: Dataset) -> str:
    """`create table` for quarantine_<dataset>: lineage, reasons, the raw record, then the values as text."""
    columns = [f"{quote_identifier(f.name)} varchar" for f in dataset.fields]
    body = ",\n    ".join([*LINEAGE_DDL, *QUARANTINE_DDL, *columns])
    return f"create table if not exists {table_name('quarantine', dataset)} (\n    {body}\n)"


def stg_table_ddl(dataset: Dataset) -> str:
    """`create table` for stg_<dataset>: contract columns typed, the credit-code flag where it applies, lineage."""
    columns = [
        f"{quote_identifier(f.name)} {f.duckdb_type}{' not null' if f.required else ''}"
        for f in dataset.fields
    ]
    if has_credit_code_flag(dataset):
        columns.append(f"{CREDIT_CODE_FLAG} boolean not null")
    body = ",\n    ".join([*columns, *LINEAGE_DDL])
    return f"create table if not exists {table_name('stg', dataset)} (\n    {body}\n)"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse table that does not exist yet (idempotent)."""
    for dataset in DATASETS.values():
        con.execute(raw_table_ddl(dataset))
        con.execute(quarantine_table_ddl(dataset))
        con.execute(stg_table_ddl(dataset))
    con.execute(read_sql("load_log"))
    con.execute(read_sql("load_checks"))


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Per-connection helpers the load queries call (temp macros, so nothing is stored in the file)."""
    con.execute(read_sql("uscc_macro"))


def uscc_parameters() -> dict[str, object]:
    """The bound values `is_valid_uscc(code, $uscc_alphabet, $uscc_weights)` needs."""
    return {"uscc_alphabet": USCC_ALPHABET, "uscc_weights": list(USCC_WEIGHTS)}


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of `table`, in order."""
    rows = con.execute(
        "select column_name from duckdb_columns() where table_name = $table order by column_index",
        {"table": table},
    ).fetchall()
    return [r[0] for r in rows]


def add_extra_columns(con: duckdb.DuckDBPyConnection, dataset: Dataset, extras: list[str]) -> None:
    """Give the raw_ and quarantine_ tables (and this load's batches of them) a text column per new extra."""
    for layer in ("raw", "quarantine"):
        for table in (table_name(layer, dataset), batch_table_name(layer, dataset)):
            existing = {c.lower() for c in table_columns(con, table)}
            for extra in extras:
                if extra.lower() not in existing:
                    con.execute(f"alter table {table} add column {quote_identifier(extra)} varchar")
                    existing.add(extra.lower())


def ensure_batch_tables(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """Create this load's temporary batch tables for the dataset (same columns as the layer tables)."""
    for layer in LAYER_PREFIXES:
        sql = render_sql(
            "_int_batch", batch_table=batch_table_name(layer, dataset), table=table_name(layer, dataset)
        )
        con.execute(sql)


def flush_batches(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """Append a load's batches to raw_, quarantine_ and stg_ (last load wins), one statement each, then drop them."""
    for layer in LAYER_PREFIXES:
        table, batch = table_name(layer, dataset), batch_table_name(layer, dataset)
        if layer == "stg":
            key_match = " and ".join(
                f"stg.{quote_identifier(k)} = checked.{quote_identifier(k)}" for k in dataset.key
            )
            con.execute(render_sql("stg__from_batch", table=table, batch_table=batch, key_match=key_match))
            con.execute(render_sql("stg__from_batch_insert", table=table, batch_table=batch))
        else:
            con.execute(render_sql(f"{layer}__from_batch", table=table, batch_table=batch))
        con.execute(f"drop table {batch}")

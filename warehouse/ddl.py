"""Create the warehouse tables from the schema: staged, superseded and quarantine tables, the raw view, the logs."""

from __future__ import annotations

import duckdb

from warehouse.credit_code import USCC_ALPHABET, USCC_WEIGHTS
from warehouse.schema import (
    CREDIT_CODE_FLAG,
    DATASETS,
    LINEAGE_COLUMNS,
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
# Which load replaced a superseded row; and where a row of the raw view lives now.
SUPERSEDED_BY = "_superseded_by_load_id"
RAW_STATUS = "_status"
# Names an extra feed column may not take, because the warehouse uses them itself.
RESERVED_COLUMNS = frozenset(
    {
        "_load_id",
        "_source_file",
        "_source_line",
        "reasons",
        "_raw_record",
        CREDIT_CODE_FLAG,
        SUPERSEDED_BY,
        RAW_STATUS,
    }
)


def quarantine_table_ddl(dataset: Dataset) -> str:
    """`create table` for quarantine_<dataset>: lineage, reasons, the raw record, then the values as text."""
    columns = [f"{quote_identifier(f.name)} varchar" for f in dataset.fields]
    body = ",\n    ".join([*LINEAGE_DDL, *QUARANTINE_DDL, *columns])
    return f"create table if not exists {table_name('quarantine', dataset)} (\n    {body}\n)"


def staged_columns_ddl(dataset: Dataset) -> list[str]:
    """Contract columns typed (stored as the schema says), the credit-code flag where it applies, lineage.

    Extra columns are added as they come.
    """
    columns = [
        f"{quote_identifier(f.name)} {f.duckdb_type}"
        + (f" using compression {f.compression}" if f.compression else "")
        + (" not null" if f.required else "")
        for f in dataset.fields
    ]
    if has_credit_code_flag(dataset):
        columns.append(f"{CREDIT_CODE_FLAG} boolean not null")
    return [*columns, *LINEAGE_DDL]


def stg_table_ddl(dataset: Dataset) -> str:
    """`create table` for stg_<dataset>: the current version of every key, typed."""
    body = ",\n    ".join(staged_columns_ddl(dataset))
    return f"create table if not exists {table_name('stg', dataset)} (\n    {body}\n)"


def superseded_table_ddl(dataset: Dataset) -> str:
    """`create table` for superseded_<dataset>: staged rows a later delivery replaced, and the load that did."""
    body = ",\n    ".join([*staged_columns_ddl(dataset), f"{SUPERSEDED_BY} varchar not null"])
    return f"create table if not exists {table_name('superseded', dataset)} (\n    {body}\n)"


def table_kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """'table', 'view' or None: what `name` is in the main schema."""
    row = con.execute(
        "select table_type from information_schema.tables where table_schema = 'main' and table_name = $name",
        {"name": name},
    ).fetchone()
    return None if row is None else ("view" if row[0] == "VIEW" else "table")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every warehouse table that does not exist yet, and the raw views (idempotent)."""
    for dataset in DATASETS.values():
        raw = table_name("raw", dataset)
        if table_kind(con, raw) == "table":
            # Warehouses from before the raw view kept a text copy of every row: kept, renamed.
            con.execute(f"alter table {raw} rename to {quote_identifier('legacy_' + raw)}")
        con.execute(quarantine_table_ddl(dataset))
        con.execute(stg_table_ddl(dataset))
        con.execute(superseded_table_ddl(dataset))
        create_raw_view(con, dataset)
    con.execute(read_sql("load_log"))
    con.execute(read_sql("load_checks"))


def create_raw_view(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """(Re)create raw_<dataset> over the rows where they live, every value as text, with extras and lineage."""

    def select(layer: str, status: str, skip: set[str], where: str = "") -> str:
        table = table_name(layer, dataset)
        items = [
            quote_identifier(c)
            if c in LINEAGE_COLUMNS
            else f"cast({quote_identifier(c)} as varchar) as {quote_identifier(c)}"
            for c in table_columns(con, table)
            if c not in skip
        ]
        # Only identifiers from the table's own columns and the schema's whitelist: nothing from input.
        return f"select {', '.join(items)}, '{status}' as {RAW_STATUS} from {table}{where}"  # noqa: S608

    derived = {CREDIT_CODE_FLAG, SUPERSEDED_BY, "reasons", "_raw_record"}
    sql = render_sql(
        "raw",
        view=table_name("raw", dataset),
        staged=select("stg", "staged", derived),
        superseded=select("superseded", "superseded", derived),
        quarantined=select("quarantine", "quarantined", derived, " where _raw_record is null"),
    )
    con.execute(sql)


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Per-connection helpers the load queries call (temp macros, so nothing is stored in the file)."""
    con.execute(read_sql("uscc_macro"))


def uscc_parameters() -> dict[str, object]:
    """The bound values `is_valid_uscc(code, $uscc_alphabet, $uscc_weights)` needs."""
    return {"uscc_alphabet": USCC_ALPHABET, "uscc_weights": list(USCC_WEIGHTS)}


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Each column of `table` (temporary ones too) with its DuckDB type, in order."""
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = $table order by column_index",
        {"table": table},
    ).fetchall()
    return dict(rows)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of `table`, in order."""
    return list(column_types(con, table))


# Layers whose rows a load collects in one temporary batch table per dataset.
BATCHED_LAYERS = ("quarantine", "stg")


def add_extra_columns(con: duckdb.DuckDBPyConnection, dataset: Dataset, extras: list[str]) -> None:
    """Give the staged, superseded and quarantine tables (and this load's batches) a text column per new extra."""
    tables = [table_name(layer, dataset) for layer in ("stg", "superseded", "quarantine")]
    tables += [batch_table_name(layer, dataset) for layer in BATCHED_LAYERS]
    for table in tables:
        existing = {c.lower() for c in table_columns(con, table)}
        for extra in extras:
            if extra.lower() not in existing:
                con.execute(f"alter table {table} add column {quote_identifier(extra)} varchar")
                existing.add(extra.lower())


def ensure_batch_tables(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """Create this load's temporary batch tables for the dataset (same columns as the layer tables)."""
    for layer in BATCHED_LAYERS:
        sql = render_sql(
            "_int_batch", batch_table=batch_table_name(layer, dataset), table=table_name(layer, dataset)
        )
        con.execute(sql)


def key_match(dataset: Dataset) -> str:
    """`stg.k = checked.k and ...` over the dataset's key: how a delivery finds the rows it replaces."""
    return " and ".join(f"stg.{quote_identifier(k)} = checked.{quote_identifier(k)}" for k in dataset.key)


def flush_batches(con: duckdb.DuckDBPyConnection, dataset: Dataset, load_id: str) -> None:
    """Append a load's batches to stg_ (last load wins, the replaced rows kept in superseded_) and quarantine_."""
    stg, batch = table_name("stg", dataset), batch_table_name("stg", dataset)
    match = key_match(dataset)
    superseded = table_name("superseded", dataset)
    con.execute(
        render_sql(
            "superseded__from_batch", table=superseded, stg_table=stg, batch_table=batch, key_match=match
        ),
        {"load_id": load_id},
    )
    con.execute(render_sql("stg__from_batch", table=stg, batch_table=batch, key_match=match))
    con.execute(render_sql("stg__from_batch_insert", table=stg, batch_table=batch))
    quarantine = table_name("quarantine", dataset)
    con.execute(
        render_sql(
            "quarantine__from_batch", table=quarantine, batch_table=batch_table_name("quarantine", dataset)
        )
    )
    for layer in BATCHED_LAYERS:
        con.execute(f"drop table {batch_table_name(layer, dataset)}")

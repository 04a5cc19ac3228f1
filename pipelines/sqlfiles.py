"""Run the pipelines' .sql files with bound parameters (each file builds the table it is named after)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from warehouse.sqlfiles import read_sql_in

SQL_DIR = Path(__file__).resolve().parent / "sql"
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def read_sql(name: str) -> str:
    """The text of pipelines/sql/<name>.sql."""
    return read_sql_in(SQL_DIR, name)


def run_sql(con: duckdb.DuckDBPyConnection, name: str, values: dict[str, Any]) -> None:
    """Execute pipelines/sql/<name>.sql, binding the `$name` parameters it uses from `values`."""
    sql = read_sql(name)
    used = set(_PARAMETER.findall(sql))
    missing = used - set(values)
    if missing:
        raise KeyError(f"{name}.sql needs parameters {sorted(missing)}")
    con.execute(sql, {k: values[k] for k in used})

"""Read the warehouse's .sql files and fill their identifier slots (never values: those are bound)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def read_sql_in(directory: Path, name: str) -> str:
    """The text of <directory>/<name>.sql; a name that leads outside the directory is refused."""
    path = (directory / f"{name}.sql").resolve()
    if directory.resolve() not in path.parents:
        raise ValueError(f"not an SQL file of {directory.name}/: {name!r}")
    return path.read_text(encoding="utf-8")


def read_sql(name: str) -> str:
    """The text of warehouse/sql/<name>.sql (names may include a sub-folder, e.g. checks/unique_key)."""
    return read_sql_in(SQL_DIR, name)


def render_sql(name: str, **fragments: str) -> str:
    """The SQL of `name` with each `{slot}` replaced by a fragment built from quoted identifiers.

    Fragments come from schema-driven builders (warehouse/validation.py, warehouse/ddl.py);
    every value in them is a `$parameter`, so a slot can never carry feed data.
    """
    return read_sql(name).format_map(fragments)

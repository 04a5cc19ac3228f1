"""Find feed files and describe each loadable part: its format, header, dataset, mapping and how to read it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa

from warehouse.encoding import FileRejected, PreparedCsv
from warehouse.mappings import Mapping, mapping_for_header
from warehouse.schema import DATASETS, Dataset, dataset_for_file

FORMATS = {".csv": "csv", ".csv.gz": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}


def file_format(path: Path) -> str | None:
    """'csv', 'parquet' or 'xlsx' by the file's extension; None for anything else."""
    name = path.name.lower()
    for suffix, fmt in FORMATS.items():
        if name.endswith(suffix):
            return fmt
    return None


def discover_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Feed files named or found (recursively, sorted) under the given folders, and the files skipped in them."""
    found: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                (found if file_format(child) else skipped).append(child)
        else:
            found.append(path)
    return found, skipped


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes: how a re-delivered file is recognised whatever its name."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_hashes(paths: Iterable[Path]) -> dict[Path, str]:
    """file_hash of each path, several files at once (hashing and reading release the GIL)."""
    paths = list(paths)
    with ThreadPoolExecutor(max_workers=max(1, min(len(paths), os.cpu_count() or 1))) as pool:
        return dict(zip(paths, pool.map(file_hash, paths), strict=True))


def dedupe_header(names: Iterable[object]) -> list[str]:
    """Header names made usable as columns: blanks named column_<n>, case-insensitive repeats numbered."""
    seen: set[str] = set()
    result = []
    for i, raw in enumerate(names, start=1):
        name = str(raw).replace("\ufeff", "").strip() if raw is not None else ""
        name = name or f"column_{i}"
        candidate, n = name, 2
        while candidate.lower() in seen:
            candidate, n = f"{name}_{n}", n + 1
        seen.add(candidate.lower())
        result.append(candidate)
    return result


@dataclass
class SheetRows:
    """One worksheet read as text: header, rows with their sheet row numbers."""

    title: str
    header: list[str]
    rows: list[tuple[int, list[str | None]]]


@dataclass
class FilePart:
    """One loadable unit: a CSV or Parquet file, or one sheet of a workbook, with what it holds."""

    path: Path
    fmt: str
    header: list[str]
    dataset: Dataset | None = None
    mapping: Mapping | None = None
    sheet: str | None = None
    note: str = ""
    csv: PreparedCsv | None = None
    sheet_rows: SheetRows | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def source_file(self) -> str:
        """How lineage columns name this part: the path, plus `#sheet` for a worksheet."""
        return f"{self.path}#{self.sheet}" if self.sheet else str(self.path)


def parquet_header(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Column names of a Parquet file (reads only the footer); FileRejected if it is not readable Parquet."""
    try:
        rows = con.execute("describe select * from read_parquet($path)", {"path": str(path)})
        names = [r[0] for r in rows.fetchall()]
    except duckdb.Error as exc:
        raise FileRejected(f"not a readable Parquet file ({first_line(exc)})") from None
    return names


# How much of a plain CSV file's head estimated_rows reads to learn its mean line length.
ROW_ESTIMATE_BYTES = 1024 * 1024


def estimated_rows(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """About how many rows a file holds: a Parquet footer's count, a plain CSV's size over its mean line; else 0."""
    fmt = file_format(path)
    if fmt == "parquet":
        try:
            rows = con.execute("select sum(num_rows) from parquet_file_metadata($path)", {"path": str(path)})
            return int(rows.fetchone()[0] or 0)
        except duckdb.Error:
            return 0  # not readable Parquet: the load rejects it with the reason
    if fmt == "csv" and not path.name.lower().endswith(".gz"):
        with path.open("rb") as stream:
            head = stream.read(ROW_ESTIMATE_BYTES)
        lines = head.count(b"\n")
        return path.stat().st_size * lines // len(head) if lines else 0
    return 0


def first_line(exc: BaseException) -> str:
    """The first line of an error message, for the load report."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV would have carried (formulas stay their text, never evaluated)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path) -> tuple[list[SheetRows], list[str]]:
    """The sheets to load (named after a dataset, else the first) as text, and the names of all sheets."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors for broken files
        raise FileRejected(f"not a readable XLSX workbook ({first_line(exc)})") from None
    try:
        titles = list(workbook.sheetnames)
        chosen = [t for t in titles if dataset_for_file(t)] or titles[:1]
        sheets = []
        for title in chosen:
            rows_iter = workbook[title].iter_rows(values_only=True)
            header_row = next(rows_iter, None)
            header = dedupe_header(header_row or [])
            rows = []
            for number, values in enumerate(rows_iter, start=2):
                texts = [cell_text(v) for v in values]
                if any(t is not None and t.strip() for t in texts):
                    rows.append((number, texts))
            sheets.append(SheetRows(title, header if header_row else [], rows))
    finally:
        workbook.close()
    return sheets, titles


def sheet_table(sheet: SheetRows) -> pa.Table:
    """A worksheet as an Arrow table of text columns plus _source_line, for DuckDB to read."""
    width = len(sheet.header)
    columns: dict[str, list] = {name: [] for name in sheet.header}
    lines = []
    for number, texts in sheet.rows:
        padded = (texts + [None] * width)[:width]
        for name, text in zip(sheet.header, padded, strict=True):
            columns[name].append(text)
        lines.append(number)
    arrays = {name: pa.array(values, type=pa.string()) for name, values in columns.items()}
    arrays["_source_line"] = pa.array(lines, type=pa.int64())
    return pa.table(arrays)


def identify(part: FilePart, forced: Mapping | None, name_hint: str) -> None:
    """Decide the part's dataset and mapping: --mapping, else the name (file or sheet), else a mapping matching the headers."""
    if forced is not None:
        part.dataset, part.mapping = forced.dataset, forced
        return
    part.dataset = dataset_for_file(name_hint)
    if part.dataset is None:
        part.mapping = mapping_for_header(part.header)
        if part.mapping is not None:
            part.dataset = part.mapping.dataset
            part.note = f"recognised by its headers as {part.mapping.name}"
    if part.dataset is None:
        names = ", ".join(DATASETS)
        raise FileRejected(
            f"cannot tell which dataset: the name does not start with one of {names} "
            "and the headers match no mapping (see --mapping)"
        )

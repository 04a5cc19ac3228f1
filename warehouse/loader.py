"""Load feed files into the warehouse: each row to stg_ or quarantine_, every row accounted for in load_log.

One call of `ingest` is one load: every file goes into a private copy of the warehouse
(warehouse/publish.py), each file in its own transaction, and the copy is published only
when the whole load got through. The row work is DuckDB SQL from warehouse/sql/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.checks import Finding, run_checks
from warehouse.columns import ColumnPlan, plan_columns, source_names, source_select
from warehouse.ddl import (
    add_extra_columns,
    column_types,
    create_macros,
    create_raw_view,
    ensure_batch_tables,
    ensure_tables,
    flush_batches,
    key_match,
    uscc_parameters,
)
from warehouse.encoding import LINE_COLUMN, FileRejected, prepare_csv
from warehouse.mappings import Mapping, get_mapping
from warehouse.publish import connect_readonly, open_for_write, work_dir
from warehouse.schema import (
    CREDIT_CODE_FLAG,
    DATASETS,
    Dataset,
    batch_table_name,
    dataset_for_file,
    has_credit_code_flag,
    quote_identifier,
    table_name,
)
from warehouse.sources import (
    FilePart,
    dedupe_header,
    discover_files,
    estimated_rows,
    file_format,
    file_hashes,
    first_line,
    identify,
    parquet_header,
    read_workbook,
    sheet_table,
)
from warehouse.sqlfiles import read_sql, render_sql
from warehouse.validation import (
    Binder,
    checked_sql_fragments,
    csv_checked_sql_fragments,
    duplicate_sql_fragments,
    raw_value_columns,
)

LOADED, REJECTED, ALREADY_LOADED, SKIPPED = "loaded", "rejected", "already loaded", "skipped"
CSV_REASON_PREFIX = "csv: "
# DuckDB's error_type for a CSV record whose bytes are not UTF-8.
DUCKDB_ENCODING_ERROR = "INVALID ENCODING"
# A load keeps each dataset's rows in temporary batch tables and appends them in one
# statement (one write, no partial row groups to rewrite at checkpoint); past this many
# rows a batch is appended early, which bounds the memory a big load needs.
FLUSH_ROWS = 2_000_000
# A file of about this many rows or more goes straight into the layer tables instead: its
# rows fill whole row groups on their own (122,880 rows each), and copying them into a batch
# first cost a tenth of its load. Smaller files would leave partial row groups behind, which
# the checkpoint rewrites.
DIRECT_ROWS = 500_000
# One part (file or sheet) at a time sits here as it came, before it is checked.
PART_TABLE = "_int_raw_part"
# A CSV part is read into CSV_TABLE; CSV_LINES_VIEW adds each row's line without a copy.
CSV_TABLE, CSV_LINES_VIEW = "_int_raw_csv", "_int_raw_csv_lines"
# Every part's rows end up here, typed, with their reasons (warehouse/sql/_int_checked*.sql).
CHECKED_TABLE = "_int_checked"


class SuspectEncoding(Exception):
    """DuckDB found bytes that are not UTF-8 in a CSV file whose head alone was checked: check it all."""


Progress = Callable[[str], None]


@dataclass
class FileResult:
    """What happened to one file (or sheet) and dataset in a load: the load report's row and load_log's."""

    source_file: str
    file_name: str
    file_hash: str
    status: str
    message: str = ""
    sheet: str | None = None
    dataset: str | None = None
    mapping: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    finished_at: dt.datetime = field(default_factory=dt.datetime.now)

    @property
    def seconds(self) -> float:
        """How long the file took."""
        return (self.finished_at - self.started_at).total_seconds()


@dataclass
class LoadReport:
    """The outcome of one `ingest` call: a result per file, the data-quality findings, and whether it was published."""

    load_id: str
    db_path: Path
    results: list[FileResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    published: bool = False

    @property
    def rejected(self) -> list[FileResult]:
        """Files (or sheets) that were rejected whole."""
        return [r for r in self.results if r.status == REJECTED]

    @property
    def exit_status(self) -> int:
        """0 when nothing was rejected (quarantined rows alone do not count), 2 when a file was."""
        return 2 if self.rejected else 0


def csv_part(path: Path, temp_dir: Path, check_all: bool = False) -> FilePart:
    """A CSV file as one part, prepared for DuckDB (see prepare_csv); FileRejected without a header."""
    prepared = prepare_csv(path, temp_dir, check_all)
    header = dedupe_header(prepared.header)
    if not header:
        raise FileRejected("no header line")
    return FilePart(path, "csv", header, csv=prepared)


def describe_parts(
    con: duckdb.DuckDBPyConnection, path: Path, forced: Mapping | None, temp_dir: Path
) -> list[FilePart]:
    """The loadable parts of one file (one, or one per chosen sheet); FileRejected if the file is unreadable."""
    if not path.is_file():
        raise FileRejected("no such file")
    fmt = file_format(path)
    if fmt == "csv":
        return [csv_part(path, temp_dir)]
    if fmt == "parquet":
        return [FilePart(path, fmt, dedupe_header(parquet_header(con, path)))]
    if fmt == "xlsx":
        sheets, titles = read_workbook(path)
        parts = []
        for sheet in sheets:
            named = dataset_for_file(sheet.title) is not None
            note = f"sheet '{sheet.title}'" + (
                "" if named else " (first sheet: none is named after a dataset)"
            )
            others = [t for t in titles if t not in {s.title for s in sheets}]
            if others:
                note += "; not loaded: " + ", ".join(f"'{t}'" for t in others)
            parts.append(FilePart(path, fmt, sheet.header, sheet=sheet.title, note=note, sheet_rows=sheet))
        return parts
    raise FileRejected("not a feed file: expected .csv, .csv.gz, .parquet or .xlsx")


# Errors DuckDB raises for a file it cannot read (as opposed to a fault in our own SQL).
READ_ERRORS = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException)


def insert_raw(
    con: duckdb.DuckDBPyConnection, part: FilePart, plan: ColumnPlan, base: dict[str, object]
) -> str:
    """Read the part's rows; returns the relation holding them. FileRejected when DuckDB cannot read the file."""
    try:
        return append_raw(con, part, plan, base)
    except READ_ERRORS as exc:
        raise FileRejected(f"cannot read the {part.fmt.upper()} file: {first_line(exc)}") from None


def append_raw(
    con: duckdb.DuckDBPyConnection, part: FilePart, plan: ColumnPlan, base: dict[str, object]
) -> str:
    """Fill the part's relation (text for CSV and XLSX, the file's own types for Parquet); set aside unreadable records."""
    b = Binder()
    con.execute(read_sql("_int_rejected_records"))
    if part.fmt == "csv" and part.csv is not None:
        return append_csv(con, part, plan, base)
    if part.fmt == "parquet":
        sql = render_sql(
            "_int_raw_part__from_parquet", part_table=PART_TABLE, source_columns=source_select(plan, b, False)
        )
        con.execute(sql, {**b.params, **base, "read_path": str(part.path)})
    elif part.sheet_rows is not None:
        con.register("_int_sheet_rows", sheet_table(part.sheet_rows))
        try:
            sql = render_sql(
                "_int_raw_part__from_rows",
                part_table=PART_TABLE,
                source_columns=source_select(plan, b, False),
            )
            con.execute(sql, {**b.params, **base})
        finally:
            con.unregister("_int_sheet_rows")
    return PART_TABLE


@contextlib.contextmanager
def insertion_order_kept(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rows land in the order they were read while inside: CSV lines are derived from that order.

    The writer connection lets DuckDB reorder rows elsewhere (lineage columns record order),
    and a parallel CSV read written with reordering allowed scatters rows across threads.
    """
    before = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("set preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if before else 'false'}")


def append_csv(
    con: duckdb.DuckDBPyConnection, part: FilePart, plan: ColumnPlan, base: dict[str, object]
) -> str:
    """Read a CSV part as text with each row's line; returns the relation holding the rows.

    SuspectEncoding when DuckDB met bytes that are not UTF-8 in a file only its head was checked for.
    """
    assert part.csv is not None
    b = Binder()
    con.execute("drop table if exists _int_csv_rejects")
    con.execute("drop table if exists _int_csv_scans")
    has_lines = part.csv.has_line_column
    line_column = (
        f",\n    cast(src.{quote_identifier(LINE_COLUMN)} as bigint) as _source_line" if has_lines else ""
    )
    sql = render_sql(
        "_int_raw_part__from_csv",
        csv_read=read_sql("_csv_read"),
        csv_table=PART_TABLE if has_lines else CSV_TABLE,
        source_columns=source_select(plan, b, False),
        line_column=line_column,
    )
    names = ([LINE_COLUMN] if has_lines else []) + part.header
    columns = {name: "VARCHAR" for name in names}
    with insertion_order_kept(con):
        con.execute(sql, {**b.params, **base, "read_path": str(part.csv.read_path), "csv_columns": columns})
    summary = read_sql("_int_csv_rejects__summary")
    rejected = con.execute(summary, {"encoding_error": DUCKDB_ENCODING_ERROR}).fetchone()
    if part.csv.utf8_unverified and rejected[1]:
        raise SuspectEncoding(part.source_file)
    relation = PART_TABLE
    if not has_lines:
        # Without set-aside records a view gives the lines; otherwise they are shifted in a copy.
        relation = PART_TABLE if rejected[0] else CSV_LINES_VIEW
        kind = "table" if rejected[0] else "view"
        sql = render_sql(
            "_int_raw_part__number_lines", relation_kind=kind, part_table=relation, csv_table=CSV_TABLE
        )
        con.execute(sql)
    if rejected[0]:
        if not has_lines:
            con.execute(render_sql("_int_raw_part__renumber_lines", part_table=PART_TABLE), base)
        con.execute(read_sql("_int_rejected_records__from_csv"), {"reason_prefix": CSV_REASON_PREFIX})
    for bad in part.csv.bad_records:
        con.execute(
            read_sql("_int_rejected_records__insert"),
            {"source_line": bad.line, "raw_record": bad.text, "reason": bad.reason},
        )
    return relation


def check_csv_in_one_pass(con: duckdb.DuckDBPyConnection, part: FilePart, plan: ColumnPlan) -> bool:
    """Read, type and check a CSV part straight into _int_checked, its lines added; False when it cannot be.

    The fast way for a well-formed UTF-8 file: no copy of its text. False (nothing left
    behind) when Python already set records aside or DuckDB does, since lines past a
    set-aside record need the text path's renumbering. SuspectEncoding as in append_csv.
    """
    assert part.csv is not None and part.dataset is not None
    if part.csv.has_line_column or part.csv.bad_records:
        return False
    con.execute("drop table if exists _int_csv_rejects")
    con.execute("drop table if exists _int_csv_scans")
    b = Binder()
    names = source_names(plan)
    fragments = csv_checked_sql_fragments(part.dataset, part.mapping, b, names, tuple(plan.extras))
    sql = render_sql(
        "_int_checked__from_csv",
        csv_read=read_sql("_csv_read"),
        source_columns=source_select(plan, b, False),
        **fragments,
    )
    params = {
        **b.params,
        "read_path": str(part.csv.read_path),
        "csv_columns": dict.fromkeys(part.header, "VARCHAR"),
    }
    try:
        with insertion_order_kept(con):
            con.execute(sql, params)
    except READ_ERRORS as exc:
        raise FileRejected(f"cannot read the CSV file: {first_line(exc)}") from None
    summary = read_sql("_int_csv_rejects__summary")
    rejected, bad_encoding = con.execute(summary, {"encoding_error": DUCKDB_ENCODING_ERROR}).fetchone()
    if part.csv.utf8_unverified and bad_encoding:
        raise SuspectEncoding(part.source_file)
    if rejected:
        con.execute(f"drop table {CHECKED_TABLE}")
        return False
    con.execute(read_sql("_int_rejected_records"))
    for statement in read_sql("_int_checked__add_lines").split(";"):
        con.execute(statement)
    return True


def has_repeated_keys(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> bool:
    """Collect the keys _int_checked holds more than once (in _int_repeated_keys); True if there are any.

    A cheap count of distinct key hashes goes first: when it proves every key distinct (a
    clean file), nothing is collected and _int_repeated_keys is left as it was.
    """
    b = Binder()
    fragments = duplicate_sql_fragments(dataset, b)
    keys = ", ".join(quote_identifier(k) for k in dataset.key)
    hashes = render_sql("checks/unique_key__hashes", key_columns=keys, stg_table=CHECKED_TABLE)
    if not con.execute(hashes).fetchone()[0]:
        return False
    con.execute(render_sql("_int_repeated_keys", **fragments))
    return con.execute("select count(*) from _int_repeated_keys").fetchone()[0] > 0


def check_rows(
    con: duckdb.DuckDBPyConnection,
    part: FilePart,
    plan: ColumnPlan,
    base: dict[str, object],
    quarantine_table: str,
) -> str | None:
    """Fill _int_checked with the part's rows and every reason; returns the raw part table, None if there is none.

    A CSV file is checked in one pass when it can be (None: the values as they came ride
    in _int_checked); otherwise, or when a key repeats (the one pass kept no values for
    rows that only turn out bad as duplicates), the rows are read as they came first.
    """
    dataset = part.dataset
    assert dataset is not None
    if part.fmt == "csv" and check_csv_in_one_pass(con, part, plan):
        if not has_repeated_keys(con, dataset):
            return None
        con.execute(f"drop table {CHECKED_TABLE}")
    part_table = insert_raw(con, part, plan, base)
    con.execute(render_sql("quarantine__from_rejected_records", quarantine_table=quarantine_table), base)
    b = Binder()
    fragments = checked_sql_fragments(
        dataset, part.mapping, b, column_types(con, part_table), tuple(plan.extras)
    )
    con.execute(render_sql("_int_checked", part_table=part_table, **fragments), b.params)
    if has_repeated_keys(con, dataset):
        b = Binder()
        con.execute(render_sql("_int_checked__duplicates", **duplicate_sql_fragments(dataset, b)), b.params)
    return part_table


def goes_direct(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """True for a file big enough to be appended to the layer tables on its own (see DIRECT_ROWS)."""
    return path.is_file() and estimated_rows(con, path) >= DIRECT_ROWS


def load_part(
    con: duckdb.DuckDBPyConnection, part: FilePart, load_id: str, result: FileResult, direct: bool = False
) -> None:
    """Load one part inside the current transaction and fill in its row accounting; FileRejected if it cannot.

    Rows go to this load's batch tables, or with `direct` (the caller flushed the batches
    first, so earlier files' rows are in place) to the layer tables themselves.
    """
    dataset = part.dataset
    assert dataset is not None
    plan = plan_columns(part.header, dataset, part.mapping)
    if plan.missing_required:
        missing = ", ".join(plan.missing_required)
        where = f"{part.path.name}" + (f", sheet '{part.sheet}'" if part.sheet else "")
        raise FileRejected(f"missing required column(s) {missing} in {where}")
    ensure_batch_tables(con, dataset)
    add_extra_columns(con, dataset, list(plan.extras))
    base: dict[str, object] = {"load_id": load_id, "source_file": part.source_file}
    layer_table = table_name if direct else batch_table_name
    quarantine_table, stg_table = layer_table("quarantine", dataset), layer_table("stg", dataset)
    part_table = check_rows(con, part, plan, base, quarantine_table)
    if part_table is None:
        sql = render_sql(
            "quarantine__from_checked",
            quarantine_table=quarantine_table,
            raw_columns=raw_value_columns(source_names(plan)),
        )
    else:
        sql = render_sql("quarantine", quarantine_table=quarantine_table, part_table=part_table)
    con.execute(sql, base)
    match = key_match(dataset)
    superseded = table_name("superseded", dataset)
    sql = render_sql("superseded__within_load", table=superseded, stg_table=stg_table, key_match=match)
    con.execute(sql, {"load_id": load_id})
    con.execute(render_sql("stg__replace_keys", stg_table=stg_table, key_match=match))
    flag = (
        f"is_valid_uscc(checked.credit_code, $uscc_alphabet, $uscc_weights) as {CREDIT_CODE_FLAG},"
        if has_credit_code_flag(dataset)
        else ""
    )
    params = {**base, **uscc_parameters()} if flag else base
    only = ", _raw_values" if part_table is None else ""
    con.execute(
        render_sql("stg", stg_table=stg_table, credit_code_flag=flag, checked_only_columns=only), params
    )
    counts = render_sql(
        "load_log__counts", part_table=part_table or CHECKED_TABLE, quarantine_table=quarantine_table
    )
    raw_rows, rejected_records, loaded, quarantined = con.execute(counts, base).fetchone()
    result.rows_read = raw_rows + rejected_records
    result.rows_loaded, result.rows_quarantined = loaded, quarantined
    if result.rows_read != loaded + quarantined:
        # Never publish a load that lost or invented rows: abort the whole load.
        raise RuntimeError(
            f"{part.source_file}: row accounting broken: read {result.rows_read} != "
            f"loaded {loaded} + quarantined {quarantined}"
        )


def describe_outcome(part: FilePart, result: FileResult) -> str:
    """The load report's message for a loaded part: notes on sheet, mapping, encoding and empty files."""
    notes = [n for n in (part.note,) if n]
    if part.csv is not None and part.csv.encoding not in ("utf-8", "utf-8 with BOM"):
        notes.append(f"encoding {part.csv.encoding}")
    if result.rows_read == 0:
        notes.append("header only: no rows")
    return "; ".join(notes)


def write_log(con: duckdb.DuckDBPyConnection, load_id: str, result: FileResult) -> None:
    """Record one result in load_log (in the load's copy; published with it)."""
    values = {
        "load_id": load_id,
        "source_file": result.source_file,
        "file_name": result.file_name,
        "sheet": result.sheet,
        "dataset": result.dataset,
        "mapping": result.mapping,
        "encoding": result.encoding,
        "file_hash": result.file_hash,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "status": result.status,
        "message": result.message,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
    }
    con.execute(read_sql("load_log__insert"), values)


def identify_and_load(
    con: duckdb.DuckDBPyConnection,
    part: FilePart,
    forced: Mapping | None,
    load_id: str,
    result: FileResult,
    direct: bool = False,
) -> None:
    """Decide the part's dataset and mapping, then load it (inside the caller's transaction)."""
    identify(part, forced, part.sheet if part.sheet and dataset_for_file(part.sheet) else part.path.name)
    result.dataset = part.dataset.name if part.dataset else None
    result.mapping = part.mapping.name if part.mapping else None
    load_part(con, part, load_id, result, direct)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    digest: str,
    load_id: str,
    forced: Mapping | None,
    temp_dir: Path,
    direct: bool = False,
) -> list[FileResult]:
    """Load every part of one file, each in its own transaction; a rejected part leaves no rows behind."""
    started = dt.datetime.now()
    try:
        parts = describe_parts(con, path, forced, temp_dir)
    except FileRejected as exc:
        result = FileResult(str(path), path.name, digest, REJECTED, str(exc), started_at=started)
        named = forced.dataset if forced else dataset_for_file(path.name)
        result.dataset = named.name if named else None
        write_log(con, load_id, result)
        return [result]
    results = []
    for part in parts:
        result = FileResult(part.source_file, path.name, digest, LOADED, sheet=part.sheet, started_at=started)
        result.encoding = part.csv.encoding if part.csv else None
        con.begin()
        try:
            try:
                identify_and_load(con, part, forced, load_id, result, direct)
            except SuspectEncoding:
                # Bytes past the checked head are not UTF-8: check the whole file and read it again.
                con.rollback()
                con.begin()
                part = csv_part(path, temp_dir, check_all=True)
                result.encoding = part.csv.encoding
                identify_and_load(con, part, forced, load_id, result, direct)
            result.message = describe_outcome(part, result)
            con.commit()
        except FileRejected as exc:
            con.rollback()
            result.status = REJECTED
            result.message = str(exc)
            result.rows_read = result.rows_loaded = result.rows_quarantined = 0
        result.finished_at = dt.datetime.now()
        write_log(con, load_id, result)
        results.append(result)
        started = dt.datetime.now()
    return results


def flush_loaded(
    con: duckdb.DuckDBPyConnection, pending: dict[str, int], load_id: str, min_rows: int
) -> None:
    """Append each dataset's batches (`pending`: rows read since its last flush) once they hold `min_rows` rows."""
    for name in sorted(pending):
        if pending[name] >= min_rows:
            con.begin()
            flush_batches(con, DATASETS[name], load_id)
            con.commit()
            del pending[name]


def earlier_loads(db_path: Path, hashes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """For each hash already loaded into the published warehouse: (load id, source file)."""
    hashes = sorted(set(hashes))
    if not db_path.exists() or not hashes:
        return {}
    con = connect_readonly(db_path)
    try:
        exists = con.execute(
            "select count(*) from duckdb_tables() where table_name = $name", {"name": "load_log"}
        ).fetchone()[0]
        if not exists:
            return {}
        rows = con.execute(
            read_sql("load_log__already_loaded"), {"file_hashes": hashes, "loaded_status": LOADED}
        ).fetchall()
    finally:
        con.close()
    return {h: (load_id, source) for h, load_id, source in rows}


def new_load_id() -> str:
    """A load id that sorts by time and is unique: 20260105T101500-1a2b3c."""
    return f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def progress_line(index: int, total: int, results: list[FileResult]) -> str:
    """One progress line for a finished file: rows, rate and outcome."""
    lines = []
    for r in results:
        rate = r.rows_read / r.seconds if r.seconds > 0 else 0.0
        where = r.file_name + (f"#{r.sheet}" if r.sheet else "")
        lines.append(
            f"[{index}/{total}] {where}: {r.dataset or '?'} {r.rows_read:,} rows in {r.seconds:.1f} s "
            f"({rate:,.0f} rows/s), {r.rows_loaded:,} loaded, {r.rows_quarantined:,} quarantined, {r.status}"
        )
    return "\n".join(lines)


def ingest(
    paths: Iterable[Path | str],
    db_path: Path | str,
    mapping_name: str | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load files and folders into the warehouse at `db_path` as one all-or-nothing load; returns the report.

    Files whose content was loaded before are reported as already loaded and not read.
    Raises on errors that are not the files' fault (the warehouse is then left as it was).
    """
    db_path = Path(db_path)
    forced = get_mapping(mapping_name) if mapping_name else None
    report = LoadReport(new_load_id(), db_path)
    files, skipped = discover_files(Path(p) for p in paths)
    hashes = file_hashes(p for p in files if p.is_file())
    earlier = earlier_loads(db_path, hashes.values())
    to_load: list[Path] = []
    first_seen: dict[str, Path] = {}
    for path in skipped:
        report.results.append(FileResult(str(path), path.name, "", SKIPPED, "not a feed file (ignored)"))
    for path in files:
        digest = hashes.get(path, "")
        if digest in earlier:
            load_id, source = earlier[digest]
            message = f"already loaded (load {load_id}, from {source})"
            report.results.append(FileResult(str(path), path.name, digest, ALREADY_LOADED, message))
        elif digest and digest in first_seen:
            message = f"already loaded (same content as {first_seen[digest]} in this load)"
            report.results.append(FileResult(str(path), path.name, digest, ALREADY_LOADED, message))
        else:
            if digest:
                first_seen[digest] = path
            to_load.append(path)
    if not to_load:
        return report
    with open_for_write(db_path) as con:
        # Beside the warehouse, not in /tmp: a killed load's leftovers go with its copy.
        temp = work_dir(db_path)
        temp.mkdir()
        ensure_tables(con)
        create_macros(con)
        pending: dict[str, int] = {}
        for index, path in enumerate(to_load, start=1):
            direct = goes_direct(con, path)
            if direct:
                # Earlier files' rows first: a key this file delivers again must find them in place.
                flush_loaded(con, pending, report.load_id, min_rows=0)
            results = load_file(con, path, hashes.get(path, ""), report.load_id, forced, temp, direct)
            report.results.extend(results)
            if progress:
                progress(progress_line(index, len(to_load), results))
            for r in results:
                if r.status == LOADED and r.dataset and not direct:
                    pending[r.dataset] = pending.get(r.dataset, 0) + r.rows_read
            flush_loaded(con, pending, report.load_id, min_rows=FLUSH_ROWS)
        flush_loaded(con, pending, report.load_id, min_rows=0)
        for dataset in DATASETS.values():
            create_raw_view(con, dataset)  # picks up extra columns this load added
        report.findings = run_checks(con, report.load_id)
    report.published = True
    return report

"""Loads, quarantine, freshness and scoring runs: what the Data and Method pages show."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from app import access, db
from app.masking import mask_frame, mask_text
from app.status import warehouse_status
from pipelines import audit
from pipelines.access_policy import POLICY
from pipelines.params import SIGNALS
from warehouse.schema import DATASETS, LINEAGE_COLUMNS, table_name

# The column that dates each dataset's content, for "how recent is the newest row".
DATA_TIME_COLUMNS = {
    "transactions": "ordered_at",
    "complaints": "received_at",
    "merchants": "opened_on",
    "licenses": "issued_on",
    "platforms": None,
}
QUARANTINE_ROW_LIMIT = 500
DATASET_NAMES = tuple(DATASETS)
# Datasets with personal fields: their unsplit raw record could hold a name or phone anywhere.
DATASETS_WITH_PERSONAL_DATA = frozenset(d.name for d in DATASETS.values() if d.personal_columns)
# What an uploaded file's name may keep: letters (Chinese too), digits, blanks and . _ - ( ).
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w.\- ()]|[\x00-\x1f]")


def _source() -> tuple[str, tuple | None]:
    source = db.current_source()
    return source.path, source.version


def load_history(limit: int = 200) -> pd.DataFrame:
    """The latest files loaded (load_log), newest first."""
    if not warehouse_status().has("load_log"):
        return pd.DataFrame()
    return _load_history(*_source(), limit)


@db.cached(max_entries=8)
def _load_history(path, version, limit) -> pd.DataFrame:
    return db.query(
        path,
        """
        select l.finished_at, l.load_id, l.file_name, l.sheet, l.dataset, l.status, l.rows_read, l.rows_loaded,
               l.rows_quarantined, l.encoding, l.mapping, l.message,
               epoch(l.finished_at - l.started_at) as seconds
        from load_log as l
        order by l.finished_at desc, l.file_name
        limit $limit
        """,
        {"limit": limit},
    )


def load_checks() -> pd.DataFrame:
    """The data-quality checks of the latest load: check, table, bad rows."""
    if not warehouse_status().has("load_checks"):
        return pd.DataFrame()
    return _load_checks(*_source())


@db.cached(max_entries=8)
def _load_checks(path, version) -> pd.DataFrame:
    return db.query(
        path,
        """
        select c.check_name, c.table_name, c.bad_row_count, c.checked_at
        from load_checks as c
        where c.load_id = (select max(x.load_id) from load_checks as x)
        order by c.bad_row_count desc, c.table_name, c.check_name
        """,
    )


def freshness() -> pd.DataFrame:
    """Per dataset: rows staged, the newest row's date, the last load and its age in days."""
    status = warehouse_status()
    datasets = tuple(name for name in DATASETS if status.has(table_name("stg", name)))
    return _freshness(*_source(), datasets, status.has("load_log"))


@db.cached(max_entries=8)
def _freshness(path, version, datasets, has_log) -> pd.DataFrame:
    rows = []
    for name in datasets:
        stg = table_name("stg", name)  # validated against the contract
        column = DATA_TIME_COLUMNS.get(name)
        newest = f"max(s.{column})" if column else "null"
        frame = db.query(path, f"select count(*) as rows_staged, {newest} as newest_row from {stg} as s")  # noqa: S608
        last = None
        if has_log:
            last = db.scalar(
                path,
                "select max(l.finished_at) from load_log as l where l.dataset = $d and l.status = 'loaded'",
                {"d": name},
            )
        rows.append({"dataset": name, **frame.iloc[0].to_dict(), "last_loaded_at": last})
    result = pd.DataFrame(rows, columns=["dataset", "rows_staged", "newest_row", "last_loaded_at"])
    now = pd.Timestamp.now()
    result["days_since_load"] = (now - pd.to_datetime(result["last_loaded_at"])).dt.days
    return result


def quarantine_counts() -> pd.DataFrame:
    """Quarantined rows per dataset and reason (values in reasons replaced by … so alike reasons group)."""
    status = warehouse_status()
    datasets = tuple(name for name in DATASETS if status.has(table_name("quarantine", name)))
    return _quarantine_counts(*_source(), datasets)


@db.cached(max_entries=8)
def _quarantine_counts(path, version, datasets) -> pd.DataFrame:
    parts = []
    for name in datasets:
        quarantine = table_name("quarantine", name)
        parts.append(
            f"""
            select '{name}' as dataset,
                   regexp_replace(regexp_replace(reason, '''[^'']*''', '''…''', 'g'), '-?[0-9]+(\\.[0-9]+)?', 'N', 'g')
                       as reason_kind,
                   count(*) as row_count
            from (select unnest(q.reasons) as reason from {quarantine} as q)
            group by all
            """  # noqa: S608 - dataset names from the contract
        )
    if not parts:
        return pd.DataFrame(columns=["dataset", "reason_kind", "row_count"])
    return db.query(path, " union all ".join(parts) + " order by row_count desc, dataset, reason_kind")


def quarantine_rows(
    dataset: str, reason_kind: str | None = None, limit: int = QUARANTINE_ROW_LIMIT
) -> pd.DataFrame:
    """Quarantined rows of one dataset (optionally of one reason kind), personal fields masked."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}")
    if not warehouse_status().has(table_name("quarantine", dataset)):
        return pd.DataFrame()
    return _quarantine_rows(*_source(), dataset, reason_kind, limit)


@db.cached(max_entries=32)
def _quarantine_rows(path, version, dataset, reason_kind, limit) -> pd.DataFrame:
    quarantine = table_name("quarantine", dataset)
    frame = db.query(
        path,
        f"""
        select q.* from {quarantine} as q
        where $kind is null or list_contains(
            list_transform(q.reasons, lambda r: regexp_replace(regexp_replace(r, '''[^'']*''', '''…''', 'g'),
                                                          '-?[0-9]+(\\.[0-9]+)?', 'N', 'g')),
            $kind)
        order by q._load_id desc, q._source_file, q._source_line
        limit $limit
        """,  # noqa: S608 - dataset name from the contract
        {"kind": reason_kind, "limit": limit},
    )
    frame["reasons"] = frame["reasons"].map(lambda r: "; ".join(r) if r is not None else "")
    frame = mask_frame(frame)
    if "description" in frame.columns:
        frame["description"] = frame["description"].map(mask_text)
    if "_raw_record" in frame.columns:
        if dataset in DATASETS_WITH_PERSONAL_DATA:
            # An unsplit record cannot be masked field by field: show only that there was one.
            frame["_raw_record"] = frame["_raw_record"].map(lambda r: None if r is None else "[…]")
        else:
            frame["_raw_record"] = frame["_raw_record"].map(mask_text)
    lineage = [c for c in (*LINEAGE_COLUMNS, "reasons") if c in frame.columns]
    rest = [c for c in frame.columns if c not in lineage]
    return frame[lineage + rest]


def runs() -> pd.DataFrame:
    """Every scoring run: id, as-of day, start and finish, newest first."""
    if not warehouse_status().has("score_runs"):
        return pd.DataFrame()
    return _runs(*_source())


@db.cached(max_entries=8)
def _runs(path, version) -> pd.DataFrame:
    return db.query(
        path,
        "select r.run_id, r.as_of, r.started_at, r.finished_at from score_runs as r order by r.finished_at desc",
    )


def run_record(run_id: str) -> dict:
    """A run's parameters, timings and metrics, parsed from score_runs' JSON columns."""
    return _run_record(*_source(), run_id)


@db.cached(max_entries=16)
def _run_record(path, version, run_id) -> dict:
    frame = db.query(
        path,
        "select r.params_json, r.timings_json, r.metrics_json from score_runs as r where r.run_id = $run_id",
        {"run_id": run_id},
    )
    if frame.empty:
        return {"params": {}, "timings": {}, "metrics": {}}
    row = frame.iloc[0]
    return {
        "params": json.loads(row["params_json"] or "{}"),
        "timings": json.loads(row["timings_json"] or "{}"),
        "metrics": json.loads(row["metrics_json"] or "{}"),
    }


def signals(lang: str, run_id: str | None = None) -> pd.DataFrame:
    """The evidence each harm's score is built from (pipelines/params.py SIGNALS), with its text in `lang`.

    With a run id, the weights are those the run recorded (a supervisor may have changed them).
    """
    recorded = run_record(run_id)["params"].get("signals") if run_id else None
    weights = {s["code"]: s["weight"] for s in recorded or []}
    return pd.DataFrame(
        [
            {
                "harm": s.harm,
                "code": s.code,
                "kind": s.kind,
                "weight": weights.get(s.code, s.weight),
                "numerator": s.numerator,
                "denominator": s.denominator or "",
                "text": s.en if lang == "en" else s.zh,
            }
            for s in SIGNALS
        ]
    )


def flatten_params(params: dict, prefix: str = "") -> pd.DataFrame:
    """Nested run parameters as rows of (parameter, value); the signal list is left to `signals`."""
    rows = []
    for key, value in params.items():
        name = f"{prefix}{key}"
        if key == "signals":
            continue
        if isinstance(value, dict) and not (
            key.startswith("evidence") or key in ("sector_permits", "scope_keywords")
        ):
            rows.extend(flatten_params(value, f"{name}.").to_dict("records"))
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            rows.append({"parameter": name, "value": text})
    return pd.DataFrame(rows, columns=["parameter", "value"])


def safe_upload_name(name: str) -> str | None:
    """An uploaded file's own name made safe to write (no folders, no control or odd characters); None if unusable.

    Only letters (Chinese too), digits and `. _ - ( )` and blanks are kept, anything else
    becomes `_`; the name must end in an accepted suffix (POLICY.upload_suffixes).
    """
    base = re.split(r"[/\\]", str(name or ""))[-1]
    base = _UNSAFE_NAME_CHARACTERS.sub("_", base).strip()[:120]
    if not base or base.startswith(".") or not base.lower().endswith(POLICY.upload_suffixes):
        return None
    return base


def check_uploads(files: Iterable[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], list[dict]]:
    """Split uploads into those to load (safe name, size within the limit) and refused ones with the reason."""
    accepted, refused = [], []
    limit = POLICY.max_upload_mb * 1024 * 1024
    for index, (name, content) in enumerate(files):
        safe = safe_upload_name(name)
        if index >= POLICY.max_upload_files:
            reason = f"more than {POLICY.max_upload_files} files"
        elif safe is None:
            reason = f"not one of {', '.join(POLICY.upload_suffixes)}"
        elif len(content) > limit:
            reason = f"larger than {POLICY.max_upload_mb} MB"
        elif safe in {n for n, _ in accepted}:
            reason = "the same name twice"
        else:
            accepted.append((safe, content))
            continue
        refused.append(
            {"file_name": safe or _UNSAFE_NAME_CHARACTERS.sub("_", str(name))[:120], "message": reason}
        )
    return accepted, refused


def ingest_uploads(files: Iterable[tuple[str, bytes]], progress: Callable[[str], None]) -> pd.DataFrame:
    """Load uploaded feed files through the same all-or-nothing ingest as the command line; returns the report.

    Supervisors only (checked here too); every upload is audited with each file's name, size and SHA-256.
    """
    from warehouse.loader import ingest  # the writer is only imported when someone uploads

    session = access.current()
    if session is None or not access.allowed("upload"):
        raise PermissionError("upload")
    accepted, refused = check_uploads(files)
    path = db.current_source().path
    results = []
    if accepted:
        with tempfile.TemporaryDirectory(prefix="upload-") as folder:
            for name, content in accepted:
                (Path(folder) / name).write_bytes(content)
            report = ingest([Path(folder)], path, progress=progress)
        # No cache to clear: every cached query is keyed by the file's published version,
        # which the load just changed.
        results = [
            {
                "file_name": r.file_name,
                "dataset": r.dataset,
                "status": r.status,
                "rows_read": r.rows_read,
                "rows_loaded": r.rows_loaded,
                "rows_quarantined": r.rows_quarantined,
                "message": r.message,
            }
            for r in report.results
        ]
    results += [{"dataset": None, "status": "refused", **r} for r in refused]
    audit.record(
        access.store_path(),
        actor=session.username,
        role=session.role,
        action="upload",
        target="warehouse",
        detail={
            "files": [
                {"name": n, "bytes": len(c), "sha256": hashlib.sha256(c).hexdigest()} for n, c in accepted
            ],
            "refused": refused,
            "statuses": sorted({r["status"] for r in results}),
        },
    )
    columns = ["file_name", "dataset", "status", "rows_read", "rows_loaded", "rows_quarantined", "message"]
    return pd.DataFrame(results, columns=columns)

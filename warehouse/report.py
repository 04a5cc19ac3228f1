"""Render a load report as plain-text tables: one row per file, then the data-quality findings."""

from __future__ import annotations

from collections.abc import Sequence

from warehouse.loader import LoadReport


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: set[int]) -> str:
    """A fixed-width table; columns in `numeric` are right-aligned with thousands separators."""
    cells = [
        [f"{v:,}" if i in numeric and isinstance(v, int) else str(v or "") for i, v in enumerate(r)]
        for r in rows
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def render_report(report: LoadReport) -> str:
    """The whole load report: files with their row accounting, totals, data-quality findings, outcome."""
    rows = [
        (
            r.file_name + (f"#{r.sheet}" if r.sheet else ""),
            r.dataset or "",
            r.rows_read,
            r.rows_loaded,
            r.rows_quarantined,
            r.status,
            r.message,
        )
        for r in report.results
    ]
    parts = [f"Load {report.load_id} into {report.db_path}", ""]
    parts.append(
        text_table(("file", "dataset", "read", "loaded", "quarantined", "status", "message"), rows, {2, 3, 4})
    )
    totals = [
        sum(getattr(r, k) for r in report.results) for k in ("rows_read", "rows_loaded", "rows_quarantined")
    ]
    parts.append(f"\nTotal: {totals[0]:,} rows read = {totals[1]:,} loaded + {totals[2]:,} quarantined")
    if report.findings:
        found = [
            (f.check_name, f.table_name, f.bad_row_count, f.description)
            for f in report.findings
            if f.bad_row_count
        ]
        parts.append("\nData-quality findings (rows kept, counted here):")
        if found:
            parts.append(text_table(("check", "table", "rows", "what"), found, {2}))
        else:
            parts.append(f"none: all {len(report.findings)} checks passed")
    if report.rejected:
        parts.append(f"\n{len(report.rejected)} file(s) rejected; the other files were loaded.")
    if not report.published:
        parts.append("\nNothing new to load: the warehouse is unchanged.")
    else:
        parts.append(f"\nPublished {report.db_path}.")
    return "\n".join(parts)

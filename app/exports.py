"""Every download the app offers goes through `download`: the role is checked and each export is audited once.

The audit entry says who exported what (the target and the filters that made it), how
many rows, in which format, and the SHA-256 of the exact file. A file built before the
click (bytes) is recorded when the button is clicked (its on_click callback); a file
built on the click (a callable, Streamlit's deferred download, e.g. the PDF brief) is
recorded when it is built. Pages never call st.download_button themselves (a test checks).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from app import access
from pipelines import audit
from pipelines.export_safety import safe_text_cell


def describe(filters: object) -> dict:
    """The filters that made an export, as plain values for the audit entry (a Filters dataclass or a dict)."""
    values = dataclasses.asdict(filters) if dataclasses.is_dataclass(filters) else dict(filters or {})
    return {k: list(v) if isinstance(v, tuple | list) else v for k, v in values.items()}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with a BOM (Excel reads the Chinese), every text cell formula-neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(frame.columns))
    clean = frame.astype(object).where(frame.notna(), None)
    for row in clean.itertuples(index=False):
        writer.writerow([safe_text_cell(str(v) if isinstance(v, pd.Timestamp) else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _entry(store: Path, actor: str, role: str, target: str, detail: dict, data: bytes) -> None:
    audit.record_export(store, actor=actor, role=role, target=target, detail=detail, data=data)


def download(
    data: bytes | Callable[[], bytes],
    *,
    label: str,
    file_name: str,
    mime: str,
    key: str,
    target: str,
    row_count: int,
    filters: dict | None = None,
    action: str = "export.watchlist",
    extra: dict | None = None,
    container=None,
    icon: str = ":material/download:",
) -> bool:
    """A download button for `data` if the signed-in role may perform `action`; False (nothing drawn) otherwise.

    `target` names what is exported (e.g. `watchlist`, `complaints:P01/M1`), `filters` the
    choices that made it; `extra` adds facts such as whether personal data is included.
    """
    session = access.current()
    if session is None or not access.allowed(action):
        return False
    store = access.store_path()
    detail = {
        "format": Path(file_name).suffix.lstrip(".").lower(),
        "file_name": file_name,
        "filters": filters or {},
        "row_count": int(row_count),
        **(extra or {}),
    }
    actor, role = session.username, session.role
    where = container if container is not None else st
    if callable(data):
        build = data

        def audited() -> bytes:
            # Runs outside the script run when the user clicks: everything it needs was captured above.
            content = build()
            _entry(store, actor, role, target, detail, content)
            return content

        where.download_button(label, audited, file_name=file_name, mime=mime, key=key, icon=icon)
    else:
        where.download_button(
            label,
            data,
            file_name=file_name,
            mime=mime,
            key=key,
            icon=icon,
            on_click=_entry,
            args=(store, actor, role, target, detail, data),
        )
    return True
